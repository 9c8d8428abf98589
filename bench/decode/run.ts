/**
 * npm run bench:decode — binlog decoder throughput and `replicadesk binlog dump --verbose` against
 * `mariadb-binlog --base64-output=decode-rows -v` on the same ≥300 MB ROW binlog.
 *
 * The binlog is generated once with sysbench oltp_write_only on a throwaway MariaDB (harness) and cached in
 * $BENCH_DECODE_CACHE (default /tmp/replicadesk-bench-decode). Environment: BENCH_DECODE_MB (target size,
 * default 320), BENCH_DECODE_RUNS (decoder runs, default 3).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import type { readBinlogFile as ReadBinlogFile } from '../../core/mysql/binlog/file-reader';
import type { BinlogEvent } from '../../core/mysql/binlog/events';
import type { Row, UpdatedRow } from '../../core/mysql/binlog/types';
import { startMariaDb } from '../../test/servers/mariadb';
import { ensureServerPackages, MARIADB_BINARIES } from '../../test/servers/packages';
import { makeRunDir } from '../../test/servers/workdir';

const root = path.resolve(__dirname, '../..');
const cacheDir = process.env.BENCH_DECODE_CACHE ?? path.join(os.tmpdir(), 'replicadesk-bench-decode');
const targetMb = Number(process.env.BENCH_DECODE_MB ?? 320);
const runs = Number(process.env.BENCH_DECODE_RUNS ?? 3);
const log = (s: string) => process.stdout.write(s + '\n');

async function generate(): Promise<string[]> {
  const manifest = path.join(cacheDir, 'manifest.json');
  if (fs.existsSync(manifest)) {
    const m = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { files: string[]; bytes: number };
    if (m.bytes >= targetMb * 1e6 && m.files.every((f) => fs.existsSync(path.join(cacheDir, f)))) {
      log(`Using the cached binlog in ${cacheDir} (${(m.bytes / 1e6).toFixed(0)} MB; delete it to regenerate).`);
      return m.files.map((f) => path.join(cacheDir, f));
    }
  }
  ensureServerPackages([{ file: '/usr/bin/sysbench', pkg: 'sysbench' }]);
  const runDir = makeRunDir('rd-bench-decode-');
  log(`Generating a ${targetMb} MB ROW binlog with sysbench oltp_write_only (MariaDB in ${runDir})...`);
  const server = await startMariaDb({ name: 'bench', runDir, serverId: 1, extraArgs: ['--max-binlog-size=1073741824', '--innodb-buffer-pool-size=256M'] });
  try {
    const conn = await server.connect();
    await conn.query('CREATE DATABASE sbtest');
    await conn.end();
    const common = ['--db-driver=mysql', `--mysql-host=127.0.0.1`, `--mysql-port=${server.port}`, `--mysql-user=${server.user}`, `--mysql-password=${server.password}`, '--mysql-db=sbtest', '--tables=4', '--table-size=100000'];
    execFileSync('sysbench', ['oltp_write_only', ...common, 'prepare'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const binlog = path.join(server.dataDir, 'binlog.000001');
    for (let round = 1; fs.statSync(binlog).size < targetMb * 1e6; round++) {
      execFileSync('sysbench', ['oltp_write_only', ...common, '--threads=4', '--time=20', '--report-interval=0', 'run'], { stdio: ['ignore', 'ignore', 'inherit'] });
      log(`  round ${round}: ${(fs.statSync(binlog).size / 1e6).toFixed(0)} MB`);
    }
    const c2 = await server.connect();
    await c2.query('FLUSH BINARY LOGS'); // closes binlog.000001 cleanly (no torn tail, not "in use")
    await c2.end();
    await server.stop();
    fs.rmSync(cacheDir, { recursive: true, force: true });
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.copyFileSync(binlog, path.join(cacheDir, 'binlog.000001'));
    const bytes = fs.statSync(path.join(cacheDir, 'binlog.000001')).size;
    fs.writeFileSync(manifest, JSON.stringify({ files: ['binlog.000001'], bytes, generator: 'sysbench oltp_write_only, 4 tables x 100000 rows, 4 threads', server: 'MariaDB (harness)' }));
    return [path.join(cacheDir, 'binlog.000001')];
  } finally {
    await server.stop().catch(() => undefined);
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}

/**
 * The decoder as it ships is compiled JavaScript: we bundle core/mysql/binlog with esbuild and load it into
 * this process (under tsx, module imports become getters, which would measure the loader, not the decoder).
 */
