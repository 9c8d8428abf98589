import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { ColumnType as T, EventFlag, EventType } from '../../../core/mysql/binlog/constants';
import { BinlogDecoder, decodeBinlogBuffer } from '../../../core/mysql/binlog/decoder';
import type { BinlogEvent, QueryEvent, RowsEvent } from '../../../core/mysql/binlog/events';
import { ReplicaDeskError } from '../../../core/errors';
import type { Row } from '../../../core/mysql/binlog/types';
import { BinlogBuilder, lenenc, optField, queryBody, rowImage, rowsBody, tableMapBody, u16, u32, u64 } from './builder';

/** A small MariaDB-style binlog touching most event kinds. */
function sampleFile(checksum = true): Buffer {
  const b = new BinlogBuilder({ checksum });
  b.addFde();
  b.add(EventType.GTID_LIST_EVENT, Buffer.concat([u32(1), u32(0), u32(1), u64(41)]));
  b.add(EventType.BINLOG_CHECKPOINT_EVENT, Buffer.concat([u32(13), Buffer.from('binlog.000001')]));
  b.add(EventType.GTID_EVENT, Buffer.concat([u64(42), u32(0), Buffer.from([0x0c]), Buffer.alloc(6)]), { flags: EventFlag.SUPPRESS_USE });
  const status = Buffer.concat([Buffer.from([0]), u32(0x4000), Buffer.from([1]), u64(0x40000000n), Buffer.from([4]), u16(45), u16(45), u16(45), Buffer.from([5, 6]), Buffer.from('+09:00'), Buffer.from([128]), Buffer.from([1, 2, 3])]);
  b.add(EventType.QUERY_EVENT, queryBody('db', 'BEGIN', status));
  b.add(EventType.ANNOTATE_ROWS_EVENT, Buffer.from("insert into t values (1,'a')"));
  b.add(EventType.TABLE_MAP_EVENT, tableMapBody(5, 'db', 't', [{ type: T.LONG }, { type: T.VARCHAR, meta: u16(20) }]));
  b.add(EventType.WRITE_ROWS_EVENT_V1, rowsBody(5, 2, [rowImage([u32(1), Buffer.from('\x01a')]), rowImage([u32(2), null])]));
  b.add(EventType.UPDATE_ROWS_EVENT_V1, rowsBody(5, 2, [Buffer.concat([rowImage([u32(1), Buffer.from('\x01a')]), rowImage([u32(1), Buffer.from('\x02bb')])])], { update: true }));
  b.add(EventType.DELETE_ROWS_EVENT_V1, rowsBody(5, 2, [rowImage([u32(2), null])]));
  b.add(EventType.XID_EVENT, u64(99));
  b.add(EventType.INTVAR_EVENT, Buffer.concat([Buffer.from([2]), u64(12345)]));
  b.add(EventType.RAND_EVENT, Buffer.concat([u64(1), u64(2)]));
  b.add(EventType.USER_VAR_EVENT, Buffer.concat([u32(1), Buffer.from('v'), Buffer.from([0, 0]), u32(45), u32(3), Buffer.from('abc'), Buffer.from([0])]));
  b.add(EventType.ROTATE_EVENT, Buffer.concat([u64(4), Buffer.from('binlog.000002')]));
  return b.bytes();
}

function summary(evs: BinlogEvent[]): string[] {
  return evs.map((e) => {
    if (e.kind === 'rows') return `${e.position}:${e.typeName}:${JSON.stringify(e.rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`;
    return `${e.position}:${e.typeName}:${e.eventSize}`;
  });
}

test('decodes every event of a MariaDB-style file with positions and values', () => {
  const evs = decodeBinlogBuffer(sampleFile());
  assert.deepEqual(
    evs.map((e) => e.kind),
    ['format_description', 'gtid_list', 'binlog_checkpoint', 'mariadb_gtid', 'query', 'annotate_rows', 'table_map', 'rows', 'rows', 'rows', 'xid', 'intvar', 'rand', 'user_var', 'rotate'],
  );
  let pos = 4;
  for (const e of evs) {
    assert.equal(e.position, pos);
    assert.equal(e.logPos, pos + e.eventSize);
    assert.equal(e.raw.length, e.eventSize);
    pos += e.eventSize;
  }
  const q = evs[4] as QueryEvent;
  assert.equal(q.query, 'BEGIN');
  assert.equal(q.schema, 'db');
  assert.equal(q.statusVars.flags2, 0x4000);
  assert.equal(q.statusVars.sqlMode, 0x40000000n);
  assert.equal(q.statusVars.charsetClient, 45);
  assert.equal(q.statusVars.timeZone, '+09:00');
  assert.equal(q.statusVars.hrnow, 0x030201);
  const g = evs[3];
  assert.ok(g?.kind === 'mariadb_gtid' && g.gtid === '0-1-42' && !g.standalone);
  const gl = evs[1];
  assert.ok(gl?.kind === 'gtid_list' && gl.gtids[0]!.seqNo === 41n);
  const [w, u, d] = evs.filter((e): e is RowsEvent => e.kind === 'rows');
  assert.deepEqual(w!.rows, [
    [1, Buffer.from('a')],
    [2, null],
  ]);
  assert.deepEqual((u!.rows as { before: Row; after: Row }[])[0]!.after, [1, Buffer.from('bb')]);
  assert.equal(d!.rowsKind, 'delete');
  const uv = evs[13];
  assert.ok(uv?.kind === 'user_var' && uv.value === 'abc');
  const rot = evs[14];
  assert.ok(rot?.kind === 'rotate' && rot.nextFile === 'binlog.000002' && rot.nextPosition === 4);
});

