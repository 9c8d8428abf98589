import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import type { MariaDbInstance } from '../../servers/mariadb';
import { channelHarness, channelInput, type Harness } from './channel-harness';
import { dumpDatabase, masterStatus, ownMariaDb, waitUntil } from './helpers';
import { TcpRelay } from './tcp-relay';

/*
 * Network faults (a TCP relay that cuts or stalls the link), a master restart, a target that goes away,
 * and bad input: a wrong password, a corrupt relay-log byte, a duplicate key on the target, and a binlog
 * the master has purged. Each case checks the state and message SHOW SLAVE STATUS gives, then that
 * nothing was lost. One private master/target pair; each test uses its own database and channel.
 */

let master: MariaDbInstance;
let target: MariaDbInstance;
const disposers: (() => Promise<void>)[] = [];
let h: Harness;
let m: mysql.Connection;
let t: mysql.Connection;

before(async () => {
  const [a, b] = await Promise.all([ownMariaDb('faultm', 31), ownMariaDb('faultt', 32)]);
  master = a.db;
  target = b.db;
  disposers.push(a.dispose, b.dispose);
  h = await channelHarness();
  m = await master.connect();
  t = await target.connect();
});

after(async () => {
  await m?.end().catch(() => undefined);
  await t?.end().catch(() => undefined);
  await h?.close();
  for (const d of disposers) await d();
});

const only = (db: string) => ({ filters: { doDb: [db], ignoreDb: [], doTable: [], ignoreTable: [], wildDoTable: [], wildIgnoreTable: [], rewriteDb: [] } });

async function setup(db: string): Promise<{ file: string; pos: number }> {
  const start = await masterStatus(m);
  await m.query(`CREATE DATABASE ${db}`);
  // USE matters: replicate-do-db judges statements by their default database (MySQL's rule).
  await m.query(`USE ${db}`);
  await m.query('CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(50))');
  return start;
}

async function write(db: string, from: number, n: number): Promise<void> {
  for (let i = from; i < from + n; i++) await m.query(`INSERT INTO ${db}.t VALUES (?, ?)`, [i, `row ${i}`]);
}

async function same(db: string): Promise<void> {
  const [a, b] = await Promise.all([dumpDatabase(m, db), dumpDatabase(t, db)]);
  assert.deepEqual(b, a);
}

async function finish(name: string, db: string): Promise<void> {
  await h.waitApplied(name, await masterStatus(m));
  await same(db);
  await h.manager.stop(name);
}

test('a cut connection is noticed, reported, and the I/O thread reconnects without losing or repeating anything', async () => {
  const relay = new TcpRelay('127.0.0.1', master.port);
  await relay.start();
  try {
    const start = await setup('f_cut');
    await h.manager.create(channelInput('cut', { ...master, port: relay.port }, target, start, only('f_cut')));
    await h.manager.start('cut');
    await write('f_cut', 0, 50);
    await h.waitApplied('cut', await masterStatus(m));
    relay.cut();
    await write('f_cut', 50, 50);
    await finish('cut', 'f_cut');
    assert.ok(relay.connections >= 2, `the channel reconnected (${relay.connections} connections)`);
    assert.ok(h.history.some((l) => /error reconnecting to master/.test(l)), 'the lost connection was reported');
    // While the master is quiet, its heartbeats (period 1 s) keep arriving and are counted.
    await h.manager.start('cut');
    await waitUntil('heartbeats from an idle master', 10_000, async () => (await h.manager.status('cut')).Slave_received_heartbeats >= 2);
    await h.manager.stop('cut');
  } finally {
    await relay.close();
  }
});

test('a stalled link (no data, no FIN) is detected by the read timeout; the I/O thread says so and reconnects', async () => {
  const relay = new TcpRelay('127.0.0.1', master.port);
  await relay.start();
  try {
    const start = await setup('f_stall');
    await h.manager.create(channelInput('stall', { ...master, port: relay.port }, target, start, { ...only('f_stall'), heartbeatPeriod: 1, netTimeout: 2 }));
    await h.manager.start('stall');
    await write('f_stall', 0, 20);
    await h.waitApplied('stall', await masterStatus(m));
    relay.stall();
    await write('f_stall', 20, 20);
    const s = await waitUntil('the stall to be reported', 20_000, async () => {
      const st = await h.manager.status('stall');
      return st.Last_IO_Errno !== 0 || /reconnect/i.test(st.Slave_IO_State) ? st : undefined;
    });
    assert.match(`${s.Last_IO_Error} ${s.Slave_IO_State}`, /No data from the master|reconnect/i);
    relay.unstall();
    await finish('stall', 'f_stall');
    assert.ok(relay.connections >= 2);
  } finally {
    await relay.close();
  }
});

