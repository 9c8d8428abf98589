/** The pgpool.conf / pool_hba.conf editor through the service API (what the fan-out editor screen calls). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServeProcess, type ServeProcess } from '../support/serve';

let served: ServeProcess;
before(async () => {
  served = await startServeProcess();
});
after(async () => {
  await served.stop();
});

const CONF = [
  '# pgpool-II configuration (kept by the office)',
  "backend_clustering_mode = 'native_replication'",
  "listen_addresses = 'localhost'",
  'port = 9999                # 接続ポート',
  '',
  "backend_hostname0 = 'db1'",
  'backend_port0 = 5432',
  'backend_weight0 = 1',
  '',
  'num_init_children = 32',
  '',
].join('\n');

test('pgpool.conf: plan shows a diff and what it needs, apply writes only that line with a backup, bad values are refused', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-pgpool-api-'));
  const file = path.join(dir, 'pgpool.conf');
  fs.writeFileSync(file, CONF);
  const read = await served.call('pgpool.read', { path: file });
  assert.equal(read.text, CONF);

  const plan = await served.call('pgpool.plan', { path: file, edits: [{ op: 'set', key: 'num_init_children', value: 64 }] });
  assert.match(plan.diff, /-num_init_children = 32\n\+num_init_children = 64/);
  assert.equal(plan.needs, 'restart');
  assert.equal(fs.readFileSync(file, 'utf8'), CONF, 'a plan writes nothing');

  const applied = await served.call('pgpool.apply', {
    path: file,
    edits: [
      { op: 'set', key: 'num_init_children', value: 64 },
      { op: 'add-backend', backend: { hostname: 'db2', port: 5433, weight: 1 } },
    ],
  });
  const after = fs.readFileSync(file, 'utf8');
  assert.match(after, /num_init_children = 64/);
  assert.match(after, /backend_hostname1 = 'db2'/);
  assert.match(after, /port = 9999 {16}# 接続ポート/, 'untouched lines keep their bytes');
  assert.equal(fs.readFileSync(applied.written.backup, 'utf8'), CONF);

  await assert.rejects(served.call('pgpool.apply', { path: file, edits: [{ op: 'set', key: 'num_init_children', value: 'many' }] }), /PGPOOL_CONF_INVALID_EDIT/);
  assert.equal(fs.readFileSync(file, 'utf8'), after, 'a refused edit leaves the file alone');
  await assert.rejects(served.call('pgpool.plan', { path: file, edits: [{ op: 'explode' }] }), /API_BAD_PARAMS/);
});

test('pool_hba.conf: a rule is added before another and the file keeps its other lines', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-hba-api-'));
  const file = path.join(dir, 'pool_hba.conf');
  const text = '# TYPE  DATABASE  USER  ADDRESS  METHOD\nlocal   all  all  trust\nhost    all  all  127.0.0.1/32  scram-sha-256\n';
  fs.writeFileSync(file, text);
  await served.call('poolHba.apply', { path: file, edits: [{ op: 'add-rule', rule: { type: 'host', databases: ['all'], users: ['guest'], address: '0.0.0.0/0', method: 'reject' }, before: 3 }] });
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  assert.equal(lines[0], '# TYPE  DATABASE  USER  ADDRESS  METHOD');
  assert.equal(lines[1], 'local   all  all  trust');
  assert.match(lines[2]!, /^host\s+all\s+guest\s+0\.0\.0\.0\/0\s+reject$/);
  assert.equal(lines[3], 'host    all  all  127.0.0.1/32  scram-sha-256');
});
