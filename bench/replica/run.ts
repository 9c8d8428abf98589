/**
 * npm run bench:replica — ReplicaDesk's replica against MariaDB's own, on the same binlog.
 *
 * 1. Starts a throwaway master and two fresh targets (same settings as the test harness).
 * 2. sysbench oltp_write_only prepare on the master; both targets get the same copy (mariadb-dump).
 * 3. sysbench oltp_write_only run: BENCH_TRX write transactions (default 200,000) into the binlog.
 * 4. Target A: MariaDB's native replica (CHANGE MASTER TO ...; START SLAVE) catching up from the start.
 *    Target B: a ReplicaDesk channel catching up from the start, in its own process (peak RSS measured).
 *    Both are timed until the applied position reaches the master's end; tables are compared by checksum.
 * 5. The I/O thread alone (relay log only) vs `mariadb-binlog --read-from-remote-server --raw`.
 *
 * Environment: BENCH_TRX (transactions), BENCH_TABLES (10), BENCH_TABLE_SIZE (100000), BENCH_THREADS (4),
 * BENCH_KEEP=1 keeps the servers' folder. The machine's other load makes timings noisy: run twice.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type mysql from 'mysql2/promise';
import { startMariaDb, type MariaDbInstance } from '../../test/servers/mariadb';
import { ensureServerPackages } from '../../test/servers/packages';
import { makeRunDir } from '../../test/servers/workdir';

const execFileP = promisify(execFile);
const TRX = Number(process.env.BENCH_TRX ?? 200_000);
const TABLES = Number(process.env.BENCH_TABLES ?? 10);
const TABLE_SIZE = Number(process.env.BENCH_TABLE_SIZE ?? 100_000);
const THREADS = Number(process.env.BENCH_THREADS ?? 4);
const root = path.resolve(__dirname, '../..');

function log(line: string): void {
  process.stdout.write(`[bench:replica] ${line}\n`);
}

async function q<T = Record<string, unknown>>(c: mysql.Connection, sql: string): Promise<T[]> {
  const [rows] = await c.query(sql);
  return rows as T[];
}

async function masterPos(c: mysql.Connection): Promise<{ file: string; pos: number }> {
  const r = (await q<{ File: string; Position: string }>(c, 'SHOW MASTER STATUS'))[0]!;
  return { file: r.File, pos: Number(r.Position) };
}

function sysbench(m: MariaDbInstance, cmd: 'prepare' | 'run'): Promise<void> {
  const args = [
    'oltp_write_only',
    `--mysql-host=127.0.0.1`,
    `--mysql-port=${m.port}`,
    `--mysql-user=${m.user}`,
    `--mysql-password=${m.password}`,
    '--mysql-db=sbtest',
    `--tables=${TABLES}`,
    `--table-size=${TABLE_SIZE}`,
    `--threads=${cmd === 'run' ? THREADS : Math.min(TABLES, 4)}`,
    ...(cmd === 'run' ? [`--events=${TRX}`, '--time=0', '--report-interval=10', '--rand-seed=42'] : []),
    cmd,
  ];
  return new Promise((resolve, reject) => {
    const p = spawn('sysbench', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => {
      const tps = /transactions:\s+(\d+)\s+\(([\d.]+) per sec/.exec(out);
      if (tps) log(`sysbench ${cmd}: ${tps[1]} transactions (${tps[2]}/s on the master)`);
      code === 0 ? resolve() : reject(new Error(`sysbench ${cmd} exited ${code}\n${out.slice(-2000)}`));
    });
  });
}

async function copyData(from: MariaDbInstance, to: MariaDbInstance): Promise<void> {
  const dump = spawn('mariadb-dump', ['-h127.0.0.1', `-P${from.port}`, `-u${from.user}`, `-p${from.password}`, '--single-transaction', '--databases', 'sbtest']);
  const load = spawn('mariadb', ['-h127.0.0.1', `-P${to.port}`, `-u${to.user}`, `-p${to.password}`]);
  dump.stdout.pipe(load.stdin);
  await Promise.all([new Promise((r) => dump.on('exit', r)), new Promise((r) => load.on('exit', r))]);
}

async function checksums(m: MariaDbInstance): Promise<string> {
  const c = await m.connect();
  try {
    const names = Array.from({ length: TABLES }, (_, i) => `sbtest.sbtest${i + 1}`).join(', ');
    const rows = await q<{ Table: string; Checksum: string }>(c, `CHECKSUM TABLE ${names} EXTENDED`);
    return rows.map((r) => `${r.Table}=${r.Checksum}`).join(' ');
  } finally {
    await c.end();
  }
}

function reached(cur: { file: string; pos: number }, end: { file: string; pos: number }): boolean {
  const seq = (f: string) => Number(/\.(\d+)$/.exec(f)?.[1] ?? 0);
  return seq(cur.file) > seq(end.file) || (cur.file === end.file && cur.pos >= end.pos);
}

async function nativeReplica(target: MariaDbInstance, master: MariaDbInstance, start: { file: string; pos: number }, end: { file: string; pos: number }): Promise<number> {
  const c = await target.connect();
  try {
    await c.query(
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${master.port}, MASTER_USER='${master.user}', MASTER_PASSWORD='${master.password}', MASTER_LOG_FILE='${start.file}', MASTER_LOG_POS=${start.pos}, MASTER_USE_GTID=no`,
    );
    const t0 = Date.now();
    await c.query('START SLAVE');
    for (;;) {
      const s = (await q<Record<string, string>>(c, 'SHOW SLAVE STATUS'))[0]!;
      if (s.Last_SQL_Errno !== '0' && s.Last_SQL_Errno !== undefined && Number(s.Last_SQL_Errno) !== 0) throw new Error(`native replica: ${s.Last_SQL_Error}`);
      if (reached({ file: s.Relay_Master_Log_File!, pos: Number(s.Exec_Master_Log_Pos) }, end)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const ms = Date.now() - t0;
    await c.query('STOP SLAVE');
    return ms;
  } finally {
    await c.end();
  }
}

/** The measured process runs compiled code, as shipped: child.ts bundled by esbuild (see child.ts). */
async function bundleChild(dir: string): Promise<string> {
  const out = path.join(dir, 'child.js');
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'child.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: out,
    external: ['sqlite3', 'mysql2', 'mysql2/*'],
    logLevel: 'warning',
  });
  return out;
}

