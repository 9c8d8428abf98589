import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { binlogCommand } from '../../../core/cli/commands/binlog';
import { CliUsageError, type CliIo } from '../../../core/cli/command';
import { ColumnType as T, EventType } from '../../../core/mysql/binlog/constants';
import { readBinlogFile } from '../../../core/mysql/binlog/file-reader';
import { BinlogBuilder, queryBody, rowImage, rowsBody, tableMapBody, u16, u32, u64 } from './builder';

function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l + '\n'), err: (l) => stderr.push(l), untilSignal: () => new Promise(() => undefined) };
}

function sample(): Buffer {
  const b = new BinlogBuilder();
  b.addFde();
  b.add(EventType.GTID_EVENT, Buffer.concat([u64(5), u32(0), Buffer.from([0x0c]), Buffer.alloc(6)]));
  b.add(EventType.QUERY_EVENT, queryBody('shop', 'BEGIN'));
  b.add(EventType.TABLE_MAP_EVENT, tableMapBody(3, 'shop', 'items', [{ type: T.LONG }, { type: T.VARCHAR, meta: u16(40) }, { type: T.LONGLONG }]));
  b.add(EventType.WRITE_ROWS_EVENT_V1, rowsBody(3, 3, [rowImage([u32(1), Buffer.from("\x06it's\\\x01"), u64(2n ** 64n - 1n)])]));
  b.add(EventType.UPDATE_ROWS_EVENT_V1, rowsBody(3, 3, [Buffer.concat([rowImage([u32(1), null, u64(1)]), rowImage([u32(2), Buffer.from('\x03new'), u64(1)])])], { update: true }));
  b.add(EventType.XID_EVENT, u64(77));
  return b.bytes();
}

function tmpFile(bytes: Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-binlog-cli-'));
  const f = path.join(dir, 'binlog.000001');
  fs.writeFileSync(f, bytes);
  return f;
}

test('binlog dump -v: positions, event lines and rows as pseudo-SQL', async () => {
  const f = tmpFile(sample());
  const io = capture();
  assert.equal(await binlogCommand.run(['dump', '-v', f], io), 0);
  const text = io.stdout.join('');
  assert.match(text, /^# at 4\n#\d{6} \d\d:\d\d:\d\d server id 1  end_log_pos \d+ CRC32 0x[0-9a-f]{8} \tStart: binlog v 4, server v 10\.11\.19-MariaDB-log/);
  assert.match(text, /GTID 0-1-5 trans/);
  assert.match(text, /Table_map: `shop`\.`items` mapped to number 3/);
  assert.ok(text.includes("### INSERT INTO `shop`.`items`\n### SET\n###   @1=1\n###   @2='it\\'s\\\\\\x01'\n###   @3=-1 (18446744073709551615)\n"), text);
  assert.ok(text.includes('### UPDATE `shop`.`items`\n### WHERE\n###   @1=1\n###   @2=NULL\n###   @3=1\n### SET\n###   @1=2\n###   @2=\'new\'\n'));
  assert.match(text, /Xid = 77\nCOMMIT/);
  // Without -v: no row lines.
  const quiet = capture();
  assert.equal(await binlogCommand.run(['dump', f], quiet), 0);
  assert.ok(!quiet.stdout.join('').includes('###'));
});

test('binlog dump --json: one parseable object per event, rows decoded, exact big integers', async () => {
  const f = tmpFile(sample());
  const io = capture();
  assert.equal(await binlogCommand.run(['dump', '--json', f], io), 0);
  const lines = io.stdout.join('').trim().split('\n');
  const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    objs.map((o) => o.type),
    ['FORMAT_DESCRIPTION_EVENT', 'GTID_EVENT', 'QUERY_EVENT', 'TABLE_MAP_EVENT', 'WRITE_ROWS_EVENT_V1', 'UPDATE_ROWS_EVENT_V1', 'XID_EVENT'],
  );
  assert.deepEqual(objs[4]!.rows, [{ '@1': 1, '@2': { hex: Buffer.from("it's\\\x01").toString('hex') }, '@3': '-1' }]);
  assert.equal(objs[6]!.xid, '77');
  assert.equal(objs[1]!.gtid, '0-1-5');
});

test('binlog dump: errors are reported with exit code 1, usage errors with a usage message', async () => {
  const torn = tmpFile(sample().subarray(0, sample().length - 5));
  const io = capture();
  assert.equal(await binlogCommand.run(['dump', torn], io), 1);
  assert.match(io.stderr.join('\n'), /BINLOG_TRUNCATED.*cut short/);
  assert.ok(io.stdout.join('').includes('# at 4'), 'complete events before the tear are still shown');

  const bad = tmpFile(Buffer.from('not a binlog at all'));
  const io2 = capture();
  assert.equal(await binlogCommand.run(['dump', bad], io2), 1);
  assert.match(io2.stderr.join('\n'), /BINLOG_BAD_MAGIC/);

  const damaged = sample();
  damaged[300]! ^= 0xff;
  const f3 = tmpFile(damaged);
  const io3 = capture();
  assert.equal(await binlogCommand.run(['dump', f3], io3), 1);
  assert.match(io3.stderr.join('\n'), /BINLOG_CHECKSUM_MISMATCH/);
  const io4 = capture();
  assert.equal(await binlogCommand.run(['dump', '--force', f3], io4), 1);
  assert.match(io4.stdout.join(''), /# ERROR \[BINLOG_CHECKSUM_MISMATCH\].*skipped/);
  assert.match(io4.stdout.join(''), /Xid = 77/, '--force goes on after the damaged event');

  const io5 = capture();
  assert.equal(await binlogCommand.run(['dump', path.join(os.tmpdir(), 'no-such-binlog.000001')], io5), 1);
  assert.match(io5.stderr.join('\n'), /BINLOG_FILE_UNREADABLE/);

  await assert.rejects(() => binlogCommand.run(['dump'], capture()), CliUsageError);
  await assert.rejects(() => binlogCommand.run(['list'], capture()), CliUsageError);
  await assert.rejects(() => binlogCommand.run(['dump', '--start-position', 'x', 'f'], capture()), CliUsageError);
});

test('binlog dump --start-position/--stop-position select events by position', async () => {
  const bytes = sample();
  const f = tmpFile(bytes);
  const io = capture();
  assert.equal(await binlogCommand.run(['dump', '--json', '--start-position', '200', '--stop-position', '400', f], io), 0);
  const pos = io.stdout.join('').trim().split('\n').map((l) => (JSON.parse(l) as { pos: number }).pos);
  assert.ok(pos.length > 0 && pos.every((p) => p >= 200 && p < 400), String(pos));
});

test('readBinlogFile from a mid-file position reads the format description first', async () => {
  const bytes = sample();
  const f = tmpFile(bytes);
  const all: { position: number; kind: string; checksum?: number }[] = [];
  await readBinlogFile(f, (e) => all.push(e));
  const xid = all.find((e) => e.kind === 'xid')!;
  const tail: typeof all = [];
  await readBinlogFile(f, (e) => tail.push(e), { startPosition: xid.position });
  assert.deepEqual(tail.map((e) => [e.position, e.kind]), [[xid.position, 'xid']]);
  assert.equal(tail[0]!.checksum, xid.checksum, 'checksum known from the primed format description');
});
