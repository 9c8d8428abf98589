import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { ApiEvent } from '../../../core/api/contract';
import { LOG_FILE, RotatingFileLogger } from '../../../core/log/file-logger';
import { MemoryLogger } from '../../../core/log/logger';
import { REDACTED, redact } from '../../../core/log/redact';
import { logServiceEvents } from '../../../core/log/service-events';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rd-log-'));
const lines = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

test('each line is one JSON record with time, level, message, bindings and fields', () => {
  const dir = tmp();
  const log = RotatingFileLogger.open({ dataDir: dir });
  log.child({ channel: 'office1' }).warn('Lag is high.', { secondsBehindMaster: 400, msg: 'cannot override' });
  log.debug('below the level: not written');
  log.close();
  const file = path.join(dir, 'logs', LOG_FILE);
  const [rec, ...rest] = lines(file);
  assert.equal(rest.length, 0);
  assert.equal(rec!.level, 'warn');
  assert.equal(rec!.msg, 'Lag is high.');
  assert.equal(rec!.channel, 'office1');
  assert.equal(rec!.secondsBehindMaster, 400);
  assert.ok(!Number.isNaN(Date.parse(String(rec!.t))));
  if (process.platform !== 'win32') assert.equal(fs.statSync(file).mode & 0o777, 0o600);
});

test('files rotate by size and only maxFiles are kept; no line is split or lost within them', () => {
  const dir = tmp();
  const log = RotatingFileLogger.open({ dataDir: dir, maxBytes: 2000, maxFiles: 3 });
  for (let i = 0; i < 200; i++) log.info('event', { i, pad: 'x'.repeat(50) });
  log.close();
  const names = fs.readdirSync(path.join(dir, 'logs')).sort();
  assert.deepEqual(names, [LOG_FILE, `${LOG_FILE}.1`, `${LOG_FILE}.2`]);
  let last: number | undefined;
  for (const name of [`${LOG_FILE}.2`, `${LOG_FILE}.1`, LOG_FILE]) {
    const file = path.join(dir, 'logs', name);
    assert.ok(fs.statSync(file).size <= 2000, `${name} is ${fs.statSync(file).size} bytes`);
    for (const rec of lines(file)) {
      if (last !== undefined) assert.equal(rec.i, last + 1, 'consecutive across the kept files');
      last = rec.i as number;
    }
  }
  assert.equal(last, 199, 'the newest line is in the current file');
  assert.equal(lines(path.join(dir, 'logs', `${LOG_FILE}.2`))[0]!.i !== 0, true, 'the oldest lines were dropped');
});

test('reopening appends to the existing file and counts its size', () => {
  const dir = tmp();
  const a = RotatingFileLogger.open({ dataDir: dir, maxBytes: 400, maxFiles: 2 });
  a.info('first');
  a.close();
  const b = RotatingFileLogger.open({ dataDir: dir, maxBytes: 400, maxFiles: 2 });
  for (let i = 0; i < 6; i++) b.info('more', { pad: 'y'.repeat(40) });
  b.close();
  assert.ok(fs.existsSync(path.join(dir, 'logs', `${LOG_FILE}.1`)), 'rotated, so the old size was counted');
  assert.equal(lines(path.join(dir, 'logs', `${LOG_FILE}.1`))[0]!.msg, 'first');
});

test('credentials never reach the log, at any depth or inside URLs', () => {
  const dir = tmp();
  const log = RotatingFileLogger.open({ dataDir: dir });
  log.error('Could not connect.', {
    master: { host: 'db1', user: 'repl', password: 'hunter2', nested: { MASTER_PASSWORD: 'hunter3' } },
    url: 'mysql://repl:hunter4@db1:3306/x',
    authorization: 'Bearer abc',
    apiToken: 'tok',
  });
  log.close();
  const text = fs.readFileSync(path.join(dir, 'logs', LOG_FILE), 'utf8');
  for (const secret of ['hunter2', 'hunter3', 'hunter4', 'Bearer abc', '"tok"']) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  const rec = lines(path.join(dir, 'logs', LOG_FILE))[0]!;
  assert.equal((rec.master as Record<string, unknown>).user, 'repl', 'ordinary fields stay');
  assert.equal((rec.master as Record<string, unknown>).password, REDACTED);
  assert.equal(rec.url, `mysql://repl:${REDACTED}@db1:3306/x`);
});

test('errors, circular values, buffers and huge strings become bounded plain data', () => {
  const circular: Record<string, unknown> = { a: 1 };
  circular.self = circular;
  const err = Object.assign(new Error('boom'), { code: 'X_FAILED' });
  const out = redact({ err, circular, buf: Buffer.alloc(10), big: 'z'.repeat(10_000), n: 10n }) as Record<string, Record<string, unknown>>;
  assert.equal(out.err!.message, 'boom');
  assert.equal(out.err!.code, 'X_FAILED');
  assert.equal(out.circular!.self, '[circular]');
  assert.equal(out.buf, '[10 bytes]');
  assert.ok((out.big as unknown as string).length < 4100);
  assert.equal(out.n, '10');
});

test('a log that cannot be written does not throw into the caller and counts dropped lines', () => {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'logs'), 'a file where the log folder should be');
  const log = RotatingFileLogger.open({ dataDir: dir });
  const stderr = process.stderr.write;
  let complaints = 0;
  process.stderr.write = (() => (complaints++, true)) as typeof process.stderr.write;
  try {
    log.info('one');
    log.info('two');
  } finally {
    process.stderr.write = stderr;
  }
  assert.equal(log.dropped, 2);
  assert.equal(complaints, 1, 'complains once, not per line');
});

test('service history entries are mirrored into the log at their severity', () => {
  const events = new EventEmitter<{ event: [ApiEvent] }>();
  const mem = new MemoryLogger();
  const off = logServiceEvents(events, mem);
  events.emit('event', { type: 'history', entry: { id: 7, at: '2024-01-01T00:00:00Z', source: 'office1', kind: 'sql.stopped', severity: 'error', message: 'SQL thread stopped.', detail: { errno: 1062 } } });
  events.emit('event', { type: 'channels', channels: [] });
  off();
  events.emit('event', { type: 'service.stopping' });
  assert.equal(mem.records.length, 1);
  assert.equal(mem.records[0]!.level, 'error');
  assert.equal(mem.records[0]!.source, 'office1');
  assert.deepEqual(mem.records[0]!.detail, { errno: 1062 });
});
