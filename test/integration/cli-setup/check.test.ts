/** `replicadesk check` as a user runs it, against the harness servers. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useSuiteServers } from '../../servers/suite';
import { freePort } from '../../servers/ports';
import { runCli, url } from './run-cli';

const servers = useSuiteServers();
const pw = () => ({ RD_MASTER_PASSWORD: servers().master.password, RD_TARGET_PASSWORD: servers().target.password });

interface Check {
  id: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  observed: string;
  explanation: { en: string; ja: string; zh: string };
}

test('check --json: every check with status, observed value and explanations; the exit code says whether one failed', async () => {
  const r = await runCli(['check', '--master', url(servers().master), '--target', url(servers().target), '--json'], { env: pw() });
  const checks = JSON.parse(r.stdout) as Check[];
  const ids = checks.map((c) => c.id);
  for (const id of ['master_connect', 'target_connect', 'version', 'log_bin', 'binlog_format', 'server_id', 'replication_privileges', 'max_allowed_packet', 'free_disk']) assert.ok(ids.includes(id), `${id} in ${ids.join(',')}`);
  for (const c of checks) {
    assert.match(c.status, /^(pass|warn|fail|skip)$/);
    for (const l of ['en', 'ja', 'zh'] as const) assert.ok(c.explanation[l].length > 0, `${c.id} ${l}`);
  }
  // The harness master is set up right: log-bin, ROW, its own server id.
  for (const id of ['master_connect', 'target_connect', 'log_bin', 'binlog_format', 'server_id']) assert.equal(checks.find((c) => c.id === id)!.status, 'pass', id);
  assert.equal(r.code, checks.some((c) => c.status === 'fail') ? 1 : 0, r.stderr);
});

test('check in text, in Japanese: one line per check with its mark, the explanation in the chosen language', async () => {
  const args = ['check', '--master', url(servers().master), '--target', url(servers().target)];
  const json = JSON.parse((await runCli([...args, '--json'], { env: pw() })).stdout) as Check[];
  const r = await runCli([...args, '--lang', 'ja'], { env: pw() });
  for (const c of json) {
    assert.ok(r.stdout.includes(`${c.status === 'pass' ? 'PASS' : c.status.toUpperCase()}  ${c.id}: `), `line for ${c.id}`);
    if (c.id === 'master_connect' || c.id === 'log_bin') assert.ok(r.stdout.includes(c.explanation.ja), `Japanese explanation for ${c.id}`);
  }
  assert.ok(!r.stdout.includes(json.find((c) => c.id === 'log_bin')!.explanation.en));
});

test('check with the master as its own target: the equal server ids fail, with the fix, and exit code 1', async () => {
  const r = await runCli(['check', '--master', url(servers().master), '--target', url(servers().master)], { env: { RD_MASTER_PASSWORD: servers().master.password, RD_TARGET_PASSWORD: servers().master.password } });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^FAIL {2}server_id: .*target also/m);
  // The fix follows the failed line: the my.cnf lines (with the restart it needs) and the SQL.
  const block = r.stdout.slice(r.stdout.indexOf('FAIL  server_id')).split(/\n(?=(?:PASS|WARN|FAIL|SKIP) )/)[0]!;
  assert.match(block, /\[master, mycnf, restart\]\n\s+\[mysqld\]\n\s+server-id = \d+/);
  assert.match(block, /SET GLOBAL server_id = \d+;/);
});

test('check against a master that is not there, or with a wrong password: the connection check fails with what to do, exit code 1', async () => {
  const port = await freePort();
  const r = await runCli(['check', '--master', `mysql://admin@127.0.0.1:${port}`, '--target', url(servers().target)], { env: pw() });
  assert.equal(r.code, 1);
  assert.match(r.stdout, new RegExp(`^FAIL {2}master_connect: .*ECONNREFUSED.*${port}`, 'm'));
  assert.match(r.stdout, /^SKIP {2}version: /m, 'checks that need the master are skipped, not failed');
  const w = await runCli(['check', '--master', url(servers().master), '--target', url(servers().target), '--json'], { env: { ...pw(), RD_MASTER_PASSWORD: 'wrong-password' } });
  assert.equal(w.code, 1);
  const c = (JSON.parse(w.stdout) as Check[]).find((x) => x.id === 'master_connect')!;
  assert.equal(c.status, 'fail');
  assert.match(c.observed, /ACCESS_DENIED/);
  assert.ok(!w.stdout.includes('wrong-password'), 'the password is never printed');
});

test('check with bad arguments: usage on stderr, exit code 2, nothing checked', async () => {
  const cases: [string[], RegExp][] = [
    [['check'], /--master and --target are required/],
    [['check', '--master', 'http://x', '--target', url(servers().target)], /expected mysql:\/\/user@host:port/],
    [['check', '--master', 'not a url', '--target', url(servers().target)], /is not a URL/],
    [['check', '--master', `mysql://${servers().master.host}:${servers().master.port}`, '--target', url(servers().target)], /user name/],
    [['check', '--master', url(servers().master), '--target', url(servers().target), '--max-offline-days', 'abc'], /--max-offline-days expects a positive number/],
    [['check', '--master', url(servers().master), '--target', url(servers().target), '--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args, { env: pw() });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Usage: replicadesk check /);
    assert.equal(r.stdout, '');
  }
});
