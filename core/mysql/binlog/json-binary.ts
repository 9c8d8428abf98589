import { ColumnType } from './constants';
import { decodeDecimal } from './decimal';
import { MalformedEvent } from './errors';
import { decodePackedDateTime, decodePackedTime } from './temporal';
import type { JsonDiff } from './types';

/**
 * MySQL's binary JSON (the storage format of JSON columns, also in row events) to the exact text MySQL
 * prints for the document: `{"a": 1, "b": [true, null]}` (", " and ": " separators), doubles as MySQL's
 * my_gcvt writes them (1.0, 1e-17, 1.5e20), DECIMAL and temporal opaque values as MySQL shows them,
 * other opaque values as "base64:typeNN:…".
 */

const JSONB_SMALL_OBJECT = 0x00;
const JSONB_LARGE_OBJECT = 0x01;
const JSONB_SMALL_ARRAY = 0x02;
const JSONB_LARGE_ARRAY = 0x03;
const JSONB_LITERAL = 0x04;
const JSONB_INT16 = 0x05;
const JSONB_UINT16 = 0x06;
const JSONB_INT32 = 0x07;
const JSONB_UINT32 = 0x08;
const JSONB_INT64 = 0x09;
const JSONB_UINT64 = 0x0a;
const JSONB_DOUBLE = 0x0b;
const JSONB_STRING = 0x0c;
const JSONB_OPAQUE = 0x0f;

/** MySQL refuses documents nested deeper than 100; we allow some slack but stop runaway recursion. */
const MAX_DEPTH = 150;

const NEEDS_ESCAPE = /[\u0000-\u001f"\\]/;

/** A JSON string literal the way MySQL's double_quote() writes it (only ", \ and C0 controls escaped). */
export function jsonQuote(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x1f && c !== 0x22 && c !== 0x5c) out += s[i];
    else if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0d) out += '\\r';
    else out += '\\u00' + (c < 16 ? '0' : '') + c.toString(16);
  }
  return out + '"';
}

/**
 * A double as MySQL's my_gcvt(x, MY_GCVT_ARG_DOUBLE, MY_GCVT_MAX_FIELD_WIDTH = 34) prints it: the shortest
 * round-trip digits, fixed notation for 1e-15 <= |x| < 1e15 (and longer integers that still fit), else
 * d.ddde[-]N without a '+' or leading zeros.
 */
export function formatDoubleMysql(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (!Number.isFinite(x)) return String(x);
  const neg = x < 0;
  const width = neg ? 33 : 34;
  const exp = Math.abs(x).toExponential();
  const ePos = exp.indexOf('e');
  const digits = exp[0]! + (ePos > 1 ? exp.slice(2, ePos) : '');
  const decpt = Number(exp.slice(ePos + 1)) + 1;
  const len = digits.length;
  const haveSpace = (decpt <= 0 ? len - decpt + 2 : decpt < len ? len + 1 : decpt) <= width;
  const useFixed = haveSpace && decpt >= -14 && (decpt <= 15 || len > decpt);
  let s: string;
  if (useFixed) {
    if (decpt <= 0) s = '0.' + '0'.repeat(-decpt) + digits;
    else if (decpt < len) s = digits.slice(0, decpt) + '.' + digits.slice(decpt);
    else s = digits + '0'.repeat(decpt - len);
  } else {
    const e = decpt - 1;
    s = digits[0]! + (len > 1 ? '.' + digits.slice(1) : '') + 'e' + (e < 0 ? '-' + -e : String(e));
  }
  return neg ? '-' + s : s;
}

/** A JSON double as MySQL prints it: my_gcvt plus ".0" when that looks like an integer. */
function jsonDouble(x: number): string {
  const s = formatDoubleMysql(x);
  return s.includes('.') || s.includes('e') ? s : s + '.0';
}

/** MySQL's base64_encode: standard alphabet, padded, a newline after every 76 characters. */
function mysqlBase64(data: Buffer): string {
  const b64 = data.toString('base64');
  if (b64.length <= 76) return b64;
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join('\n');
}

class JsonReader {
  constructor(
    private readonly buf: Buffer,
    private readonly start: number,
    private readonly end: number,
  ) {}

