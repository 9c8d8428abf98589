import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { BINLOG_MAGIC, EventType, eventTypeName } from '../../../core/mysql/binlog/constants';
import { crc32 } from '../../../core/mysql/binlog/crc32';
import { parseEventHeader } from '../../../core/mysql/binlog/event-header';

test('crc32: published check values', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(Buffer.alloc(0)), 0);
  assert.equal(crc32(Buffer.from('The quick brown fox jumps over the lazy dog')), 0x414fa339);
  assert.equal(crc32(Buffer.alloc(32, 0)), 0x190a55ad);
  assert.equal(crc32(Buffer.alloc(32, 0xff)), 0xff6cab0b);
});

test('crc32: equals zlib over random lengths, offsets, and continued seeds', () => {
  const z = (zlib as unknown as { crc32?: (b: Uint8Array, seed?: number) => number }).crc32;
  const data = randomBytes(5000);
  for (let len = 0; len < 70; len++) {
    for (const start of [0, 1, 3, 7]) {
      const piece = data.subarray(start, start + len);
      const ours = crc32(data, start, start + len);
      if (z) assert.equal(ours, z(piece));
      const mid = start + (len >> 1);
      assert.equal(crc32(data, mid, start + len, crc32(data, start, mid)), ours, 'continued checksum');
    }
  }
  if (z) assert.equal(crc32(data), z(data));
  else console.log('node has no zlib.crc32: checked against the published vectors only');
});

test('event header: fields little-endian at an offset', () => {
  const b = Buffer.alloc(2 + 19);
  b.writeUInt32LE(1650493084, 2);
  b[6] = EventType.QUERY_EVENT;
  b.writeUInt32LE(0xfffffffe, 7);
  b.writeUInt32LE(123, 11);
  b.writeUInt32LE(4000000000, 15);
  b.writeUInt16LE(0x8008, 19);
  assert.deepEqual(parseEventHeader(b, 2), { timestamp: 1650493084, typeCode: 2, serverId: 0xfffffffe, eventSize: 123, logPos: 4000000000, flags: 0x8008 });
  assert.equal(eventTypeName(EventType.GTID_LIST_EVENT), 'GTID_LIST_EVENT');
  assert.equal(eventTypeName(99), 'UNKNOWN_EVENT_99');
  assert.deepEqual([...BINLOG_MAGIC], [0xfe, 0x62, 0x69, 0x6e]);
});