test('the target going away keeps the SQL thread retrying (Slave_SQL_Running Yes, error shown); it resumes where the target says', async () => {
  const start = await setup('f_target');
  await h.manager.create(channelInput('tgt', master, target, start, only('f_target')));
  await h.manager.start('tgt');
  await write('f_target', 0, 30);
  await h.waitApplied('tgt', await masterStatus(m));
  await t.end();
  await target.stop();
  await write('f_target', 30, 30);
  const s = await waitUntil('the SQL thread to report the lost target', 20_000, async () => {
    const st = await h.manager.status('tgt');
    return st.Last_SQL_Errno !== 0 ? st : undefined;
  });
  assert.equal(s.Slave_SQL_Running, 'Yes', 'a lost target does not stop the SQL thread');
  assert.ok([2002, 2003, 2006, 2013].includes(s.Last_SQL_Errno), `client error number, got ${s.Last_SQL_Errno}`);
  assert.match(s.Last_SQL_Error, /target/);
  assert.equal(s.Slave_IO_Running, 'Yes', 'the I/O thread keeps reading meanwhile');
  await target.restart();
  t = await target.connect();
  await finish('tgt', 'f_target');
  const after = await h.manager.status('tgt');
  assert.equal(after.Last_SQL_Errno, 0, 'the error clears once the target is back');
});

test('a master restart: the I/O thread reconnects, follows the new binlog file, loses nothing', async () => {
  const start = await setup('f_restart');
  await h.manager.create(channelInput('restart', master, target, start, only('f_restart')));
  await h.manager.start('restart');
  await write('f_restart', 0, 20);
  const before = await masterStatus(m);
  await m.end();
  await master.restart();
  m = await master.connect();
  await write('f_restart', 20, 20);
  const after = await masterStatus(m);
  assert.notEqual(after.file, before.file, 'the master started a new binlog file');
  await finish('restart', 'f_restart');
});

test('a wrong password: Slave_IO_Running Connecting with error 1045, retried every connect_retry', async () => {
  const start = await masterStatus(m);
  await h.manager.create(channelInput('badpw', { ...master, password: 'wrong' }, target, start, only('none')));
  await h.manager.start('badpw');
  const s = await waitUntil('error 1045', 20_000, async () => {
    const st = await h.manager.status('badpw');
    return st.Last_IO_Errno === 1045 ? st : undefined;
  });
  assert.equal(s.Slave_IO_Running, 'Connecting');
  assert.match(s.Last_IO_Error, /error connecting to master 'admin'@127\.0\.0\.1:\d+ - retry-time: 1 .*Access denied/);
  assert.equal(s.Seconds_Behind_Master, null);
  await h.manager.stop('badpw');
  assert.equal((await h.manager.status('badpw')).Slave_IO_Running, 'No');
});

test('a corrupt relay-log byte: the SQL thread reports error 1594 and the relay log is fetched again (relay-log recovery)', async () => {
  const start = await setup('f_corrupt');
  await h.manager.create(channelInput('corrupt', master, target, start, only('f_corrupt')));
  await h.manager.start('corrupt', 'io');
  await write('f_corrupt', 0, 40);
  const end = await masterStatus(m);
  await waitUntil('the relay log to hold everything', 20_000, async () => (await h.manager.status('corrupt')).Read_Master_Log_Pos >= end.pos);
  await h.manager.stop('corrupt', 'io');
  const s0 = await h.manager.status('corrupt');
  const file = `${s0.Relay_Log_Dir}/${fs.readdirSync(s0.Relay_Log_Dir).filter((f) => /relay-bin\.\d+$/.test(f)).sort().pop()}`;
  const bytes = fs.readFileSync(file);
  // Flip a byte well inside the events (past the header), where a row image sits.
  bytes[Math.floor(bytes.length * 0.6)] ^= 0x5a;
  fs.writeFileSync(file, bytes);
  await h.manager.start('corrupt');
  await waitUntil('relay-log recovery', 20_000, () => h.history.some((l) => /Relay-log recovery/.test(l)));
  assert.ok(h.history.some((l) => /Relay log read failure/.test(l)), 'error 1594 was reported');
  await finish('corrupt', 'f_corrupt');
});

