import { inflateRawSync, inflateSync } from 'node:zlib';
import { ColumnType } from './constants';
import { decodeText } from './charsets';
import { decimalBinarySize, decodeDecimal } from './decimal';
import { MalformedEvent, UnsupportedInEvent } from './errors';
import { decodeJsonDiffs, jsonBinaryToText } from './json-binary';
import { MARIADB_BLOB_COMPRESSED, MARIADB_VARCHAR_COMPRESSED, type TableMap, type TableMapColumn } from './table-map';
import { decodeDate, decodeDateTime2, decodeDateTimeOld, decodeTime2, decodeTimeOld, decodeTimestamp2, formatTimestampUtc, fracBytes } from './temporal';
import type { ColumnValue, Row } from './types';

/*
 * Row images: the hot path. One decoding "plan" per TABLE_MAP (kind + parameters per column, cached), then a
 * tight loop that reads integers straight from the Buffer and allocates only the values themselves.
 */

const enum K {
  TINY = 1,
  SHORT,
  INT24,
  LONG,
  LONGLONG,
  FLOAT,
  DOUBLE,
  DECIMAL,
  YEAR,
  DATE,
  TIME,
  TIME2,
  DATETIME,
  DATETIME2,
  TIMESTAMP,
  TIMESTAMP2,
  /** VARCHAR/VAR_STRING/CHAR: 1- or 2-byte length prefix. */
  STRING,
  /** BLOB/TEXT family, GEOMETRY, VECTOR: 1..4-byte length prefix. */
  BLOB,
  JSON,
  BIT,
  ENUM,
  SET,
  NULL,
  COMPRESSED,
}

interface ColumnPlan {
  kind: K;
  unsigned: boolean;
  /** STRING/BLOB: how to turn bytes into a value: a text decoding, or null for a Buffer. */
  text: 'utf8' | 'latin1' | 'ucs2' | 'utf16' | 'utf16le' | 'utf32' | null;
  /** Bytes of length prefix (STRING/BLOB/JSON/COMPRESSED), pack length (ENUM/SET/FLOAT/DOUBLE). */
  lengthBytes: number;
  /** Re-pad BINARY(n) values to n bytes with 0x00 (the server strips trailing zeros when logging). */
  padTo: number;
  precision: number;
  scale: number;
  fsp: number;
  /** Fixed size in bytes for fixed-width kinds. */
  size: number;
  col: TableMapColumn;
}

