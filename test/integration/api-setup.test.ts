/**
 * The setup engine through the service API, over the real headless transport: what the wizards call.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import type { ApiEvent } from '../../core/api/contract';
import type { JobState } from '../../core/api/types';
import { startServeProcess, type ServeProcess } from '../support/serve';
import { mysqlConnect, uniqueName, useSuiteServers } from '../servers/suite';

const servers = useSuiteServers();
let served: ServeProcess;

before(async () => {
  served = await startServeProcess();
});
after(async () => {
  await served.stop();
});

async function call(method: string, params: unknown): Promise<{ ok: boolean; result?: any; error?: { code: string; message: string } }> {
  const res = await fetch(new URL('api/call', served.base), {
    method: 'POST',
    headers: { authorization: `Bearer ${served.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ method, params }),
  });
  return (await res.json()) as { ok: boolean; result?: unknown; error?: { code: string; message: string } };
}

const endpoint = (s: { host: string; port: number; user: string; password: string }) => ({ host: s.host, port: s.port, user: s.user, password: s.password });

test('setup.preflight returns every check with explanations in three languages', async () => {
  const s = servers();
  const res = await call('setup.preflight', { master: endpoint(s.master), target: endpoint(s.target) });
  assert.equal(res.ok, true, JSON.stringify(res.error));
  const byId = new Map((res.result as { id: string; status: string; explanation: Record<string, string> }[]).map((c) => [c.id, c]));
  assert.equal(byId.get('master_connect')?.status, 'pass');
  assert.equal(byId.get('log_bin')?.status, 'pass');
  assert.equal(byId.get('server_id')?.status, 'pass');
  for (const c of byId.values()) for (const lang of ['en', 'ja', 'zh']) assert.ok(c.explanation[lang], `${c.id} lacks ${lang}`);
});

test('setup.preflight with a wrong password fails the connection check, not the API call', async () => {
  const s = servers();
  const res = await call('setup.preflight', { master: { ...endpoint(s.master), password: 'wrong' }, target: endpoint(s.target) });
  assert.equal(res.ok, true);
  const connect = (res.result as { id: string; status: string }[]).find((c) => c.id === 'master_connect');
  assert.equal(connect?.status, 'fail');
});

test('bad endpoint parameters are refused before anything connects', async () => {
  const res = await call('setup.preflight', { master: { host: 'x; DROP', port: 3306, user: 'u', password: 'p' }, target: { host: 'h', port: 99999, user: 'u', password: 'p' } });
  assert.equal(res.ok, false);
  assert.equal(res.error?.code, 'API_BAD_PARAMS');
});

test('mycnf.read / plan / apply edit only the intended line, with a backup', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-mycnf-api-'));
  const file = path.join(dir, 'my.cnf');
  const original = '# 設定ファイル\n[mysqld]\nserver-id = 1\n# keep me\nlog-bin\n\n[client]\nport=3306\n';
  fs.writeFileSync(file, original);
  const read = await call('mycnf.read', { path: file });
  assert.equal(read.ok, true, JSON.stringify(read.error));
  assert.equal(read.result.files[0].text, original);
  const edits = [{ op: 'set', group: 'mysqld', key: 'server-id', value: '7' }];
  const plan = await call('mycnf.plan', { path: file, edits });
  assert.match(plan.result.diff, /-server-id = 1\n\+server-id = 7/);
  assert.equal(fs.readFileSync(file, 'utf8'), original, 'planning writes nothing');
  const applied = await call('mycnf.apply', { path: file, edits });
  assert.equal(applied.ok, true, JSON.stringify(applied.error));
  assert.equal(fs.readFileSync(file, 'utf8'), original.replace('server-id = 1', 'server-id = 7'));
  assert.equal(fs.readFileSync(applied.result.written[0].backup, 'utf8'), original);
  const notCnf = await call('mycnf.read', { path: '/etc/passwd' });
  assert.equal(notCnf.error?.code, 'API_BAD_PARAMS', 'only option files can be read');
});

test('clone.start runs as a job with progress events and ends with the binlog position', async () => {
  const s = servers();
  const db = uniqueName('apiclone');
  const m = await mysqlConnect(s.master);
  await m.query(`CREATE DATABASE \`${db}\``);
  await m.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v VARCHAR(20))`);
  await m.query(`INSERT INTO \`${db}\`.t VALUES (1,'a'),(2,'b'),(3,'c')`);
  const ws = new WebSocket(`ws://${served.base.host}/api/events?token=${served.token}`);
  await new Promise((resolve, reject) => (ws.on('open', resolve), ws.on('error', reject)));
  const seen: JobState[] = [];
  ws.on('message', (d) => {
    const e = JSON.parse(String(d)) as ApiEvent;
    if (e.type === 'job') seen.push(e.job);
  });
  try {
    const started = await call('clone.start', { source: endpoint(s.master), target: endpoint(s.target), databases: [db] });
    assert.equal(started.ok, true, JSON.stringify(started.error));
    const id = started.result.id as string;
    const deadline = Date.now() + 60_000;
    while (!seen.some((j) => j.id === id && j.status !== 'running')) {
      if (Date.now() > deadline) throw new Error('clone job did not finish');
      await new Promise((r) => setTimeout(r, 100));
    }
    const done = seen.filter((j) => j.id === id).at(-1)!;
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    const result = done.result as { binlogFile: string; binlogPos: number; rows: number };
    assert.match(result.binlogFile, /^binlog\.\d+$/);
    assert.ok(result.binlogPos >= 4);
    assert.equal(result.rows, 3);
    const t = await mysqlConnect(s.target);
    const [rows] = (await t.query(`SELECT id, v FROM \`${db}\`.t ORDER BY id`)) as unknown as [{ id: number; v: string }[]];
    assert.deepEqual(rows.map((r) => r.v), ['a', 'b', 'c']);
    await t.query(`DROP DATABASE \`${db}\``);
    await t.end();
    const jobs = await call('jobs.list', {});
    assert.ok((jobs.result as JobState[]).some((j) => j.id === id && j.status === 'succeeded'));
  } finally {
    ws.close();
    await m.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await m.end();
  }
});

test('purge.list lists the master binlogs with sizes and what is purgeable', async () => {
  const s = servers();
  const res = await call('purge.list', { master: endpoint(s.master) });
  assert.equal(res.ok, true, JSON.stringify(res.error));
  assert.ok(res.result.files.length >= 1);
  assert.ok(res.result.files.every((f: { size: number }) => f.size > 0));
  assert.equal(res.result.files.at(-1).status, 'current');
  const cancel = await call('jobs.cancel', { id: 'no-such-job' });
  assert.equal(cancel.error?.code, 'JOB_NOT_FOUND');
});