test('a duplicate key on the target stops only the SQL thread with error 1062 and the event position; skip 1 continues', async () => {
  const start = await setup('f_dup');
  await t.query('CREATE DATABASE f_dup');
  await t.query('CREATE TABLE f_dup.t (id INT PRIMARY KEY, v VARCHAR(50))');
  await t.query("INSERT INTO f_dup.t VALUES (5, 'made on the target')");
  // The target already has the schema: start after the CREATEs so only rows come through.
  const afterDdl = await masterStatus(m);
  void start;
  await h.manager.create(channelInput('dup', master, target, afterDdl, only('f_dup')));
  await h.manager.start('dup');
  await write('f_dup', 0, 10);
  const s = await waitUntil('the SQL thread to stop on 1062', 20_000, async () => {
    const st = await h.manager.status('dup');
    return st.Slave_SQL_Running === 'No' ? st : undefined;
  }).catch(async (err: Error) => {
    const st = await h.manager.status('dup');
    throw new Error(`${err.message}: SQL ${st.Slave_SQL_Running} (${st.Slave_SQL_Running_State}) ${st.Last_SQL_Errno} ${st.Last_SQL_Error} applied ${st.Exec_Master_Log_Pos} read ${st.Read_Master_Log_Pos}\n${h.history.slice(-6).join('\n')}`);
  });
  assert.equal(s.Last_SQL_Errno, 1062);
  assert.match(s.Last_SQL_Error, /Duplicate entry '5'/);
  assert.match(s.Last_SQL_Error, /end_log_pos \d+/);
  assert.equal(s.Slave_IO_Running, 'Yes', 'the I/O thread keeps going');
  const [before] = await t.query('SELECT COUNT(*) AS n FROM f_dup.t');
  assert.equal(Number((before as { n: string }[])[0]!.n), 6, 'rows 0-4 committed before the failing transaction, nothing after');
  await h.manager.skip('dup', 1);
  await h.manager.start('dup', 'sql');
  await write('f_dup', 10, 5);
  await h.waitApplied('dup', await masterStatus(m));
  const [rows] = await t.query('SELECT id, v FROM f_dup.t ORDER BY id');
  const list = rows as { id: number; v: string }[];
  assert.equal(list.length, 15);
  assert.equal(list.find((r) => r.id === 5)!.v, 'made on the target', 'the skipped transaction was not applied');
  assert.equal((await h.manager.status('dup')).Skip_Counter, 0);
  await h.manager.stop('dup');
});

test('START SLAVE UNTIL stops the SQL thread at the position; IDEMPOTENT mode overwrites conflicts instead of stopping', async () => {
  const start = await setup('f_until');
  await write('f_until', 0, 10);
  const middle = await masterStatus(m);
  await write('f_until', 10, 10);
  await h.manager.create(channelInput('until', master, target, start, only('f_until')));
  await h.manager.start('until', 'both', { until: middle });
  await waitUntil('the SQL thread to stop at UNTIL', 20_000, async () => (await h.manager.status('until')).Slave_SQL_Running === 'No');
  const s = await h.manager.status('until');
  assert.equal(s.Exec_Master_Log_Pos, middle.pos);
  assert.equal(s.Last_SQL_Errno, 0);
  const [n] = await t.query('SELECT COUNT(*) AS n FROM f_until.t');
  assert.equal(Number((n as { n: string }[])[0]!.n), 10);
  await h.manager.stop('until');

  await t.query("INSERT INTO f_until.t VALUES (15, 'conflict') ");
  await h.manager.update('until', { execMode: 'IDEMPOTENT' });
  await h.manager.start('until');
  await finish('until', 'f_until');
});

