import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { resolveStatic } from '../../core/server/static-files';
import { parseListen } from '../../core/cli/commands/serve';
import { defaultDataDir } from '../../core/paths';

test('static files stay inside the renderer folder', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-static-'));
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(path.join(root, 'index.html'), '<html>');
  fs.writeFileSync(path.join(root, 'assets', 'a.js'), '1');
  fs.writeFileSync(path.join(path.dirname(root), 'outside-secret.txt'), 'x');
  assert.equal(resolveStatic(root, '/assets/a.js')?.type, 'text/javascript; charset=utf-8');
  assert.equal(resolveStatic(root, '/')?.file, path.join(root, 'index.html'));
  assert.equal(resolveStatic(root, '/dashboard')?.file, path.join(root, 'index.html'), 'app routes fall back to index.html');
  for (const evil of ['/../outside-secret.txt', '/..%2foutside-secret.txt', '/%2e%2e/outside-secret.txt', '/assets/%00.js', '/%E0%A4%A']) {
    const hit = resolveStatic(root, evil);
    assert.ok(!hit || hit.file.startsWith(root + path.sep), `${evil} escaped to ${hit?.file}`);
    assert.ok(!hit || !hit.file.endsWith('outside-secret.txt'));
  }
  assert.equal(resolveStatic(root, '/missing.js'), undefined, 'a missing asset is a 404, not the index page');
});

test('--listen parsing', () => {
  assert.deepEqual(parseListen('127.0.0.1:7373'), { host: '127.0.0.1', port: 7373 });
  assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
  assert.throws(() => parseListen('7373'), /HOST:PORT/);
  assert.throws(() => parseListen('127.0.0.1:99999'), /out of range/);
});

test('the default data dir is the per-user app-data folder Electron also uses', () => {
  assert.equal(defaultDataDir({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux'), path.join('/x/cfg', 'ReplicaDesk'));
  assert.equal(defaultDataDir({}, 'linux'), path.join(os.homedir(), '.config', 'ReplicaDesk'));
  assert.equal(defaultDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32'), path.join('C:\\Users\\a\\AppData\\Roaming', 'ReplicaDesk'));
});
