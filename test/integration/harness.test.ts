import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { mysqlConnect, pgConnect, uniqueName, useSuiteServers } from '../servers/suite';

const execFileP = promisify(execFile);
const servers = useSuiteServers();

test('the MariaDB master has a ROW binary log and its own server id', async () => {
  const s = servers();
  const c = await mysqlConnect(s.master);
  try {
    const [rows] = await c.query("SELECT @@log_bin AS log_bin, @@binlog_format AS fmt, @@server_id AS id, VERSION() AS v");
    const r = (rows as Record<string, unknown>[])[0]!;
    assert.equal(String(r.log_bin), '1');
    assert.equal(r.fmt, 'ROW');
    assert.equal(String(r.id), '1');
    assert.match(String(r.v), /MariaDB/);
  } finally {
    await c.end();
  }
});

test('master and target are distinct servers with distinct ids, and writes land in the binlog', async () => {
  const s = servers();
  const m = await mysqlConnect(s.master);
  const t = await mysqlConnect(s.target);
  const db = uniqueName('harness');
  try {
    const [[tid]] = (await t.query('SELECT @@server_id AS id')) as unknown as [[{ id: string }]];
    assert.equal(String(tid.id), '2');
    // Other test files share this master: read the binlog only from here on, not everything they wrote.
    const [[before]] = (await m.query('SHOW MASTER STATUS')) as unknown as [[{ File: string; Position: string }]];
    await m.query(`CREATE DATABASE \`${db}\``);
    await m.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, v VARCHAR(20))`);
    await m.query(`INSERT INTO \`${db}\`.t VALUES (1, 'ok')`);
    const [logs] = (await m.query('SHOW BINARY LOGS')) as unknown as [{ Log_name: string }[]];
    assert.ok(logs.length >= 1);
    // The real client reads the server's binlog and finds our write.
    const { stdout } = await execFileP('mariadb-binlog', ['--base64-output=decode-rows', '-v', `--read-from-remote-server`, `--host=127.0.0.1`, `--port=${s.master.port}`, `--user=${s.master.user}`, `--password=${s.master.password}`, `--start-position=${before.Position}`, before.File], { maxBuffer: 256 << 20 });
    assert.match(stdout, new RegExp(`INSERT INTO \`${db}\`.\`t\``));
    const [tdbs] = (await t.query('SHOW DATABASES LIKE ?', [db])) as unknown as [unknown[]];
    assert.equal(tdbs.length, 0, 'the target is a different server');
  } finally {
    await m.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await m.end();
    await t.end();
  }
});

test('both PostgreSQL 15 backends accept pg and psql with a password', async () => {
  const s = servers();
  for (const p of s.pg) {
    const c = await pgConnect(p);
    try {
      const r = await c.query('SHOW server_version');
      assert.match(r.rows[0].server_version, /^15\./);
    } finally {
      await c.end();
    }
    const { stdout } = await execFileP('psql', ['-X', '-At', '-c', 'SELECT 40 + 2', p.url], { env: { ...process.env, PGCONNECT_TIMEOUT: '10' } });
    assert.equal(stdout.trim(), '42');
  }
  assert.notEqual(s.pg[0]!.port, s.pg[1]!.port);
});

test('a wrong password is refused by both kinds of server', async () => {
  const s = servers();
  await assert.rejects(mysqlConnect({ ...s.master, password: 'wrong' }), /Access denied/);
  await assert.rejects(pgConnect({ ...s.pg[0]!, password: 'wrong' }), /password authentication failed/);
});