test('MariaDB GTID mode: started from a GTID position, the I/O thread resumes by GTID after a cut', async () => {
  const [[g]] = (await m.query('SELECT @@global.gtid_binlog_pos AS p')) as unknown as [[{ p: string }]];
  const relay = new TcpRelay('127.0.0.1', master.port);
  await relay.start();
  try {
    await m.query('CREATE DATABASE f_gtid');
    await m.query('USE f_gtid');
    await m.query('CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(50))');
    const input = channelInput('gtid', { ...master, port: relay.port }, target, { file: '', pos: 4 }, only('f_gtid'));
    input.start = { kind: 'gtid', gtid: g.p };
    await h.manager.create(input);
    await h.manager.start('gtid');
    await write('f_gtid', 0, 30);
    await h.waitApplied('gtid', await masterStatus(m));
    relay.cut();
    await write('f_gtid', 30, 30);
    await h.waitApplied('gtid', await masterStatus(m));
    await same('f_gtid');
    const s = await h.manager.status('gtid');
    const [[now]] = (await m.query('SELECT @@global.gtid_binlog_pos AS p')) as unknown as [[{ p: string }]];
    assert.equal(s.Using_Gtid, 'Slave_Pos');
    assert.equal(s.Gtid_IO_Pos, now.p);
    assert.equal(s.Gtid_Slave_Pos, now.p);
    assert.ok(relay.connections >= 2);
    await h.manager.stop('gtid');
  } finally {
    await relay.close();
  }
});

test('relay_log_space_limit: the I/O thread waits for the SQL thread to free space, then goes on', async () => {
  const start = await setup('f_space');
  await h.manager.create(channelInput('space', master, target, start, { ...only('f_space'), relayLogSpaceLimit: 20_000, maxRelayLogSize: 4096 }));
  await h.manager.start('space', 'io');
  for (let i = 0; i < 120; i++) await m.query('INSERT INTO f_space.t VALUES (?, REPEAT(\'x\', 50))', [i]);
  const s = await waitUntil('the I/O thread to wait for space', 20_000, async () => {
    const st = await h.manager.status('space');
    return st.Slave_IO_State === 'Waiting for the slave SQL thread to free enough relay log space' ? st : undefined;
  });
  assert.ok(s.Relay_Log_Space < 40_000, `relay log kept near the limit (${s.Relay_Log_Space} bytes)`);
  await h.manager.start('space', 'sql');
  await finish('space', 'f_space');
  assert.ok((await h.manager.status('space')).Relay_Log_Space < 40_000, 'applied relay files were purged');
});

test('a purged binlog: the I/O thread stops with error 1236 and says to re-clone', async () => {
  const start = await masterStatus(m);
  await m.query('FLUSH BINARY LOGS');
  await m.query('FLUSH BINARY LOGS');
  const now = await masterStatus(m);
  // The master keeps files a connected replica still reads (dump threads of channels stopped a moment
  // ago may linger until their next heartbeat): purge until the start file is really gone.
  await waitUntil('the purge to remove the old binlog', 20_000, async () => {
    await m.query(`PURGE BINARY LOGS TO '${now.file}'`);
    const [logs] = await m.query('SHOW BINARY LOGS');
    return !(logs as { Log_name: string }[]).some((l) => l.Log_name === start.file);
  }, 500);
  await h.manager.create(channelInput('purged', master, target, start, only('none')));
  await h.manager.start('purged');
  const s = await waitUntil('error 1236', 20_000, async () => {
    const st = await h.manager.status('purged');
    return st.Slave_IO_Running === 'No' && st.Last_IO_Errno ? st : undefined;
  }).catch(async (err: Error) => {
    const st = await h.manager.status('purged');
    throw new Error(`${err.message}: IO ${st.Slave_IO_Running} ${st.Slave_IO_State} ${st.Last_IO_Errno} ${st.Last_IO_Error} (start ${start.file}:${start.pos}, purged to ${now.file})\n${h.history.slice(-5).join('\n')}`);
  });
  assert.equal(s.Last_IO_Errno, 1236);
  assert.match(s.Last_IO_Error, /Got fatal error 1236 from master when reading data from binary log/);
  assert.match(s.Last_IO_Error, /re-clone/);
  await waitUntil('the stop to reach the history', 5000, () => h.history.some((l) => /The I\/O thread stopped/.test(l)));
  await h.manager.stop('purged');
});