  private check(pos: number, n: number): void {
    if (pos < this.start || pos + n > this.end) throw new MalformedEvent(`JSON value points outside its ${this.end - this.start} bytes`);
  }

  private readVarLength(pos: number): [number, number] {
    let len = 0;
    for (let i = 0; i < 5; i++) {
      this.check(pos + i, 1);
      const b = this.buf[pos + i]!;
      len += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) return [len, pos + i + 1];
    }
    throw new MalformedEvent('JSON string length has more than 5 bytes');
  }

  /** Text of the value of `type` whose data starts at `pos`. */
  value(type: number, pos: number, depth: number): string {
    if (depth > MAX_DEPTH) throw new MalformedEvent('JSON document nested too deeply');
    const b = this.buf;
    switch (type) {
      case JSONB_SMALL_OBJECT:
      case JSONB_LARGE_OBJECT:
        return this.container(pos, type === JSONB_LARGE_OBJECT, true, depth);
      case JSONB_SMALL_ARRAY:
      case JSONB_LARGE_ARRAY:
        return this.container(pos, type === JSONB_LARGE_ARRAY, false, depth);
      case JSONB_LITERAL:
        this.check(pos, 1);
        switch (b[pos]) {
          case 0:
            return 'null';
          case 1:
            return 'true';
          case 2:
            return 'false';
          default:
            throw new MalformedEvent(`JSON literal ${b[pos]} is not null/true/false`);
        }
      case JSONB_INT16:
        this.check(pos, 2);
        return String(b.readInt16LE(pos));
      case JSONB_UINT16:
        this.check(pos, 2);
        return String(b.readUInt16LE(pos));
      case JSONB_INT32:
        this.check(pos, 4);
        return String(b.readInt32LE(pos));
      case JSONB_UINT32:
        this.check(pos, 4);
        return String(b.readUInt32LE(pos));
      case JSONB_INT64:
        this.check(pos, 8);
        return String(b.readBigInt64LE(pos));
      case JSONB_UINT64:
        this.check(pos, 8);
        return String(b.readBigUInt64LE(pos));
      case JSONB_DOUBLE:
        this.check(pos, 8);
        return jsonDouble(b.readDoubleLE(pos));
      case JSONB_STRING: {
        const [len, p] = this.readVarLength(pos);
        this.check(p, len);
        return jsonQuote(b.toString('utf8', p, p + len));
      }
      case JSONB_OPAQUE: {
        this.check(pos, 1);
        const fieldType = b[pos]!;
        const [len, p] = this.readVarLength(pos + 1);
        this.check(p, len);
        return this.opaque(fieldType, p, len);
      }
      default:
        throw new MalformedEvent(`unknown JSON value type 0x${type.toString(16)}`);
    }
  }

  private opaque(fieldType: number, p: number, len: number): string {
    const b = this.buf;
    switch (fieldType) {
      case ColumnType.NEWDECIMAL: {
        if (len < 2) throw new MalformedEvent('JSON DECIMAL value too short');
        return decodeDecimal(b.subarray(0, p + len), p + 2, b[p]!, b[p + 1]!);
      }
      case ColumnType.DATE:
      case ColumnType.DATETIME:
      case ColumnType.TIMESTAMP:
        if (len < 8) throw new MalformedEvent('JSON temporal value too short');
        return '"' + decodePackedDateTime(b.readBigInt64LE(p), fieldType !== ColumnType.DATE) + '"';
      case ColumnType.TIME:
        if (len < 8) throw new MalformedEvent('JSON TIME value too short');
        return '"' + decodePackedTime(b.readBigInt64LE(p)) + '"';
      case ColumnType.VAR_STRING:
        // MySQL prints strings stored as opaque VAR_STRING as plain JSON strings.
        return jsonQuote(b.toString('utf8', p, p + len));
      default:
        return jsonQuote(`base64:type${fieldType}:${mysqlBase64(b.subarray(p, p + len))}`);
    }
  }

  private container(pos: number, large: boolean, isObject: boolean, depth: number): string {
    const b = this.buf;
    const w = large ? 4 : 2;
    this.check(pos, 2 * w);
    const count = large ? b.readUInt32LE(pos) : b.readUInt16LE(pos);
    const size = large ? b.readUInt32LE(pos + w) : b.readUInt16LE(pos + w);
    if (pos + size > this.end) throw new MalformedEvent(`JSON ${isObject ? 'object' : 'array'} of ${size} bytes exceeds its value`);
    const keyEntry = w + 2;
    const valueEntry = 1 + w;
    const header = 2 * w + (isObject ? count * keyEntry : 0) + count * valueEntry;
    if (header > size) throw new MalformedEvent(`JSON ${isObject ? 'object' : 'array'} header larger than the value`);
    const parts: string[] = new Array(count);
    const valuesAt = pos + 2 * w + (isObject ? count * keyEntry : 0);
    for (let i = 0; i < count; i++) {
      let key = '';
      if (isObject) {
        const ke = pos + 2 * w + i * keyEntry;
        const keyOff = large ? b.readUInt32LE(ke) : b.readUInt16LE(ke);
        const keyLen = b.readUInt16LE(ke + w);
        if (keyOff + keyLen > size) throw new MalformedEvent('JSON object key outside the object');
        key = jsonQuote(b.toString('utf8', pos + keyOff, pos + keyOff + keyLen)) + ': ';
      }
      const ve = valuesAt + i * valueEntry;
      const t = b[ve]!;
      let text: string;
      if (t === JSONB_LITERAL || t === JSONB_INT16 || t === JSONB_UINT16 || (large && (t === JSONB_INT32 || t === JSONB_UINT32))) {
        // Small scalars are stored inline in the entry.
        text = this.value(t, ve + 1, depth + 1);
      } else {
        const off = large ? b.readUInt32LE(ve + 1) : b.readUInt16LE(ve + 1);
        if (off >= size) throw new MalformedEvent('JSON value offset outside its container');
        text = this.value(t, pos + off, depth + 1);
      }
      parts[i] = key + text;
    }
    return isObject ? '{' + parts.join(', ') + '}' : '[' + parts.join(', ') + ']';
  }
}

