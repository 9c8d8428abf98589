import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type pg from 'pg';
import type { FanoutOptions } from '../../../core/pg/options';
import { uniqueName, useSuiteServers } from '../../servers/suite';
import { direct, startProxy } from './helpers';

const servers = useSuiteServers();

/** A database on both nodes made to differ on node 1 only (behind the proxy's back). */
async function divergedDb(setup: (n1: pg.Client) => Promise<unknown>): Promise<string> {
  const db = uniqueName('mismatch');
  for (const s of servers().pg) {
    const c = await direct(s, 'postgres');
    await c.query(`CREATE DATABASE "${db}" TEMPLATE template0`);
    await c.end();
    const d = await direct(s, db);
    await d.query('CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)');
    await d.query('INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)');
    await d.end();
  }
  const n1 = await direct(servers().pg[1]!, db);
  await setup(n1);
  await n1.end();
  return db;
}

async function rows(node: number, db: string): Promise<string> {
  const c = await direct(servers().pg[node]!, db);
  const r = await c.query('SELECT id, v FROM t ORDER BY id');
  await c.end();
  return r.rows.map((x) => `${x.id}:${x.v}`).join(',');
}

describe('fan-out result comparison and mismatch policies', () => {
  const dbs: string[] = [];
  after(async () => {
    for (const s of servers().pg) {
      const c = await direct(s, 'postgres');
      for (const db of dbs) await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      await c.end();
    }
  });

  const scenario = async (opts: Partial<FanoutOptions>, diverge: (n1: pg.Client) => Promise<unknown>, run: (c: pg.Client) => Promise<unknown>) => {
    const db = await divergedDb(diverge);
    dbs.push(db);
    const rp = await startProxy(servers().pg, { loadBalance: false, ...opts });
    const c = await rp.client(db);
    let error: unknown;
    try {
      await run(c);
    } catch (err) {
      error = err;
    }
    await rp.stop();
    return { db, error: error as (Error & { code?: string }) | undefined, events: rp.events, nodes: rp.proxy.nodes() };
  };

  test('different row counts, default policy (failover_if_affected_tuples_mismatch = off): the autocommit statement is rolled back on every node and the client told', async () => {
    const r = await scenario({}, (n1) => n1.query('INSERT INTO t VALUES (4, 40)'), (c) => c.query('UPDATE t SET v = v + 1'));
    assert.equal(r.error?.code, 'XX000');
    assert.match(r.error!.message, /rolled this transaction back on every node/);
    const ev = r.events.find((e) => e.type === 'mismatch');
    assert.ok(ev && ev.type === 'mismatch');
    assert.equal(ev.kind, 'affected-rows');
    assert.deepEqual([ev.main, ev.node], [['UPDATE 3'], ['UPDATE 4']]);
    assert.equal(ev.action, 'aborted');
    assert.equal(r.nodes[1]!.status, 'up', 'the node stays attached');
    assert.equal(await rows(0, r.db), '1:10,2:20,3:30', 'the main node did not keep the update');
    assert.equal(await rows(1, r.db), '1:10,2:20,3:30,4:40');
  });

  test('different row counts inside a transaction, default policy: rolled back on every node at COMMIT, the session goes on', async () => {
    const r = await scenario({}, (n1) => n1.query('INSERT INTO t VALUES (4, 40)'), async (c) => {
      await c.query('BEGIN');
      await c.query('UPDATE t SET v = v + 1');
      await c.query('UPDATE t SET v = v + 1 WHERE id = 1');
      try {
        await c.query('COMMIT');
      } finally {
        // The session is usable afterwards, outside any transaction.
        const after = await c.query('SELECT count(*)::int AS n FROM t');
        assert.equal(after.rows[0].n, 3);
      }
    });
    assert.equal(r.error?.code, 'XX000');
    const ev = r.events.find((e) => e.type === 'mismatch');
    assert.ok(ev && ev.type === 'mismatch' && ev.kind === 'affected-rows' && ev.action === 'aborted');
    assert.equal(r.nodes[1]!.status, 'up');
    assert.equal(await rows(0, r.db), '1:10,2:20,3:30');
    assert.equal(await rows(1, r.db), '1:10,2:20,3:30,4:40');
  });

  test('different row counts with failover_if_affected_tuples_mismatch = on: the node that differs is detached, the main node keeps the result', async () => {
    const r = await scenario({ detachOnRowCountMismatch: true }, (n1) => n1.query('INSERT INTO t VALUES (4, 40)'), (c) => c.query('UPDATE t SET v = v + 1'));
    assert.equal(r.error, undefined, 'the client got the main node result');
    const ev = r.events.find((e) => e.type === 'mismatch');
    assert.ok(ev && ev.type === 'mismatch' && ev.kind === 'affected-rows');
    assert.equal(ev.action, 'detached');
    assert.equal(r.nodes[1]!.status, 'down');
    assert.equal(await rows(0, r.db), '1:11,2:21,3:31');
  });

  test('different row counts with verifyBeforeCommit and failover_if_affected_tuples_mismatch = on: the policy still detaches the node', async () => {
    const r = await scenario({ verifyBeforeCommit: true, detachOnRowCountMismatch: true }, (n1) => n1.query('INSERT INTO t VALUES (4, 40)'), async (c) => {
      await c.query('BEGIN');
      await c.query('UPDATE t SET v = v + 1');
      await c.query('COMMIT');
    });
    const ev = r.events.find((e) => e.type === 'mismatch');
    assert.ok(ev && ev.type === 'mismatch');
    // The policy (detach) wins; verifying first only means the others had not committed yet.
    assert.equal(ev.action, 'detached');
    assert.equal(r.error, undefined);
    assert.equal(await rows(0, r.db), '1:11,2:21,3:31');
  });

  test('a statement that fails on one node only (kind mismatch): rolled back everywhere by default', async () => {
    const r = await scenario({}, (n1) => n1.query('CREATE UNIQUE INDEX only_on_n1 ON t (v)'), async (c) => {
      await c.query('BEGIN');
      await c.query('INSERT INTO t VALUES (5, 10)');
      await c.query('COMMIT');
    });
    assert.equal(r.error?.code, 'XX000');
    const ev = r.events.find((e) => e.type === 'mismatch');
    assert.ok(ev && ev.type === 'mismatch' && ev.kind === 'kind' && ev.action === 'aborted');
    assert.equal(r.nodes[1]!.status, 'up');
    assert.equal(await rows(0, r.db), '1:10,2:20,3:30', 'the main node did not keep the row');
    assert.equal(await rows(1, r.db), '1:10,2:20,3:30');
  });

  test('the same in autocommit: the main node is rolled back too', async () => {
    const r = await scenario({}, (n1) => n1.query('CREATE UNIQUE INDEX only_on_n1 ON t (v)'), (c) => c.query('INSERT INTO t VALUES (5, 10)'));
    assert.equal(r.error?.code, 'XX000');
    assert.equal(await rows(0, r.db), '1:10,2:20,3:30');
  });

  test('kind mismatch with replication_stop_on_mismatch: the failing node is detached, the main node commits', async () => {
    const r = await scenario({ detachOnKindMismatch: true }, (n1) => n1.query('CREATE UNIQUE INDEX only_on_n1 ON t (v)'), async (c) => {
      await c.query('BEGIN');
      await c.query('INSERT INTO t VALUES (5, 10)');
      await c.query('COMMIT');
    });
    assert.equal(r.error, undefined);
    assert.equal(r.nodes[1]!.status, 'down');
    assert.equal(await rows(0, r.db), '1:10,2:20,3:30,5:10');
  });
});
