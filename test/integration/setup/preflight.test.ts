import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import { after, before, test } from 'node:test';
import { startMariaDb, type MariaDbInstance } from '../../servers/mariadb';
import { mysqlConnect, uniqueName, useSuiteServers, type ServerInfo } from '../../servers/suite';
import { makeRunDir } from '../../servers/workdir';
import { applyMasterSetup, planMasterSetup } from '../../../core/setup/master-setup';
import { runPreflight } from '../../../core/setup/preflight/run';
import type { CheckResult } from '../../../core/setup/preflight/types';
import type { MySqlEndpoint } from '../../../core/setup/endpoint';

const servers = useSuiteServers();
let runDir = '';
/** A badly configured server: no binary log, server id 2 (as the target), STATEMENT, MINIMAL, 1-day expiry, huge packets, read-only. */
let bad: MariaDbInstance | undefined;

before(async () => {
  runDir = makeRunDir('rd-preflight-');
  bad = await startMariaDb({
    name: 'bad',
    runDir,
    serverId: 2,
    logBin: false,
    extraArgs: ['--binlog-format=STATEMENT', '--binlog-row-image=MINIMAL', '--expire-logs-days=1', '--max-allowed-packet=256M', '--read-only=ON'],
  });
});
after(async () => {
  await bad?.stop();
  if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
});

const ep = (s: ServerInfo, user = s.user, password = s.password): MySqlEndpoint => ({ host: s.host, port: s.port, user, password });
const byId = (r: CheckResult[]) => Object.fromEntries(r.map((c) => [c.id, c]));

async function withReplUser<T>(s: ServerInfo, privileges: string, fn: (user: string, pw: string) => Promise<T>): Promise<T> {
  const user = uniqueName('repl').slice(0, 30);
  const pw = 'Pw-' + Math.random().toString(36).slice(2);
  const c = await mysqlConnect(s);
  try {
    await c.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', pw]);
    if (privileges) await c.query(`GRANT ${privileges} ON *.* TO ?@?`, [user, '%']);
    return await fn(user, pw);
  } finally {
    await c.query('DROP USER IF EXISTS ?@?', [user, '%']);
    await c.end();
  }
}

test('a correctly set-up master and backup pass the checks that guard replication', async () => {
  const { master, target } = servers();
  await withReplUser(master, 'REPLICATION SLAVE, BINLOG MONITOR', async (user, pw) => {
    const r = byId(await runPreflight(ep(master, user, pw), ep(target), { masterAdmin: ep(master), relayLogDir: os.tmpdir() }));
    for (const id of ['master_connect', 'target_connect', 'version', 'log_bin', 'binlog_format', 'server_id', 'binlog_row_image', 'gtid', 'replication_privileges', 'max_allowed_packet', 'character_sets', 'lower_case_table_names', 'storage_engines']) {
      assert.equal(r[id]!.status, 'pass', `${id}: ${r[id]!.observed}`);
    }
    assert.match(r.master_connect!.observed, /mysql_native_password/);
    assert.match(r.version!.observed, /CHANGE MASTER TO/);
    assert.equal(r.copy_privileges!.status, 'warn', 'the replication-only account cannot make the copy');
    assert.equal(r.target_read_only!.status, 'warn', 'the shared target is writable');
    assert.notEqual(r.free_disk!.status, 'skip');
    assert.match(r.free_disk!.observed, /free on/);
  });
});

test('a badly configured master fails or warns on each of its problems', async () => {
  const { target } = servers();
  const c = await bad!.connect();
  await c.query('CREATE DATABASE IF NOT EXISTS legacy');
  await c.query('CREATE TABLE IF NOT EXISTS legacy.t (id INT PRIMARY KEY) ENGINE=MyISAM');
  await c.end();
  const b = { name: 'bad', host: bad!.host, port: bad!.port, user: bad!.user, password: bad!.password, url: bad!.url };
  const r = byId(await runPreflight(ep(b), ep(target)));
  assert.equal(r.log_bin!.status, 'fail');
  assert.equal(r.log_bin!.fix![0]!.code, '[mysqld]\nlog-bin = mysql-bin');
  assert.equal(r.server_id!.status, 'fail');
  assert.match(r.server_id!.explanation.ja, /サーバー ID 2/);
  assert.equal(r.binlog_format!.status, 'warn');
  assert.equal(r.binlog_row_image!.status, 'warn');
  assert.equal(r.binlog_retention!.status, 'fail');
  assert.equal(r.max_allowed_packet!.status, 'fail');
  assert.equal(r.storage_engines!.status, 'warn');
  assert.match(r.storage_engines!.observed, /MYISAM/);
  assert.equal(r.replication_privileges!.status, 'pass', 'admin has ALL PRIVILEGES');
});

