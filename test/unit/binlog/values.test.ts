import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ColumnType as T, EventType } from '../../../core/mysql/binlog/constants';
import { decodeBinlogBuffer } from '../../../core/mysql/binlog/decoder';
import { decodeDecimal } from '../../../core/mysql/binlog/decimal';
import type { RowsEvent } from '../../../core/mysql/binlog/events';
import { formatDoubleMysql, jsonBinaryToText } from '../../../core/mysql/binlog/json-binary';
import { TableMapMetadata } from '../../../core/mysql/binlog/table-map';
import { decodeDateTime2, decodeTime2, decodeTimestamp2, formatTimestampUtc } from '../../../core/mysql/binlog/temporal';
import type { Row } from '../../../core/mysql/binlog/types';
import { BinlogBuilder, type ColumnDef, jsonb, lenenc, optField, rowImage, rowsBody, tableMapBody, u16, u32 } from './builder';

/** Decodes rows of a one-table binlog built from column definitions and encoded row images. */
function decodeRows(cols: ColumnDef[], images: (Buffer | null)[][], optional?: Buffer, serverVersion?: string): Row[] {
  const b = new BinlogBuilder({ serverVersion });
  b.addFde();
  b.add(EventType.TABLE_MAP_EVENT, tableMapBody(42, 'db', 't', cols, optional));
  b.add(EventType.WRITE_ROWS_EVENT, rowsBody(42, cols.length, images.map(rowImage), { v2: true }));
  const rows = decodeBinlogBuffer(b.bytes()).find((e): e is RowsEvent => e.kind === 'rows')!;
  return rows.rows as Row[];
}
function one(col: ColumnDef, value: Buffer, optional?: Buffer): unknown {
  return decodeRows([col], [[value]], optional)[0]![0];
}
const le = (n: number, bytes: number) => {
  const b = Buffer.alloc(bytes);
  b.writeUIntLE(n >= 0 ? n : 2 ** (8 * bytes) + n, 0, bytes);
  return b;
};
const signedness = (bits: number[]) => optField(TableMapMetadata.SIGNEDNESS, Buffer.from(bits));
const charset = (coll: number) => optField(TableMapMetadata.DEFAULT_CHARSET, lenenc(coll));

/** MySQL's decimal2bin, written from the format description, to round-trip random values. */
function encodeDecimal(text: string, precision: number, scale: number): Buffer {
  const DIG2BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];
  const neg = text.startsWith('-');
  const [ip, fp = ''] = text.replace('-', '').split('.');
  const intg = precision - scale;
  const intDigits = ip!.padStart(intg, '0');
  const fracDigits = fp.padEnd(scale, '0');
  const out: number[] = [];
  const put = (digits: string, bytes: number) => {
    let v = BigInt(digits || '0');
    const tmp: number[] = [];
    for (let i = 0; i < bytes; i++) {
      tmp.unshift(Number(v & 0xffn));
      v >>= 8n;
    }
    out.push(...tmp);
  };
  const lead = intg % 9;
  if (lead) put(intDigits.slice(0, lead), DIG2BYTES[lead]!);
  for (let i = lead; i < intg; i += 9) put(intDigits.slice(i, i + 9), 4);
  const full = Math.floor(scale / 9) * 9;
  for (let i = 0; i < full; i += 9) put(fracDigits.slice(i, i + 9), 4);
  if (scale % 9) put(fracDigits.slice(full), DIG2BYTES[scale % 9]!);
  out[0]! ^= 0x80;
  return Buffer.from(neg ? out.map((x) => x ^ 0xff) : out);
}

