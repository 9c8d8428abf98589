/**
 * npm run bench:fanout — ReplicaDesk's fan-out against pgpool-II 4.3 (native_replication, load balancing
 * on), over the same two throwaway PostgreSQL 15 backends: pgbench scale 10, 8 clients, tpcb-like with
 * -M simple and -M prepared, and select-only (-S). Prints tps for both, the ratios, and whether the two
 * backends hold identical data after every write run.
 *
 * A third row, "direct", runs the same pgbench straight at backend 0 (no proxy, its own copy of the
 * pgbench tables so the fan-out's two backends stay identical): the ceiling of this machine, where pgbench,
 * the PostgreSQL servers and the proxy all share the same cores. The proxy runs in its own process
 * (proxy-process.ts, compiled to plain JavaScript as the product ships), like pgpool, so its CPU time and
 * memory (RSS) are its own. A fourth row, "node relay" (relay-process.ts), is a plain Node.js byte relay to
 * backend 0: the floor of any Node proxy here. A fifth row, "direct x2", is the fan-out's ceiling with no proxy
 * at all: for a write workload, one pgbench per backend at the same time (8 clients each, so each server does
 * every transaction, as under a fan-out), reporting the slower of the two (write workloads only). An opt-in
 * row, "node relay x2" (BENCH_ONLY=...,relay2), runs two relay processes with half the clients each: what a
 * proxy spread over two processes could gain on this machine.
 *
 * Environment: BENCH_SECONDS (default 30) per run, BENCH_ROUNDS (default 1; the median is reported),
 * BENCH_SCALE (10), BENCH_CLIENTS (8), BENCH_THREADS (2), BENCH_ONLY (replicadesk|pgpool|direct|relay|both|relay2, comma
 * separated), BENCH_MODES (e.g. select-only), BENCH_PROXY_NODE_ARGS (extra node flags for the proxy
 * process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import pg from 'pg';
import { freePort, waitFor } from '../../test/servers/ports';
import { type PostgresInstance, startPostgres } from '../../test/servers/postgres';
import { makeRunDir } from '../../test/servers/workdir';

const execFileP = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';
const PGPOOL = '/usr/sbin/pgpool';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const SCALE = Number(process.env.BENCH_SCALE ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const ONLY = process.env.BENCH_ONLY?.split(',');
const enabled = (name: string) => (name === 'relay2' ? !!ONLY?.includes(name) : !ONLY || ONLY.includes(name));
const PROXY_NODE_ARGS = (process.env.BENCH_PROXY_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** Comma-separated workload names to run (e.g. select-only), default all. */
const MODE_FILTER = process.env.BENCH_MODES?.split(',');
const DB = 'bench';
/** The direct row's own copy of the pgbench tables on backend 0. */
const DIRECT_DB = 'bench_direct';

interface Mode {
  name: string;
  args: string[];
  writes: boolean;
  target: number;
}
const MODES: Mode[] = [
  { name: 'tpcb-like -M simple', args: ['-M', 'simple'], writes: true, target: 1.5 },
  { name: 'tpcb-like -M prepared', args: ['-M', 'prepared'], writes: true, target: 1.5 },
  { name: 'select-only -S', args: ['-S', '-M', 'simple'], writes: false, target: 2 },
];

function log(line: string): void {
  process.stdout.write(line + '\n');
}