function planColumn(c: TableMapColumn): ColumnPlan {
  const p: ColumnPlan = { kind: K.NULL, unsigned: c.unsigned === true, text: null, lengthBytes: c.lengthBytes, padTo: 0, precision: c.precision, scale: c.scale, fsp: c.fsp, size: 0, col: c };
  const dec = c.charset?.decoding;
  const text = dec && dec !== 'binary' && dec !== 'raw' ? dec : null;
  switch (c.realType) {
    case ColumnType.TINY:
      p.kind = K.TINY;
      p.size = 1;
      break;
    case ColumnType.SHORT:
      p.kind = K.SHORT;
      p.size = 2;
      break;
    case ColumnType.INT24:
      p.kind = K.INT24;
      p.size = 3;
      break;
    case ColumnType.LONG:
      p.kind = K.LONG;
      p.size = 4;
      break;
    case ColumnType.LONGLONG:
      p.kind = K.LONGLONG;
      p.size = 8;
      break;
    case ColumnType.FLOAT:
    case ColumnType.DOUBLE:
      // The size comes from the metadata (pack length), which is what the server wrote.
      p.size = c.lengthBytes || (c.realType === ColumnType.FLOAT ? 4 : 8);
      if (p.size !== 4 && p.size !== 8) throw new MalformedEvent(`column ${c.index + 1}: floating point size ${p.size}`);
      p.kind = p.size === 4 ? K.FLOAT : K.DOUBLE;
      break;
    case ColumnType.NEWDECIMAL:
      p.kind = K.DECIMAL;
      p.size = decimalBinarySize(c.precision, c.scale);
      break;
    case ColumnType.YEAR:
      p.kind = K.YEAR;
      p.size = 1;
      break;
    case ColumnType.DATE:
    case ColumnType.NEWDATE:
      p.kind = K.DATE;
      p.size = 3;
      break;
    case ColumnType.TIME:
      p.kind = K.TIME;
      p.size = 3;
      break;
    case ColumnType.TIME2:
      p.kind = K.TIME2;
      p.size = 3 + fracBytes(c.fsp);
      break;
    case ColumnType.DATETIME:
      p.kind = K.DATETIME;
      p.size = 8;
      break;
    case ColumnType.DATETIME2:
      p.kind = K.DATETIME2;
      p.size = 5 + fracBytes(c.fsp);
      break;
    case ColumnType.TIMESTAMP:
      p.kind = K.TIMESTAMP;
      p.size = 4;
      break;
    case ColumnType.TIMESTAMP2:
      p.kind = K.TIMESTAMP2;
      p.size = 4 + fracBytes(c.fsp);
      break;
    case ColumnType.VARCHAR:
    case ColumnType.VAR_STRING:
      p.kind = K.STRING;
      p.text = text;
      break;
    case ColumnType.STRING:
      p.kind = K.STRING;
      p.text = text;
      if (dec === 'binary') p.padTo = c.maxLength;
      break;
    case ColumnType.BLOB:
    case ColumnType.TINY_BLOB:
    case ColumnType.MEDIUM_BLOB:
    case ColumnType.LONG_BLOB:
      p.kind = K.BLOB;
      p.text = text;
      break;
    case ColumnType.GEOMETRY:
    case ColumnType.VECTOR:
      p.kind = K.BLOB;
      break;
    case ColumnType.JSON:
      p.kind = K.JSON;
      break;
    case ColumnType.BIT:
      p.kind = K.BIT;
      p.size = (c.maxLength + 7) >> 3;
      break;
    case ColumnType.ENUM:
      p.kind = K.ENUM;
      p.size = c.lengthBytes;
      break;
    case ColumnType.SET:
      p.kind = K.SET;
      p.size = c.lengthBytes;
      break;
    case ColumnType.NULL:
      p.kind = K.NULL;
      break;
    case MARIADB_VARCHAR_COMPRESSED:
    case MARIADB_BLOB_COMPRESSED:
      p.kind = K.COMPRESSED;
      p.text = text;
      break;
    default:
      throw new UnsupportedInEvent(`column ${c.index + 1} has type ${c.realType}, which rows events of supported servers do not contain`);
  }
  return p;
}

const plans = new WeakMap<TableMap, ColumnPlan[]>();

function planFor(map: TableMap): ColumnPlan[] {
  let p = plans.get(map);
  if (!p) {
    p = map.columns.map(planColumn);
    plans.set(map, p);
  }
  return p;
}

type FastBuffer = Buffer & { utf8Slice(s: number, e: number): string; latin1Slice(s: number, e: number): string };

/** Decompresses a MariaDB COMPRESSED column value (header byte, big-endian original length, zlib data). */
function uncompressColumn(buf: Buffer, start: number, end: number): Buffer {
  if (end <= start) return buf.subarray(start, end);
  const header = buf[start]!;
  const method = header >> 4;
  if (method === 0) return buf.subarray(start + 1, end);
  if (method !== 8) throw new UnsupportedInEvent(`compressed column uses compression method ${method}, not zlib`);
  const lenBytes = header & 7;
  if (start + 1 + lenBytes > end) throw new MalformedEvent('compressed column value truncated');
  const expected = lenBytes ? buf.readUIntBE(start + 1, lenBytes) : 0;
  const data = buf.subarray(start + 1 + lenBytes, end);
  let out: Buffer;
  try {
    const limit = { maxOutputLength: expected + 1 };
    out = header & 8 ? inflateRawSync(data, limit) : inflateSync(data, limit);
  } catch (err) {
    throw new MalformedEvent(`compressed column does not inflate: ${(err as Error).message}`);
  }
  if (out.length !== expected) throw new MalformedEvent(`compressed column inflated to ${out.length} bytes, header says ${expected}`);
  return out;
}

/** Reads row images out of one rows event's row data. Holds its position between calls. */
export class RowImageReader {
  pos: number;
  private readonly plan: ColumnPlan[];