test('DECIMAL: byte literals and random round trips, exact text', () => {
  assert.equal(decodeDecimal(Buffer.from([0x8c, 0x22]), 0, 4, 2), '12.34');
  assert.equal(decodeDecimal(Buffer.from([0x73, 0xdd]), 0, 4, 2), '-12.34');
  assert.equal(decodeDecimal(Buffer.from([0x80, 0x00]), 0, 4, 2), '0.00');
  assert.equal(decodeDecimal(Buffer.from([0x80, 0x05]), 0, 4, 2), '0.05');
  assert.equal(decodeDecimal(encodeDecimal('0', 10, 0), 0, 10, 0), '0');
  const max65 = '9'.repeat(35) + '.' + '9'.repeat(30);
  assert.equal(decodeDecimal(encodeDecimal(max65, 65, 30), 0, 65, 30), max65);
  assert.equal(decodeDecimal(encodeDecimal('-' + max65, 65, 30), 0, 65, 30), '-' + max65);
  assert.equal(decodeDecimal(encodeDecimal('-0.000000001', 20, 10), 0, 20, 10), '-0.0000000010');
  let seed = 12345;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
  for (let i = 0; i < 2000; i++) {
    const precision = 1 + rnd(65);
    const scale = rnd(Math.min(30, precision) + 1);
    const intLen = rnd(precision - scale + 1);
    let ip = '';
    for (let k = 0; k < intLen; k++) ip += String(rnd(10));
    ip = ip.replace(/^0+/, '') || '0';
    let fp = '';
    for (let k = 0; k < scale; k++) fp += String(rnd(10));
    const zero = /^0*$/.test(ip + fp);
    const text = (rnd(2) && !zero ? '-' : '') + ip + (scale ? '.' + fp : '');
    assert.equal(decodeDecimal(encodeDecimal(text, precision, scale), 0, precision, scale), text, `DECIMAL(${precision},${scale}) ${text}`);
  }
});

test('integers: every width, signed and unsigned limits, BIGINT beyond 2^53', () => {
  const cols: ColumnDef[] = [{ type: T.TINY }, { type: T.SHORT }, { type: T.INT24 }, { type: T.LONG }, { type: T.LONGLONG }];
  const sizes = [1, 2, 3, 4];
  const mins = [-128, -32768, -8388608, -2147483648];
  const maxs = [127, 32767, 8388607, 2147483647];
  const umax = [255, 65535, 16777215, 4294967295];
  const signed = decodeRows(cols, [
    [...mins.map((m, i) => le(m, sizes[i]!)), Buffer.from('0000000000000080', 'hex')],
    [...maxs.map((m, i) => le(m, sizes[i]!)), Buffer.from('ffffffffffffff7f', 'hex')],
  ]);
  assert.deepEqual(signed[0], [...mins, -9223372036854775808n]);
  assert.deepEqual(signed[1], [...maxs, 9223372036854775807n]);
  // SIGNEDNESS metadata: all five unsigned (bitmap MSB first).
  const unsigned = decodeRows(cols, [[...umax.map((m, i) => le(m, sizes[i]!)), Buffer.from('ffffffffffffffff', 'hex')], [...sizes.map((s) => le(0, s)), Buffer.from('0100000000002000', 'hex')]], signedness([0xf8]));
  assert.deepEqual(unsigned[0], [...umax, 18446744073709551615n]);
  assert.deepEqual(unsigned[1], [0, 0, 0, 0, 9007199254740993n]);
  // Without metadata, 0xff is -1: what the bytes say (hints or metadata decide).
  assert.equal(one({ type: T.TINY }, Buffer.from([0xff])), -1);
});

test('FLOAT/DOUBLE/YEAR/BIT/ENUM/SET', () => {
  const f = Buffer.alloc(4);
  f.writeFloatLE(1.1);
  assert.equal(one({ type: T.FLOAT, meta: Buffer.from([4]) }, f), Math.fround(1.1));
  const d = Buffer.alloc(8);
  d.writeDoubleLE(-2.5e-300);
  assert.equal(one({ type: T.DOUBLE, meta: Buffer.from([8]) }, d), -2.5e-300);
  assert.equal(one({ type: T.YEAR }, Buffer.from([0])), 0);
  assert.equal(one({ type: T.YEAR }, Buffer.from([255])), 2155);
  assert.equal(one({ type: T.YEAR }, Buffer.from([1])), 1901);
  // BIT(64) with the top bit set; BIT(3).
  assert.deepEqual(one({ type: T.BIT, meta: Buffer.from([0, 8]) }, Buffer.from('8000000000000001', 'hex')), Buffer.from('8000000000000001', 'hex'));
  assert.deepEqual(one({ type: T.BIT, meta: Buffer.from([3, 0]) }, Buffer.from([5])), Buffer.from([5]));
  // ENUM with 2-byte index (more than 255 members) and SET with 8 bytes.
  assert.equal(one({ type: T.STRING, meta: Buffer.from([T.ENUM, 2]) }, u16(300)), 300);
  assert.equal(one({ type: T.STRING, meta: Buffer.from([T.SET, 8]) }, Buffer.from('0100000000000080', 'hex')), 0x8000000000000001n);
  assert.equal(one({ type: T.STRING, meta: Buffer.from([T.SET, 3]) }, Buffer.from([1, 2, 4])), 0x040201n);
});

