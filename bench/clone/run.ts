/**
 * `npm run bench:clone`: ReplicaDesk's initial copy versus `mariadb-dump --single-transaction --master-data |
 * mariadb` on the same sysbench data (default about 2 GB), same run, each into its own fresh MariaDB; then
 * CHECKSUM TABLE and SHOW CREATE TABLE on master and both copies must agree.
 *
 * Env: BENCH_TABLES (8), BENCH_TABLE_SIZE (1100000 rows ≈ 2 GB in all), BENCH_PARALLEL (4), BENCH_ROUNDS (1:
 * more rounds copy again, back to back, into emptied targets; the result line uses the sums).
 *
 * The machine is shared and has 2 cores: timings are noisy; the ratio is what to look at. The CPU seconds
 * each part used (the backup server, the master, mariadb-dump + mariadb, our Node process) are printed too:
 * they say where the time goes whatever else runs on the machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { startMariaDb, type MariaDbInstance } from '../../test/servers/mariadb';
import { makeRunDir } from '../../test/servers/workdir';
import { cloneMaster } from '../../core/setup/clone/clone';

const TABLES = Number(process.env.BENCH_TABLES ?? 8);
const SIZE = Number(process.env.BENCH_TABLE_SIZE ?? 1_100_000);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 4);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
const DB = 'sbtest';
const SERVER_ARGS = ['--innodb-buffer-pool-size=1G', '--innodb-log-file-size=512M', '--max-allowed-packet=64M'];

function ensureSysbench(): void {
  if (spawnSync('sysbench', ['--version']).status === 0) return;
  if (process.getuid?.() !== 0) throw new Error('sysbench is missing: apt-get install sysbench');
  console.log('Installing sysbench (apt-get)…');
  spawnSync('apt-get', ['update'], { stdio: 'inherit' });
  if (spawnSync('apt-get', ['install', '-y', 'sysbench'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status !== 0) throw new Error('apt-get install sysbench failed');
}

/** Runs a shell pipeline; resolves with the CPU seconds its processes used (bash's `times`). */
function sh(cmd: string, env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn('bash', ['-o', 'pipefail', '-c', `${cmd}\ntimes >&3`], { stdio: ['ignore', 'inherit', 'inherit', 'pipe'], env: { ...process.env, ...env } });
    let times = '';
    p.stdio[3]!.on('data', (d: Buffer) => (times += d));
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`exit ${code}: ${cmd}`));
      // Second line: the children's user and system time, "1m2.345s 0m0.678s".
      const secs = (times.trim().split('\n')[1] ?? '').split(/\s+/).map((t) => {
        const m = /^(\d+)m([\d.]+)s$/.exec(t);
        return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
      });
      resolve(secs.reduce((a, b) => a + b, 0));
    });
  });
}

/** CPU seconds (user + system) a mariadbd has used so far, found by its data directory (Linux /proc). */
function serverCpu(s: MariaDbInstance): number {
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`--datadir=${s.dataDir}\0`)) continue;
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in USER_HZ (100 on Linux)
    } catch {
      /* a process that ended meanwhile */
    }
  }
  return NaN;
}

const tableList = () => Array.from({ length: TABLES }, (_, i) => `\`${DB}\`.\`sbtest${i + 1}\``);

async function checksums(s: MariaDbInstance): Promise<string[]> {
  const c = await s.connect();
  const [r] = await c.query(`CHECKSUM TABLE ${tableList().join(', ')}`);
  await c.end();
  return (r as { Table: string; Checksum: string }[]).map((x) => `${x.Table}=${x.Checksum}`);
}

async function definitions(s: MariaDbInstance): Promise<string[]> {
  const c = await s.connect();
  const out: string[] = [];
  for (const t of tableList()) {
    const [[r]] = (await c.query(`SHOW CREATE TABLE ${t}`)) as unknown as [Record<string, string>[]];
    out.push(r!['Create Table']!);
  }
  await c.end();
  return out;
}

async function dropCopy(s: MariaDbInstance): Promise<void> {
  const c = await s.connect();
  await c.query(`DROP DATABASE IF EXISTS ${DB}`);
  await c.end();
}

const f1 = (n: number) => n.toFixed(1);

