/** `replicadesk mycnf get|set|diff` as a user runs it, on a my.cnf tree in a temporary folder. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach, test } from 'node:test';
import { runCli } from './run-cli';

let dir = '';
let main = '';
let ja = '';

const MAIN = `# The MariaDB configuration file (Debian layout)
[client-server]
socket = /run/mysqld/mysqld.sock

[mysqld]
server-id = 1
log_bin = /var/log/mysql/mysql-bin.log
replicate-do-db = shop
replicate-do-db = office
skip-name-resolve

!includedir ${'CONF_D'}
`;
const JA = `# 日本語のコメント：ここはサーバーの設定です
[mysqld]
binlog_format = MIXED   # 行ベースを推奨
character-set-server = utf8mb4
`;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-cli-mycnf-'));
  fs.mkdirSync(path.join(dir, 'conf.d'));
  main = path.join(dir, 'my.cnf');
  ja = path.join(dir, 'conf.d', '50-server.cnf');
  fs.writeFileSync(main, MAIN.replace('CONF_D', path.join(dir, 'conf.d')));
  fs.writeFileSync(ja, JA);
});
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const backups = () => fs.readdirSync(dir).concat(fs.readdirSync(path.join(dir, 'conf.d'))).filter((f) => f.endsWith('.bak'));

test('mycnf get: every option with file, line and group, includes followed; one key in its group, - and _ alike; --json', async () => {
  const r = await runCli(['mycnf', 'get', main]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^# ${main} \\(12 lines\\)$`, 'm'));
  assert.match(r.stdout, new RegExp(`^# ${ja} \\(4 lines\\) included from ${main}:12$`, 'm'));
  assert.ok(r.stdout.includes(`${main}:6\t[mysqld]\tserver-id = 1`));
  assert.ok(r.stdout.includes(`${main}:10\t[mysqld]\tskip-name-resolve`));
  assert.ok(r.stdout.includes(`${ja}:3\t[mysqld]\tbinlog_format = MIXED`));

  const one = await runCli(['mycnf', 'get', main, 'mysqld', 'replicate_do_db']);
  assert.equal(one.code, 0);
  assert.deepEqual(one.stdout.trim().split('\n'), [`${main}:8\t[mysqld]\treplicate-do-db = shop`, `${main}:9\t[mysqld]\treplicate-do-db = office`]);
  const missing = await runCli(['mycnf', 'get', main, 'mysqld', 'gtid-domain-id']);
  assert.equal(missing.code, 1, 'a key that is not set: exit code 1');
  assert.equal(missing.stdout, '');

  const j = await runCli(['mycnf', 'get', main, '--json']);
  const parsed = JSON.parse(j.stdout) as { files: { file: string; lines: number }[]; options: { file: string; line: number; group: string; name: string; option: string; value: string | null }[] };
  assert.deepEqual(parsed.files.map((f) => f.file), [main, ja]);
  assert.deepEqual(parsed.options.find((o) => o.name === 'server-id'), { file: main, line: 6, group: 'mysqld', name: 'server-id', option: 'server_id', value: '1' });
  assert.equal(parsed.options.find((o) => o.option === 'skip_name_resolve')!.value, null);
});

test('mycnf diff: the change as a unified diff, in whichever file holds the key; nothing written', async () => {
  const before = [fs.readFileSync(main), fs.readFileSync(ja)];
  const r = await runCli(['mycnf', 'diff', main, 'binlog-format=ROW', 'server_id=7', '--add', 'replicate-do-db=stock', '--remove', 'replicate-do-db=shop']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(`--- ${main}\n+++ ${main}\n`));
  assert.ok(r.stdout.includes('-server-id = 1\n+server-id = 7\n'));
  assert.ok(r.stdout.includes('-replicate-do-db = shop\n'));
  assert.ok(r.stdout.includes('+replicate-do-db = stock\n'));
  assert.ok(r.stdout.includes(`--- ${ja}\n+++ ${ja}\n`));
  assert.ok(r.stdout.includes('-binlog_format = MIXED   # 行ベースを推奨\n+binlog_format = ROW   # 行ベースを推奨\n'), 'the comment on the line stays');
  assert.deepEqual([fs.readFileSync(main), fs.readFileSync(ja)], before);
  assert.deepEqual(backups(), []);
});

test('mycnf set: only the intended lines change, byte for byte; the old file is kept as .bak; the same set again changes nothing', async () => {
  const oldMain = fs.readFileSync(main, 'utf8');
  const oldJa = fs.readFileSync(ja, 'utf8');
  const r = await runCli(['mycnf', 'set', main, 'server-id=7', 'binlog_format=ROW']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Wrote ${main} \\(previous version kept as (\\S+\\.bak)\\)\\.$`, 'm'));
  const a = oldMain.split('\n');
  const b = fs.readFileSync(main, 'utf8').split('\n');
  assert.equal(b.length, a.length);
  assert.deepEqual(b.map((l, i) => (l === a[i] ? null : [a[i], l])).filter(Boolean), [['server-id = 1', 'server-id = 7']]);
  assert.equal(fs.readFileSync(ja, 'utf8'), oldJa.replace('binlog_format = MIXED', 'binlog_format = ROW'));
  const bak = /previous version kept as (\S+\.bak)\)/.exec(r.stdout)![1]!;
  assert.equal(fs.readFileSync(bak, 'utf8'), oldMain);
  assert.equal(backups().length, 2, 'one backup per written file');

  const again = await runCli(['mycnf', 'set', main, 'server_id=7']);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /^No change: the file already says that\.$/m);
  assert.equal(backups().length, 2);

  // A new key goes into the group; --add keeps existing repeated keys; --remove takes one value.
  const add = await runCli(['mycnf', 'set', main, 'gtid-domain-id=3', '--add', 'replicate-do-db=stock', '--remove', 'replicate-do-db=shop']);
  assert.equal(add.code, 0, add.stderr);
  const got = await runCli(['mycnf', 'get', main, 'mysqld', 'replicate-do-db']);
  assert.deepEqual(got.stdout.trim().split('\n').map((l) => l.split('\t')[2]), ['replicate-do-db = office', 'replicate-do-db = stock']);
  assert.match((await runCli(['mycnf', 'get', main, 'mysqld', 'gtid_domain_id'])).stdout, /gtid-domain-id = 3$/m);
});

test('mycnf on a missing file, a folder, or a file the server would refuse: a clear error with file and line, exit code 1, nothing written', async () => {
  const nope = await runCli(['mycnf', 'get', path.join(dir, 'nope.cnf')]);
  assert.equal(nope.code, 1);
  assert.match(nope.stderr, /^Error \[MYCNF_UNREADABLE\]: The option file .*nope\.cnf does not exist\./m);
  const folder = await runCli(['mycnf', 'get', dir]);
  assert.equal(folder.code, 1);
  assert.match(folder.stderr, /is a folder, not a file/);

  const bad = path.join(dir, 'conf.d', '60-broken.cnf');
  fs.writeFileSync(bad, '[mysqld\nmax_connections = 100\n');
  const g = await runCli(['mycnf', 'get', main]);
  assert.equal(g.code, 1, 'the tree has errors: exit code 1');
  assert.match(g.stderr, new RegExp(`^Error: ${bad}:1: a group header without its closing "\\]"`, 'm'));
  assert.ok(g.stdout.includes(`${main}:6\t[mysqld]\tserver-id = 1`), 'what could be read is still listed');
  const before = fs.readFileSync(main);
  const s = await runCli(['mycnf', 'set', main, 'server-id=9']);
  assert.equal(s.code, 1);
  assert.match(s.stderr, /Nothing was changed: correct the lines above first\./);
  assert.deepEqual(fs.readFileSync(main), before);
  assert.deepEqual(backups(), []);
});

test('mycnf with bad arguments: usage on stderr, exit code 2', async () => {
  const cases: [string[], RegExp][] = [
    [['mycnf'], /Expected get, set or diff/],
    [['mycnf', 'show', main], /Expected get, set or diff/],
    [['mycnf', 'get'], /Expected the path of the option file/],
    [['mycnf', 'set', main], /Nothing to change: give KEY=VALUE, --add or --remove/],
    [['mycnf', 'set', main, 'a=1', '--frobnicate'], /Unknown option '--frobnicate'/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Usage: replicadesk mycnf get FILE/);
  }
  assert.deepEqual(backups(), []);
});