test('temporal: zero and partial-zero dates, fractional precision, negative TIME', () => {
  const date = (y: number, m: number, d: number) => le(d | (m << 5) | (y << 9), 3);
  assert.equal(one({ type: T.DATE }, date(0, 0, 0)), '0000-00-00');
  assert.equal(one({ type: T.DATE }, date(2015, 0, 21)), '2015-00-21');
  assert.equal(one({ type: T.DATE }, date(9999, 12, 31)), '9999-12-31');

  const dt2 = (y: number, mo: number, d: number, h: number, mi: number, s: number, frac: Buffer) => {
    const v = BigInt(((y * 13 + mo) * 32 + d) * 131072 + h * 4096 + mi * 64 + s) + 0x8000000000n;
    const b = Buffer.alloc(5);
    b.writeUIntBE(Number(v), 0, 5);
    return Buffer.concat([b, frac]);
  };
  assert.equal(decodeDateTime2(dt2(2024, 2, 29, 23, 59, 59, Buffer.from([0x0f, 0x42, 0x3f])), 0, 6), '2024-02-29 23:59:59.999999');
  assert.equal(decodeDateTime2(dt2(0, 0, 0, 0, 0, 0, Buffer.alloc(0)), 0, 0), '0000-00-00 00:00:00');
  assert.equal(decodeDateTime2(dt2(1000, 1, 1, 0, 0, 0, Buffer.from([0x04, 0xd2])), 0, 3), '1000-01-01 00:00:00.123');
  assert.equal(decodeDateTime2(dt2(1000, 1, 1, 0, 0, 0, Buffer.from([0x05])), 0, 1), '1000-01-01 00:00:00.0');
  assert.equal(decodeDateTime2(dt2(1000, 1, 1, 0, 0, 0, Buffer.from([0x32])), 0, 1), '1000-01-01 00:00:00.5');
  assert.equal(one({ type: T.DATETIME2, meta: Buffer.from([2]) }, dt2(2001, 2, 3, 4, 5, 6, Buffer.from([7]))), '2001-02-03 04:05:06.07');

  // TIME2: sign bit set = positive; negative values stored as 2's complement around the offset.
  const time2 = (neg: boolean, h: number, m: number, s: number, micro: number, fsp: number) => {
    let packed = BigInt((h << 12) | (m << 6) | s) * 2n ** 24n + BigInt(micro);
    if (neg) packed = -packed;
    const bytes = 3 + ((fsp + 1) >> 1);
    let v: bigint;
    if (fsp >= 5) v = packed + 0x800000000000n;
    else {
      // MySQL writes intpart and frac separately for fsp 1-4.
      let intPart = packed >= 0n ? packed / 2n ** 24n : -(-packed / 2n ** 24n);
      let frac = Number(packed - intPart * 2n ** 24n);
      if (fsp === 0) return Buffer.from((Number(intPart) + 0x800000).toString(16).padStart(6, '0'), 'hex');
      const unit = fsp <= 2 ? 10000 : 100;
      let f = Math.trunc(frac / unit);
      if (f < 0) {
        intPart -= 1n;
        f += fsp <= 2 ? 0x100 : 0x10000;
      }
      const ib = Buffer.from((Number(intPart) + 0x800000).toString(16).padStart(6, '0'), 'hex');
      const fb = Buffer.alloc(fsp <= 2 ? 1 : 2);
      fb.writeUIntBE(f, 0, fb.length);
      return Buffer.concat([ib, fb]);
    }
    const b = Buffer.alloc(bytes);
    b.writeUIntBE(Number(v), 0, 6);
    return b;
  };
  assert.equal(decodeTime2(time2(true, 838, 59, 59, 0, 0), 0, 0), '-838:59:59');
  assert.equal(decodeTime2(time2(false, 838, 59, 59, 0, 0), 0, 0), '838:59:59');
  assert.equal(decodeTime2(time2(true, 0, 0, 0, 500000, 1), 0, 1), '-00:00:00.5');
  assert.equal(decodeTime2(time2(true, 1, 2, 3, 10000, 2), 0, 2), '-01:02:03.01');
  assert.equal(decodeTime2(time2(true, 1, 2, 3, 123400, 4), 0, 4), '-01:02:03.1234');
  assert.equal(decodeTime2(time2(true, 12, 0, 0, 1, 6), 0, 6), '-12:00:00.000001');
  assert.equal(decodeTime2(time2(false, 0, 0, 0, 0, 3), 0, 3), '00:00:00.000');
  assert.equal(one({ type: T.TIME2, meta: Buffer.from([5]) }, time2(true, 2, 3, 4, 567890, 5)), '-02:03:04.56789');

  // TIMESTAMP2: UTC; zero keeps its fraction digits.
  assert.equal(decodeTimestamp2(Buffer.from([0, 0, 0, 0, 0, 0]), 0, 3), '0000-00-00 00:00:00.000');
  assert.equal(decodeTimestamp2(Buffer.from('7fffffff0f423f', 'hex'), 0, 6), '2038-01-19 03:14:07.999999');
  assert.equal(formatTimestampUtc(1650493084, 0, 0), '2022-04-20 22:18:04');
  assert.equal(formatTimestampUtc(951782400, 0, 0), '2000-02-29 00:00:00');
  assert.equal(one({ type: T.TIMESTAMP }, u32(1)), '1970-01-01 00:00:01');
  // Old DATETIME (8-byte YYYYMMDDhhmmss) and TIME (HHMMSS).
  const old = Buffer.alloc(8);
  old.writeBigUInt64LE(20151231235959n);
  assert.equal(one({ type: T.DATETIME }, old), '2015-12-31 23:59:59');
  assert.equal(one({ type: T.TIME }, le(-1234, 3)), '-00:12:34');
});