async function main(): Promise<void> {
  ensureSysbench();
  const runDir = makeRunDir('rd-bench-clone-');
  const servers: MariaDbInstance[] = [];
  try {
    const [master, t1, t2] = await Promise.all([
      startMariaDb({ name: 'master', runDir, serverId: 1, extraArgs: SERVER_ARGS }),
      startMariaDb({ name: 'dump-target', runDir, serverId: 2, extraArgs: SERVER_ARGS }),
      startMariaDb({ name: 'rd-target', runDir, serverId: 3, extraArgs: SERVER_ARGS }),
    ]);
    servers.push(master, t1, t2);
    const m = await master.connect();
    await m.query(`CREATE DATABASE ${DB}`);
    console.log(`Preparing sysbench: ${TABLES} tables × ${SIZE} rows…`);
    const t0 = Date.now();
    await sh(
      `sysbench oltp_read_write --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port=${master.port} --mysql-user=${master.user} --mysql-password=${master.password} --mysql-db=${DB} --tables=${TABLES} --table-size=${SIZE} --threads=2 prepare > /dev/null`,
    );
    const [[size]] = (await m.query(`SELECT SUM(DATA_LENGTH + INDEX_LENGTH) AS b, SUM(TABLE_ROWS) AS r FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${DB}'`)) as unknown as [{ b: string; r: string }[]];
    await m.end();
    console.log(`Prepared in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${(Number(size!.b) / 1024 ** 3).toFixed(2)} GiB on disk (data + indexes), about ${size!.r} rows.`);
    const expected = await checksums(master); // also warms the page cache for both copies alike
    const expectedDefs = await definitions(master);

    let dumpTotal = 0;
    let rdTotal = 0;
    let same = true;
    for (let round = 1; round <= ROUNDS; round++) {
      if (round > 1) await Promise.all([dropCopy(t1), dropCopy(t2)]);
      const label = ROUNDS > 1 ? `[round ${round}/${ROUNDS}] ` : '';

      const dm = serverCpu(master);
      const dt = serverCpu(t1);
      const d0 = Date.now();
      // Same conditions as ours: the copy does not go into the target's own binary log.
      const dumpCpu = await sh(
        `mariadb-dump --no-defaults -h127.0.0.1 -P${master.port} -u${master.user} --single-transaction --master-data=2 --databases ${DB} | mariadb --no-defaults -h127.0.0.1 -P${t1.port} -u${t1.user} --init-command='SET sql_log_bin=0'`,
        { MYSQL_PWD: master.password },
      );
      const dumpSec = (Date.now() - d0) / 1000;
      console.log(`${label}mariadb-dump | mariadb: ${f1(dumpSec)} s   CPU s: backup server ${f1(serverCpu(t1) - dt)}, master ${f1(serverCpu(master) - dm)}, mariadb-dump + mariadb ${f1(dumpCpu)}`);

      const rm = serverCpu(master);
      const rt = serverCpu(t2);
      const rc = process.cpuUsage();
      const r0 = Date.now();
      const r = await cloneMaster({ source: { host: master.host, port: master.port, user: master.user, password: master.password }, target: { host: t2.host, port: t2.port, user: t2.user, password: t2.password }, databases: [DB], parallel: PARALLEL });
      const rdSec = (Date.now() - r0) / 1000;
      const node = process.cpuUsage(rc);
      console.log(
        `${label}ReplicaDesk clone (parallel ${PARALLEL}, snapshot ${r.snapshotMethod}, rows by ${r.rowsMethod}, ${r.indexesBuiltAfterData} tables with indexes built after the data): ${f1(rdSec)} s, ${r.rows} rows, position ${r.binlogFile}:${r.binlogPos} gtid ${r.gtidPos}` +
          `   CPU s: backup server ${f1(serverCpu(t2) - rt)}, master ${f1(serverCpu(master) - rm)}, Node ${f1((node.user + node.system) / 1e6)}`,
      );

      const [a, b] = [await checksums(t1), await checksums(t2)];
      const [da, db] = [await definitions(t1), await definitions(t2)];
      const dumpSame = JSON.stringify(a) === JSON.stringify(expected);
      const rdSame = JSON.stringify(b) === JSON.stringify(expected) && JSON.stringify(db) === JSON.stringify(expectedDefs);
      console.log(`${label}Identical to the master (CHECKSUM TABLE, and SHOW CREATE TABLE for ours): dump copy ${dumpSame}${JSON.stringify(da) === JSON.stringify(expectedDefs) ? '' : ' (definitions differ)'}, ReplicaDesk copy ${rdSame}`);
      same &&= dumpSame && rdSame;
      dumpTotal += dumpSec;
      rdTotal += rdSec;
    }
    const ratio = rdTotal / dumpTotal;
    console.log(`\nRESULT  mariadb-dump|mariadb ${f1(dumpTotal)} s   ReplicaDesk ${f1(rdTotal)} s   ratio ${ratio.toFixed(2)} (target ≤ 0.70)   identical: ${same}${ROUNDS > 1 ? `   (${ROUNDS} rounds)` : ''}`);
    if (!same) process.exitCode = 1;
  } finally {
    await Promise.allSettled(servers.map((s) => s.stop()));
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error((err as Error)?.stack ?? String(err));
  process.exit(1);
});
