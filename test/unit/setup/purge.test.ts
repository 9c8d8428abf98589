import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyBinlogs } from '../../../core/setup/purge';

const files = ['mysql-bin.000021', 'mysql-bin.000022', 'mysql-bin.000023', 'mysql-bin.000024', 'mysql-bin.000025'].map((name, i) => ({ name, size: 1000 * (i + 1) }));

test('only files older than the oldest position any channel needs are purgeable; the current one never', () => {
  const l = classifyBinlogs(files, 'mysql-bin.000025', [
    { channel: 'shop', file: 'mysql-bin.000024', position: 98 },
    { channel: 'office', file: 'mysql-bin.000023', position: 3683 },
  ]);
  assert.deepEqual(l.files.map((f) => f.status), ['purgeable', 'purgeable', 'needed', 'needed', 'current']);
  assert.equal(l.purgeTo, 'mysql-bin.000023');
  assert.equal(l.purgeableBytes, 3000);
  assert.deepEqual(l.files[2]!.neededBy, ['office']);
  assert.match(l.files[3]!.explanation.ja, /shop/);
});

test('with no channel, everything but the current file may go; a file between needed ones is kept', () => {
  assert.equal(classifyBinlogs(files, 'mysql-bin.000025', []).purgeTo, 'mysql-bin.000025');
  const l = classifyBinlogs(files, 'mysql-bin.000025', [{ channel: 'a', file: 'mysql-bin.000022' }]);
  assert.deepEqual(l.files.map((f) => f.status), ['purgeable', 'needed', 'kept', 'kept', 'current']);
});

test('a channel needing a file the master no longer has blocks every purge', () => {
  const l = classifyBinlogs(files, 'mysql-bin.000025', [{ channel: 'old', file: 'mysql-bin.000003' }, { channel: 'ok', file: 'mysql-bin.000024' }]);
  assert.equal(l.purgeTo, null);
  assert.deepEqual(l.purgeable, []);
  assert.deepEqual(l.broken.map((b) => b.channel), ['old']);
});
