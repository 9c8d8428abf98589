import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { uniqueName, useSuiteServers } from '../../servers/suite';
import { direct, startProxy } from './helpers';

const servers = useSuiteServers();

describe('fan-out pooling, client limit and load-balancing settings', () => {
  const db = uniqueName('pool');
  before(async () => {
    for (const s of servers().pg) {
      const c = await direct(s, 'postgres');
      await c.query(`CREATE DATABASE "${db}" TEMPLATE template0`);
      await c.end();
      const d = await direct(s, db);
      await d.query('CREATE TABLE t (id int PRIMARY KEY)');
      await d.query('INSERT INTO t SELECT generate_series(1, 10)');
      await d.end();
    }
  });
  after(async () => {
    for (const s of servers().pg) {
      const c = await direct(s, 'postgres');
      await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      await c.end();
    }
  });

  test('backend connections are pooled per user/database and reset between clients (reset_query_list)', async () => {
    const rp = await startProxy(servers().pg, { loadBalance: false });
    try {
      const a = await rp.client(db);
      const pid = (await a.query('SELECT pg_backend_pid() AS p')).rows[0].p;
      await a.query("SET application_name = 'leaks?'");
      await a.query('PREPARE leftover AS SELECT 1');
      await a.end();
      await new Promise((r) => setTimeout(r, 200)); // the reset runs after the client leaves
      const b = await rp.client(db);
      assert.equal((await b.query('SELECT pg_backend_pid() AS p')).rows[0].p, pid, 'the same backend connection was reused');
      assert.notEqual((await b.query('SHOW application_name')).rows[0].application_name, 'leaks?', 'session settings were reset');
      await assert.rejects(b.query('EXECUTE leftover'), /does not exist/);
    } finally {
      await rp.stop();
    }
  });

  test('num_init_children: clients beyond the limit wait for a free slot instead of failing', async () => {
    const rp = await startProxy(servers().pg, { maxClients: 2 });
    try {
      const a = await rp.client(db);
      const b = await rp.client(db);
      let thirdIn = false;
      const third = rp.client(db).then((c) => {
        thirdIn = true;
        return c;
      });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(thirdIn, false, 'the third client waits');
      await a.end();
      const c = await third;
      assert.equal((await c.query('SELECT count(*)::int AS n FROM t')).rows[0].n, 10);
      await b.end();
    } finally {
      await rp.stop();
    }
  });

  test('statement_level_load_balance spreads one session\'s reads over both nodes; replicate_select sends them everywhere', async () => {
    const per = await startProxy(servers().pg, { statementLevelLoadBalance: true });
    try {
      const c = await per.client(db);
      for (let i = 0; i < 40; i++) await c.query('SELECT count(*) FROM t');
      const counts = per.proxy.nodes().map((n) => n.select_cnt);
      assert.ok(counts[0]! > 0 && counts[1]! > 0, `reads on both nodes: ${counts}`);
    } finally {
      await per.stop();
    }
    const rep = await startProxy(servers().pg, { replicateSelect: true });
    try {
      const c = await rep.client(db);
      for (let i = 0; i < 5; i++) await c.query('SELECT count(*) FROM t');
      assert.deepEqual(rep.proxy.nodes().map((n) => n.select_cnt), [0, 0], 'no read was load balanced');
    } finally {
      await rep.stop();
    }
  });
});
