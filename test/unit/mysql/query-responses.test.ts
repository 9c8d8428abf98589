import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueryResponseReader } from '../../../core/mysql/protocol/query-responses';
import { writeLenEncInt } from '../../../core/mysql/protocol/responses';

const MORE = 0x0008;

function ok(affected: number, status: number): Buffer {
  const b = Buffer.alloc(16);
  let off = 0;
  b[off++] = 0x00;
  off = writeLenEncInt(b, off, affected);
  off = writeLenEncInt(b, off, 0);
  b.writeUInt16LE(status, off);
  b.writeUInt16LE(0, off + 2);
  return b.subarray(0, off + 4);
}

function err(errno: number, msg: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, errno & 0xff, errno >> 8]), Buffer.from('#23000' + msg)]);
}

const eof = (status: number) => Buffer.from([0xfe, 0, 0, status & 0xff, status >> 8]);

test('a multi-statement reply: one OK per statement until the last one without MORE_RESULTS', () => {
  const r = new QueryResponseReader(false);
  assert.equal(r.push(ok(1, MORE)), undefined);
  assert.equal(r.push(ok(2, MORE)), undefined);
  assert.deepEqual(r.push(ok(5, 0)), { results: [{ affectedRows: 1, resultRows: 0 }, { affectedRows: 2, resultRows: 0 }, { affectedRows: 5, resultRows: 0 }] });
});

test('an error ends the reply and says which statement failed', () => {
  const r = new QueryResponseReader(false);
  r.push(ok(1, MORE));
  const o = r.push(err(1062, "Duplicate entry '5' for key 'PRIMARY'"))!;
  assert.equal(o.results.length, 1);
  assert.deepEqual(o.error, { errno: 1062, sqlState: '23000', message: "Duplicate entry '5' for key 'PRIMARY'", statementIndex: 1 });
  // The reader is ready for the next query.
  assert.deepEqual(r.push(ok(0, 0)), { results: [{ affectedRows: 0, resultRows: 0 }] });
});

test('result sets in the middle are skipped and counted, with and without CLIENT_DEPRECATE_EOF', () => {
  for (const deprecateEof of [false, true]) {
    const r = new QueryResponseReader(deprecateEof);
    r.push(ok(3, MORE));
    assert.equal(r.push(Buffer.from([0x02])), undefined); // two columns
    r.push(Buffer.from('column def 1'));
    r.push(Buffer.from('column def 2'));
    if (!deprecateEof) r.push(eof(MORE));
    r.push(Buffer.from([0x01, 0x31, 0x01, 0x32]));
    r.push(Buffer.from([0x01, 0x33, 0xfb]));
    const end = deprecateEof ? Buffer.concat([Buffer.from([0xfe]), ok(0, MORE).subarray(1)]) : eof(MORE);
    assert.equal(r.push(end), undefined);
    assert.deepEqual(r.push(ok(1, 0)), { results: [{ affectedRows: 3, resultRows: 0 }, { affectedRows: 0, resultRows: 2 }, { affectedRows: 1, resultRows: 0 }] });
  }
});