let childScript = '';

function child(mode: 'channel' | 'io', opts: object): Promise<{ ms: number; rssPeakMb: number; cpuMs: number; ioDoneMs?: number; bytes?: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [childScript, mode, JSON.stringify(opts)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') },
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      code === 0 ? resolve(JSON.parse(line)) : reject(new Error(`bench child (${mode}) exited ${code}: ${out}`));
    });
  });
}

async function main(): Promise<void> {
  ensureServerPackages([{ file: '/usr/bin/sysbench', pkg: 'sysbench' }]);
  const runDir = makeRunDir('rd-bench-replica-');
  const servers: MariaDbInstance[] = [];
  log(`servers in ${runDir}; ${TRX} transactions, ${TABLES} tables x ${TABLE_SIZE} rows, ${THREADS} sysbench threads; ${os.cpus().length} CPUs`);
  try {
    childScript = await bundleChild(runDir);
    const big = ['--max-allowed-packet=64M', '--innodb-buffer-pool-size=256M'];
    const [master, native, ours] = await Promise.all([
      startMariaDb({ name: 'master', runDir, serverId: 1, extraArgs: big }),
      startMariaDb({ name: 'native', runDir, serverId: 2, extraArgs: [...big, '--skip-slave-start'] }),
      startMariaDb({ name: 'ours', runDir, serverId: 3, extraArgs: big }),
    ]);
    servers.push(master, native, ours);
    const mc = await master.connect();
    await mc.query('CREATE DATABASE sbtest');
    await sysbench(master, 'prepare');
    await Promise.all([copyData(master, native), copyData(master, ours)]);
    const start = await masterPos(mc);
    const t0 = Date.now();
    await sysbench(master, 'run');
    const end = await masterPos(mc);
    const logs = await q<{ Log_name: string; File_size: string }>(mc, 'SHOW BINARY LOGS');
    const seq = (f: string) => Number(/\.(\d+)$/.exec(f)?.[1] ?? 0);
    const binlogBytes = logs.filter((l) => seq(l.Log_name) >= seq(start.file)).reduce((n, l) => n + Number(l.File_size), 0) - start.pos;
    log(`workload: ${((Date.now() - t0) / 1000).toFixed(1)} s, binlog ${start.file}:${start.pos} .. ${end.file}:${end.pos} (${(binlogBytes / 1048576).toFixed(0)} MiB)`);
    const masterSum = await checksums(master);

    const ep = (m: MariaDbInstance) => ({ host: '127.0.0.1', port: m.port, user: m.user, password: m.password });
    const nativeMs = await nativeReplica(native, master, start, end);
    log(`MariaDB native replica: ${(nativeMs / 1000).toFixed(1)} s (${Math.round(TRX / (nativeMs / 1000))} trx/s)`);
    const dataDir = path.join(runDir, 'replicadesk');
    fs.mkdirSync(dataDir);
    const r = await child('channel', { dir: dataDir, master: ep(master), target: ep(ours), start, end });
    log(`ReplicaDesk channel:     ${(r.ms / 1000).toFixed(1)} s (${Math.round(TRX / (r.ms / 1000))} trx/s; relay log complete after ${((r.ioDoneMs ?? 0) / 1000).toFixed(1)} s; ${(r.cpuMs / 1000).toFixed(1)} s of CPU), peak RSS ${r.rssPeakMb.toFixed(0)} MB`);
    const ratio = r.ms / nativeMs;
    log(`ratio ReplicaDesk / native = ${ratio.toFixed(2)} (target <= 1.00); peak RSS ${r.rssPeakMb.toFixed(0)} MB (target <= 250)`);
    const [nativeSum, oursSum] = await Promise.all([checksums(native), checksums(ours)]);
    const equal = nativeSum === masterSum && oursSum === masterSum;
    log(`tables equal to the master: native ${nativeSum === masterSum ? 'yes' : 'NO'}, ReplicaDesk ${oursSum === masterSum ? 'yes' : 'NO'}`);

    // I/O thread alone vs mariadb-binlog --raw.
    const ioDir = path.join(runDir, 'io-only');
    fs.mkdirSync(ioDir);
    const io = await child('io', { dir: ioDir, master: ep(master), target: ep(ours), start, end });
    const rawDir = path.join(runDir, 'raw');
    fs.mkdirSync(rawDir);
    // The same byte range for both: from the start position to the end of the binlog.
    const t1 = Date.now();
    await execFileP('mariadb-binlog', ['--read-from-remote-server', '--raw', '-h127.0.0.1', `-P${master.port}`, `-u${master.user}`, `-p${master.password}`, `--start-position=${start.pos}`, `--result-file=${rawDir}/`, '--to-last-log', start.file], { maxBuffer: 1 << 20 });
    const rawMs = Date.now() - t1;
    log(`I/O thread alone: ${(io.ms / 1000).toFixed(1)} s (${(io.cpuMs / 1000).toFixed(1)} s of CPU, peak RSS ${io.rssPeakMb.toFixed(0)} MB); mariadb-binlog --raw: ${(rawMs / 1000).toFixed(1)} s; ratio ${(io.ms / rawMs).toFixed(2)} (target <= 1.30)`);
    log('note: 2 shared CPUs; other work on the machine makes these figures noisy.');
    await mc.end();
    if (!equal) process.exitCode = 1;
  } finally {
    await Promise.allSettled(servers.map((s) => s.stop()));
    if (!process.env.BENCH_KEEP) fs.rmSync(runDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:replica failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