function ensurePgpool(): void {
  if (fs.existsSync(PGPOOL)) return;
  if (process.getuid?.() !== 0) throw new Error(`${PGPOOL} is missing; install the Debian package pgpool2 (apt-get install pgpool2).`);
  log('Installing pgpool2 with apt-get...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'pgpool2'], { stdio: 'inherit', env });
  if (r.status !== 0 || !fs.existsSync(PGPOOL)) throw new Error('apt-get install pgpool2 failed');
}

function writeConfig(dir: string, port: number, pcpPort: number, backends: PostgresInstance[]): string {
  const conf = path.join(dir, 'pgpool.conf');
  const lines = [
    "backend_clustering_mode = 'native_replication'",
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `socket_dir = '${dir}'`,
    "pcp_listen_addresses = '127.0.0.1'",
    `pcp_port = ${pcpPort}`,
    `pcp_socket_dir = '${dir}'`,
    `wd_ipc_socket_dir = '${dir}'`,
    `pid_file_name = '${path.join(dir, 'pgpool.pid')}'`,
    `logdir = '${dir}'`,
    ...backends.flatMap((b, i) => [`backend_hostname${i} = '${b.host}'`, `backend_port${i} = ${b.port}`, `backend_weight${i} = 1`, `backend_flag${i} = 'ALLOW_TO_FAILOVER'`]),
    'load_balance_mode = on',
    'replicate_select = off',
    'insert_lock = on',
    'num_init_children = 32',
    'max_pool = 4',
    'enable_pool_hba = on',
    "pool_passwd = 'pool_passwd'",
    'health_check_period = 0',
    'sr_check_period = 0',
    'log_min_messages = warning',
  ];
  fs.writeFileSync(conf, lines.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'pool_hba.conf'), 'host all all 127.0.0.1/32 scram-sha-256\n');
  fs.writeFileSync(path.join(dir, 'pool_passwd'), `${backends[0]!.user}:TEXT${backends[0]!.password}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'pcp.conf'), '');
  return conf;
}

async function startPgpool(dir: string, conf: string, port: number): Promise<ChildProcess> {
  const child = spawn(PGPOOL, ['-n', '-D', '-f', conf, '-a', path.join(dir, 'pool_hba.conf'), '-F', path.join(dir, 'pcp.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  await waitFor(`pgpool-II on port ${port}`, 30_000, async () => {
    if (child.exitCode !== null) throw new Error(`pgpool exited: ${err}`);
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: 'harness-pw', database: 'postgres' });
    await c.connect();
    await c.end();
    return true;
  }, () => err);
  return child;
}

async function pgbench(port: number, db: string, args: string[]): Promise<{ tps: number; failed: number; out: string }> {
  const { stdout, stderr } = await execFileP(`${PG_BIN}/pgbench`, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', ...args, db], {
    env: { ...process.env, PGPASSWORD: 'harness-pw' },
    maxBuffer: 1 << 26,
    timeout: (SECONDS + 120) * 1000,
  });
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1] ?? NaN);
  const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0);
  return { tps, failed, out: stdout + stderr };
}

/** Row count and md5 of every pgbench table on a backend. */
async function fingerprint(b: PostgresInstance): Promise<string> {
  const c = await b.connect(DB);
  try {
    const parts: string[] = [];
    for (const t of ['pgbench_accounts', 'pgbench_branches', 'pgbench_tellers', 'pgbench_history']) {
      const r = await c.query(`SELECT count(*) AS n, md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) AS h FROM ${t} x`);
      parts.push(`${t}:${r.rows[0].n}:${r.rows[0].h}`);
    }
    return parts.join(' ');
  } finally {
    await c.end();
  }
}

/** A process and all its descendants, from /proc (Linux). */
function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(f[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(rootPid);
  return out;
}

/** CPU seconds (user + system) used so far by a process and all its descendants, living or exited. */
function treeCpuSeconds(rootPid: number): number {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of processTree(rootPid)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime + stime, plus cutime + cstime: children that exited (a backend of a closed connection).
      total += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / tick;
    } catch {
      /* gone */
    }
  }
  return total;
}

/**
 * Resident memory of a process tree in MiB: RSS summed (pages shared between pgpool's forked children are
 * counted once per child, as `ps` would) and PSS summed (shared pages split fairly; the honest total).
 */
function treeMemory(rootPid: number): { rss: number; pss: number } {
  let rss = 0;
  let pss = 0;
  for (const pid of processTree(rootPid)) {
    try {
      const r = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(r)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+) kB/m.exec(r)?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return { rss: rss / 1024, pss: pss / 1024 };
}

/** Samples a process tree's memory every second while `work` runs; returns the peaks. */
async function withMemoryPeak<T>(pid: number | undefined, work: Promise<T>): Promise<{ result: T; rss: number; pss: number }> {
  let rss = 0;
  let pss = 0;
  const sample = () => {
    if (!pid) return;
    const m = treeMemory(pid);
    rss = Math.max(rss, m.rss);
    pss = Math.max(pss, m.pss);
  };
  const timer = setInterval(sample, 1000);
  try {
    const result = await work;
    return { result, rss, pss };
  } finally {
    clearInterval(timer);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

let pgpool: ChildProcess | undefined;
let proxy: ChildProcess | undefined;
let relay: ChildProcess | undefined;
let relay2: ChildProcess | undefined;
const backends: PostgresInstance[] = [];
let runDir: string | undefined;

async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Stops pgpool, the proxy and the backends and removes the temp folder (also on Ctrl-C). */
async function cleanup(): Promise<void> {
  await stopChild(pgpool, 'SIGINT');
  await stopChild(proxy, 'SIGTERM');
  await stopChild(relay, 'SIGTERM');
  await stopChild(relay2, 'SIGTERM');
  await Promise.allSettled(backends.map((b) => b.stop()));
  if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping pgpool, the proxy and the backends...`);
    void cleanup().finally(() => process.exit(130));
  });
}