test('strings: charsets, lengths over 255, BINARY re-padded, unknown charset stays bytes', () => {
  const v = (s: Buffer, lenBytes = 1) => Buffer.concat([lenBytes === 1 ? Buffer.from([s.length]) : u16(s.length), s]);
  const emoji = Buffer.from('a😀€', 'utf8');
  assert.equal(one({ type: T.VARCHAR, meta: u16(400) }, v(emoji, 2), charset(45)), 'a😀€');
  assert.deepEqual(one({ type: T.VARCHAR, meta: u16(400) }, v(emoji, 2)), emoji);
  // latin1 is cp1252 in MySQL: 0x80 is the euro sign.
  assert.equal(one({ type: T.VARCHAR, meta: u16(10) }, v(Buffer.from([0x41, 0x80, 0xe9, 0x81])), charset(8)), 'A€é\u0081');
  // ucs2/utf16 are big-endian; utf16le little; utf32 4 bytes.
  assert.equal(one({ type: T.VARCHAR, meta: u16(40) }, v(Buffer.from('00e9d83dde00', 'hex')), charset(54)), 'é😀');
  assert.equal(one({ type: T.VARCHAR, meta: u16(40) }, v(Buffer.from('004100e9', 'hex')), charset(35)), 'Aé');
  assert.equal(one({ type: T.VARCHAR, meta: u16(40) }, v(Buffer.from('e90000', 'hex').subarray(0, 2)), charset(56)), 'é');
  assert.equal(one({ type: T.VARCHAR, meta: u16(40) }, v(Buffer.from('0001f600', 'hex')), charset(60)), '😀');
  // CHAR(255) in utf8mb4 = 1020 bytes: bits 8-9 of the length fold into the type byte; 2-byte length prefix.
  const long = Buffer.from('x'.repeat(1000));
  const charMeta = Buffer.from([0xfe ^ (((1020 >> 8) & 3) << 4), 1020 & 0xff]);
  assert.equal(one({ type: T.STRING, meta: charMeta }, v(long, 2), charset(45)), 'x'.repeat(1000));
  // BINARY(4): trailing zeros were stripped by the server; restored when the column is known binary.
  assert.deepEqual(one({ type: T.STRING, meta: Buffer.from([0xfe, 4]) }, v(Buffer.from('a')), charset(63)), Buffer.from('a\0\0\0', 'latin1'));
  // VARBINARY keeps exactly what is there.
  assert.deepEqual(one({ type: T.VARCHAR, meta: u16(8) }, v(Buffer.from('a\0', 'latin1')), charset(63)), Buffer.from('a\0', 'latin1'));
  // BLOB length sizes 1..4.
  for (const lb of [1, 2, 3, 4]) {
    const data = Buffer.from('blob-data');
    const len = Buffer.alloc(lb);
    len.writeUIntLE(data.length, 0, lb);
    assert.deepEqual(one({ type: T.BLOB, meta: Buffer.from([lb]) }, Buffer.concat([len, data])), data);
  }
});