test('a read-only backup server passes when the applier may still write; refused logins and closed ports fail clearly', async () => {
  const { master } = servers();
  const b = { name: 'bad', host: bad!.host, port: bad!.port, user: bad!.user, password: bad!.password, url: bad!.url };
  const r = byId(await runPreflight(ep(master), ep(b)));
  assert.equal(r.target_read_only!.status, 'pass');
  assert.equal(r.max_allowed_packet!.status, 'pass');

  await withReplUser(master, 'SELECT', async (user, pw) => {
    const noRepl = byId(await runPreflight(ep(master, user, pw), ep(b)));
    assert.equal(noRepl.replication_privileges!.status, 'fail');
    assert.match(noRepl.replication_privileges!.fix![0]!.code, /^GRANT REPLICATION SLAVE, BINLOG MONITOR ON \*\.\* TO '.+'@'%';$/);

    const denied = byId(await runPreflight(ep(master, user, 'wrong'), ep(b)));
    assert.equal(denied.master_connect!.status, 'fail');
    assert.match(denied.master_connect!.observed, /ER_ACCESS_DENIED_ERROR/);
    assert.equal(denied.log_bin!.status, 'skip');
  });
  const closed = byId(await runPreflight({ host: '127.0.0.1', port: 1, user: 'x', password: 'y' }, ep(b)));
  assert.equal(closed.master_connect!.status, 'fail');
  assert.match(closed.master_connect!.observed, /ECONNREFUSED/);
  assert.match(closed.master_connect!.fix![0]!.code, /bind-address/);
});

test('master setup helper: plans my.cnf lines, a restart for log-bin, creates the account over SQL, and the checks then pass', async () => {
  const { target } = servers();
  const b = { name: 'bad', host: bad!.host, port: bad!.port, user: bad!.user, password: bad!.password, url: bad!.url };
  const cnf = `${runDir}/bad-my.cnf`;
  fs.writeFileSync(cnf, '# 事務所のサーバー\n[mysqld]\nport = 3306\nserver-id = 2\n');
  const plan = await planMasterSetup({ admin: ep(b), replicaHost: '127.0.0.1', replicationUser: 'rd_repl', takenServerIds: [2], mycnfPath: cnf });
  assert.deepEqual(plan.mycnf.map((s) => s.key), ['server-id', 'log-bin', 'binlog_format', 'binlog_row_image', 'binlog_expire_logs_seconds']);
  assert.equal(plan.mycnf[0]!.value, '3');
  assert.ok(plan.restartNeeded);
  assert.deepEqual(plan.restartFor, ['log-bin']);
  assert.match(plan.explanation.zh, /log-bin/);
  assert.equal(plan.user.exists, false);
  assert.equal(plan.user.password!.length, 24);
  assert.match(plan.user.statements[0]!, /^CREATE USER 'rd_repl'@'127\.0\.0\.1' IDENTIFIED BY '/);
  assert.match(plan.mycnfPlan!.diff, /-server-id = 2\n\+server-id = 3\n/);

  const out = await applyMasterSetup(plan, ep(b), { writeMyCnf: true });
  assert.deepEqual(out.manual, []);
  assert.equal(out.applied.length, plan.user.statements.length + plan.runtime.length);
  assert.match(fs.readFileSync(cnf, 'utf8'), /^# 事務所のサーバー\n\[mysqld\]\nport = 3306\nserver-id = 3\nlog-bin = mysql-bin\n/);
  const r = byId(await runPreflight({ host: b.host, port: b.port, user: 'rd_repl', password: plan.user.password! }, ep(target)));
  for (const id of ['master_connect', 'server_id', 'binlog_format', 'binlog_row_image', 'binlog_retention', 'replication_privileges']) assert.equal(r[id]!.status, 'pass', `${id}: ${r[id]!.observed}`);
  assert.equal(r.log_bin!.status, 'fail', 'log-bin needs the restart the plan announced');
  // Planned again, the account exists and nothing is granted twice.
  const again = await planMasterSetup({ admin: ep(b), replicaHost: '127.0.0.1', replicationUser: 'rd_repl', takenServerIds: [2] });
  assert.equal(again.user.exists, true);
  assert.deepEqual(again.user.statements, []);
  assert.equal(again.user.password, undefined);
});
