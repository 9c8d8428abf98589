import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { MemoryNodeStatusStore, type RecoveryEvent } from '../../../core/pg/node-status';
import { type PostgresInstance, startPostgres } from '../../servers/postgres';
import { makeRunDir } from '../../servers/workdir';
import { type RunningProxy, fingerprint, pgbench, startProxy, waitUntil } from './helpers';

// Own servers: this file kills and restarts them, which the shared ones must never see.
describe('fan-out failure handling and online recovery (own PostgreSQL nodes)', () => {
  let runDir: string;
  let nodes: PostgresInstance[] = [];
  let rp: RunningProxy;
  const store = new MemoryNodeStatusStore();
  const db = 'bench';

  before(async () => {
    runDir = makeRunDir('rd-fanout-fail-');
    nodes = await Promise.all([0, 1, 2].map((i) => startPostgres({ name: `n${i}`, runDir })));
    rp = await startProxy(nodes, { recoveryUser: 'postgres' }, undefined, { store });
    const c = await rp.client('postgres');
    await c.query(`CREATE DATABASE ${db} TEMPLATE template0`);
    await c.end();
    const s = nodes[0]!;
    await pgbench(rp.port, s.user, s.password, db, ['-i', '-s', '1', '-q']);
  });

  after(async () => {
    await rp?.stop();
    await Promise.allSettled(nodes.map((n) => n.stop()));
    fs.rmSync(runDir, { recursive: true, force: true });
  });

  const same = async (ids: number[]) => {
    const prints = await Promise.all(ids.map((i) => fingerprint(nodes[i]!, db)));
    for (let k = 1; k < prints.length; k++) assert.deepEqual(prints[k], prints[0], `node ${ids[k]} differs from node ${ids[0]}`);
  };

  test('a node killed during a pgbench run is detached; pgbench finishes without errors; the survivors are identical', async () => {
    const s = nodes[0]!;
    const run = pgbench(rp.port, s.user, s.password, db, ['-c', '4', '-T', '6', '-M', 'prepared', '-n']);
    await new Promise((r) => setTimeout(r, 2000));
    await nodes[2]!.kill();
    const r = await run;
    assert.match(r.stdout, /number of failed transactions: 0 /);
    const row = rp.proxy.nodes().find((n) => n.node_id === 2)!;
    assert.equal(row.status, 'down');
    assert.ok(rp.events.some((e) => e.type === 'node-status' && e.nodeId === 2 && e.status === 'down'));
    assert.equal(store.saved.get(2)?.status, 'down', 'the status went to the store');
    await same([0, 1]);
  });

  test('the detached node is recovered online while pgbench keeps writing; then all three are identical', async () => {
    await nodes[2]!.restart();
    const s = nodes[0]!;
    const run = pgbench(rp.port, s.user, s.password, db, ['-c', '4', '-T', '8', '-M', 'simple', '-n']);
    await new Promise((r) => setTimeout(r, 1500));
    const progress: RecoveryEvent[] = [];
    // A 16 KiB memory limit: the writes recorded during the copy go through the temporary file.
    await rp.proxy.recover(2, (e) => progress.push(e), { memoryLimit: 16 << 10 });
    assert.deepEqual([...new Set(progress.map((p) => p.phase))].filter((p) => p !== 'catch-up'), ['start', 'snapshot', 'copy', 'pause', 'attached']);
    assert.ok((progress.find((p) => p.phase === 'pause')?.spilledBytes ?? 0) > 16 << 10, `recorded writes waited on disk: ${JSON.stringify(progress.filter((p) => p.phase === 'pause' || p.phase === 'catch-up'))}`);
    assert.equal(rp.proxy.nodes().find((n) => n.node_id === 2)!.status, 'up');
    const r = await run;
    assert.match(r.stdout, /number of failed transactions: 0 /);
    await same([0, 1, 2]);
  });

  test('when the main node dies, the next node becomes main and idle clients carry on', async () => {
    const c = await rp.client(db);
    await c.query('CREATE TABLE after_failover (x int)');
    await nodes[0]!.kill();
    // The first statement after the loss may fail (it was on the dead node); the session continues.
    await c.query('INSERT INTO after_failover VALUES (1)').catch(() => c.query('INSERT INTO after_failover VALUES (1)'));
    await c.query('INSERT INTO after_failover VALUES (2)');
    const roles = rp.proxy.nodes().map((n) => [n.node_id, n.status, n.role]);
    assert.deepEqual(roles, [
      [0, 'down', 'replica'],
      [1, 'up', 'main'],
      [2, 'up', 'replica'],
    ]);
    assert.deepEqual((await c.query('SELECT x FROM after_failover ORDER BY x')).rows, [{ x: 1 }, { x: 2 }]);
    await same([1, 2]);
    const fresh = await rp.client(db);
    assert.equal((await fresh.query('SELECT count(*)::int AS n FROM after_failover')).rows[0].n, 2);
  });

  test('a health check detaches a node that died while nobody used it', async () => {
    await rp.stop();
    const hc = { period: 1, timeout: 2, user: 'postgres', password: '', database: '', maxRetries: 1, retryDelay: 1 };
    const pair = [nodes[1]!, nodes[2]!];
    rp = await startProxy(pair, { nodes: pair.map((n, id) => ({ id, host: n.host, port: n.port, weight: 1, allowFailover: true, name: `n${id}`, healthCheck: hc, connectTimeoutMs: 2000 })) });
    await nodes[2]!.kill();
    await waitUntil('the health check to detach the dead node', () => rp.proxy.nodes()[1]!.status === 'down', 20_000);
    assert.ok(rp.events.some((e) => e.type === 'node-status' && /health check failed/.test(e.reason)));
    assert.equal(rp.proxy.nodes()[0]!.status, 'up');
  });

  test('a backend_hostname that is a directory reaches the node over its Unix-domain socket', async () => {
    const n = nodes[1]!;
    const local = await startProxy([{ host: n.dataDir, port: n.port, user: n.user, password: n.password }]);
    try {
      const c = await local.client(db);
      assert.equal((await c.query("SELECT coalesce(inet_server_addr()::text, 'unix') AS via")).rows[0].via, 'unix');
    } finally {
      await local.stop();
    }
  });
});
