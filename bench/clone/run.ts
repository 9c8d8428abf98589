/**
 * `npm run bench:clone`: ReplicaDesk's initial copy versus `mariadb-dump --single-transaction --master-data |
 * mariadb` on the same sysbench data (default about 2 GB), same run, each into its own fresh MariaDB; then
 * CHECKSUM TABLE on master and both copies must agree.
 *
 * Env: BENCH_TABLES (8), BENCH_TABLE_SIZE (1100000 rows ≈ 2 GB in all), BENCH_PARALLEL (4).
 * The machine is shared and has 2 cores: timings are noisy; the ratio is what to look at.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { startMariaDb, type MariaDbInstance } from '../../test/servers/mariadb';
import { makeRunDir } from '../../test/servers/workdir';
import { cloneMaster } from '../../core/setup/clone/clone';

const TABLES = Number(process.env.BENCH_TABLES ?? 8);
const SIZE = Number(process.env.BENCH_TABLE_SIZE ?? 1_100_000);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 4);
const DB = 'sbtest';
const SERVER_ARGS = ['--innodb-buffer-pool-size=1G', '--innodb-log-file-size=512M', '--max-allowed-packet=64M'];

function ensureSysbench(): void {
  if (spawnSync('sysbench', ['--version']).status === 0) return;
  if (process.getuid?.() !== 0) throw new Error('sysbench is missing: apt-get install sysbench');
  console.log('Installing sysbench (apt-get)…');
  spawnSync('apt-get', ['update'], { stdio: 'inherit' });
  if (spawnSync('apt-get', ['install', '-y', 'sysbench'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status !== 0) throw new Error('apt-get install sysbench failed');
}

function sh(cmd: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('bash', ['-o', 'pipefail', '-c', cmd], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}: ${cmd}`))));
  });
}

async function checksums(s: MariaDbInstance): Promise<string[]> {
  const c = await s.connect();
  const [r] = await c.query(`CHECKSUM TABLE ${Array.from({ length: TABLES }, (_, i) => `\`${DB}\`.\`sbtest${i + 1}\``).join(', ')}`);
  await c.end();
  return (r as { Table: string; Checksum: string }[]).map((x) => `${x.Table}=${x.Checksum}`);
}

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

    const d0 = Date.now();
    // Same conditions as ours: the copy does not go into the target's own binary log.
    await sh(
      `mariadb-dump --no-defaults -h127.0.0.1 -P${master.port} -u${master.user} --single-transaction --master-data=2 --databases ${DB} | mariadb --no-defaults -h127.0.0.1 -P${t1.port} -u${t1.user} --init-command='SET sql_log_bin=0'`,
      { MYSQL_PWD: master.password },
    );
    const dumpSec = (Date.now() - d0) / 1000;
    console.log(`mariadb-dump | mariadb: ${dumpSec.toFixed(1)} s`);

    const r0 = Date.now();
    const r = await cloneMaster({ source: { host: master.host, port: master.port, user: master.user, password: master.password }, target: { host: t2.host, port: t2.port, user: t2.user, password: t2.password }, databases: [DB], parallel: PARALLEL });
    const rdSec = (Date.now() - r0) / 1000;
    console.log(`ReplicaDesk clone (parallel ${PARALLEL}, snapshot ${r.snapshotMethod}): ${rdSec.toFixed(1)} s, ${r.rows} rows, position ${r.binlogFile}:${r.binlogPos} gtid ${r.gtidPos}`);

    const [a, b] = [await checksums(t1), await checksums(t2)];
    const same = JSON.stringify(a) === JSON.stringify(expected) && JSON.stringify(b) === JSON.stringify(expected);
    console.log(`Checksums (CHECKSUM TABLE, ${TABLES} tables): master = dump copy: ${JSON.stringify(a) === JSON.stringify(expected)}, master = ReplicaDesk copy: ${JSON.stringify(b) === JSON.stringify(expected)}`);
    const ratio = rdSec / dumpSec;
    console.log(`\nRESULT  mariadb-dump|mariadb ${dumpSec.toFixed(1)} s   ReplicaDesk ${rdSec.toFixed(1)} s   ratio ${ratio.toFixed(2)} (target ≤ 0.70)   identical: ${same}`);
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
