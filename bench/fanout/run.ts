/**
 * npm run bench:fanout — ReplicaDesk's fan-out against pgpool-II 4.3 (native_replication, load balancing
 * on), over the same two throwaway PostgreSQL 15 backends: pgbench scale 10, 8 clients, tpcb-like with
 * -M simple and -M prepared, and select-only (-S). Prints tps for both, the ratios, and whether the two
 * backends hold identical data after every write run.
 *
 * Environment: BENCH_SECONDS (default 30) per run, BENCH_ROUNDS (default 1; the median is reported),
 * BENCH_SCALE (10), BENCH_CLIENTS (8), BENCH_THREADS (2), BENCH_ONLY (replicadesk|pgpool), BENCH_MODES (e.g. select-only).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { loadPgpoolConfig } from '../../core/pg/options';
import { FanoutProxy } from '../../core/pg/proxy';
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
const ONLY = process.env.BENCH_ONLY;
/** Comma-separated workload names to run (e.g. select-only), default all. */
const MODE_FILTER = process.env.BENCH_MODES?.split(',');
const DB = 'bench';

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

async function pgbench(port: number, args: string[]): Promise<{ tps: number; failed: number; out: string }> {
  const { stdout, stderr } = await execFileP(`${PG_BIN}/pgbench`, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', ...args, DB], {
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

/** CPU seconds (user + system) used so far by a process and all its descendants, from /proc (Linux). */
function treeCpuSeconds(rootPid: number): number {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
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
  const walk = (pid: number) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(f[11]) + Number(f[12])) / tick;
    } catch {
      /* gone */
    }
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(rootPid);
  return total;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

let pgpool: ChildProcess | undefined;
let proxy: FanoutProxy | undefined;
const backends: PostgresInstance[] = [];
let runDir: string | undefined;

/** Stops pgpool, the proxy and the backends and removes the temp folder (also on Ctrl-C). */
async function cleanup(): Promise<void> {
  if (pgpool && pgpool.exitCode === null) {
    pgpool.kill('SIGINT');
    await new Promise((r) => pgpool!.once('exit', r));
  }
  await proxy?.stop();
  await Promise.allSettled(backends.map((b) => b.stop()));
  if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping pgpool, the proxy and the backends...`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  ensurePgpool();
  const dir = makeRunDir('rd-bench-fanout-');
  runDir = dir;
  const pgpoolDir = path.join(dir, 'pgpool');
  fs.mkdirSync(pgpoolDir, { recursive: true });
  try {
    log(`fan-out benchmark: pgbench scale ${SCALE}, ${CLIENTS} clients, ${THREADS} threads, ${SECONDS} s per run, ${ROUNDS} round(s); load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
    backends.push(...(await Promise.all([0, 1].map((i) => startPostgres({ name: `pg${i}`, runDir: dir })))));
    for (const b of backends) {
      const c = await b.connect();
      await c.query(`CREATE DATABASE ${DB}`);
      await c.end();
      // pgbench -i fills the tables deterministically, so both backends start identical.
      await execFileP(`${PG_BIN}/pgbench`, ['-h', b.host, '-p', String(b.port), '-U', b.user, '-i', '-s', String(SCALE), '-q', DB], { env: { ...process.env, PGPASSWORD: b.password }, maxBuffer: 1 << 24 });
    }
    const [f0, f1] = await Promise.all(backends.map(fingerprint));
    if (f0 !== f1) throw new Error('the backends differ right after pgbench -i');

    const pgpoolPort = await freePort();
    const conf = writeConfig(pgpoolDir, pgpoolPort, await freePort(), backends);
    const rdPort = await freePort();
    // ReplicaDesk reads the very same pgpool.conf (only the port differs, to run both at once).
    const loaded = loadPgpoolConfig(conf, { name: 'bench' });
    proxy = new FanoutProxy({ ...loaded.options, port: rdPort });
    await proxy.start();
    if (ONLY !== 'replicadesk') pgpool = await startPgpool(pgpoolDir, conf, pgpoolPort);

    const targets = [
      { name: 'ReplicaDesk', port: rdPort, enabled: ONLY !== 'pgpool' },
      { name: 'pgpool-II', port: pgpoolPort, enabled: ONLY !== 'replicadesk' },
    ].filter((t) => t.enabled);
    const results = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    let divergence = false;
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES.filter((m) => !MODE_FILTER || MODE_FILTER.some((f) => m.name.includes(f)))) {
        for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
          const cpuBefore = process.cpuUsage();
          const poolBefore = pgpool?.pid ? treeCpuSeconds(pgpool.pid) : 0;
          const r = await pgbench(t.port, ['-c', String(CLIENTS), '-j', String(THREADS), '-T', String(SECONDS), ...mode.args]);
          const used = process.cpuUsage(cpuBefore);
          const key = `${mode.name}|${t.name}`;
          results.set(key, [...(results.get(key) ?? []), r.tps]);
          // CPU time per transaction spent in the proxy itself (our process / pgpool's process tree).
          const seconds = t.name === 'ReplicaDesk' ? (used.user + used.system) / 1e6 : treeCpuSeconds(pgpool!.pid!) - poolBefore;
          cpu.set(key, [...(cpu.get(key) ?? []), (seconds * 1e6) / (r.tps * SECONDS)]);
          let same = '';
          if (mode.writes) {
            const [a, b] = await Promise.all(backends.map(fingerprint));
            same = a === b ? 'backends identical' : 'BACKENDS DIFFER';
            if (a !== b) divergence = true;
          }
          log(`  round ${round + 1}  ${mode.name.padEnd(22)} ${t.name.padEnd(12)} ${r.tps.toFixed(0).padStart(7)} tps  failed ${r.failed}  ${same}`);
          if (!Number.isFinite(r.tps)) log(r.out.split('\n').slice(-15).join('\n'));
        }
      }
    }
    log('');
    log(`${'workload'.padEnd(24)}${'pgpool-II'.padStart(11)}${'ReplicaDesk'.padStart(13)}${'ratio'.padStart(8)}${'target'.padStart(8)}   proxy CPU per transaction (pgpool / ReplicaDesk)`);
    let ok = !divergence;
    for (const mode of MODES) {
      const rd = results.get(`${mode.name}|ReplicaDesk`);
      const pp = results.get(`${mode.name}|pgpool-II`);
      const rdT = rd ? median(rd) : NaN;
      const ppT = pp ? median(pp) : NaN;
      const ratio = rdT / ppT;
      if (rd && pp && !(ratio >= mode.target)) ok = false;
      const c = cpu.get(`${mode.name}|ReplicaDesk`);
      const cp = cpu.get(`${mode.name}|pgpool-II`);
      log(
        `${mode.name.padEnd(24)}${(pp ? ppT.toFixed(0) : '-').padStart(11)}${(rd ? rdT.toFixed(0) : '-').padStart(13)}${(Number.isFinite(ratio) ? ratio.toFixed(2) + 'x' : '-').padStart(8)}${(mode.target + 'x').padStart(8)}   ${cp ? median(cp).toFixed(0) + ' µs' : '-'} / ${c ? median(c).toFixed(0) + ' µs' : '-'}`,
      );
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
