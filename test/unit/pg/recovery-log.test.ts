import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { RecoveryLog, type RecordedEntry } from '../../../core/pg/recovery-log';

const unit = (n: number, size: number) => ({
  bufs: [Buffer.from(`Q${n}:`), Buffer.alloc(size, n % 251)],
  slots: new Uint8Array([n % 7, 1, 2]),
  expected: n % 3 === 0 ? null : [`UPDATE ${n}`],
  label: `statement ${n} — ünïcode`,
});

test('the recovery log gives back what was recorded, in order, across the move to a temporary file and back', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-reclog-'));
  const sessions = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
  const log = new RecoveryLog<{ id: string }>(20_000, root);
  const sent: RecordedEntry<{ id: string }>[] = [];
  const got: RecordedEntry<{ id: string }>[] = [];
  let n = 0;
  const record = (count: number) => {
    for (let i = 0; i < count; i++, n++) {
      const e = n % 17 === 16 ? { session: sessions[n % 3]!, ended: true } : { session: sessions[n % 3]!, unit: unit(n, (n * 37) % 3000) };
      sent.push(e);
      log.push(e);
    }
  };
  const take = (max: number) => {
    for (let i = 0; i < max; i++) {
      const e = log.next();
      if (!e) return;
      got.push(e);
    }
  };
  record(50); // past the 20 kB limit: the rest go to the file
  assert.ok(log.spilledBytes > 0, 'entries go to the file (written in batches)');
  take(30);
  record(4000); // interleaved: newer entries keep going to the file while older ones are read
  const dirs = fs.readdirSync(root);
  assert.equal(dirs.length, 1);
  assert.equal(fs.statSync(path.join(root, dirs[0]!)).mode & 0o777, 0o700, 'the folder is private');
  assert.equal(fs.statSync(path.join(root, dirs[0]!, 'backlog')).mode & 0o777, 0o600, 'the file is private');
  assert.ok(fs.statSync(path.join(root, dirs[0]!, 'backlog')).size > 1 << 20, 'megabytes waited on disk, not in memory');
  take(1000);
  record(10);
  take(100000);
  assert.equal(log.pending, 0);
  assert.equal(log.next(), undefined);
  record(5); // back in memory after the file was drained
  take(10);
  assert.equal(got.length, sent.length);
  for (let i = 0; i < sent.length; i++) {
    const a = sent[i]!;
    const b = got[i]!;
    assert.equal(b.session, a.session, `entry ${i}: same session object`);
    assert.equal(!!b.ended, !!a.ended);
    if (a.unit) {
      assert.deepEqual(b.unit!.bufs.map((x) => x.toString('hex')), a.unit.bufs.map((x) => x.toString('hex')), `entry ${i}: same bytes`);
      assert.deepEqual([...b.unit!.slots], [...a.unit.slots]);
      assert.deepEqual(b.unit!.expected, a.unit.expected);
      assert.equal(b.unit!.label, a.unit.label);
    }
  }
  log.close();
  assert.deepEqual(fs.readdirSync(root), [], 'the temporary file is removed');
  fs.rmSync(root, { recursive: true, force: true });
});

test('below the limit nothing touches the disk', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-reclog-'));
  const log = new RecoveryLog<string>(1 << 20, root);
  for (let i = 0; i < 100; i++) log.push({ session: 's', unit: unit(i, 100) });
  let k = 0;
  while (log.next()) k++;
  assert.equal(k, 100);
  assert.equal(log.spilledBytes, 0);
  assert.deepEqual(fs.readdirSync(root), []);
  log.close();
  fs.rmSync(root, { recursive: true, force: true });
});
