/**
 * A replica channel driven through the service API over the real headless transport: what the dashboard
 * and the add-backup wizard do. Also: the service resumes a running channel after a restart.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
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

const call = (method: string, params: unknown) => served.call(method, params);

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const endpoint = (s: { host: string; port: number; user: string; password: string }) => ({ host: s.host, port: s.port, user: s.user, password: s.password });

test('create, start, replicate, status, stop and restart a channel through the API', async () => {
  const s = servers();
  const db = uniqueName('apich');
  const name = db.replace(/_/g, '-');
  const m = await mysqlConnect(s.master);
  const t = await mysqlConnect(s.target);
  try {
    const [[pos]] = (await m.query('SHOW MASTER STATUS')) as unknown as [{ File: string; Position: string }[]];
    await call('channels.create', {
      name,
      master: endpoint(s.master),
      target: endpoint(s.target),
      start: { file: pos.File, pos: Number(pos.Position) },
      // wild-do-table with a % table part also passes CREATE/DROP DATABASE (MySQL's rule); do-db would not
      // here, because these statements run without a default database.
      filters: { wildDoTable: [`${db}.%`] },
    });
    const created = await call('channels.status', { name });
    assert.equal(created.Slave_IO_Running, 'No');
    assert.equal(created.Master_Host, s.master.host);

    const started = await call('channels.start', { name });
    assert.notEqual(started.Slave_SQL_Running, 'No');
    await m.query(`CREATE DATABASE \`${db}\``);
    await m.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v VARCHAR(20))`);
    await m.query(`INSERT INTO \`${db}\`.t VALUES (1, 'one'), (2, 'two')`);
    await until('the rows on the target', async () => {
      const st = await call('channels.status', { name });
      if (st.Last_SQL_Errno || st.Last_IO_Errno) throw new Error(`channel error: ${st.Last_IO_Error} ${st.Last_SQL_Error}`);
      const [rows] = (await t.query(`SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ?`, [db])) as unknown as [{ n: number }[]];
      if (Number(rows[0]!.n) === 0) return false;
      const [r] = (await t.query(`SELECT COUNT(*) AS n FROM \`${db}\`.t`)) as unknown as [{ n: number }[]];
      return Number(r[0]!.n) === 2;
    });
    const running = await until('both threads running', async () => {
      const st = await call('channels.status', { name });
      return st.Slave_IO_Running === 'Yes' && st.Slave_SQL_Running === 'Yes' && st;
    });
    assert.equal(running.Last_SQL_Errno, 0);
    assert.equal(running.Relay_Master_Log_File, pos.File);
    const list = await call('channels.list', {});
    const mine = list.find((c: { name: string }) => c.name === name);
    assert.equal(mine.slaveIoRunning, 'Yes');
    assert.equal(mine.master, `${s.master.user}@${s.master.host}:${s.master.port}`);

    // The service restarts: a channel that was running comes back by itself.
    await served.restart();
    await m.query(`INSERT INTO \`${db}\`.t VALUES (3, 'three')`);
    await until('the row written while restarting', async () => {
      const [r] = (await t.query(`SELECT COUNT(*) AS n FROM \`${db}\`.t`)) as unknown as [{ n: number }[]];
      return Number(r[0]!.n) === 3;
    });

    const stopped = await call('channels.stop', { name });
    assert.equal(stopped.Slave_IO_Running, 'No');
    assert.equal(stopped.Slave_SQL_Running, 'No');
    await assert.rejects(call('channels.status', { name: 'no-such-channel' }), /no-such-channel|not/i);
    await call('channels.reset', { name, all: true });
    const reset = await call('channels.status', { name });
    // Back to where CHANGE MASTER TO pointed: everything applied since is forgotten.
    assert.equal(reset.Exec_Master_Log_Pos, Number(pos.Position));
    assert.equal(reset.Relay_Master_Log_File, pos.File);
    await call('channels.delete', { name });
    assert.equal((await call('channels.list', {})).some((c: { name: string }) => c.name === name), false);
  } finally {
    await m.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await t.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await m.end();
    await t.end();
  }
});

test('last-hour metrics, binlogs kept for the channel, and a fresh copy (reclone) that repairs a drifted backup', async () => {
  const s = servers();
  const db = uniqueName('apirc');
  const name = db.replace(/_/g, '-');
  const m = await mysqlConnect(s.master);
  const t = await mysqlConnect(s.target);
  try {
    await m.query(`CREATE DATABASE \`${db}\``);
    await m.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v VARCHAR(20))`);
    await m.query(`INSERT INTO \`${db}\`.t VALUES (1, 'one'), (2, 'two')`);
    const [[pos]] = (await m.query('SHOW MASTER STATUS')) as unknown as [{ File: string; Position: string }[]];
    // The target starts without the database: the channel cannot apply anything until a copy exists.
    await call('channels.create', { name, master: endpoint(s.master), target: endpoint(s.target), start: { file: pos.File, pos: Number(pos.Position) }, filters: { wildDoTable: [`${db}.%`] } });

    // Purge: the service adds this channel's need by itself (the caller lists none).
    const listing = await call('purge.list', { master: endpoint(s.master) });
    const needed = listing.files.find((f: { name: string }) => f.name === pos.File);
    assert.ok(needed.neededBy.includes(name), `${pos.File} is kept for ${name}: ${JSON.stringify(needed)}`);
    assert.ok(!listing.purgeable.includes(pos.File));

    // Re-copy as one job: stop, copy the channel's tables (only them), re-point, start.
    const job = await call('channels.reclone', { name });
    assert.deepEqual(job.target, { kind: 'channel', name });
    await assert.rejects(call('channels.reclone', { name }), /JOB_ALREADY_RUNNING|already/);
    const done = await until('the re-copy job', async () => {
      const j = (await call('jobs.list', {})).find((x: { id: string }) => x.id === job.id);
      return j.status !== 'running' && j;
    }, 120_000);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.equal(done.result.tables, 1, 'only the table the channel replicates is copied');
    const [copied] = (await t.query(`SELECT id, v FROM \`${db}\`.t ORDER BY id`)) as unknown as [{ id: number; v: string }[]];
    assert.deepEqual(copied.map((r) => r.v), ['one', 'two']);

    // Replication goes on from the copy's position: no gap, no duplicate.
    await m.query(`INSERT INTO \`${db}\`.t VALUES (3, 'three')`);
    await until('the row written after the copy', async () => {
      const st = await call('channels.status', { name });
      if (st.Last_SQL_Errno) throw new Error(`channel error: ${st.Last_SQL_Error}`);
      const [r] = (await t.query(`SELECT COUNT(*) AS n FROM \`${db}\`.t`)) as unknown as [{ n: number }[]];
      return Number(r[0]!.n) === 3;
    });

    // The backup drifts (someone edits it by hand); a second re-copy repairs it.
    await t.query(`DELETE FROM \`${db}\`.t WHERE id = 1`);
    const again = await call('channels.reclone', { name });
    const done2 = await until('the second re-copy', async () => {
      const j = (await call('jobs.list', {})).find((x: { id: string }) => x.id === again.id);
      return j.status !== 'running' && j;
    }, 120_000);
    assert.equal(done2.status, 'succeeded', JSON.stringify(done2.error));
    const [repaired] = (await t.query(`SELECT id FROM \`${db}\`.t ORDER BY id`)) as unknown as [{ id: number }[]];
    assert.deepEqual(repaired.map((r) => r.id), [1, 2, 3]);

    // The service samples the channel every 10 s for the dashboard's chart.
    const samples = await until('a metrics sample of the running channel', async () => {
      const list = await call('channels.metrics', { name });
      return list.some((x: { sqlRunning: boolean }) => x.sqlRunning) && list;
    }, 30_000);
    const last = samples.at(-1);
    assert.equal(typeof last.eventsPerSecond, 'number');
    assert.ok(Date.parse(last.at) <= Date.now());
    await assert.rejects(call('channels.metrics', { name: 'no-such-channel' }), /not|no-such/i);

    await call('channels.stop', { name });
    await call('channels.delete', { name });
  } finally {
    await m.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await t.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await m.end();
    await t.end();
  }
});
