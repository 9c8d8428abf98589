import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodePacket, MAX_PACKET_PAYLOAD, PacketReader } from '../../../core/mysql/protocol/packets';
import { isEofPacket, isErrPacket, isOkPacket, parseErrPacket, parseOkPacket, readLenEncInt, writeLenEncInt, lenEncIntLength } from '../../../core/mysql/protocol/responses';
import { encodeBinlogDump, encodeBinlogDumpGtid, encodeMysqlGtidSet, encodeRegisterSlave, parseMysqlGtidSet } from '../../../core/mysql/protocol/replication-commands';

function frame(payloads: Buffer[], startSeq = 0): Buffer {
  let seq = startSeq;
  const out: Buffer[] = [];
  for (const p of payloads) {
    const e = encodePacket(p, seq);
    out.push(...e.buffers);
    seq = e.nextSequenceId;
  }
  return Buffer.concat(out);
}

function readAll(stream: Buffer, chunkSizes: number[]): { payloads: Buffer[]; seqs: number[] } {
  const r = new PacketReader();
  const payloads: Buffer[] = [];
  const seqs: number[] = [];
  let off = 0;
  let i = 0;
  while (off < stream.length) {
    const n = chunkSizes[i++ % chunkSizes.length]!;
    // Copy each chunk, as a socket would hand out fresh buffers.
    r.push(Buffer.from(stream.subarray(off, off + n)), (p, s) => {
      payloads.push(Buffer.from(p));
      seqs.push(s);
    });
    off += n;
  }
  assert.ok(r.idle, 'nothing left half-read');
  return { payloads, seqs };
}

test('PacketReader returns every payload whatever the chunking, with sequence ids', () => {
  const payloads = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(300, 7), Buffer.from([0, 1, 2, 3]), Buffer.alloc(70_000, 9)];
  const stream = frame(payloads, 5);
  for (const sizes of [[1], [2, 3], [4], [5, 1000], [stream.length], [65536]]) {
    const got = readAll(stream, sizes);
    assert.deepEqual(got.payloads, payloads, `chunk sizes ${sizes}`);
    assert.deepEqual(got.seqs, [5, 6, 7, 8, 9]);
  }
});

test('payloads of 16 MiB and more are split into 0xffffff-byte packets and joined back', () => {
  for (const size of [MAX_PACKET_PAYLOAD - 1, MAX_PACKET_PAYLOAD, MAX_PACKET_PAYLOAD + 1, 2 * MAX_PACKET_PAYLOAD]) {
    const big = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4099) big[i] = i & 0xff;
    const enc = encodePacket(big, 0);
    const packets = Math.floor(size / MAX_PACKET_PAYLOAD) + 1;
    assert.equal(enc.buffers.length, size < MAX_PACKET_PAYLOAD ? 1 : packets * 2, `size ${size}`);
    assert.equal(enc.nextSequenceId, size < MAX_PACKET_PAYLOAD ? 1 : packets);
    const stream = Buffer.concat([...enc.buffers, ...encodePacket(Buffer.from('next'), enc.nextSequenceId).buffers]);
    const got = readAll(stream, [65536, 1, 1_000_000]);
    assert.equal(got.payloads.length, 2);
    assert.ok(got.payloads[0]!.equals(big));
    assert.equal(got.payloads[1]!.toString(), 'next');
  }
});

test('OK, ERR and EOF packets are recognised and parsed', () => {
  const ok = Buffer.from([0x00, 0xfc, 0x10, 0x27, 0x05, 0x02, 0x00, 0x01, 0x00]);
  assert.ok(isOkPacket(ok));
  assert.deepEqual(parseOkPacket(ok), { affectedRows: 10000, lastInsertId: 5, statusFlags: 2, warnings: 1, info: '' });
  const err = Buffer.concat([Buffer.from([0xff, 0xd4, 0x04]), Buffer.from('#HY000Could not find first log file name')]);
  assert.ok(isErrPacket(err));
  assert.deepEqual(parseErrPacket(err), { errno: 1236, sqlState: 'HY000', message: 'Could not find first log file name' });
  assert.ok(isEofPacket(Buffer.from([0xfe, 0, 0, 2, 0])));
  assert.ok(!isEofPacket(Buffer.concat([Buffer.from([0xfe]), Buffer.alloc(20)])));
});

test('length-encoded integers round-trip at every width boundary', () => {
  for (const n of [0, 250, 251, 0xffff, 0x10000, 0xffffff, 0x1000000, 2 ** 40]) {
    const b = Buffer.alloc(9);
    const end = writeLenEncInt(b, 0, n);
    assert.equal(end, lenEncIntLength(n));
    const cur = { off: 0 };
    assert.equal(readLenEncInt(b, cur), n);
    assert.equal(cur.off, end);
  }
  assert.equal(readLenEncInt(Buffer.from([0xfb]), { off: 0 }), null);
});

test('COM_REGISTER_SLAVE and COM_BINLOG_DUMP have the documented layout', () => {
  const reg = encodeRegisterSlave({ serverId: 10101, reportHost: 'slave_n_1', reportPort: 23241 });
  assert.equal(reg.toString('hex'), '15752700000973' + Buffer.from('lave_n_1').toString('hex') + '0000c95a' + '00000000' + '00000000');
  const dump = encodeBinlogDump({ position: 4, flags: 2, serverId: 10101, file: 'mysql-bin.000034' });
  assert.equal(dump.toString('hex'), '12' + '04000000' + '0200' + '75270000' + Buffer.from('mysql-bin.000034').toString('hex'));
});

test('MySQL GTID sets parse, merge-free encode with end-exclusive intervals, and go into COM_BINLOG_DUMP_GTID', () => {
  const set = parseMysqlGtidSet('3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:7,\n 3e11fa47-71ca-11e1-9e33-c80aa9429563:1');
  assert.equal(set.size, 2);
  const enc = encodeMysqlGtidSet(set);
  assert.equal(enc.readBigUInt64LE(0), 2n);
  assert.equal(enc.toString('hex', 8, 24), '3e11fa4771ca11e19e33c80aa9429562');
  assert.equal(enc.readBigUInt64LE(24), 2n);
  assert.deepEqual([enc.readBigUInt64LE(32), enc.readBigUInt64LE(40), enc.readBigUInt64LE(48), enc.readBigUInt64LE(56)], [1n, 6n, 7n, 8n]);
  const cmd = encodeBinlogDumpGtid({ serverId: 9, file: '', position: 4, gtidSet: set });
  assert.equal(cmd[0], 0x1e);
  assert.equal(cmd.readUInt16LE(1) & 0x04, 0x04);
  assert.equal(cmd.readUInt32LE(7), 0);
  assert.equal(cmd.readUInt32LE(11 + 8), enc.length);
  assert.ok(cmd.subarray(11 + 8 + 4).equals(enc));
  assert.throws(() => parseMysqlGtidSet('not-a-uuid:1'), /not a MySQL GTID/);
  assert.throws(() => parseMysqlGtidSet('3e11fa47-71ca-11e1-9e33-c80aa9429562:5-1'), /empty/);
});