test('every split point (and 3-way splits) yields the same events', () => {
  for (const checksum of [true, false]) {
    const file = sampleFile(checksum);
    const expected = summary(decodeBinlogBuffer(file));
    for (let cut = 0; cut <= file.length; cut++) {
      const d = new BinlogDecoder();
      const got: BinlogEvent[] = [];
      d.push(file.subarray(0, cut), (e) => got.push(e));
      d.push(file.subarray(cut), (e) => got.push(e));
      d.end();
      assert.deepEqual(summary(got), expected, `split at ${cut}`);
    }
    for (let a = 1; a < file.length; a += 7) {
      for (let c = a; c < file.length; c += 13) {
        const d = new BinlogDecoder();
        const got: BinlogEvent[] = [];
        for (const part of [file.subarray(0, a), file.subarray(a, c), file.subarray(c)]) d.push(part, (e) => got.push(e));
        d.end();
        assert.deepEqual(summary(got), expected, `split at ${a}/${c}`);
      }
    }
    // One byte at a time.
    const d = new BinlogDecoder();
    const got: BinlogEvent[] = [];
    for (let i = 0; i < file.length; i++) d.push(file.subarray(i, i + 1), (e) => got.push(e));
    d.end();
    assert.deepEqual(summary(got), expected);
  }
});