/** Text of the binary JSON document in `buf[start, end)`. An empty value is JSON null, as MySQL treats it. */
export function jsonBinaryToText(buf: Buffer, start: number, end: number): string {
  if (end <= start) return 'null';
  const r = new JsonReader(buf, start + 1, end);
  return r.value(buf[start]!, start + 1, 0);
}

const DIFF_OPERATIONS: JsonDiff['operation'][] = ['REPLACE', 'INSERT', 'REMOVE'];

/** The list of changes of a partially updated JSON column (PARTIAL_UPDATE_ROWS after image). */
export function decodeJsonDiffs(buf: Buffer, start: number, end: number): JsonDiff[] {
  const diffs: JsonDiff[] = [];
  let p = start;
  const packed = (): number => {
    if (p >= end) throw new MalformedEvent('JSON diff truncated');
    const f = buf[p++]!;
    if (f < 0xfb) return f;
    const n = f === 0xfc ? 2 : f === 0xfd ? 3 : f === 0xfe ? 8 : -1;
    if (n < 0 || p + n > end) throw new MalformedEvent('JSON diff has a bad length');
    const v = n === 8 ? Number(buf.readBigUInt64LE(p)) : buf.readUIntLE(p, n);
    p += n;
    return v;
  };
  while (p < end) {
    const op = DIFF_OPERATIONS[buf[p++]!];
    if (!op) throw new MalformedEvent(`JSON diff operation ${buf[p - 1]} is unknown`);
    const pathLen = packed();
    if (p + pathLen > end) throw new MalformedEvent('JSON diff path truncated');
    const path = buf.toString('utf8', p, p + pathLen);
    p += pathLen;
    if (op === 'REMOVE') {
      diffs.push({ operation: op, path });
      continue;
    }
    const valueLen = packed();
    if (p + valueLen > end) throw new MalformedEvent('JSON diff value truncated');
    diffs.push({ operation: op, path, value: jsonBinaryToText(buf, p, p + valueLen) });
    p += valueLen;
  }
  return diffs;
}
