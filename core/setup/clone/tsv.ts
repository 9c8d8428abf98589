/**
 * Text-protocol rows to LOAD DATA lines, byte for byte. Pure (Buffers in, Buffers out).
 *
 * The source sessions read with character_set_results=binary, so each value in a row packet is the
 * column's own bytes (or the server's text for numbers and dates); LOAD DATA ... CHARACTER SET binary
 * stores those bytes unconverted. Between the two only three bytes need escaping: the field separator
 * (tab), the line separator (newline) and the escape character itself; NULL becomes \N. Nothing is
 * decoded into JavaScript strings, which is where the time went when rows were turned into SQL text.
 *
 * The matching statement clause: FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n'.
 */

const TAB = 0x09;
const NL = 0x0a;
const BACKSLASH = 0x5c;

/** The most bytes one row of `payloadLength` bytes and `columns` columns can take as a line. */
export function maxLineBytes(payloadLength: number, columns: number): number {
  // Every value byte escaped (2×), \N for NULL (2 bytes for its 1-byte marker), separators and newline.
  return 2 * payloadLength + 2 * columns + 1;
}

/**
 * Appends the row packet payload `src[pos, end)` (a text-protocol result row of `columns` values) to `out`
 * at `o` as one line, and returns the new end of `out`. The caller makes sure `out` has
 * maxLineBytes(end - pos, columns) bytes free at `o`. Throws on a payload that is not such a row.
 */
export function appendTsvLine(src: Buffer, pos: number, end: number, columns: number, out: Buffer, o: number): number {
  // Most rows: no NULL, every value shorter than 251 bytes (one length byte) and none of the three bytes
  // to escape. Then the line is the payload without its first length byte, with the other length bytes
  // turned into tabs: one native copy instead of a loop over every byte (twice as fast on sysbench rows).
  let p = pos;
  for (let c = 0; c < columns; c++) {
    const l = p < end ? src[p]! : 0xff;
    if (l >= 0xfb) {
      p = -1;
      break;
    }
    p += 1 + l;
  }
  if (p === end && columns > 0) {
    const v = src.subarray(pos, end);
    // A length byte may itself be 9, 10 or 92: then this check sends the row the slow way, which is only slower.
    if (v.indexOf(TAB) < 0 && v.indexOf(NL) < 0 && v.indexOf(BACKSLASH) < 0) {
      v.copy(out, o, 1);
      for (let c = 1, q = pos + 1 + src[pos]!; c < columns; c++, q += 1 + src[q]!) out[o + (q - pos) - 1] = TAB;
      o += end - pos - 1;
      out[o++] = NL;
      return o;
    }
  }
  return appendTsvLineByBytes(src, pos, end, columns, out, o);
}

function appendTsvLineByBytes(src: Buffer, pos: number, end: number, columns: number, out: Buffer, o: number): number {
  for (let c = 0; c < columns; c++) {
    if (c) out[o++] = TAB;
    if (pos >= end) throw new RangeError(`row packet ends before value ${c + 1} of ${columns}`);
    const first = src[pos]!;
    let len: number;
    if (first < 0xfb) {
      len = first;
      pos += 1;
    } else if (first === 0xfb) {
      out[o++] = BACKSLASH;
      out[o++] = 0x4e; // N
      pos += 1;
      continue;
    } else if (first === 0xfc) {
      len = src[pos + 1]! | (src[pos + 2]! << 8);
      pos += 3;
    } else if (first === 0xfd) {
      len = src[pos + 1]! | (src[pos + 2]! << 8) | (src[pos + 3]! << 16);
      pos += 4;
    } else if (first === 0xfe) {
      len = src.readUIntLE(pos + 1, 6) + src.readUInt16LE(pos + 7) * 2 ** 48;
      pos += 9;
    } else throw new RangeError(`bad length prefix 0x${first.toString(16)} for value ${c + 1}`);
    const stop = pos + len;
    if (stop > end) throw new RangeError(`value ${c + 1} runs past the end of the row packet`);
    // A plain loop is fastest for the short values of most rows (no call per value); long ones (BLOBs,
    // long texts) are scanned and copied natively.
    if (len >= LONG) {
      o = copyEscapedLong(src, pos, stop, out, o);
    } else {
      for (let i = pos; i < stop; i++) {
        const b = src[i]!;
        if (b === BACKSLASH || b === TAB || b === NL) {
          out[o++] = BACKSLASH;
          out[o++] = b === TAB ? 0x74 : b === NL ? 0x6e : BACKSLASH;
        } else out[o++] = b;
      }
    }
    pos = stop;
  }
  if (pos !== end) throw new RangeError(`row packet has ${end - pos} bytes after its ${columns} values`);
  out[o++] = NL;
  return o;
}

const LONG = 4096;

function nextOf(v: Buffer, b: number, from: number, stop: number): number {
  const i = v.indexOf(b, from);
  return i < 0 ? stop : i;
}

function copyEscapedLong(src: Buffer, pos: number, stop: number, out: Buffer, o: number): number {
  // Each special byte's next position is remembered until passed, so a value full of one of them is
  // still scanned once per kind; the subarray keeps indexOf inside this value.
  const v = src.subarray(0, stop);
  let tab = nextOf(v, TAB, pos, stop);
  let nl = nextOf(v, NL, pos, stop);
  let bs = nextOf(v, BACKSLASH, pos, stop);
  for (;;) {
    const s = tab < nl ? (tab < bs ? tab : bs) : nl < bs ? nl : bs;
    if (s > pos) o += v.copy(out, o, pos, s);
    if (s >= stop) return o;
    out[o++] = BACKSLASH;
    if (s === tab) {
      out[o++] = 0x74;
      tab = nextOf(v, TAB, s + 1, stop);
    } else if (s === nl) {
      out[o++] = 0x6e;
      nl = nextOf(v, NL, s + 1, stop);
    } else {
      out[o++] = BACKSLASH;
      bs = nextOf(v, BACKSLASH, s + 1, stop);
    }
    pos = s + 1;
  }
}

/** Value bytes in a row payload (without length prefixes): the progress measure. */
export function rowValueBytes(payloadLength: number, columns: number): number {
  return Math.max(0, payloadLength - columns);
}
