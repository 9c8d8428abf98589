/**
 * `replicadesk purge-master-logs` as a user runs it. It deletes binary logs, so it runs against a master
 * of its own (the shared master's binary log is read by other tests' replicas).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { startMariaDb, type MariaDbInstance } from '../../servers/mariadb';
import { makeRunDir } from '../../servers/workdir';
import { runCli, url } from './run-cli';

let runDir = '';
let master: MariaDbInstance;
const env = () => ({ RD_MASTER_PASSWORD: master.password });

before(async () => {
  runDir = makeRunDir('rd-cli-purge-');
  master = await startMariaDb({ name: 'pmaster', runDir, serverId: 31 });
  const c = await master.connect();
  await c.query('CREATE DATABASE p');
  for (let i = 0; i < 4; i++) {
    await c.query(`CREATE TABLE p.t${i} (id INT PRIMARY KEY)`);
    await c.query('FLUSH BINARY LOGS');
  }
  await c.end();
});
after(async () => {
  await master?.stop();
  if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
});

async function binlogs(): Promise<string[]> {
  const c = await master.connect();
  const [r] = (await c.query('SHOW BINARY LOGS')) as unknown as [{ Log_name: string }[]];
  await c.end();
  return r.map((x) => x.Log_name);
}

interface Listing {
  files: { name: string; size: number; status: string; neededBy: string[]; explanation: { en: string; ja: string } }[];
  currentFile: string;
  purgeTo: string | null;
  purgeable: string[];
}

test('purge-master-logs lists every binary log with its status, what is purgeable, and the exact command to purge; --json and --lang ja', async () => {
  const files = await binlogs();
  assert.equal(files.length, 5);
  const needs = `backup:${files[2]}:4`;
  const r = await runCli(['purge-master-logs', '--master', url(master), '--needs', needs], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, new RegExp(`^purgeable ${files[0]!.replace('.', '\\.')} `));
  assert.match(lines[1]!, new RegExp(`^purgeable ${files[1]!.replace('.', '\\.')} `));
  assert.match(lines[2]!, new RegExp(`^needed +${files[2]!.replace('.', '\\.')} .*backup`));
  assert.match(lines[4]!, new RegExp(`^current +${files[4]!.replace('.', '\\.')} `));
  assert.match(r.stdout, /^Total .*; purgeable .*\.$/m);
  assert.ok(r.stdout.includes(`To delete them: replicadesk purge-master-logs --master ${url(master)} --needs backup:${files[2]} --to ${files[2]} --yes`), r.stdout);
  assert.ok(!r.stdout.includes(master.password));

  const j = JSON.parse((await runCli(['purge-master-logs', '--master', url(master), '--needs', needs, '--json'], { env: env() })).stdout) as Listing;
  assert.deepEqual(j.purgeable, files.slice(0, 2));
  assert.equal(j.purgeTo, files[2]);
  assert.equal(j.currentFile, files[4]);
  assert.deepEqual(j.files[2]!.neededBy, ['backup']);

  const ja = await runCli(['purge-master-logs', '--master', url(master), '--needs', needs, '--lang', 'ja'], { env: env() });
  assert.ok(ja.stdout.includes(j.files[4]!.explanation.ja));

  const none = await runCli(['purge-master-logs', '--master', url(master)], { env: env() });
  assert.equal(none.code, 0);
  assert.match(none.stderr, /no channel positions given \(--needs\)/);
  assert.equal(await binlogs().then((f) => f.length), 5, 'listing deletes nothing');
});

test('purge-master-logs --yes deletes only what no channel needs; a boundary past what is safe is refused and nothing is deleted', async () => {
  const files = await binlogs();
  const needs = ['--needs', `backup:${files[2]}`, '--needs', `second:${files[3]}:4`];
  const unsafe = await runCli(['purge-master-logs', '--master', url(master), ...needs, '--to', files[3]!, '--yes'], { env: env() });
  assert.equal(unsafe.code, 1);
  assert.match(unsafe.stderr, new RegExp(`^Error \\[PURGE_NOT_SAFE\\]: Nothing purged: files before ${files[3]!.replace('.', '\\.')} are not all safe to delete \\(safe: up to ${files[2]!.replace('.', '\\.')}\\)`, 'm'));
  const unknown = await runCli(['purge-master-logs', '--master', url(master), ...needs, '--to', 'binlog.999999', '--yes'], { env: env() });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /PURGE_UNKNOWN_FILE/);
  assert.deepEqual(await binlogs(), files);

  // MariaDB keeps a file until its crash-recovery checkpoint has passed it (about a second here): the
  // output says which files were kept and why, and running the command again deletes them.
  const deleted: string[] = [];
  for (let i = 0; i < 50 && deleted.length < 2; i++) {
    if (i) await new Promise((r) => setTimeout(r, 200));
    const r = await runCli(['purge-master-logs', '--master', url(master), ...needs, '--to', files[2]!, '--yes'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    const m = /^Deleted (\d+) file\(s\), .*: (.*)$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    if (m[2] !== '-') deleted.push(...m[2]!.split(', '));
    if (deleted.length < 2) assert.match(r.stdout, /^Kept \S+: .+/m);
  }
  assert.deepEqual(deleted.sort(), files.slice(0, 2));
  assert.deepEqual(await binlogs(), files.slice(2));
});

test('purge-master-logs with bad arguments: usage on stderr, exit code 2, nothing deleted', async () => {
  const files = await binlogs();
  const cases: [string[], RegExp][] = [
    [['purge-master-logs'], /--master is required/],
    [['purge-master-logs', '--master', url(master), '--needs', 'no-file-here'], /--needs expects CHANNEL:FILE\[:POS\], not "no-file-here"/],
    [['purge-master-logs', '--master', url(master), '--needs', `a:${files[0]}:x`], /--needs expects CHANNEL:FILE\[:POS\]/],
    [['purge-master-logs', '--master', url(master), '--yes'], /--yes needs --to FILE/],
    [['purge-master-logs', '--master', url(master), '--force'], /Unknown option '--force'/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args, { env: env() });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Usage: replicadesk purge-master-logs /);
  }
  assert.deepEqual(await binlogs(), files);
});
