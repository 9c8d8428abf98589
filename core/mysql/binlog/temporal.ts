/**
 * Temporal column values to the text MySQL/MariaDB print for them. All arithmetic is on integers; nothing
 * passes through a Date, so zero dates, partial-zero dates and out-of-range years survive unchanged.
 */

const PAD2: string[] = [];
for (let i = 0; i < 100; i++) PAD2.push(i < 10 ? '0' + i : String(i));

export function pad2(n: number): string {
  return n < 100 ? PAD2[n]! : String(n);
}

export function pad4(n: number): string {
  return n >= 1000 ? String(n) : n >= 100 ? '0' + n : n >= 10 ? '00' + n : '000' + n;
}

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000];

/** '.ffffff' cut to `fsp` digits, from microseconds; '' when fsp is 0. */
export function fraction(micro: number, fsp: number): string {
  if (fsp === 0) return '';
  const v = Math.floor(micro / POW10[6 - fsp]!);
  const s = String(v);
  return '.' + '000000'.slice(0, fsp - s.length) + s;
}

export function formatDate(year: number, month: number, day: number): string {
  return pad4(year) + '-' + pad2(month) + '-' + pad2(day);
}

export function formatDateTime(year: number, month: number, day: number, hour: number, minute: number, second: number, micro: number, fsp: number): string {
  return pad4(year) + '-' + pad2(month) + '-' + pad2(day) + ' ' + pad2(hour) + ':' + pad2(minute) + ':' + pad2(second) + fraction(micro, fsp);
}

/** DATE: 3 bytes little-endian, day | month << 5 | year << 9. */
export function decodeDate(buf: Uint8Array, pos: number): string {
  const v = buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16);
  return formatDate(v >>> 9, (v >>> 5) & 15, v & 31);
}

/** Old TIME (before MySQL 5.6.4 / MariaDB's mysql56 format): signed 3 bytes holding HHMMSS. */
export function decodeTimeOld(buf: Uint8Array, pos: number): string {
  const raw = (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16)) << 8 >> 8;
  const v = Math.abs(raw);
  return (raw < 0 ? '-' : '') + pad2(Math.floor(v / 10000)) + ':' + pad2(Math.floor(v / 100) % 100) + ':' + pad2(v % 100);
}

/** Old DATETIME: 8 bytes little-endian holding the decimal number YYYYMMDDhhmmss. */
export function decodeDateTimeOld(buf: Buffer, pos: number): string {
  const v = buf.readUInt32LE(pos) + buf.readUInt32LE(pos + 4) * 0x100000000;
  const d = Math.floor(v / 1000000);
  const t = v % 1000000;
  return formatDateTime(Math.floor(d / 10000), Math.floor(d / 100) % 100, d % 100, Math.floor(t / 10000), Math.floor(t / 100) % 100, t % 100, 0, 0);
}

/** Days since 1970-01-01 → proleptic Gregorian y/m/d (exact integer algorithm, any range). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** Seconds since the epoch (+ microseconds) as 'YYYY-MM-DD HH:MM:SS[.f]' in UTC; 0 is the zero timestamp. */
export function formatTimestampUtc(seconds: number, micro: number, fsp: number): string {
  if (seconds === 0) return '0000-00-00 00:00:00' + fraction(micro, fsp);
  const days = Math.floor(seconds / 86400);
  const rem = seconds - days * 86400;
  const [y, m, d] = civilFromDays(days);
  return formatDateTime(y, m, d, Math.floor(rem / 3600), Math.floor(rem / 60) % 60, rem % 60, micro, fsp);
}

/** Bytes of the fractional part of TIME2/DATETIME2/TIMESTAMP2 for a precision. */
export function fracBytes(fsp: number): number {
  return (fsp + 1) >> 1;
}

function readFracMicro(buf: Uint8Array, pos: number, fsp: number): number {
  switch (fsp) {
    case 1:
    case 2:
      return buf[pos]! * 10000;
    case 3:
    case 4:
      return ((buf[pos]! << 8) | buf[pos + 1]!) * 100;
    case 5:
    case 6:
      return (buf[pos]! << 16) | (buf[pos + 1]! << 8) | buf[pos + 2]!;
    default:
      return 0;
  }
}