async function loadCompiledDecoder(): Promise<typeof ReadBinlogFile> {
  const out = path.join(cacheDir, 'binlog-decoder.js');
  await build({ entryPoints: [path.join(root, 'core/mysql/binlog/index.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, packages: 'external', logLevel: 'error', absWorkingDir: root, nodePaths: [path.join(root, 'node_modules')] });
  process.env.NODE_PATH = path.join(root, 'node_modules');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('node:module').Module._initPaths();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(out) as { readBinlogFile: typeof ReadBinlogFile }).readBinlogFile;
}

/** Decodes the files in-process, every row image of every rows event fully decoded. */
async function decodeOnce(readBinlogFile: typeof ReadBinlogFile, files: string[]): Promise<{ seconds: number; cpu: number; bytes: number; events: number; rows: number; values: number }> {
  let events = 0;
  let rows = 0;
  let values = 0;
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (const f of files) {
    const r = await readBinlogFile(f, (e: BinlogEvent) => {
      events++;
      if (e.kind === 'rows') {
        for (const row of e.rows as (Row | UpdatedRow)[]) {
          rows++;
          if (Array.isArray(row)) values += row.length;
          else values += row.before.length + row.after.length;
        }
      }
    });
    bytes += r.bytes;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { seconds, cpu: (c.user + c.system) / 1e6, bytes, events, rows, values };
}

/** Runs a command with stdout to /dev/null under /usr/bin/time: wall seconds and peak RSS. */
function timed(cmd: string, args: string[]): Promise<{ seconds: number; cpu: number | undefined; maxRssMb: number | undefined; code: number }> {
  return new Promise((resolve, reject) => {
    const devnull = fs.openSync('/dev/null', 'w');
    const useTime = fs.existsSync('/usr/bin/time');
    const t0 = process.hrtime.bigint();
    const child = useTime ? spawn('/usr/bin/time', ['-f', '__RSS_KB__ %M %U %S', cmd, ...args], { stdio: ['ignore', devnull, 'pipe'], env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') } }) : spawn(cmd, args, { stdio: ['ignore', devnull, 'pipe'], env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') } });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      fs.closeSync(devnull);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const m = /__RSS_KB__ (\d+) ([\d.]+) ([\d.]+)/.exec(err);
      if (code !== 0) process.stderr.write(err.replace(/__RSS_KB__ .*\n?/, ''));
      resolve({ seconds, cpu: m ? Number(m[2]) + Number(m[3]) : undefined, maxRssMb: m ? Number(m[1]) / 1024 : undefined, code: code ?? 1 });
    });
  });
}

