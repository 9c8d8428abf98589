/**
 * Fuzz: random mutations and truncations of real binlog bytes (shared fixtures when present, and files built
 * here) fed in random chunks, with checksums on and off. The decoder, the lazy row decoding and the dump
 * formatters may only ever throw ReplicaDeskError with a BINLOG_* code, and must terminate.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplicaDeskError } from '../../../core/errors';
import { ColumnType as T, EventType } from '../../../core/mysql/binlog/constants';
import { decodeEvent, DecoderState } from '../../../core/mysql/binlog/decode-event';
import { BinlogDecoder } from '../../../core/mysql/binlog/decoder';
import { eventJsonLine, eventText, TextWriter } from '../../../core/mysql/binlog/dump-format';
import type { BinlogEvent } from '../../../core/mysql/binlog/events';
import { binlogFixturesSkipReason, listBinlogFixtures, readBinlogFixture } from '../../support/shared-fixtures';
import { BinlogBuilder, jsonb, queryBody, rowImage, rowsBody, tableMapBody, u16, u32, u64 } from './builder';

/** Deterministic PRNG so failures reproduce (the seed is printed). */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

function builtCorpus(): Buffer[] {
  const b = new BinlogBuilder();
  b.addFde();
  b.add(EventType.GTID_EVENT, Buffer.concat([u64(5), u32(0), Buffer.from([0x0e]), u64(9)]));
  b.add(EventType.QUERY_EVENT, queryBody('db', 'BEGIN', Buffer.concat([Buffer.from([0]), u32(1), Buffer.from([5, 3]), Buffer.from('UTC')])));
  const cols = [
    { type: T.LONGLONG },
    { type: T.NEWDECIMAL, meta: Buffer.from([20, 6]) },
    { type: T.DATETIME2, meta: Buffer.from([6]) },
    { type: T.TIME2, meta: Buffer.from([3]) },
    { type: T.TIMESTAMP2, meta: Buffer.from([2]) },
    { type: T.JSON, meta: Buffer.from([4]) },
    { type: T.BLOB, meta: Buffer.from([2]) },
    { type: T.STRING, meta: Buffer.from([T.SET, 8]) },
    { type: T.BIT, meta: Buffer.from([1, 7]) },
    { type: T.VARCHAR, meta: u16(300) },
  ];
  b.add(EventType.TABLE_MAP_EVENT, tableMapBody(4, 'db', 'wide', cols));
  const j = jsonb({ a: [1, 2.5, 'x', { b: null }], c: { int64: -5n } });
  const dec = Buffer.from('800000000000000001e240', 'hex').subarray(0, 10);
  const row = rowImage([u64(123), dec, Buffer.from('8000000000000000', 'hex'), Buffer.from('800000000a', 'hex'), Buffer.from('0000000100', 'hex'), Buffer.concat([u32(j.length), j]), Buffer.concat([u16(3), Buffer.from('abc')]), u64(3), Buffer.from('0102', 'hex'), Buffer.concat([u16(2), Buffer.from('hi')])]);
  b.add(EventType.WRITE_ROWS_EVENT, rowsBody(4, cols.length, [row, row], { v2: true }));
  b.add(EventType.UPDATE_ROWS_EVENT, rowsBody(4, cols.length, [Buffer.concat([row, row])], { v2: true, update: true }));
  b.add(EventType.XID_EVENT, u64(1));
  return [b.bytes()];
}

function exercise(ev: BinlogEvent): void {
  if (ev.kind === 'rows') void ev.rows;
  if (ev.kind === 'transaction_payload') ev.events.forEach(exercise);
  eventJsonLine(ev);
  eventText(new TextWriter(() => undefined), ev, { verbose: true });
}

function checkTyped(err: unknown, what: string): void {
  if (!(err instanceof ReplicaDeskError) || !err.code.startsWith('BINLOG_')) {
    assert.fail(`${what}: untyped error ${err instanceof Error ? err.stack : String(err)}`);
  }
}