  constructor(
    private readonly buf: Buffer,
    start: number,
    readonly end: number,
    readonly table: TableMap,
  ) {
    this.pos = start;
    this.plan = planFor(table);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private fail(msg: string): never {
    throw new MalformedEvent(msg, this.pos);
  }

  /**
   * Reads one row image. `present` is the columns-present bitmap (LSB first), `presentCount` its number of
   * set bits. `partial`, for PARTIAL_UPDATE_ROWS after images, is a bitmap over the table's JSON columns.
   */
  readImage(present: Uint8Array, presentCount: number, partialJson?: Uint8Array): Row {
    const b = this.buf;
    const end = this.end;
    const plan = this.plan;
    const n = plan.length;
    const nullStart = this.pos;
    let pos = nullStart + ((presentCount + 7) >> 3);
    if (pos > end) this.fail('row image NULL bitmap runs past the event');
    const row: Row = new Array(n);
    let bit = 0;
    let jsonIndex = 0;
    for (let i = 0; i < n; i++) {
      const p = plan[i]!;
      const isJson = p.kind === K.JSON;
      if ((present[i >> 3]! & (1 << (i & 7))) === 0) {
        if (isJson) jsonIndex++;
        continue;
      }
      const isNull = (b[nullStart + (bit >> 3)]! & (1 << (bit & 7))) !== 0;
      bit++;
      if (isNull) {
        if (isJson) jsonIndex++;
        row[i] = null;
        continue;
      }
      if (p.size > 0 && pos + p.size > end) {
        this.pos = pos;
        this.fail(`column ${i + 1} needs ${p.size} bytes, only ${end - pos} remain`);
      }
      let v: ColumnValue;
      switch (p.kind) {
        case K.TINY:
          v = p.unsigned ? b[pos]! : (b[pos]! << 24) >> 24;
          pos += 1;
          break;
        case K.SHORT: {
          const x = b[pos]! | (b[pos + 1]! << 8);
          v = p.unsigned ? x : (x << 16) >> 16;
          pos += 2;
          break;
        }
        case K.INT24: {
          const x = b[pos]! | (b[pos + 1]! << 8) | (b[pos + 2]! << 16);
          v = p.unsigned ? x : (x << 8) >> 8;
          pos += 3;
          break;
        }
        case K.LONG: {
          const x = b[pos]! | (b[pos + 1]! << 8) | (b[pos + 2]! << 16) | (b[pos + 3]! << 24);
          v = p.unsigned ? x >>> 0 : x;
          pos += 4;
          break;
        }
        case K.LONGLONG:
          v = p.unsigned ? b.readBigUInt64LE(pos) : b.readBigInt64LE(pos);
          pos += 8;
          break;
        case K.FLOAT:
          v = b.readFloatLE(pos);
          pos += 4;
          break;
        case K.DOUBLE:
          v = b.readDoubleLE(pos);
          pos += 8;
          break;
        case K.DECIMAL:
          v = decodeDecimal(b, pos, p.precision, p.scale);
          pos += p.size;
          break;
        case K.YEAR:
          v = b[pos] === 0 ? 0 : 1900 + b[pos]!;
          pos += 1;
          break;
        case K.DATE:
          v = decodeDate(b, pos);
          pos += 3;
          break;
        case K.TIME:
          v = decodeTimeOld(b, pos);
          pos += 3;
          break;
        case K.TIME2:
          v = decodeTime2(b, pos, p.fsp);
          pos += p.size;
          break;
        case K.DATETIME:
          v = decodeDateTimeOld(b, pos);
          pos += 8;
          break;
        case K.DATETIME2:
          v = decodeDateTime2(b, pos, p.fsp);
          pos += p.size;
          break;
        case K.TIMESTAMP:
          v = formatTimestampUtc(b.readUInt32LE(pos), 0, 0);
          pos += 4;
          break;
        case K.TIMESTAMP2:
          v = decodeTimestamp2(b, pos, p.fsp);
          pos += p.size;
          break;
        case K.STRING: {
          if (pos + p.lengthBytes > end) this.failAt(pos, i, 'length');
          const len = p.lengthBytes === 1 ? b[pos]! : b[pos]! | (b[pos + 1]! << 8);
          pos += p.lengthBytes;
          if (pos + len > end) this.failAt(pos, i, `${len} bytes`);
          if (p.text === 'utf8') v = (b as FastBuffer).utf8Slice(pos, pos + len);
          else if (p.text !== null) v = decodeText(p.text, b, pos, pos + len);
          else if (p.padTo > len) {
            const padded = Buffer.alloc(p.padTo);
            b.copy(padded, 0, pos, pos + len);
            v = padded;
          } else v = b.subarray(pos, pos + len);
          pos += len;
          break;
        }
        case K.BLOB: {
          const lb = p.lengthBytes;
          if (pos + lb > end) this.failAt(pos, i, 'length');
          const len = lb === 1 ? b[pos]! : lb === 2 ? b[pos]! | (b[pos + 1]! << 8) : lb === 3 ? b[pos]! | (b[pos + 1]! << 8) | (b[pos + 2]! << 16) : b.readUInt32LE(pos);
          pos += lb;
          if (pos + len > end) this.failAt(pos, i, `${len} bytes`);
          v = p.text !== null ? decodeText(p.text, b, pos, pos + len) : b.subarray(pos, pos + len);
          pos += len;
          break;
        }
        case K.JSON: {
          const lb = p.lengthBytes;
          if (pos + lb > end) this.failAt(pos, i, 'length');
          const len = b.readUIntLE(pos, lb);
          pos += lb;
          if (pos + len > end) this.failAt(pos, i, `${len} bytes`);
          const partial = partialJson !== undefined && (partialJson[jsonIndex >> 3]! & (1 << (jsonIndex & 7))) !== 0;
          v = partial ? { kind: 'json-diff', diffs: decodeJsonDiffs(b, pos, pos + len) } : jsonBinaryToText(b, pos, pos + len);
          pos += len;
          break;
        }
        case K.BIT:
          v = b.subarray(pos, pos + p.size);
          pos += p.size;
          break;
        case K.ENUM:
          v = p.size === 1 ? b[pos]! : b[pos]! | (b[pos + 1]! << 8);
          pos += p.size;
          break;
        case K.SET: {
          let x = 0n;
          if (p.size <= 4) x = BigInt(b.readUIntLE(pos, p.size));
          else for (let k = p.size - 1; k >= 0; k--) x = (x << 8n) | BigInt(b[pos + k]!);
          v = x;
          pos += p.size;
          break;
        }
        case K.COMPRESSED: {
          const lb = p.lengthBytes;
          if (pos + lb > end) this.failAt(pos, i, 'length');
          const len = b.readUIntLE(pos, lb);
          pos += lb;
          if (pos + len > end) this.failAt(pos, i, `${len} bytes`);
          const raw = uncompressColumn(b, pos, pos + len);
          v = p.text !== null ? decodeText(p.text, raw, 0, raw.length) : raw;
          pos += len;
          break;
        }
        default:
          v = null;
      }
      if (isJson) jsonIndex++;
      row[i] = v;
    }
    this.pos = pos;
    return row;
  }

  private failAt(pos: number, col: number, what: string): never {
    this.pos = pos;
    this.fail(`column ${col + 1} (${what}) runs past the end of the rows event`);
  }

  /** Reads PARTIAL_UPDATE_ROWS' value_options and partial-JSON bitmap before an after image. */
  readPartialHeader(): Uint8Array | undefined {
    const b = this.buf;
    if (this.pos >= this.end) this.fail('value options missing');
    let options: number;
    const f = b[this.pos++]!;
    if (f < 0xfb) options = f;
    else {
      const n = f === 0xfc ? 2 : f === 0xfd ? 3 : f === 0xfe ? 8 : -1;
      if (n < 0 || this.pos + n > this.end) this.fail('value options malformed');
      options = n === 8 ? Number(b.readBigUInt64LE(this.pos) & 0xffffffffn) : b.readUIntLE(this.pos, n);
      this.pos += n;
    }
    if ((options & 1) === 0) return undefined;
    const bytes = (this.table.jsonColumnCount + 7) >> 3;
    if (this.pos + bytes > this.end) this.fail('partial JSON bitmap runs past the event');
    const bits = b.subarray(this.pos, this.pos + bytes);
    this.pos += bytes;
    return bits;
  }
}

/** Number of set bits among the first `n` bits of an LSB-first bitmap. */
export function countBits(bitmap: Uint8Array, n: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (bitmap[i >> 3]! & (1 << (i & 7))) c++;
  return c;
}
