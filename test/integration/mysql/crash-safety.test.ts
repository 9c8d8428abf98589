import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import type { MariaDbInstance } from '../../servers/mariadb';
import { dumpDatabase, masterStatus, ownMariaDb, reachedPosition, tempDir, waitUntil } from './helpers';

/*
 * kill -9 the process running the channel (the real CLI: `replicadesk channel start`) at random moments
 * while the master takes a sustained write load, 12 times, restarting it each time. At the end master and
 * target must be identical: nothing lost, nothing applied twice.
 */

const root = path.resolve(__dirname, '../../..');
let master: MariaDbInstance;
let target: MariaDbInstance;
const disposers: (() => Promise<void>)[] = [];
let dataDir: string;
const DB = 'crashdb';

function cli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(root, 'core/cli/main.ts'), ...args, '--data-dir', dataDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RD_TEST_PW: master.password },
  });
}

function run(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = cli(args);
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

before(async () => {
  const [m, t] = await Promise.all([ownMariaDb('crashm', 21), ownMariaDb('crasht', 22)]);
  master = m.db;
  target = t.db;
  disposers.push(m.dispose, t.dispose);
  dataDir = tempDir('rd-crash-');
});

after(async () => {
  for (const d of disposers) await d();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Random write transactions on the master until stopped; returns how many committed. */
function writeLoad(c: mysql.Connection, id: number): { stop: () => Promise<number> } {
  let running = true;
  let count = 0;
  let n = id * 1_000_000;
  let failure: unknown;
  const loop = (async () => {
    while (running) {
      const k = Math.floor(Math.random() * 500);
      const kind = Math.random();
      try {
        if (kind < 0.45) {
          await c.query('BEGIN');
          await c.query('INSERT INTO t1 (k, v, note) VALUES (?, ?, ?)', [k, n++, `w${id} ${'x'.repeat(Math.floor(Math.random() * 300))}`]);
          await c.query('UPDATE t1 SET v = v + 1 WHERE k = ? LIMIT 3', [k]);
          await c.query('INSERT INTO t2 VALUES (?, ?) ON DUPLICATE KEY UPDATE hits = hits + 1', [k, 1]);
          await c.query('COMMIT');
        } else if (kind < 0.7) {
          await c.query('DELETE FROM t1 WHERE k = ? LIMIT 2', [k]);
        } else if (kind < 0.85) {
          await c.query('INSERT INTO nokey VALUES (?, ?)', [k % 7, `n${n++}`]);
        } else if (kind < 0.97) {
          await c.query('BEGIN');
          await c.query('UPDATE t2 SET hits = (hits * 2 + 1) % 1000003 WHERE k BETWEEN ? AND ?', [k, k + 20]);
          await c.query('DELETE FROM nokey WHERE a = ? LIMIT 1', [k % 7]);
          await c.query('COMMIT');
        } else if (id === 0) {
          // A little DDL now and then: the DDL crash path (ddl_in_progress) gets exercised too.
          const name = `ddl_${n++}`;
          await c.query(`CREATE TABLE ${name} (id INT PRIMARY KEY, x INT)`);
          await c.query(`INSERT INTO ${name} VALUES (1, 1)`);
          await c.query(`ALTER TABLE ${name} ADD COLUMN y INT DEFAULT 7`);
          if (Math.random() < 0.5) await c.query(`DROP TABLE ${name}`);
        }
        count++;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        // Concurrent writers on the master can deadlock each other; the master rolls the loser back, so
        // nothing of it reaches the binlog. That is the workload's business, not a replication failure.
        const code = (err as { errno?: number }).errno;
        if (code === 1213 || code === 1205) continue;
        failure = err;
        running = false;
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      if (failure) throw failure;
      return count;
    },
  };
}

test('kill -9 of the channel process at random moments, 12 times, under write load: master and target identical', async () => {
  const m = await master.connect();
  const writers: mysql.Connection[] = [await master.connect(), await master.connect()];
  try {
    const start = await masterStatus(m);
    await m.query(`CREATE DATABASE ${DB}`);
    await m.query(`USE ${DB}`);
    await m.query('CREATE TABLE t1 (id INT PRIMARY KEY AUTO_INCREMENT, k INT, v BIGINT, note VARCHAR(400), KEY (k))');
    await m.query('CREATE TABLE t2 (k INT PRIMARY KEY, hits INT)');
    await m.query('CREATE TABLE nokey (a INT, b VARCHAR(20))');
    for (const w of writers) await w.query(`USE ${DB}`);
    // Small groups so commits happen often and kills land in every phase of them.
    const created = await run([
      'channel', 'create', 'crash',
      '--master', `mysql://admin@127.0.0.1:${master.port}`, '--master-password-env', 'RD_TEST_PW',
      '--target', `mysql://admin@127.0.0.1:${target.port}`, '--target-password-env', 'RD_TEST_PW',
      '--from', `${start.file}:${start.pos}`, '--connect-retry', '1', '--heartbeat', '1', '--net-timeout', '5',
      '--max-relay-log-size', '200000',
    ].map((a) => a)).catch((e) => ({ code: 1, out: String(e) }));
    assert.equal(created.code, 0, created.out);

    const loads = writers.map((w, i) => writeLoad(w, i));
    const t0 = await target.connect();
    const applied = async () => {
      const [rows] = await t0.query("SELECT master_log_pos AS p FROM replicadesk.slave_relay_log_info WHERE channel_name = 'crash'").catch(() => [[]]);
      return Number((rows as { p: string }[])[0]?.p ?? 0);
    };
    let progressed = 0;
    let previous = 0;
    let kills = 0;
    for (let round = 0; round < 12; round++) {
      const child = cli(['channel', 'start', 'crash']);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      // The random moment is counted from when the channel runs, not from the spawn: on a loaded machine the
      // process start alone can take seconds, and a kill before it runs tests nothing.
      const spawnDeadline = Date.now() + 30_000;
      while (!/is running in this process/.test(out) && child.exitCode === null && Date.now() < spawnDeadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 1500 + Math.random() * 3000));
      assert.equal(child.exitCode, null, `channel process ended on its own in round ${round}:\n${out}`);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      kills++;
      const now = await applied();
      if (now > previous) progressed++;
      previous = now;
    }
    const lastBeforeEnd = await applied();
    await t0.end();
    assert.ok(lastBeforeEnd > 0 && progressed >= 6, `the channel applied work between most kills (${progressed} of 12 rounds moved the applied position)`);
    const written = (await Promise.all(loads.map((l) => l.stop()))).reduce((a, b) => a + b, 0);
    assert.ok(written > 100, `the write load ran (${written} transactions)`);
    assert.equal(kills, 12);

    // Final run: catch up, compare, stop cleanly.
    const end = await masterStatus(m);
    const child = cli(['channel', 'start', 'crash']);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const t = await target.connect();
    try {
      // How long catching up takes depends on how loaded the machine is; what must not happen is a stall.
      // So: fail when the applied position has not moved for a minute (or after 10 minutes in all).
      let lastSeen = '';
      let movedAt = Date.now();
      await waitUntil('the target to catch up after the last kill', 600_000, async () => {
        const [rows] = await t.query("SELECT master_log_name AS f, master_log_pos AS p FROM replicadesk.slave_relay_log_info WHERE channel_name = 'crash'");
        const r = (rows as { f: string; p: string }[])[0];
        const here = r ? `${r.f}:${r.p}` : '';
        if (here !== lastSeen) [lastSeen, movedAt] = [here, Date.now()];
        else if (Date.now() - movedAt > 60_000) throw new Error(`the applied position stayed at ${here} for a minute`);
        return r && reachedPosition({ file: r.f, pos: Number(r.p) }, end);
      }, 200, () => Date.now() - movedAt > 60_000).catch((err: Error) => {
        throw new Error(`${err.message}\nchannel output:\n${out.slice(-3000)}`);
      });
      const [a, b] = await Promise.all([dumpDatabase(m, DB), dumpDatabase(t, DB)]);
      assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort());
      for (const name of Object.keys(a)) assert.deepEqual(b[name], a[name], `table ${name} differs after ${kills} kills`);
    } finally {
      await t.end();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    const status = await run(['channel', 'status', 'crash', '--json']);
    const s = JSON.parse(status.out) as { Last_SQL_Errno: number; Slave_SQL_Running: string };
    assert.equal(s.Last_SQL_Errno, 0);
    assert.equal(s.Slave_SQL_Running, 'No');
  } finally {
    for (const w of writers) await w.end().catch(() => undefined);
    await m.end();
  }
});
