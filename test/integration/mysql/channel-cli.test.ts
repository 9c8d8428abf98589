import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import type { CliIo } from '../../../core/cli/command';
import { main } from '../../../core/cli/main';
import { mysqlConnect, uniqueName, useSuiteServers } from '../../servers/suite';
import { masterStatus, reachedPosition, suiteReady, tempDir, waitUntil } from './helpers';

/*
 * The channel CLI end to end: `channel start` runs in the foreground in its own process; the other
 * subcommands, run from this process, steer it through the state store (stop one thread, start it again,
 * stop it all, which ends the foreground process) and read its status.
 */

const servers = useSuiteServers();
const root = path.resolve(__dirname, '../../..');
const db = uniqueName('rdcli');
let dataDir: string;
let m: mysql.Connection;
let child: ChildProcess | undefined;
let childOut = '';

function io(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), untilSignal: () => new Promise(() => undefined) };
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const x = io();
  const code = await main([...args, '--data-dir', dataDir], x);
  return { code, out: x.lines.join('\n'), err: x.errors.join('\n') };
}

before(async () => {
  await suiteReady(servers);
  dataDir = tempDir('rd-cli-');
  m = await mysqlConnect(servers().master);
});

after(async () => {
  child?.kill('SIGKILL');
  await m?.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
  const t = await mysqlConnect(servers().target).catch(() => undefined);
  await t?.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
  await t?.end();
  await m?.end();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function status(): Promise<Record<string, unknown>> {
  const r = await cli('channel', 'status', 'office', '--json');
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as Record<string, unknown>;
}

test('create, start in the foreground, status, stop/start one thread from another process, stop, reset, delete', async () => {
  const s = servers();
  const start = await masterStatus(m);
  process.env.RD_CLI_TEST_PW = s.master.password;
  const created = await cli(
    'channel', 'create', 'office',
    '--master', `mysql://${s.master.user}@${s.master.host}:${s.master.port}`, '--master-password-env', 'RD_CLI_TEST_PW',
    '--target', `mysql://${s.target.user}:${encodeURIComponent(s.target.password)}@${s.target.host}:${s.target.port}`,
    '--from', `${start.file}:${start.pos}`, '--connect-retry', '1', '--heartbeat', '1', '--net-timeout', '5',
    '--replicate-do-db', db,
  );
  assert.equal(created.code, 0, created.err);
  assert.match(created.out, /Channel office created: .*mysql:\/\/admin:\*\*\*@/);
  const config = fs.readFileSync(path.join(dataDir, 'state.sqlite3'));
  assert.ok(!config.includes(Buffer.from(s.master.password)), 'no password in the state file in plain text');
  const dup = await cli('channel', 'create', 'office', '--master', 'mysql://a@h', '--target', 'mysql://b@h');
  assert.equal(dup.code, 1);
  assert.match(dup.err, /CHANNEL_EXISTS/);
  const bad = await cli('channel', 'start');
  assert.equal(bad.code, 2);

  child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'core/cli/main.ts'), 'channel', 'start', 'office', '--data-dir', dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (childOut += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (childOut += d.toString()));
  const exited = new Promise<number>((resolve) => child!.once('exit', (code) => resolve(code ?? -1)));

  await waitUntil('the foreground channel to run', 60_000, async () => {
    const st = await status();
    return st.Slave_IO_Running === 'Yes' && st.Slave_SQL_Running === 'Yes';
  }, 250).catch((e: Error) => assert.fail(`${e.message}\n${childOut}`));
  const list = await cli('channel', 'list', '--json');
  const entry = (JSON.parse(list.out) as { name: string; runningIn: string }[]).find((c) => c.name === 'office')!;
  assert.equal(entry.runningIn, `pid ${child.pid}`);

  await m.query(`CREATE DATABASE \`${db}\``);
  await m.query(`USE \`${db}\``);
  await m.query('CREATE TABLE t (id INT PRIMARY KEY)');
  await m.query('INSERT INTO t VALUES (1), (2), (3)');
  const end1 = await masterStatus(m);
  await waitUntil('the rows to be applied', 30_000, async () => {
    const st = await status();
    return reachedPosition({ file: String(st.Relay_Master_Log_File), pos: Number(st.Exec_Master_Log_Pos) }, end1);
  }, 250);

  const stopSql = await cli('channel', 'stop', 'office', '--sql');
  assert.equal(stopSql.code, 0, stopSql.err);
  assert.match(stopSql.out, new RegExp(`stopped the SQL thread \\(in process ${child.pid}\\)`));
  const afterStop = await status();
  assert.equal(afterStop.Slave_SQL_Running, 'No');
  assert.equal(afterStop.Slave_IO_Running, 'Yes');
  assert.equal(afterStop.Seconds_Behind_Master, null);

  await m.query('INSERT INTO t VALUES (4)');
  const end2 = await masterStatus(m);
  const startSql = await cli('channel', 'start', 'office', '--sql');
  assert.equal(startSql.code, 0, startSql.err);
  assert.match(startSql.out, /asked it to start the SQL thread/);
  await waitUntil('the SQL thread to run again and apply', 30_000, async () => {
    const st = await status();
    return st.Slave_SQL_Running === 'Yes' && reachedPosition({ file: String(st.Relay_Master_Log_File), pos: Number(st.Exec_Master_Log_Pos) }, end2);
  }, 250);

  const text = await cli('channel', 'status', 'office');
  assert.match(text.out, /^\s+Slave_IO_Running: Yes$/m);
  assert.match(text.out, /^\s+Replicate_Do_DB: rdcli_/m);

  const stopAll = await cli('channel', 'stop', 'office');
  assert.equal(stopAll.code, 0, stopAll.err);
  assert.equal(await exited, 0, `the foreground process ends once both threads stopped:\n${childOut}`);
  child = undefined;
  const stopped = await status();
  assert.equal(stopped.Slave_IO_Running, 'No');
  assert.equal(stopped.Slave_SQL_Running, 'No');
  assert.equal(stopped.Exec_Master_Log_Pos, end2.pos, 'positions survive the process');

  const reset = await cli('channel', 'reset', 'office');
  assert.equal(reset.code, 0, reset.err);
  assert.equal((await status()).Relay_Log_Space, 0);
  const skip = await cli('channel', 'skip', 'office', '2');
  assert.equal(skip.code, 0);
  assert.equal((await status()).Skip_Counter, 2, 'the counter waits for the next start of the SQL thread');
  const del = await cli('channel', 'delete', 'office');
  assert.equal(del.code, 0, del.err);
  const none = await cli('channel', 'list');
  assert.match(none.out, /No channels/);
});
