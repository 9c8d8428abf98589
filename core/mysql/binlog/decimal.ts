import { MalformedEvent } from './errors';

/** Bytes needed for 0..9 leftover decimal digits (MySQL's dig2bytes). */
const DIG2BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];
const ZEROS9 = '000000000';

/** Size in bytes of a binary DECIMAL(precision, scale) value. */
export function decimalBinarySize(precision: number, scale: number): number {
  const intg = precision - scale;
  return ((intg / 9) | 0) * 4 + DIG2BYTES[intg % 9]! + ((scale / 9) | 0) * 4 + DIG2BYTES[scale % 9]!;
}

/**
 * Decodes MySQL's binary DECIMAL (big-endian groups of 9 digits in 4 bytes, sign in the top bit, negative
 * values stored with every bit inverted) into the exact text the server prints: no exponent, the declared
 * number of fraction digits, '0' before the point, no sign on zero.
 */
export function decodeDecimal(buf: Uint8Array, pos: number, precision: number, scale: number): string {
  const size = decimalBinarySize(precision, scale);
  if (pos + size > buf.length) throw new MalformedEvent(`DECIMAL(${precision},${scale}) needs ${size} bytes`);
  const negative = (buf[pos]! & 0x80) === 0;
  const mask = negative ? 0xff : 0;
  let p = pos;
  let first = true;
  const byte = (): number => {
    let b = buf[p++]! ^ mask;
    if (first) {
      b ^= 0x80;
      first = false;
    }
    return b;
  };
  const group = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + byte();
    return v;
  };
  const intg = precision - scale;
  const intg0 = (intg / 9) | 0;
  const intgX = intg % 9;
  const frac0 = (scale / 9) | 0;
  const fracX = scale % 9;

  let int = '';
  if (intgX > 0) {
    const v = group(DIG2BYTES[intgX]!);
    if (v >= 10 ** intgX) throw new MalformedEvent('DECIMAL digit group out of range');
    if (v > 0) int = String(v);
  }
  for (let i = 0; i < intg0; i++) {
    const v = group(4);
    if (v > 999999999) throw new MalformedEvent('DECIMAL digit group out of range');
    if (int === '') {
      if (v > 0) int = String(v);
    } else {
      const s = String(v);
      int += ZEROS9.slice(s.length) + s;
    }
  }
  let frac = '';
  for (let i = 0; i < frac0; i++) {
    const v = group(4);
    if (v > 999999999) throw new MalformedEvent('DECIMAL digit group out of range');
    const s = String(v);
    frac += ZEROS9.slice(s.length) + s;
  }
  if (fracX > 0) {
    const v = group(DIG2BYTES[fracX]!);
    if (v >= 10 ** fracX) throw new MalformedEvent('DECIMAL digit group out of range');
    const s = String(v);
    frac += ZEROS9.slice(0, fracX - s.length) + s;
  }
  const isZero = int === '' && !/[1-9]/.test(frac);
  const text = (int === '' ? '0' : int) + (scale > 0 ? '.' + frac : '');
  return negative && !isZero ? '-' + text : text;
}
