/** `replicadesk clone` as a user runs it, against the harness servers (uniquely named databases). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mysqlConnect, uniqueName, useSuiteServers } from '../../servers/suite';
import { runCli, url, whenReady } from './run-cli';

const servers = useSuiteServers();
const pw = () => ({ RD_MASTER_PASSWORD: servers().master.password, RD_TARGET_PASSWORD: servers().target.password });
const db = uniqueName('rdcli');
const big = uniqueName('rdclibig');

before(async () => {
  await whenReady(servers);
  const m = await mysqlConnect(servers().master);
  // Kept out of the shared master's binary log: no replica another test may run picks these up.
  await m.query('SET SESSION sql_log_bin = 0');
  await m.query(`CREATE DATABASE ${db}`);
  await m.query(`USE ${db}`); // the seq_1_to_N tables need a current database
  await m.query(`CREATE TABLE ${db}.t (id INT PRIMARY KEY, v VARCHAR(20), b BLOB, KEY kv (v))`);
  await m.query(`INSERT INTO ${db}.t SELECT seq, CONCAT('v', seq % 10), IF(seq % 3 = 0, NULL, UNHEX(SHA2(seq, 256))) FROM seq_1_to_5000`);
  await m.query(`CREATE VIEW ${db}.v AS SELECT id FROM ${db}.t WHERE id < 10`);
  // Large enough that a copy is still running when it is interrupted.
  await m.query(`CREATE DATABASE ${big}`);
  await m.query(`CREATE TABLE ${big}.t (id INT PRIMARY KEY, pad CHAR(200))`);
  await m.query(`INSERT INTO ${big}.t SELECT seq, REPEAT('x', 200) FROM seq_1_to_400000`);
  await m.end();
});
after(async () => {
  // Shared servers keep running after this file: leave nothing behind (when this file started its own,
  // they may already be stopping).
  for (const s of [servers().master, servers().target]) {
    const c = await mysqlConnect(s).catch(() => undefined);
    if (!c) continue;
    await c.query('SET SESSION sql_log_bin = 0').catch(() => undefined);
    await c.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
    await c.query(`DROP DATABASE IF EXISTS ${big}`).catch(() => undefined);
    await c.end();
  }
});

async function checksum(s: 'master' | 'target'): Promise<string> {
  const c = await mysqlConnect(servers()[s]);
  const [r] = await c.query(`CHECKSUM TABLE ${db}.t EXTENDED`);
  await c.end();
  return JSON.stringify(r);
}
async function targetHas(name: string): Promise<boolean> {
  const c = await mysqlConnect(servers().target);
  const [r] = (await c.query('SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name])) as unknown as [Record<string, unknown>[]];
  await c.end();
  return Number(r[0]!.n) > 0;
}
const base = () => ['clone', '--master', url(servers().master), '--target', url(servers().target)];

test('clone: copies the database, prints the master position and the CHANGE MASTER TO to run; progress on stderr', async () => {
  const r = await runCli([...base(), '--database', db, '--parallel', '2'], { env: pw() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Copied ${db}: 1 tables, 5000 rows, .* \\(snapshot: [a-z-]+\\)\\.$`, 'm'));
  const pos = /^Master position: (\S+) (\d+)/m.exec(r.stdout);
  assert.ok(pos, r.stdout);
  assert.match(r.stdout, new RegExp(`CHANGE MASTER TO MASTER_LOG_FILE='${pos[1]}', MASTER_LOG_POS=${pos[2]};`));
  assert.match(r.stderr, /^snapshot…$/m);
  assert.match(r.stderr, /^data: \d+\/1 tables, \d+ rows/m);
  assert.match(r.stderr, /^done…$/m);
  assert.equal(await checksum('target'), await checksum('master'));
  const c = await mysqlConnect(servers().target);
  const [[v]] = (await c.query(`SELECT COUNT(*) AS n FROM ${db}.v`)) as unknown as [Record<string, unknown>[]];
  await c.end();
  assert.equal(Number(v!.n), 9, 'the view came along');
});

test('clone onto a database that exists: exit code 1 and nothing changed; with --replace and --json, the result as JSON', async () => {
  const before = await checksum('target');
  const r = await runCli([...base(), '--database', db], { env: pw() });
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^Error \\[CLONE_TARGET_EXISTS\\]: The backup server already has a database named ${db}\\. Nothing was changed\\.`, 'm'));
  assert.equal(await checksum('target'), before);
  const j = await runCli([...base(), '--database', db, '--replace', '--json', '--lock'], { env: pw() });
  assert.equal(j.code, 0, j.stderr);
  const res = JSON.parse(j.stdout) as { binlogFile: string; binlogPos: number; databases: string[]; replaced: string[]; rows: number; snapshotMethod: string; rowsMethod: string };
  assert.deepEqual(res.databases, [db]);
  assert.deepEqual(res.replaced, [db]);
  assert.equal(res.rows, 5000);
  assert.equal(res.snapshotMethod, 'read-lock', '--lock asks for the brief read lock');
  assert.equal(res.rowsMethod, 'load-data');
  assert.match(res.binlogFile, /^binlog\.\d+$/);
  assert.ok(res.binlogPos > 4);
  assert.equal(j.stderr, '', 'no progress lines in JSON mode');
});

test('clone interrupted with Ctrl-C: cancelled, the partial copy removed, exit code 1', async () => {
  let sent = false;
  const r = await runCli([...base(), '--database', big, '--parallel', '1'], {
    env: pw(),
    onStderr: (all, child) => {
      if (!sent && /^data: /m.test(all)) {
        sent = true;
        child.kill('SIGINT');
      }
    },
  });
  assert.ok(sent, r.stderr);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /^Cancelling…$/m);
  assert.match(r.stderr, new RegExp(`^Error \\[CLONE_CANCELLED\\]: The copy was cancelled\\. The partly copied database ${big} was removed from the backup server\\.`, 'm'));
  assert.equal(await targetHas(big), false);
});

test('clone with a database the master does not have, or a wrong password: exit code 1 with the reason; nothing written', async () => {
  const r = await runCli([...base(), '--database', 'no_such_db_here'], { env: pw() });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error \[CLONE_NO_SUCH_DATABASE\]: The master has no database named no_such_db_here\./m);
  const w = await runCli([...base(), '--database', db], { env: { ...pw(), RD_TARGET_PASSWORD: 'wrong-password' } });
  assert.equal(w.code, 1);
  assert.match(w.stderr, /^Error \[CLONE_CONNECT_FAILED\]: Cannot connect to the backup server \(admin@127\.0\.0\.1:\d+\): Access denied/m);
  assert.ok(!(w.stdout + w.stderr).includes('wrong-password'));
});

test('clone with bad arguments: usage on stderr, exit code 2', async () => {
  const cases: [string[], RegExp][] = [
    [['clone', '--master', url(servers().master)], /--master and --target are required/],
    [[...base(), '--parallel', '0'], /--parallel expects a whole number ≥ 1/],
    [[...base(), '--parallel', '2.5'], /--parallel expects a whole number ≥ 1/],
    [[...base(), '--databse', db], /Unknown option '--databse'/],
    [['clone', '--master', 'mysql://admin@[::1', '--target', url(servers().target)], /is not a URL/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args, { env: pw() });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Usage: replicadesk clone /);
  }
});