async function main(): Promise<void> {
  const files = await generate();
  const total = files.reduce((a, f) => a + fs.statSync(f).size, 0);
  log(`\nBinlog: ${files.join(', ')} (${(total / 1e6).toFixed(1)} MB). Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}. Timings are noisy: other work shares these cores.`);

  log('Reference (../shared/reference/binlog-readers.md, same kind of machine, 598 MB sysbench binlog): @vlasky/zongji 57 MB/s; mariadb-binlog decode-rows -v 12.4 s (48 MB/s).');
  log(`\n1) In-process decoder (compiled; readBinlogFile, CRC32 verified, every row fully decoded), ${runs} runs:`);
  const readBinlogFile = await loadCompiledDecoder();
  const results = [];
  for (let i = 0; i < runs; i++) {
    const r = await decodeOnce(readBinlogFile, files);
    results.push(r);
    log(
      `   run ${i + 1}: ${r.seconds.toFixed(2)} s wall (${(r.bytes / 1e6 / r.seconds).toFixed(0)} MB/s, ${(r.events / r.seconds / 1000).toFixed(0)}k events/s, ${(r.rows / r.seconds / 1000).toFixed(0)}k rows/s); ` +
        `${r.cpu.toFixed(2)} s CPU (${(r.bytes / 1e6 / r.cpu).toFixed(0)} MB/s)  [${r.events} events, ${r.rows} rows, ${r.values} values]`,
    );
  }
  const byWall = [...results].sort((a, b) => a.seconds - b.seconds);
  const byCpu = [...results].sort((a, b) => a.cpu - b.cpu);
  const mbps = (r: { bytes: number }, s: number) => (r.bytes / 1e6 / s).toFixed(0);
  log(`   decoder: best ${mbps(byWall[0]!, byWall[0]!.seconds)} MB/s wall, median ${mbps(byWall[Math.floor(runs / 2)]!, byWall[Math.floor(runs / 2)]!.seconds)} MB/s wall, best ${mbps(byCpu[0]!, byCpu[0]!.cpu)} MB/s per CPU second (target ≥ 150 MB/s)`);
  log(`   best ${(byWall[0]!.events / byWall[0]!.seconds / 1000).toFixed(0)}k events/s, ${(byWall[0]!.rows / byWall[0]!.seconds / 1000).toFixed(0)}k rows/s; peak RSS of this process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);

  // The CLI as it ships: compiled JS (bundled here with esbuild; dependencies stay external).
  const cli = path.join(cacheDir, 'replicadesk-cli.js');
  await build({ entryPoints: [path.join(root, 'core/cli/main.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: cli, packages: 'external', logLevel: 'error', absWorkingDir: root });
  const ourArgs = [cli, 'binlog', 'dump', '--verbose', ...files];
  const theirArgs = ['--base64-output=decode-rows', '-v', ...files];
  log(`\n2) Dump to /dev/null (2 runs each, alternating):\n   ours:   node ${ourArgs.join(' ')}\n   theirs: ${MARIADB_BINARIES.binlog} ${theirArgs.join(' ')}`);
  const ours = [];
  const theirs = [];
  for (let i = 0; i < 2; i++) {
    ours.push(await timed(process.execPath, ourArgs));
    theirs.push(await timed(MARIADB_BINARIES.binlog, theirArgs));
  }
  const fmt = (r: { seconds: number; cpu: number | undefined; code: number }) => `${r.seconds.toFixed(2)} s wall / ${r.cpu === undefined ? '?' : r.cpu.toFixed(2)} s CPU${r.code ? ` (exit ${r.code})` : ''}`;
  const rss = (x: number | undefined) => (x === undefined ? '?' : `${x.toFixed(0)} MB`);
  log(`   replicadesk binlog dump --verbose: ${ours.map(fmt).join(', ')}; peak RSS ${rss(ours[0]!.maxRssMb)}`);
  log(`   mariadb-binlog decode-rows -v:     ${theirs.map(fmt).join(', ')}; peak RSS ${rss(theirs[0]!.maxRssMb)}`);
  const minOf = (xs: { seconds: number }[]) => Math.min(...xs.map((x) => x.seconds));
  const minCpu = (xs: { cpu: number | undefined }[]) => Math.min(...xs.map((x) => x.cpu ?? Infinity));
  log(`   ratio ours/mariadb-binlog: ${(minOf(ours) / minOf(theirs)).toFixed(2)} wall (best of 2 each), ${(minCpu(ours) / minCpu(theirs)).toFixed(2)} CPU time (target ≤ 1.0)`);
  if (ours.some((r) => r.code !== 0) || theirs.some((r) => r.code !== 0)) process.exitCode = 1;

  // Flat memory: the same files given three times (3× the bytes) should peak at about the same RSS.
  const thrice = await timed(process.execPath, [...ourArgs.slice(0, 4), ...files, ...files, ...files]);
  log(`   peak RSS dumping ${((3 * total) / 1e6).toFixed(0)} MB (the file 3 times): ${rss(thrice.maxRssMb)}; ${(total / 1e6).toFixed(0)} MB: ${rss(ours[0]!.maxRssMb)} (flat memory when these are close)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:decode failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