/** TIMESTAMP2: 4 bytes big-endian seconds, then the fraction big-endian. */
export function decodeTimestamp2(buf: Uint8Array, pos: number, fsp: number): string {
  const sec = ((buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!) >>> 0;
  return formatTimestampUtc(sec, readFracMicro(buf, pos + 4, fsp), fsp);
}

const DATETIMEF_INT_OFS = 0x8000000000;

/** DATETIME2: 5 bytes big-endian (sign, year*13+month, day, hour, minute, second), then the fraction. */
export function decodeDateTime2(buf: Uint8Array, pos: number, fsp: number): string {
  const hi = buf[pos]!;
  const lo = ((buf[pos + 1]! << 24) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 8) | buf[pos + 4]!) >>> 0;
  let intPart = hi * 0x100000000 + lo - DATETIMEF_INT_OFS;
  let micro = readFracMicro(buf, pos + 5, fsp);
  let sign = '';
  if (intPart < 0) {
    // Never written by a server (DATETIME has no negative values); handled like MySQL does for robustness.
    sign = '-';
    intPart = -intPart;
    if (micro) {
      intPart--;
      micro = 1000000 - micro;
    }
  }
  const ymd = Math.floor(intPart / 131072);
  const hms = intPart % 131072;
  const ym = ymd >>> 5;
  return sign + formatDateTime(Math.floor(ym / 13), ym % 13, ymd & 31, hms >>> 12, (hms >>> 6) & 63, hms & 63, micro, fsp);
}

const TIMEF_INT_OFS = 0x800000;
const TIMEF_OFS = 0x800000000000;

/** TIME2: 3 bytes big-endian (sign, hours, minutes, seconds), then the fraction; negative values as MySQL stores them. */
export function decodeTime2(buf: Uint8Array, pos: number, fsp: number): string {
  let intPart: number;
  let micro: number;
  const u3 = (buf[pos]! << 16) | (buf[pos + 1]! << 8) | buf[pos + 2]!;
  switch (fsp) {
    case 1:
    case 2: {
      intPart = u3 - TIMEF_INT_OFS;
      // Negative values keep the fraction "reversed" (0x100 - frac) so that the bytes sort; undo that.
      let frac = buf[pos + 3]!;
      if (intPart < 0 && frac) {
        intPart++;
        frac -= 0x100;
      }
      micro = frac * 10000;
      break;
    }
    case 3:
    case 4: {
      intPart = u3 - TIMEF_INT_OFS;
      let frac = (buf[pos + 3]! << 8) | buf[pos + 4]!;
      if (intPart < 0 && frac) {
        intPart++;
        frac -= 0x10000;
      }
      micro = frac * 100;
      break;
    }
    case 5:
    case 6: {
      const packed = u3 * 0x1000000 + ((buf[pos + 3]! << 16) | (buf[pos + 4]! << 8) | buf[pos + 5]!) - TIMEF_OFS;
      intPart = Math.trunc(packed / 0x1000000);
      micro = packed - intPart * 0x1000000;
      break;
    }
    default:
      intPart = u3 - TIMEF_INT_OFS;
      micro = 0;
  }
  // packed = intPart * 2^24 + micro, with micro carrying the same sign as the value.
  let packed = intPart * 0x1000000 + micro;
  const neg = packed < 0;
  if (neg) packed = -packed;
  const hms = Math.floor(packed / 0x1000000);
  const us = packed % 0x1000000;
  return (neg ? '-' : '') + pad2((hms >>> 12) % 1024) + ':' + pad2((hms >>> 6) & 63) + ':' + pad2(hms & 63) + fraction(us, fsp);
}

/**
 * The 8-byte "packed" temporal values inside MySQL binary JSON (opaque DATE/DATETIME/TIMESTAMP/TIME):
 * int64 = (YYYY*13+MM)<<22 | DD<<17 | hh<<12 | mm<<6 | ss, shifted left 24, plus microseconds.
 */
export function decodePackedDateTime(packed: bigint, withTime: boolean): string {
  let v = packed;
  const neg = v < 0n;
  if (neg) v = -v;
  const micro = Number(v & 0xffffffn);
  const ymdhms = Number(v >> 24n);
  const ymd = Math.floor(ymdhms / 131072);
  const hms = ymdhms % 131072;
  const ym = ymd >>> 5;
  const year = Math.floor(ym / 13);
  const month = ym % 13;
  const day = ymd & 31;
  const s = withTime ? formatDateTime(year, month, day, hms >>> 12, (hms >>> 6) & 63, hms & 63, micro, 6) : formatDate(year, month, day);
  return neg ? '-' + s : s;
}

export function decodePackedTime(packed: bigint): string {
  let v = packed;
  const neg = v < 0n;
  if (neg) v = -v;
  const micro = Number(v & 0xffffffn);
  const hms = Number(v >> 24n);
  return (neg ? '-' : '') + pad2((hms >>> 12) % 1024) + ':' + pad2((hms >>> 6) & 63) + ':' + pad2(hms & 63) + fraction(micro, 6);
}
