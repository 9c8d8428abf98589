import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { KeyFileSecretBox } from '../../core/secrets/keyfile-box';
import { MIGRATIONS } from '../../core/state/migrations';
import { STATE_FILE, StateStore } from '../../core/state/store';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rd-store-'));

test('migrations run once, in order, and record their versions', async () => {
  const dir = tmp();
  const store = await StateStore.open(dir);
  assert.equal(await store.schemaVersion(), MIGRATIONS[MIGRATIONS.length - 1]!.version);
  await store.setSetting('lang', 'ja');
  await store.close();
  // Re-opening must not re-run migration 1 (it would fail on CREATE TABLE) and keeps data.
  const again = await StateStore.open(dir);
  assert.equal(await again.getSetting('lang'), 'ja');
  await again.close();
});

test('a later migration is applied on top of an existing store', async () => {
  const dir = tmp();
  await (await StateStore.open(dir)).close();
  const extra = [...MIGRATIONS, { version: 999, name: 'test-extra', sql: 'CREATE TABLE extra (x INTEGER)' }];
  const store = await StateStore.open(dir, extra);
  assert.equal(await store.schemaVersion(), 999);
  await store.db.run('INSERT INTO extra (x) VALUES (1)');
  await store.close();
});

test('a store written by a newer version is refused with a clear error, not damaged', async () => {
  const dir = tmp();
  const extra = [...MIGRATIONS, { version: 999, name: 'future', sql: 'SELECT 1' }];
  await (await StateStore.open(dir, extra)).close();
  await assert.rejects(StateStore.open(dir), (err: Error & { code?: string }) => err.code === 'STATE_TOO_NEW' && /newer/.test(err.message));
});

test('a failing migration rolls back and leaves the version unchanged', async () => {
  const dir = tmp();
  await (await StateStore.open(dir)).close();
  const broken = [...MIGRATIONS, { version: 500, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); THIS IS NOT SQL;' }];
  await assert.rejects(StateStore.open(dir, broken), (err: Error & { code?: string }) => err.code === 'STATE_SQL_FAILED');
  const store = await StateStore.open(dir);
  assert.equal(await store.schemaVersion(), MIGRATIONS[MIGRATIONS.length - 1]!.version);
  assert.equal(await store.db.get("SELECT name FROM sqlite_master WHERE name = 'half'"), undefined);
  await store.close();
});

test('history is appended and listed newest first, with filters and paging', async () => {
  const store = await StateStore.open(tmp());
  for (let i = 0; i < 5; i++) {
    await store.appendHistory({ source: i % 2 ? 'ch1' : 'ch2', kind: 'test', severity: i === 4 ? 'error' : 'info', message: `m${i}`, detail: { i } });
  }
  const all = await store.listHistory({ limit: 10 });
  assert.deepEqual(all.map((h) => h.message), ['m4', 'm3', 'm2', 'm1', 'm0']);
  assert.deepEqual(all[0]!.detail, { i: 4 });
  assert.deepEqual((await store.listHistory({ limit: 10, source: 'ch1' })).map((h) => h.message), ['m3', 'm1']);
  assert.deepEqual((await store.listHistory({ limit: 10, severity: 'error' })).map((h) => h.message), ['m4']);
  assert.deepEqual((await store.listHistory({ limit: 2, beforeId: all[1]!.id })).map((h) => h.message), ['m2', 'm1']);
  await store.close();
});

test('secrets are stored sealed: the password never appears in the database file', async () => {
  const dir = tmp();
  const box = KeyFileSecretBox.openOrCreate(dir);
  const store = await StateStore.open(dir);
  const password = 'pässwörd-ｐａｓｓ-' + Math.random();
  await store.putSecret(box, 'channel:office:master', password);
  assert.equal(await store.getSecret(box, 'channel:office:master'), password);
  await store.close();
  for (const f of fs.readdirSync(dir).filter((f) => f.startsWith(STATE_FILE))) {
    assert.equal(fs.readFileSync(path.join(dir, f)).includes(Buffer.from(password)), false, `${f} holds the password in plain text`);
  }
});
