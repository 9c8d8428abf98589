/**
 * A PostgreSQL fan-out driven through the service API over the real headless transport: defined from a
 * user's pgpool.conf, started, written through with node-postgres, nodes detached and re-attached, and
 * brought back by itself after a service restart.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { freePort } from '../servers/ports';
import { pgConnect, uniqueName, useSuiteServers } from '../servers/suite';
import { startServeProcess, type ServeProcess } from '../support/serve';

const servers = useSuiteServers();
let served: ServeProcess;
before(async () => {
  served = await startServeProcess();
});
after(async () => {
  await served.stop();
});

test('define from pgpool.conf, start, write to every node, SHOW POOL_NODES, detach/attach, survive a restart', async () => {
  const [a, b] = servers().pg;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-api-fanout-'));
  const port = await freePort();
  const conf = path.join(dir, 'pgpool.conf');
  fs.writeFileSync(
    conf,
    [
      "backend_clustering_mode = 'native_replication'",
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `backend_hostname0 = '${a!.host}'`,
      `backend_port0 = ${a!.port}`,
      'backend_weight0 = 1',
      `backend_hostname1 = '${b!.host}'`,
      `backend_port1 = ${b!.port}`,
      'backend_weight1 = 1',
      "pool_passwd = 'pool_passwd'",
      'bogus_parameter = 1',
    ].join('\n') + '\n',
  );
  fs.writeFileSync(path.join(dir, 'pool_passwd'), `${a!.user}:TEXT${a!.password}\n`, { mode: 0o600 });
  const name = uniqueName('fo').replace(/_/g, '-');
  const table = uniqueName('api_fanout');

  const created = await served.call('fanouts.create', { name, configPath: conf });
  assert.equal(created.summary.nodes, 2);
  assert.ok(created.diagnostics.some((d: { line: number; message: string }) => d.line === 11 && /bogus_parameter/.test(d.message)), 'unknown parameters are reported with their line');
  await assert.rejects(served.call('fanouts.create', { name, configPath: conf }), /FANOUT_EXISTS/);
  await assert.rejects(served.call('fanouts.nodes', { name }), /FANOUT_NOT_RUNNING/);

  const started = await served.call('fanouts.start', { name });
  assert.equal(started.running, true);
  assert.equal(started.listen, `127.0.0.1:${port}`);

  const client = new pg.Client({ host: '127.0.0.1', port, user: a!.user, password: a!.password, database: 'postgres' });
  await client.connect();
  try {
    await client.query(`CREATE TABLE "${table}" (id serial PRIMARY KEY, v text)`);
    await client.query(`INSERT INTO "${table}" (v) VALUES ('one'), ('two')`);
  } finally {
    await client.end();
  }
  for (const s of [a!, b!]) {
    const c = await pgConnect(s);
    const r = await c.query(`SELECT id, v FROM "${table}" ORDER BY id`);
    assert.deepEqual(r.rows, [{ id: 1, v: 'one' }, { id: 2, v: 'two' }], `backend ${s.port}`);
    await c.end();
  }

  const nodes = await served.call('fanouts.nodes', { name });
  assert.deepEqual(nodes.map((n: { node_id: number; status: string }) => [n.node_id, n.status]), [[0, 'up'], [1, 'up']]);
  assert.equal(nodes[0].role, 'main');

  const detached = await served.call('fanouts.detach', { name, nodeId: 1 });
  assert.equal(detached[1].status, 'down');
  const history = await served.call('history.list', { source: `fanout:${name}`, limit: 20 });
  assert.ok(history.some((h: { kind: string; severity: string }) => h.kind === 'fanout.node.down' && h.severity === 'error'), 'a detached node is in the history');

  // The node status is kept across a restart, and a fan-out that was running starts again by itself.
  await served.restart();
  const afterRestart = await served.call('fanouts.nodes', { name });
  assert.equal(afterRestart[1].status, 'down');
  const attached = await served.call('fanouts.attach', { name, nodeId: 1 });
  assert.equal(attached[1].status, 'up');

  const stopped = await served.call('fanouts.stop', { name });
  assert.equal(stopped.running, false);
  await served.call('fanouts.delete', { name });
  assert.equal((await served.call('fanouts.list', {})).some((f: { name: string }) => f.name === name), false);
  for (const s of [a!, b!]) {
    const c = await pgConnect(s);
    await c.query(`DROP TABLE IF EXISTS "${table}"`);
    await c.end();
  }
});

test('fanouts.check logs in to each backend of a pgpool.conf before anything starts', async () => {
  const [a] = servers().pg;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-api-fcheck-'));
  const deadPort = await freePort();
  const conf = path.join(dir, 'pgpool.conf');
  fs.writeFileSync(
    conf,
    [
      "backend_clustering_mode = 'native_replication'",
      `backend_hostname0 = '${a!.host}'`,
      `backend_port0 = ${a!.port}`,
      'backend_weight0 = 2',
      `backend_hostname1 = '127.0.0.1'`,
      `backend_port1 = ${deadPort}`,
      `health_check_user = '${a!.user}'`,
      "pool_passwd = 'pool_passwd'",
    ].join('\n') + '\n',
  );
  fs.writeFileSync(path.join(dir, 'pool_passwd'), `${a!.user}:TEXT${a!.password}\nnobody_here:TEXTwrong\n`, { mode: 0o600 });
  try {
    const res = await served.call('fanouts.check', { configPath: conf });
    const [ok, dead] = res.backends;
    assert.equal(ok.nodeId, 0);
    assert.equal(ok.reachable, true);
    assert.equal(ok.login, 'ok', ok.message);
    assert.match(ok.serverVersion, /^15\./);
    assert.equal(ok.weight, 2);
    assert.equal(dead.reachable, false);
    assert.equal(dead.login, 'untested');
    assert.match(dead.message, /ECONNREFUSED|refused|did not answer/i);
    // A user the server does not know: reachable, but the login is refused, with PostgreSQL's reason.
    const refused = await served.call('fanouts.check', { configPath: conf, user: 'nobody_here' });
    assert.equal(refused.backends[0].reachable, true);
    assert.equal(refused.backends[0].login, 'refused');
    assert.ok(refused.backends[0].message.length > 0);
    // Nothing was started or defined by checking.
    assert.equal((await served.call('fanouts.list', {})).some((f: { configPath?: string }) => f.configPath === conf), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('pgpool.create writes a new setup (AES pool_passwd, 0600 key) that checks, starts and replicates writes', async () => {
  const [a, b] = servers().pg;
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rd-api-fnew-')), 'conf');
  const port = await freePort();
  const setup = {
    listenAddresses: '127.0.0.1',
    port,
    backends: [a!, b!].map((s, i) => ({ hostname: s.host, port: s.port, weight: i + 1 })),
    users: [{ name: a!.user, password: a!.password }],
    authMethod: 'scram-sha-256',
    clientNetworks: ['192.168.10.0/24'],
    healthCheckPeriod: 0,
  };
  await assert.rejects(served.call('pgpool.create', { dir, setup: { ...setup, backends: [] } }), /PGPOOL_SETUP_INVALID/);
  const made = await served.call('pgpool.create', { dir, setup });
  assert.equal(made.configPath, path.join(dir, 'pgpool.conf'));
  assert.equal(fs.statSync(made.keyFile).mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.join(dir, 'pool_passwd')).mode & 0o777, 0o600);
  assert.ok(!fs.readFileSync(path.join(dir, 'pool_passwd'), 'utf8').includes(a!.password), 'no plaintext password on disk');
  await assert.rejects(served.call('pgpool.create', { dir, setup }), /PGPOOL_SETUP_EXISTS/);

  // The editor reads it back without problems, and each backend answers.
  const read = await served.call('pgpool.read', { path: made.configPath });
  assert.deepEqual(read.problems.filter((p: { severity: string }) => p.severity !== 'info'), []);
  const checked = await served.call('fanouts.check', { configPath: made.configPath, keyFile: made.keyFile });
  assert.deepEqual(checked.backends.map((x: { login: string }) => x.login), ['ok', 'ok']);

  const name = uniqueName('fonew').replace(/_/g, '-');
  const table = uniqueName('api_fnew');
  const created = await served.call('fanouts.create', { name, configPath: made.configPath, keyFile: made.keyFile });
  assert.deepEqual(created.diagnostics.filter((d: { severity: string }) => d.severity !== 'info'), []);
  await served.call('fanouts.start', { name });
  const client = new pg.Client({ host: '127.0.0.1', port, user: a!.user, password: a!.password, database: 'postgres' });
  await client.connect();
  try {
    await client.query(`CREATE TABLE "${table}" (id serial PRIMARY KEY, v text)`);
    await client.query(`INSERT INTO "${table}" (v) VALUES ('x'), ('y')`);
  } finally {
    await client.end();
  }
  for (const s of [a!, b!]) {
    const c = await pgConnect(s);
    try {
      const r = await c.query(`SELECT id, v FROM "${table}" ORDER BY id`);
      assert.deepEqual(r.rows, [{ id: 1, v: 'x' }, { id: 2, v: 'y' }]);
      await c.query(`DROP TABLE "${table}"`);
    } finally {
      await c.end();
    }
  }
  await served.call('fanouts.stop', { name });
  await served.call('fanouts.delete', { name });
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});
