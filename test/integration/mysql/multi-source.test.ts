import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import type { MariaDbInstance } from '../../servers/mariadb';
import { mysqlConnect, uniqueName, useSuiteServers } from '../../servers/suite';
import { channelHarness, channelInput, type Harness } from './channel-harness';
import { dumpDatabase, masterStatus, ownMariaDb, suiteReady } from './helpers';

/*
 * n:1 — two masters replicating into one backup server at the same time, each on its own channel with
 * its own relay log, filters and status. The second master's database is renamed on the way
 * (replicate-rewrite-db) and some of its tables are left out (replicate-wild-ignore-table, which MySQL
 * evaluates on the rewritten name).
 */

const servers = useSuiteServers();
let h: Harness;
let second: MariaDbInstance;
let disposeSecond: () => Promise<void>;
let m1: mysql.Connection;
let m2: mysql.Connection;
let t: mysql.Connection;
const headOffice = uniqueName('ms_head');
const osaka = uniqueName('ms_osaka');

before(async () => {
  await suiteReady(servers);
  const own = await ownMariaDb('branch', 41);
  second = own.db;
  disposeSecond = own.dispose;
  h = await channelHarness();
  m1 = await mysqlConnect(servers().master);
  m2 = await second.connect();
  t = await mysqlConnect(servers().target);
});

after(async () => {
  for (const n of ['head', 'branch']) {
    await h?.manager.stop(n).catch(() => undefined);
    await h?.manager.delete(n).catch(() => undefined);
  }
  await h?.close();
  await m1?.query(`DROP DATABASE IF EXISTS \`${headOffice}\``).catch(() => undefined);
  for (const db of [headOffice, osaka]) await t?.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
  await m1?.end().catch(() => undefined);
  await m2?.end().catch(() => undefined);
  await t?.end().catch(() => undefined);
  await disposeSecond?.();
});

const none = { doDb: [], ignoreDb: [], doTable: [], ignoreTable: [], wildDoTable: [], wildIgnoreTable: [], rewriteDb: [] };

test('two masters into one target at once, with replicate-do-db, replicate-rewrite-db and wild-ignore-table', async () => {
  const s1 = await masterStatus(m1);
  const s2 = await masterStatus(m2);
  await h.manager.create(channelInput('head', servers().master, servers().target, s1, { filters: { ...none, doDb: [headOffice] } }));
  await h.manager.create(
    channelInput('branch', second, servers().target, s2, {
      filters: { ...none, rewriteDb: [{ from: 'shop', to: osaka }], wildIgnoreTable: [`${osaka}.tmp%`] },
    }),
  );
  await Promise.all([h.manager.start('head'), h.manager.start('branch')]);

  const headWork = (async () => {
    await m1.query(`CREATE DATABASE \`${headOffice}\``);
    await m1.query(`USE \`${headOffice}\``);
    await m1.query('CREATE TABLE staff (id INT PRIMARY KEY, name VARCHAR(30))');
    for (let i = 0; i < 200; i++) await m1.query('INSERT INTO staff VALUES (?, ?)', [i, `person ${i}`]);
    await m1.query('UPDATE staff SET name = UPPER(name) WHERE id % 2 = 0');
  })();
  const branchWork = (async () => {
    await m2.query('CREATE DATABASE shop');
    await m2.query('USE shop');
    await m2.query('CREATE TABLE orders (id INT PRIMARY KEY AUTO_INCREMENT, item VARCHAR(30), qty INT)');
    await m2.query('CREATE TABLE tmp_scratch (x INT)');
    for (let i = 0; i < 200; i++) {
      await m2.query('INSERT INTO orders (item, qty) VALUES (?, ?)', [`item ${i % 13}`, i]);
      if (i % 10 === 0) await m2.query('INSERT INTO tmp_scratch VALUES (?)', [i]);
    }
    await m2.query('DELETE FROM orders WHERE qty % 7 = 0');
  })();
  await Promise.all([headWork, branchWork]);

  await Promise.all([h.waitApplied('head', await masterStatus(m1)), h.waitApplied('branch', await masterStatus(m2))]);
  // Head office: same database name; branch: renamed, and the ignored table's rows never arrive.
  assert.deepEqual(await dumpDatabase(t, headOffice), await dumpDatabase(m1, headOffice));
  const branchOnMaster = await dumpDatabase(m2, 'shop');
  const branchOnTarget = await dumpDatabase(t, osaka);
  assert.deepEqual(branchOnTarget.orders, branchOnMaster.orders);
  // Table rules apply to the DDL statement too (MySQL's rule): the ignored table is not even created.
  assert.equal(branchOnTarget.tmp_scratch, undefined, 'the wild-ignored table is left out entirely');
  assert.equal((branchOnMaster.tmp_scratch as { rows: unknown[] }).rows.length, 20);

  const list = await h.manager.list();
  assert.deepEqual(list.map((c) => c.name), ['branch', 'head']);
  for (const c of list) {
    assert.equal(c.Slave_IO_Running, 'Yes');
    assert.equal(c.Slave_SQL_Running, 'Yes');
  }
  const b = await h.manager.status('branch');
  assert.equal(b.Replicate_Rewrite_DB, `(shop,${osaka})`);
  assert.equal(b.Replicate_Wild_Ignore_Table, `${osaka}.tmp%`);
  assert.notEqual(b.Relay_Log_Dir, (await h.manager.status('head')).Relay_Log_Dir);
  // Each channel has its own row in the target's position table.
  const [rows] = await t.query("SELECT channel_name FROM replicadesk.slave_relay_log_info WHERE channel_name IN ('head', 'branch') ORDER BY 1");
  assert.deepEqual((rows as { channel_name: string }[]).map((r) => r.channel_name), ['branch', 'head']);
});