function run(bytes: Buffer, r: (n: number) => number, verifyChecksums: boolean, what: string): void {
  const d = new BinlogDecoder({ verifyChecksums });
  const onEvent = (ev: BinlogEvent) => {
    try {
      exercise(ev);
    } catch (err) {
      checkTyped(err, what);
    }
  };
  let i = 0;
  let guard = 0;
  try {
    while (i < bytes.length) {
      const n = 1 + r(Math.min(4096, bytes.length - i));
      const chunk = bytes.subarray(i, i + n);
      i += n;
      // After a per-event error the decoder may go on: keep pushing (bounded) like a --force reader.
      for (;;) {
        try {
          d.push(chunk, onEvent);
          break;
        } catch (err) {
          checkTyped(err, what);
          if (['BINLOG_CORRUPT', 'BINLOG_BAD_MAGIC'].includes((err as ReplicaDeskError).code) && !(err as ReplicaDeskError).details?.eventLength) return;
          if (++guard > 10000) assert.fail(`${what}: too many errors, the decoder is not making progress`);
          try {
            d.push(Buffer.alloc(0), onEvent);
            break;
          } catch (again) {
            checkTyped(again, what);
            return;
          }
        }
      }
    }
    d.end();
  } catch (err) {
    checkTyped(err, what);
  }
}

function mutate(src: Buffer, r: (n: number) => number): Buffer {
  const b = Buffer.from(src);
  switch (r(6)) {
    case 0: // flip bytes
      for (let k = 1 + r(8); k > 0; k--) b[r(b.length)]! ^= 1 << r(8);
      return b;
    case 1: // random bytes
      for (let k = 1 + r(4); k > 0; k--) b[r(b.length)] = r(256);
      return b;
    case 2: // truncate
      return b.subarray(0, r(b.length));
    case 3: {
      // corrupt an event size or length-ish field near an event start
      const at = 4 + r(Math.max(1, b.length - 30));
      b.writeUInt32LE(r(2) ? r(64) : (r(0x7fffffff) * 2) >>> 0, Math.min(at, b.length - 4));
      return b;
    }
    case 4: {
      // delete or duplicate a range
      const a = r(b.length);
      const len = 1 + r(64);
      return r(2) ? Buffer.concat([b.subarray(0, a), b.subarray(a + len)]) : Buffer.concat([b.subarray(0, a + len), b.subarray(a)]);
    }
    default:
      // extreme values in 2 consecutive bytes
      {
        const at = r(b.length - 1);
        b[at] = r(2) ? 0xff : 0;
        b[at + 1] = r(2) ? 0xff : 0xfe;
      }
      return b;
  }
}

test('fuzz: mutated files only ever give typed BINLOG_* errors', { timeout: 180_000 }, () => {
  const corpus = builtCorpus();
  if (!binlogFixturesSkipReason()) for (const f of listBinlogFixtures()) corpus.push(readBinlogFixture(f).subarray(0, 64 * 1024));
  const seed = Number(process.env.BINLOG_FUZZ_SEED ?? Date.now() % 1_000_000);
  const iterations = Number(process.env.BINLOG_FUZZ_ITERATIONS ?? 2000);
  console.log(`binlog fuzz: seed ${seed}, ${iterations} mutations over ${corpus.length} inputs`);
  const r = rng(seed);
  for (let it = 0; it < iterations; it++) {
    const src = corpus[it % corpus.length]!;
    const bytes = mutate(src, r);
    run(bytes, r, it % 4 === 0, `seed ${seed} iteration ${it}`);
  }
});

test('fuzz: random bytes as single stream events', () => {
  const r = rng(4242);
  for (let it = 0; it < 3000; it++) {
    const len = 19 + r(200);
    const raw = Buffer.alloc(len);
    for (let i = 0; i < len; i++) raw[i] = r(256);
    raw.writeUInt32LE(len, 9);
    raw[4] = r(4) === 0 ? r(256) : [2, 4, 15, 16, 19, 23, 30, 31, 33, 35, 40, 42, 162, 163, 165, 169][r(16)]!;
    const state = new DecoderState({ verifyChecksums: false });
    try {
      const ev = decodeEvent(raw, undefined, state);
      exercise(ev);
    } catch (err) {
      checkTyped(err, `stream iteration ${it}`);
    }
  }
});