test('NULLs, MINIMAL images (holes), updates with different before/after columns', () => {
  const b = new BinlogBuilder();
  b.addFde();
  const cols: ColumnDef[] = [{ type: T.LONG }, { type: T.LONG }, { type: T.LONG }];
  b.add(EventType.TABLE_MAP_EVENT, tableMapBody(7, 'db', 't', cols));
  const row = rowImage([u32(1), null]);
  b.add(EventType.WRITE_ROWS_EVENT, rowsBody(7, 3, [row], { v2: true, present: [true, false, true] }));
  const upd = Buffer.concat([rowImage([u32(1)]), rowImage([u32(2), u32(3)])]);
  b.add(EventType.UPDATE_ROWS_EVENT, rowsBody(7, 3, [upd], { v2: true, update: true, present: [true, false, false], presentAfter: [false, true, true] }));
  const [w, u] = decodeBinlogBuffer(b.bytes()).filter((e): e is RowsEvent => e.kind === 'rows');
  const wr = w!.rows as Row[];
  assert.equal(wr[0]![0], 1);
  assert.equal(1 in wr[0]!, false, 'absent column is a hole');
  assert.equal(wr[0]![2], null);
  const ur = u!.rows as { before: Row; after: Row }[];
  assert.equal(ur[0]!.before[0], 1);
  assert.equal(ur[0]!.before[1], undefined);
  assert.deepEqual([ur[0]!.after[1], ur[0]!.after[2]], [2, 3]);
  assert.equal(0 in ur[0]!.after, false);
});