function catchCode(fn: () => void): ReplicaDeskError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ReplicaDeskError, `typed error expected, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an error');
}

test('errors: torn tail, bad magic, impossible size, checksum mismatch (and continuing after it)', () => {
  const file = sampleFile();
  const torn = catchCode(() => decodeBinlogBuffer(file.subarray(0, file.length - 3)));
  assert.equal(torn.code, 'BINLOG_TRUNCATED');
  assert.equal(typeof torn.details?.position, 'number');
  assert.match(torn.message, /ends \d+ bytes into an event/);
  assert.equal(catchCode(() => decodeBinlogBuffer(file.subarray(0, 2))).code, 'BINLOG_TRUNCATED');
  assert.equal(catchCode(() => decodeBinlogBuffer(zlib.gzipSync(file))).code, 'BINLOG_BAD_MAGIC');

  const badSize = Buffer.from(file);
  badSize.writeUInt32LE(5, 4 + 9);
  const e1 = catchCode(() => decodeBinlogBuffer(badSize));
  assert.equal(e1.code, 'BINLOG_CORRUPT');
  assert.equal(e1.details?.position, 4);

  // Flip a byte inside the 5th event (QUERY): checksum mismatch naming its position and type.
  const evs = decodeBinlogBuffer(file);
  const q = evs[4]!;
  const flipped = Buffer.from(file);
  flipped[q.position + 25]! ^= 0x40;
  const d = new BinlogDecoder({ source: 'x.000001' });
  const got: BinlogEvent[] = [];
  const e2 = catchCode(() => d.push(flipped, (e) => got.push(e)));
  assert.equal(e2.code, 'BINLOG_CHECKSUM_MISMATCH');
  assert.equal(e2.details?.position, q.position);
  assert.equal(e2.details?.eventTypeName, 'QUERY_EVENT');
  assert.match(String(e2.details?.hex), /^[0-9a-f ]+/);
  assert.match(e2.message, /x\.000001 at position \d+ \(QUERY_EVENT\)/);
  assert.equal(got.length, 4);
  d.push(Buffer.alloc(0), (e) => got.push(e));
  d.end();
  assert.equal(got.length, evs.length - 1, 'continues after the damaged event');

  // With verification off, the damaged event decodes.
  assert.equal(decodeBinlogBuffer(flipped, { verifyChecksums: false }).length, evs.length);
});

test('stream mode: single events by position, checksum detected before any FDE, encryption is a clear error', () => {
  const b = new BinlogBuilder();
  const rotate = b.event(EventType.ROTATE_EVENT, Buffer.concat([u64(4), Buffer.from('binlog.000007')]), { logPos: 0, flags: EventFlag.ARTIFICIAL, timestamp: 0 });
  const d = new BinlogDecoder({ expectMagic: false });
  const r = d.decode(rotate);
  assert.ok(r.kind === 'rotate' && r.nextFile === 'binlog.000007', 'CRC32 trailer detected and not part of the name');
  assert.equal(r.position, -1);
  const fde = b.event(EventType.FORMAT_DESCRIPTION_EVENT, b.fdeBody(), { logPos: 0 });
  d.decode(fde);
  const xid = b.event(EventType.XID_EVENT, u64(7), { logPos: 1000 });
  assert.equal(d.decode(xid).position, 1000 - xid.length);

  const enc = new BinlogBuilder();
  enc.addFde();
  enc.add(EventType.START_ENCRYPTION_EVENT, Buffer.concat([Buffer.from([1]), u32(1), Buffer.alloc(12)]));
  enc.add(EventType.XID_EVENT, u64(1));
  const e = catchCode(() => decodeBinlogBuffer(enc.bytes()));
  assert.equal(e.code, 'BINLOG_ENCRYPTED');
});

test('MariaDB compressed QUERY and ROWS events; unknown types pass through raw', () => {
  const b = new BinlogBuilder();
  b.addFde();
  const text = Buffer.from('INSERT INTO t VALUES ' + '(1),'.repeat(50) + '(2)');
  const z = zlib.deflateSync(text);
  const compressedQuery = Buffer.concat([Buffer.from([0x80 | 2]), Buffer.from([text.length >> 8, text.length & 0xff]), z]);
  b.add(EventType.QUERY_COMPRESSED_EVENT, queryBody('db', compressedQuery));
  b.add(EventType.TABLE_MAP_EVENT, tableMapBody(9, 'db', 't', [{ type: T.LONG }]));
  const rows = Buffer.concat([rowImage([u32(7)]), rowImage([u32(8)])]);
  const zr = zlib.deflateSync(rows);
  const head = rowsBody(9, 1, []);
  b.add(EventType.WRITE_ROWS_COMPRESSED_EVENT_V1, Buffer.concat([head, Buffer.from([0x81, rows.length]), zr]));
  b.add(100, Buffer.from('aurora padding'), { flags: EventFlag.IGNORABLE });
  const evs = decodeBinlogBuffer(b.bytes());
  const q = evs[1] as QueryEvent;
  assert.equal(q.query, text.toString());
  assert.equal(q.compressed, true);
  const w = evs[3] as RowsEvent;
  assert.deepEqual(w.rows, [[7], [8]]);
  const other = evs[4]!;
  assert.ok(other.kind === 'other' && !other.knownType && other.body.toString() === 'aurora padding');
});

test('rows before their TABLE_MAP: a typed error only when the rows are read', () => {
  const b = new BinlogBuilder();
  b.addFde();
  b.add(EventType.WRITE_ROWS_EVENT, rowsBody(77, 1, [rowImage([u32(1)])], { v2: true }));
  const [, w] = decodeBinlogBuffer(b.bytes()) as [BinlogEvent, RowsEvent];
  assert.equal(w.tableMap, undefined);
  assert.equal(catchCode(() => w.rows).code, 'BINLOG_TABLE_MAP_MISSING');
});

test('TABLE_MAP optional metadata: names, charsets, ENUM/SET strings, primary key, visibility', () => {
  const b = new BinlogBuilder({ serverVersion: '8.0.40' });
  b.addFde();
  const str = (x: string) => Buffer.concat([lenenc(x.length), Buffer.from(x)]);
  const opt = Buffer.concat([
    optField(1, Buffer.from([0x80])), // SIGNEDNESS: first numeric column unsigned
    optField(2, Buffer.concat([lenenc(255), lenenc(1), lenenc(8)])), // DEFAULT_CHARSET 255, 2nd char column latin1
    optField(4, Buffer.concat(['id', 'a', 'b', 'e'].map(str))),
    optField(6, Buffer.concat([lenenc(2), str('x'), str('yyy')])),
    optField(8, lenenc(0)),
    optField(12, Buffer.from([0xf0])),
  ]);
  b.add(EventType.TABLE_MAP_EVENT, tableMapBody(3, 'db', 't', [{ type: T.LONG }, { type: T.VARCHAR, meta: u16(10) }, { type: T.VARCHAR, meta: u16(10) }, { type: T.STRING, meta: Buffer.from([T.ENUM, 1]) }], opt));
  const tm = decodeBinlogBuffer(b.bytes())[1]!;
  assert.ok(tm.kind === 'table_map');
  const c = tm.tableMap.columns;
  assert.deepEqual(c.map((x) => x.name), ['id', 'a', 'b', 'e']);
  assert.equal(c[0]!.unsigned, true);
  assert.equal(c[1]!.charset?.name, 'utf8mb4');
  assert.equal(c[2]!.charset?.name, 'latin1');
  assert.deepEqual(c[3]!.enumValues, ['x', 'yyy']);
  assert.equal(c[3]!.realType, T.ENUM);
  assert.deepEqual(tm.tableMap.primaryKey, [0]);
  assert.deepEqual(c.map((x) => x.visible), [true, true, true, true]);
});

test('rarer events: heartbeat v1/v2, incident, XA prepare, MySQL GTID with timestamps, payload without compression', () => {
  const b = new BinlogBuilder({ serverVersion: '8.0.36' });
  b.addFde();
  b.add(EventType.HEARTBEAT_LOG_EVENT, Buffer.from('binlog.000009'), { logPos: 777 });
  // v2: (type, length, value) fields: 1 = file name, 2 = position (length-encoded), 0 = end.
  b.add(EventType.HEARTBEAT_LOG_EVENT_V2, Buffer.concat([Buffer.from([1, 13]), Buffer.from('binlog.000010'), Buffer.from([2, 3, 0xfc, 0x10, 0x27]), Buffer.from([0])]));
  b.add(EventType.INCIDENT_EVENT, Buffer.concat([u16(1), Buffer.from([4]), Buffer.from('lost')]));
  b.add(EventType.XA_PREPARE_LOG_EVENT, Buffer.concat([Buffer.from([0]), u32(1), u32(2), u32(1), Buffer.from('gtb')]));
  const sid = Buffer.from('3e11fa4771ca11e1a4c3000c29a8f2c4', 'hex');
  const imm8 = Buffer.alloc(8);
  imm8.writeBigUInt64LE(1700000000123456n);
  const imm = imm8.subarray(0, 7);
  b.add(EventType.GTID_LOG_EVENT, Buffer.concat([Buffer.from([1]), sid, u64(23), Buffer.from([2]), u64(5), u64(6), imm, Buffer.from([0xfc, 0x2c, 0x01]), u32(80036)]));
  const inner = new BinlogBuilder({ checksum: false }).event(EventType.XID_EVENT, u64(5), { logPos: 0, checksum: false });
  b.add(EventType.TRANSACTION_PAYLOAD_EVENT, Buffer.concat([Buffer.from([2, 3, 0xfc, 0xff, 0x00]), Buffer.from([1, 1, inner.length]), Buffer.from([3, 1, inner.length]), Buffer.from([0]), inner]));
  b.add(EventType.PREVIOUS_GTIDS_LOG_EVENT, Buffer.concat([u64(1), sid, u64(2), u64(1), u64(6), u64(9), u64(10)]));
  const evs = decodeBinlogBuffer(b.bytes());
  const [, hb1, hb2, inc, xa, gtid, payload, prev] = evs;
  assert.ok(hb1?.kind === 'heartbeat' && hb1.logFile === 'binlog.000009' && hb1.logPosition === 777);
  assert.ok(hb2?.kind === 'heartbeat' && hb2.logFile === 'binlog.000010' && hb2.logPosition === 10000);
  assert.ok(inc?.kind === 'incident' && inc.incident === 1 && inc.message === 'lost');
  assert.ok(xa?.kind === 'xa_prepare' && xa.gtrid.toString() === 'gt' && xa.bqual.toString() === 'b' && xa.formatId === 1);
  assert.ok(gtid?.kind === 'gtid');
  assert.equal(gtid.gtid, '3e11fa47-71ca-11e1-a4c3-000c29a8f2c4:23');
  assert.deepEqual([gtid.lastCommitted, gtid.sequenceNumber, gtid.immediateCommitTimestamp, gtid.originalCommitTimestamp, gtid.transactionLength, gtid.immediateServerVersion], [5n, 6n, 1700000000123456, 1700000000123456, 300, 80036]);
  assert.ok(payload?.kind === 'transaction_payload' && payload.compressionType === 255 && payload.events.length === 1 && payload.events[0]!.kind === 'xid');
  assert.ok(prev?.kind === 'previous_gtids');
  assert.equal(prev.gtidSet, '3e11fa47-71ca-11e1-a4c3-000c29a8f2c4:1-5:9');
});