/** The ReplicaDesk proxy in its own process, reading the very same pgpool.conf (only the port differs). */
/**
 * The child's script compiled to plain JavaScript first, as the product ships (tsc output): run under tsx,
 * every named closure would also pay for esbuild's keep-names wrapper (an Object.defineProperty per call).
 */
async function compiled(script: string): Promise<string> {
  const out = path.join(runDir!, path.basename(script).replace(/\.ts$/, '.js'));
  await esbuild.build({ entryPoints: [path.join(__dirname, script)], bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', outfile: out, logLevel: 'warning' });
  return out;
}

async function startProxy(conf: string, port: number): Promise<ChildProcess> {
  return startChild([...PROXY_NODE_ARGS, await compiled('proxy-process.ts'), conf, String(port)]);
}

async function startChild(args: string[]): Promise<ChildProcess> {
  // The compiled scripts live in the run folder: packages come from our node_modules.
  const env = { ...process.env, NODE_PATH: path.join(__dirname, '..', '..', 'node_modules') };
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let err = '';
  child.stderr!.on('data', (d) => {
    err = (err + d).slice(-8000);
    if (process.env.BENCH_VERBOSE) process.stderr.write(d);
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the proxy process exited (${code}): ${err}`)));
  });
  child.removeAllListeners('exit');
  (child as ChildProcess & { lastErr: () => string }).lastErr = () => err;
  return child;
}

async function initPgbench(b: PostgresInstance, db: string): Promise<void> {
  const c = await b.connect();
  await c.query(`CREATE DATABASE "${db}"`);
  await c.end();
  // pgbench -i fills the tables deterministically, so both backends start identical.
  await execFileP(`${PG_BIN}/pgbench`, ['-h', b.host, '-p', String(b.port), '-U', b.user, '-i', '-s', String(SCALE), '-q', db], { env: { ...process.env, PGPASSWORD: b.password }, maxBuffer: 1 << 24 });
}

/** pgbench runs at the same time (one per port), the rate of each kept. */
async function concurrentPgbench(mode: Mode, runs: { port: number; clients: number; threads: number }[]): Promise<{ rates: number[]; failed: number; out: string }> {
  const rs = await Promise.all(runs.map((r) => pgbench(r.port, DIRECT_DB, ['-c', String(r.clients), '-j', String(r.threads), '-T', String(SECONDS), ...mode.args])));
  return { rates: rs.map((r) => r.tps), failed: rs.reduce((a, r) => a + r.failed, 0), out: rs.map((r) => r.out).join('\n') };
}

/**
 * Both backends doing a write workload's fan-out work at once with no proxy: each runs every transaction,
 * and the slower one bounds what any fan-out can reach on this machine.
 */
async function bothDirect(mode: Mode): Promise<{ tps: number; failed: number; out: string }> {
  const r = await concurrentPgbench(mode, backends.map((b) => ({ port: b.port, clients: CLIENTS, threads: THREADS })));
  return { tps: Math.min(...r.rates), failed: r.failed, out: r.out };
}

/** Half the clients through each of two relay processes (to backend 0): the sum of their rates. */
async function splitClients(mode: Mode, ports: number[]): Promise<{ tps: number; failed: number; out: string }> {
  const clients = Math.max(1, Math.floor(CLIENTS / ports.length));
  const threads = Math.max(1, Math.floor(THREADS / ports.length));
  const r = await concurrentPgbench(mode, ports.map((port) => ({ port, clients, threads })));
  return { tps: r.rates.reduce((a, x) => a + x, 0), failed: r.failed, out: r.out };
}

async function main(): Promise<number> {
  if (enabled('pgpool')) ensurePgpool();
  const dir = makeRunDir('rd-bench-fanout-');
  runDir = dir;
  const pgpoolDir = path.join(dir, 'pgpool');
  fs.mkdirSync(pgpoolDir, { recursive: true });
  try {
    log(`fan-out benchmark: pgbench scale ${SCALE}, ${CLIENTS} clients, ${THREADS} threads, ${SECONDS} s per run, ${ROUNDS} round(s); load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
    backends.push(...(await Promise.all([0, 1].map((i) => startPostgres({ name: `pg${i}`, runDir: dir })))));
    for (const b of backends) await initPgbench(b, DB);
    if (enabled('direct') || enabled('relay') || enabled('both') || enabled('relay2')) await initPgbench(backends[0]!, DIRECT_DB);
    if (enabled('both')) await initPgbench(backends[1]!, DIRECT_DB);
    const [f0, f1] = await Promise.all(backends.map(fingerprint));
    if (f0 !== f1) throw new Error('the backends differ right after pgbench -i');

    const pgpoolPort = await freePort();
    const conf = writeConfig(pgpoolDir, pgpoolPort, await freePort(), backends);
    const rdPort = await freePort();
    if (enabled('replicadesk')) proxy = await startProxy(conf, rdPort);
    const relayPort = await freePort();
    if (enabled('relay') || enabled('relay2')) relay = await startChild([await compiled('relay-process.ts'), String(relayPort), backends[0]!.host, String(backends[0]!.port)]);
    const relay2Port = await freePort();
    if (enabled('relay2')) relay2 = await startChild([await compiled('relay-process.ts'), String(relay2Port), backends[0]!.host, String(backends[0]!.port)]);
    if (enabled('pgpool')) pgpool = await startPgpool(pgpoolDir, conf, pgpoolPort);
    const idleMem = { ReplicaDesk: proxy?.pid ? treeMemory(proxy.pid) : undefined, 'pgpool-II': pgpool?.pid ? treeMemory(pgpool.pid) : undefined };

    const targets = [
      { name: 'ReplicaDesk', port: rdPort, db: DB, pid: () => proxy?.pid, enabled: enabled('replicadesk') },
      { name: 'pgpool-II', port: pgpoolPort, db: DB, pid: () => pgpool?.pid, enabled: enabled('pgpool') },
      { name: 'direct', port: backends[0]!.port, db: DIRECT_DB, pid: () => undefined, enabled: enabled('direct') },
      { name: 'node relay', port: relayPort, db: DIRECT_DB, pid: () => relay?.pid, enabled: enabled('relay') },
      { name: 'direct x2', port: 0, db: DIRECT_DB, pid: () => undefined, enabled: enabled('both') },
      { name: 'node relay x2', port: 0, db: DIRECT_DB, pid: () => undefined, enabled: enabled('relay2') },
    ].filter((t) => t.enabled);
    const results = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    const pgCpu = new Map<string, number[]>();
    const postmasters = backends.map((b) => Number(fs.readFileSync(path.join(b.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]));
    const backendsCpu = () => postmasters.reduce((a, pid) => a + treeCpuSeconds(pid), 0);
    const mem = new Map<string, { rss: number; pss: number }>();
    let divergence = false;
    const modes = MODES.filter((m) => !MODE_FILTER || MODE_FILTER.some((f) => m.name.includes(f)));
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of modes) {
        for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
          // Load-balanced reads have no such ceiling: one backend alone ("direct") already bounds them.
          if (t.name === 'direct x2' && !mode.writes) continue;
          const pid = t.pid();
          const cpuBefore = pid ? treeCpuSeconds(pid) : 0;
          const pgBefore = backendsCpu();
          const run = t.name === 'direct x2' ? bothDirect(mode) : t.name === 'node relay x2' ? splitClients(mode, [relayPort, relay2Port]) : pgbench(t.port, t.db, ['-c', String(CLIENTS), '-j', String(THREADS), '-T', String(SECONDS), ...mode.args]);
          const { result: r, rss, pss } = await withMemoryPeak(pid, run);
          const key = `${mode.name}|${t.name}`;
          results.set(key, [...(results.get(key) ?? []), r.tps]);
          // CPU time per transaction of the PostgreSQL servers (both; the direct row uses only backend 0).
          pgCpu.set(key, [...(pgCpu.get(key) ?? []), ((backendsCpu() - pgBefore) * 1e6) / (r.tps * SECONDS)]);
          if (pid) {
            // CPU time per transaction spent in the proxy itself (its whole process tree).
            const seconds = treeCpuSeconds(pid) - cpuBefore;
            cpu.set(key, [...(cpu.get(key) ?? []), (seconds * 1e6) / (r.tps * SECONDS)]);
            const m = mem.get(t.name) ?? { rss: 0, pss: 0 };
            mem.set(t.name, { rss: Math.max(m.rss, rss), pss: Math.max(m.pss, pss) });
          }
          let same = '';
          if (mode.writes && (t.name === 'ReplicaDesk' || t.name === 'pgpool-II')) {
            const [a, b] = await Promise.all(backends.map(fingerprint));
            same = a === b ? 'backends identical' : 'BACKENDS DIFFER';
            if (a !== b) divergence = true;
          }
          log(`  round ${round + 1}  ${mode.name.padEnd(22)} ${t.name.padEnd(12)} ${r.tps.toFixed(0).padStart(7)} tps  failed ${r.failed}  ${pid ? `RSS peak ${rss.toFixed(0)} MiB  ` : ''}${same}  (load ${os.loadavg()[0]!.toFixed(1)})`);
          if (!Number.isFinite(r.tps)) log(r.out.split('\n').slice(-15).join('\n'));
        }
      }
    }
    log('');
    log(`${'workload'.padEnd(24)}${'direct'.padStart(9)}${'relay'.padStart(8)}${'direct x2'.padStart(11)}${'pgpool-II'.padStart(11)}${'ReplicaDesk'.padStart(13)}${'ratio'.padStart(8)}${'target'.padStart(8)}${'of direct'.padStart(11)}   CPU per transaction: proxy (relay / pgpool / ReplicaDesk), PostgreSQL servers (direct / pgpool / ReplicaDesk)`);
    let ok = !divergence;
    const med = (k: string) => {
      const v = results.get(k);
      return v ? median(v) : NaN;
    };
    const fmt = (x: number, w: number, suffix = '') => (Number.isFinite(x) ? x.toFixed(suffix ? 2 : 0) + suffix : '-').padStart(w);
    for (const mode of modes) {
      const rdT = med(`${mode.name}|ReplicaDesk`);
      const ppT = med(`${mode.name}|pgpool-II`);
      const dT = med(`${mode.name}|direct`);
      const relT = med(`${mode.name}|node relay`);
      const bothT = med(`${mode.name}|direct x2`);
      const cr = cpu.get(`${mode.name}|node relay`);
      const ratio = rdT / ppT;
      if (Number.isFinite(ratio) && !(ratio >= mode.target)) ok = false;
      const c = cpu.get(`${mode.name}|ReplicaDesk`);
      const cp = cpu.get(`${mode.name}|pgpool-II`);
      const us = (k: string) => {
        const v = pgCpu.get(`${mode.name}|${k}`);
        return v ? median(v).toFixed(0) : '-';
      };
      log(
        `${mode.name.padEnd(24)}${fmt(dT, 9)}${fmt(relT, 8)}${fmt(bothT, 11)}${fmt(ppT, 11)}${fmt(rdT, 13)}${fmt(ratio, 8, 'x')}${(mode.target + 'x').padStart(8)}${fmt(rdT / dT, 11, 'x')}   ${cr ? median(cr).toFixed(0) : '-'} / ${cp ? median(cp).toFixed(0) + ' µs' : '-'} / ${c ? median(c).toFixed(0) + ' µs' : '-'},  ${us('direct')} / ${us('pgpool-II')} / ${us('ReplicaDesk')} µs`,
      );
      const rel2T = med(`${mode.name}|node relay x2`);
      if (Number.isFinite(rel2T)) log(`${''.padEnd(24)}node relay x2 (two relay processes, half the clients each): ${rel2T.toFixed(0)} tps, ${(rel2T / relT).toFixed(2)}x one relay process`);
      const needed = ppT * mode.target;
      if (Number.isFinite(needed) && Number.isFinite(bothT) && needed > bothT) {
        log(`${''.padEnd(24)}note: the target (${needed.toFixed(0)} tps) is above what the two backends reach doing the fan-out's work with no proxy at all (${bothT.toFixed(0)} tps) on this machine`);
      } else if (Number.isFinite(needed) && Number.isFinite(dT) && needed > dT) {
        log(`${''.padEnd(24)}note: the target (${needed.toFixed(0)} tps) is above what pgbench reaches with no proxy at all (${dT.toFixed(0)} tps) on this machine`);
      } else if (Number.isFinite(needed) && Number.isFinite(relT) && needed > relT) {
        log(`${''.padEnd(24)}note: the target (${needed.toFixed(0)} tps) is above what a bare Node.js byte relay to one backend reaches (${relT.toFixed(0)} tps) on this machine`);
      }
    }
    for (const name of ['ReplicaDesk', 'pgpool-II']) {
      const m = mem.get(name);
      const idle = idleMem[name as keyof typeof idleMem];
      if (m) log(`memory ${name.padEnd(12)} idle RSS ${idle!.rss.toFixed(0)} MiB (PSS ${idle!.pss.toFixed(0)}), peak under load RSS ${m.rss.toFixed(0)} MiB (PSS ${m.pss.toFixed(0)})${name === 'pgpool-II' ? ' summed over its processes' : ''}`);
    }
    log(`divergence: ${divergence ? 'YES (backends differ after a write run)' : 'none (backends identical after every write run)'}`);
    log(`load average now ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (a shared machine makes these figures noisy)`);
    return ok ? 0 : 1;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:fanout failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(2);
  },
);