test('JSON binary: MySQL text form, numbers, strings, opaque values, large containers', () => {
  const doc = { a: 1, b: [1.5, 'x', null, true, false], c: { d: -70000, e: 'quote " back \\ nl \n tab \t \u0001' } };
  const expected = '{"a": 1, "b": [1.5, "x", null, true, false], "c": {"d": -70000, "e": "quote \\" back \\\\ nl \\n tab \\t \\u0001"}}';
  assert.equal(jsonBinaryToText(jsonb(doc), 0, jsonb(doc).length), expected);
  assert.equal(jsonBinaryToText(jsonb(doc, true), 0, jsonb(doc, true).length), expected);
  const big = 'é'.repeat(40000); // 80000 bytes: 3-byte length, > 64 KiB document needs the large format
  const bigDoc = jsonb({ k: big, n: [{ int64: -9223372036854775808n }, { uint64: 18446744073709551615n }] }, true);
  assert.equal(jsonBinaryToText(bigDoc, 0, bigDoc.length), `{"k": "${big}", "n": [-9223372036854775808, 18446744073709551615]}`);
  const s200 = 's'.repeat(200); // 2-byte string length
  assert.equal(jsonBinaryToText(jsonb(s200), 0, jsonb(s200).length), `"${s200}"`);
  const dbl = (x: number) => {
    const b = jsonb({ double: x });
    return jsonBinaryToText(b, 0, b.length);
  };
  assert.equal(dbl(1), '1.0');
  assert.equal(dbl(0.1), '0.1');
  assert.equal(dbl(-0.5), '-0.5');
  assert.equal(dbl(1e15), '1e15');
  assert.equal(dbl(123456789012345), '123456789012345.0');
  assert.equal(dbl(1e-15), '0.000000000000001');
  assert.equal(dbl(1e-16), '1e-16');
  assert.equal(dbl(1.5e300), '1.5e300');
  assert.equal(dbl(-2.5e-300), '-2.5e-300');
  assert.equal(dbl(1 / 3), '0.3333333333333333');
  assert.equal(formatDoubleMysql(1e21), '1e21');
  // Opaque: DECIMAL (printed as a bare number), DATETIME/TIME (quoted, 6 digits), other types base64.
  const dec = Buffer.concat([Buffer.from([5, 2]), encodeDecimal('-123.45', 5, 2)]);
  assert.equal(jsonBinaryToText(jsonb([{ opaque: T.NEWDECIMAL, data: dec }]), 0, jsonb([{ opaque: T.NEWDECIMAL, data: dec }]).length), '[-123.45]');
  const packed = Buffer.alloc(8);
  packed.writeBigInt64LE(((BigInt(((2012 * 13 + 3) * 32 + 18) * 131072 + 11 * 4096 + 30 * 64 + 45)) << 24n) + 5n);
  const dt = jsonb({ opaque: T.DATETIME, data: packed });
  assert.equal(jsonBinaryToText(dt, 0, dt.length), '"2012-03-18 11:30:45.000005"');
  const blob = jsonb({ opaque: T.BLOB, data: Buffer.alloc(60, 0xab) });
  const text = jsonBinaryToText(blob, 0, blob.length);
  assert.match(text, /^"base64:type252:q6ur/);
  assert.ok(text.includes('\\n'), 'MySQL base64 breaks lines every 76 characters');
  // Empty value = JSON null; garbage = typed error.
  assert.equal(jsonBinaryToText(Buffer.alloc(0), 0, 0), 'null');
  assert.throws(() => jsonBinaryToText(Buffer.from([0x00, 0xff, 0xff]), 0, 3), { name: 'MalformedEvent' });
  // Deep nesting is refused, not a stack overflow.
  let deep: unknown = 1;
  for (let i = 0; i < 200; i++) deep = [deep];
  const deepBytes = jsonb(deep as never);
  assert.throws(() => jsonBinaryToText(deepBytes, 0, deepBytes.length), /nested too deeply/);
});

test('MariaDB: YEAR counts in SIGNEDNESS; COMPRESSED columns decompress', async () => {
  const { deflateRawSync } = await import('node:zlib');
  // MariaDB gives YEAR a signedness bit (MySQL does not): TINY, YEAR, LONG unsigned → bits 1,1,1.
  const rows = decodeRows([{ type: T.TINY }, { type: T.YEAR }, { type: T.LONG }], [[Buffer.from([200]), Buffer.from([100]), u32(4000000000)]], signedness([0xe0]), '10.11.19-MariaDB-log');
  assert.deepEqual(rows[0], [200, 2000, 4000000000]);
  const text = Buffer.from('y'.repeat(100));
  const z = deflateRawSync(text);
  const value = Buffer.concat([Buffer.from([0x80 | 8 | 1, 100]), z]);
  assert.equal(one({ type: 141, meta: u16(1201) }, Buffer.concat([u16(value.length), value]), charset(45)), 'y'.repeat(100));
  assert.equal(one({ type: 140, meta: Buffer.from([2]) }, Buffer.concat([u16(6), Buffer.from('\0short')]), charset(45)), 'short');
});
