import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';

const root = path.resolve(__dirname, '../..');
let child: ChildProcess;
let base: URL;
let token: string;
let dataDir: string;
let output = '';

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-serve-'));
  // The real command a user runs, on a free port.
  child = spawn(process.execPath, [path.join(root, 'bin', 'replicadesk.js'), 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const deadline = Date.now() + 30_000;
  while (!/Open: (\S+)/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = /Open: (\S+)/.exec(output)!;
  base = new URL(m[1]!);
  token = fs.readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim();
});

after(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});

function request(opts: { path: string; method?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, path: opts.path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const call = (body: unknown, auth = `Bearer ${token}`) =>
  request({ path: '/api/call', method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('it listens on loopback and keeps the token in a 0600 file', () => {
  assert.equal(base.hostname, '127.0.0.1');
  assert.equal(fs.readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim(), token);
  assert.equal(fs.statSync(path.join(dataDir, 'api-token')).mode & 0o777, 0o600);
  // stdout is a pipe (as under systemd): the token must not be printed where a journal would keep it.
  assert.ok(token.length >= 32);
  assert.ok(!output.includes(token), 'the token is not printed when stdout is not a terminal');
  assert.match(output, /api-token/);
});

test('the API refuses requests without the right token (401)', async () => {
  assert.equal((await request({ path: '/api/call', method: 'POST', body: '{"method":"service.info"}' })).status, 401);
  assert.equal((await call({ method: 'service.info' }, 'Bearer nope')).status, 401);
  assert.equal((await call({ method: 'service.info' }, `Bearer ${token}x`)).status, 401);
});

test('with the token, service.info answers and reports headless mode', async () => {
  const res = await call({ method: 'service.info', params: {} });
  assert.equal(res.status, 200);
  const body = JSON.parse(res.body);
  assert.equal(body.ok, true);
  assert.equal(body.result.mode, 'headless');
  assert.equal(body.result.dataDir, dataDir);
  assert.equal(body.result.secretStore.encrypted, true);
  assert.equal(body.result.platform, process.platform);
});

test('settings: ui.lang is kept, pushed to subscribers, and only known keys and values are accepted', async () => {
  const set = await call({ method: 'settings.set', params: { key: 'ui.lang', value: 'ja' } });
  assert.equal(JSON.parse(set.body).ok, true);
  const got = JSON.parse((await call({ method: 'settings.get', params: { key: 'ui.lang' } })).body);
  assert.deepEqual(got.result, { key: 'ui.lang', value: 'ja' });
  const badValue = JSON.parse((await call({ method: 'settings.set', params: { key: 'ui.lang', value: 'fr' } })).body);
  assert.equal(badValue.error.code, 'SETTING_BAD_VALUE');
  // Engine state in the same table (fan-out node statuses...) is out of reach of the API.
  const badKey = JSON.parse((await call({ method: 'settings.get', params: { key: 'fanout:x:nodes' } })).body);
  assert.equal(badKey.error.code, 'API_BAD_PARAMS');
  const still = JSON.parse((await call({ method: 'settings.get', params: { key: 'ui.lang' } })).body);
  assert.equal(still.result.value, 'ja');
});

test('malformed, unknown and oversized requests are refused and the service carries on', async () => {
  const bad = await request({ path: '/api/call', method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{not json' });
  assert.equal(bad.status, 400);
  assert.equal(JSON.parse(bad.body).error.code, 'API_BAD_JSON');
  const unknown = await call({ method: 'drop.everything' });
  assert.equal(JSON.parse(unknown.body).error.code, 'API_UNKNOWN_METHOD');
  const big = await request({ path: '/api/call', method: 'POST', headers: { authorization: `Bearer ${token}` }, body: Buffer.alloc(2 * 1024 * 1024, 0x20) });
  assert.equal(big.status, 413);
  assert.equal((await call({ method: 'channels.list' })).status, 200, 'still serving after bad requests');
});

test('a foreign Host header is refused (DNS rebinding)', async () => {
  const res = await request({ path: '/api/call', method: 'POST', headers: { host: 'evil.example:80', authorization: `Bearer ${token}` }, body: '{"method":"service.info"}' });
  assert.equal(res.status, 403);
});

test('the built renderer is served with a strict CSP', async () => {
  const res = await request({ path: '/' });
  assert.equal(res.status, 200);
  assert.match(res.body, /<div id="root">/);
  assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
});

test('the event stream needs the token and pushes history entries', async () => {
  const wsUrl = `ws://${base.host}/api/events`;
  await assert.rejects(
    new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl);
      ws.on('open', resolve);
      ws.on('error', reject);
    }),
    /401/,
  );
  const ws = new WebSocket(`${wsUrl}?token=${token}`);
  await new Promise((resolve, reject) => (ws.on('open', resolve), ws.on('error', reject)));
  ws.close();
  const history = JSON.parse((await call({ method: 'history.list', params: { limit: 5 } })).body);
  assert.equal(history.ok, true);
  assert.ok(history.result.some((h: { kind: string }) => h.kind === 'service.started'));
});
