import { MalformedEvent } from './errors';

/**
 * A bounds-checked reader over one event body, for the fixed and variable fields of the non-row events.
 * Reading past `end` throws MalformedEvent (never returns garbage); the row-image decoder, which is the hot
 * path, does its own checks instead.
 */
export class ByteReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    public end: number,
    /** Offset of `buf[0]` relative to the event's first byte, for error offsets. */
    private readonly base = 0,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new MalformedEvent(`${what} needs ${n} bytes but only ${Math.max(0, this.end - this.pos)} remain`, this.pos - this.base);
    }
  }

  u8(what = 'byte'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }
  u16(what = 'uint16'): number {
    this.need(2, what);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  u24(what = 'uint24'): number {
    this.need(3, what);
    const v = this.buf.readUIntLE(this.pos, 3);
    this.pos += 3;
    return v;
  }
  u32(what = 'uint32'): number {
    this.need(4, what);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  /** 6-byte little-endian integer (table ids). */
  u48(what = 'uint48'): number {
    this.need(6, what);
    const v = this.buf.readUIntLE(this.pos, 6);
    this.pos += 6;
    return v;
  }
  u64(what = 'uint64'): bigint {
    this.need(8, what);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  i64(what = 'int64'): bigint {
    this.need(8, what);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  /** A uint64 that must fit a JS number exactly (counts, lengths); larger is corruption. */
  u64Number(what = 'uint64'): number {
    this.need(8, what);
    const lo = this.buf.readUInt32LE(this.pos);
    const hi = this.buf.readUInt32LE(this.pos + 4);
    if (hi > 0x1fffff) throw new MalformedEvent(`${what} is implausibly large`, this.pos - this.base);
    this.pos += 8;
    return hi * 0x100000000 + lo;
  }
  f64(what = 'double'): number {
    this.need(8, what);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** The protocol's length-encoded integer (1, 3, 4 or 9 bytes). 0xfb (NULL) yields -1. */
  packed(what = 'length-encoded integer'): number {
    const first = this.u8(what);
    if (first < 0xfb) return first;
    if (first === 0xfb) return -1;
    if (first === 0xfc) return this.u16(what);
    if (first === 0xfd) return this.u24(what);
    if (first === 0xfe) return this.u64Number(what);
    throw new MalformedEvent(`${what} starts with the invalid byte 0xff`, this.pos - 1 - this.base);
  }
  /** A length-encoded integer used as a count or length: must be ≥ 0 and fit the bytes left. */
  packedLength(what: string, bytesEach = 1): number {
    const n = this.packed(what);
    if (n < 0 || n * bytesEach > this.remaining) {
      throw new MalformedEvent(`${what} ${n} does not fit the ${this.remaining} bytes left`, this.pos - this.base);
    }
    return n;
  }

  bytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  skip(n: number, what = 'bytes'): void {
    this.need(n, what);
    this.pos += n;
  }
  utf8(n: number, what = 'string'): string {
    this.need(n, what);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  /** A string terminated by NUL (or by the end of the body). */
  utf8z(): string {
    let i = this.pos;
    while (i < this.end && this.buf[i] !== 0) i++;
    const s = this.buf.toString('utf8', this.pos, i);
    this.pos = i < this.end ? i + 1 : i;
    return s;
  }
  rest(): Buffer {
    const b = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return b;
  }
  /** 16 bytes as a lower-case UUID string (8-4-4-4-12). */
  uuid(what = 'uuid'): string {
    const h = this.bytes(16, what).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}
