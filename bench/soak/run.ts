/**
 * Soak test for the long-running service (issue 7): the real `replicadesk serve` process under steady API and
 * event-stream load for several minutes, its RSS and open file descriptors sampled, and the trend judged.
 * Not part of `npm test` (it runs for minutes); run with `npm run bench:soak -- --minutes 10`, and add
 * `--heap-snapshots` to compare two heap snapshots of the service (after the first third, at the end): live
 * objects after a full GC tell a leak from a heap that is still growing into its size, which RSS cannot.
 *
 * What runs: throwaway MariaDB (master, target) and two PostgreSQL servers from the test harness; inside the
 * service a replicating channel (its own database, writes on the master all the time) and an idle fan-out
 * over the two PostgreSQL servers; outside, API calls of every query method, WebSocket subscribers that
 * connect and drop, and malformed requests. At the end the backup must hold every row written.
 *
 * Linux only (reads /proc). Timings on shared 2-core machines are noisy; the verdict uses the trend of the
 * second half (after warm-up), not single samples.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { freePort } from '../../test/servers/ports';
import { heapGrowth, summarizeSnapshot, type HeapSummary } from './heap-diff';
import { mysqlConnect, startSuite, uniqueName, type RunningSuite } from '../../test/servers/suite';

const root = path.resolve(__dirname, '../..');
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    'sample-seconds': { type: 'string', default: '10' },
    rate: { type: 'string', default: '50' },
    'writes-per-second': { type: 'string', default: '20' },
    // Two heap snapshots of the service (after the first third, at the end) and what grew in between.
    'heap-snapshots': { type: 'boolean', default: false },
  },
});
const writesPerSecond = Number(values['writes-per-second']);
const minutes = Number(values.minutes);
const sampleMs = Number(values['sample-seconds']) * 1000;
const callsPerSecond = Number(values.rate);

interface Sample {
  t: number;
  rssKb: number;
  fds: number;
  calls: number;
  errors: number;
}

function procStatus(pid: number): { rssKb: number; fds: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
  return { rssKb, fds };
}

/** Least-squares slope of y over x (units of y per unit of x). */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) ((num += (xs[i]! - mx) * (ys[i]! - my)), (den += (xs[i]! - mx) ** 2));
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('The soak harness reads /proc: Linux only.');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-soak-'));
  // Kept after the run (printed), for a closer look in Chrome DevTools' Memory tab.
  const snapDir = values['heap-snapshots'] ? fs.mkdtempSync(path.join(os.tmpdir(), 'rd-soak-heap-')) : '';
  const heapArgs = snapDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapDir}`] : [];
  const child = spawn(process.execPath, [...heapArgs, path.join(root, 'bin', 'replicadesk.js'), 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  // The address line may carry the token (a terminal) or not (stdout is a pipe here, like a journal): the
  // token file in the data dir is the one source either way.
  while (!/Open: (\S+)/.test(out)) {
    if (child.exitCode !== null) throw new Error(`serve exited:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = new URL(/Open: (\S+)/.exec(out)![1]!.replace(/#.*$/, ''));
  const token = fs.readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  let calls = 0;
  let errors = 0;
  const call = (body: string) =>
    new Promise<void>((resolve) => {
      const req = http.request({ host: url.hostname, port: url.port, path: '/api/call', method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => {
          calls++;
          if (res.statusCode !== 200 && res.statusCode !== 400) errors++;
          resolve();
        });
      });
      req.on('error', () => (errors++, resolve()));
      req.end(body);
    });
  const bodies = [
    '{"method":"service.info","params":{}}',
    '{"method":"channels.list","params":{}}',
    '{"method":"fanouts.list","params":{}}',
    '{"method":"history.list","params":{"limit":50}}',
    '{"method":"jobs.list","params":{}}',
    '{"method":"no.such.method"}',
    '{not json',
  ];
  const apiCall = async (method: string, params: unknown) => {
    const res = await fetch(new URL('api/call', url), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ method, params }) });
    const body = (await res.json()) as { ok: boolean; result?: unknown; error?: { message: string } };
    if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
    return body.result;
  };
  const units = await startUnits(apiCall);
  const end = Date.now() + minutes * 60_000;
  const samples: Sample[] = [];
  const t0 = Date.now();
  const sampler = setInterval(() => samples.push({ t: (Date.now() - t0) / 1000, ...procStatus(child.pid!), calls, errors }), sampleMs);
  samples.push({ t: 0, ...procStatus(child.pid!), calls, errors });
  // Subscribers that come and go, as browser tabs do.
  const wsLoop = (async () => {
    while (Date.now() < end) {
      const ws = new WebSocket(`ws://${url.host}/api/events?token=${token}`);
      await new Promise((r) => (ws.on('open', r), ws.on('error', r)));
      await new Promise((r) => setTimeout(r, 2000));
      ws.terminate();
    }
  })();
  // A snapshot (V8 collects garbage first) once warmed up, and one at the end, under the same load.
  const snapshots: string[] = [];
  const snapshotTimes: number[] = [];
  const takeSnapshot = async () => {
    const before = new Set(fs.readdirSync(snapDir));
    snapshotTimes.push(Date.now());
    child.kill('SIGUSR2');
    for (;;) {
      const fresh = fs.readdirSync(snapDir).filter((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
      // Written in one go but not atomically: wait until the size stops changing.
      if (fresh.length) {
        const file = path.join(snapDir, fresh[0]!);
        const size = fs.statSync(file).size;
        await new Promise((r) => setTimeout(r, 1000));
        if (size > 0 && fs.statSync(file).size === size) return void snapshots.push(file);
      } else await new Promise((r) => setTimeout(r, 250));
    }
  };
  // The first after warm-up; the second after the last RSS sample (writing a snapshot raises RSS, so the
  // trend is judged on the samples between the two: the second half comes after the first snapshot).
  const snapAt = heapArgs.length ? [t0 + (end - t0) / 3] : [];
  let i = 0;
  while (Date.now() < end) {
    if (snapAt.length && Date.now() >= snapAt[0]!) {
      snapAt.shift();
      await takeSnapshot();
    }
    const batch = Math.max(1, Math.round(callsPerSecond / 10));
    await Promise.all(Array.from({ length: batch }, () => call(bodies[i++ % bodies.length]!)));
    await new Promise((r) => setTimeout(r, 100));
  }
  await wsLoop;
  clearInterval(sampler);
  samples.push({ t: (Date.now() - t0) / 1000, ...procStatus(child.pid!), calls, errors });
  if (heapArgs.length) await takeSnapshot();
  const written = await units.stopWriting();
  const applied = await units.waitApplied(written);
  if (applied !== written) {
    // Say where the channel stood, before everything is removed.
    const st = (await apiCall('channels.status', { name: 'soak' }).catch((e: Error) => ({ error: e.message }))) as Record<string, unknown>;
    const keys = ['Slave_IO_Running', 'Slave_SQL_Running', 'Slave_IO_State', 'Slave_SQL_Running_State', 'Last_IO_Errno', 'Last_IO_Error', 'Last_SQL_Errno', 'Last_SQL_Error', 'Read_Master_Log_Pos', 'Exec_Master_Log_Pos', 'error'];
    console.log(`channel status: ${JSON.stringify(Object.fromEntries(keys.filter((k) => k in st).map((k) => [k, st[k]])))}`);
    const errs = (await apiCall('history.list', { limit: 10, severity: 'error' }).catch(() => [])) as { at: string; source: string; message: string }[];
    for (const e of errs) console.log(`  history error ${e.at} ${e.source}: ${e.message.slice(0, 200)}`);
  }
  await units.cleanup();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  agent.destroy();
  await units.suite.stop();

  // GC makes RSS saw-tooth; the floor of each minute (what survives a collection) is what a leak raises.
  const floors = new Map<number, Sample>();
  for (const smp of samples) {
    const minute = Math.floor(smp.t / 60);
    const cur = floors.get(minute);
    if (!cur || smp.rssKb < cur.rssKb) floors.set(minute, smp);
  }
  const perMinute = [...floors.values()].sort((a, b) => a.t - b.t);
  const half = perMinute.slice(Math.floor(perMinute.length / 2));
  const rssSlope = half.length >= 3 ? slope(half.map((s) => s.t), half.map((s) => s.rssKb)) * 3600 : NaN; // KB per hour
  const fdHalf = samples.slice(Math.floor(samples.length / 2));
  const fdSlope = slope(fdHalf.map((s) => s.t), fdHalf.map((s) => s.fds)) * 3600;
  const outDir = path.join(root, 'test-artifacts', 'soak');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ minutes, callsPerSecond, samples, rssSlopeKbPerHour: rssSlope, fdSlopePerHour: fdSlope }, null, 2));
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  console.log(`soak: ${minutes} min, ${last.calls} calls (${last.errors} transport errors), ${samples.length} samples -> ${path.relative(root, file)}`);
  console.log(`RSS ${first.rssKb} KB -> ${last.rssKb} KB (max ${Math.max(...samples.map((s) => s.rssKb))} KB); per-minute floors ${perMinute.map((s) => s.rssKb).join(' ')} KB; second-half trend ${Number.isNaN(rssSlope) ? 'n/a (run 6+ minutes)' : `${rssSlope.toFixed(0)} KB/hour`}`);
  console.log(`channel: ${written} rows written on the master, ${applied} on the backup at the end${applied === written ? '' : ' — MISMATCH'}`);
  console.log(`open fds ${first.fds} -> ${last.fds} (max ${Math.max(...samples.map((s) => s.fds))}); second-half trend ${fdSlope.toFixed(1)} per hour`);
  // RSS is judged loosely on purpose (GC saw-tooth, allocator arenas, and a heap snapshot raises it for good):
  // a real leak per request at this rate grows by tens of MB per hour. The heap comparison, when taken, is the
  // sharper test: live objects after a full GC, JIT code left out (it grows while functions get optimized).
  // A leak keeps setting new highs: the floors of the last third must also top every floor before them (a
  // collection that shrinks the heap mid-run makes the slope alone climb back up without any new high).
  const third = Math.max(1, Math.floor(perMinute.length / 3));
  const newHigh = Math.max(...perMinute.slice(-third).map((x) => x.rssKb)) > Math.max(...perMinute.slice(1, -third).map((x) => x.rssKb), 0);
  const rssGrowth = rssSlope > 20_000 && newHigh;
  console.log(`VERDICT RSS: ${Number.isNaN(rssSlope) ? 'too short to judge (run 6+ minutes)' : rssGrowth ? 'growth trend' : `no growth trend${newHigh ? '' : ' (no new high in the last third)'}`}`);
  console.log(`VERDICT open fds: ${fdSlope > 10 ? 'growth trend' : 'no growth trend'}`);
  let heapLeak: boolean | undefined;
  if (snapshots.length === 2) {
    const [a, b] = snapshots.map((f) => summarizeSnapshot(f)) as [HeapSummary, HeapSummary];
    const hours = (snapshotTimes[1]! - snapshotTimes[0]!) / 3_600_000;
    const grew = heapGrowth(a, b, Infinity).filter((g) => g.type !== 'code');
    const bytes = grew.reduce((n, g) => n + g.bytesDelta, 0);
    const objects = grew.reduce((n, g) => n + g.countDelta, 0);
    console.log(`heap (after GC) ${(a.totalBytes / 1e6).toFixed(1)} MB / ${a.nodes} objects -> ${(b.totalBytes / 1e6).toFixed(1)} MB / ${b.nodes} objects in ${(hours * 60).toFixed(1)} min; grew most:`);
    for (const g of heapGrowth(a, b)) console.log(`  ${g.bytesDelta >= 0 ? '+' : ''}${(g.bytesDelta / 1024).toFixed(1)} KB  ${g.countDelta >= 0 ? '+' : ''}${g.countDelta} (now ${g.count})  ${g.type} ${g.name.slice(0, 80)}`);
    const biggest = [...b.groups.values()].sort((x, y) => y.bytes - x.bytes).slice(0, 6);
    console.log(`  biggest at the end: ${biggest.map((g) => `${g.type} ${g.name.slice(0, 40)} ${(g.bytes / 1e6).toFixed(1)} MB`).join('; ')}`);
    console.log(`  snapshots kept: ${snapshots.join(' ')}`);
    heapLeak = bytes / hours > 1_000_000;
    console.log(`VERDICT heap: ${(bytes / 1024).toFixed(0)} KB and ${objects} objects more (JIT code left out) = ${(bytes / hours / 1e6).toFixed(2)} MB/hour: ${heapLeak ? 'growth trend' : 'no growth trend'}`);
    fs.writeFileSync(file.replace(/\.json$/, '-heap.json'), JSON.stringify({ snapshots, minutesBetween: hours * 60, before: a.totalBytes, after: b.totalBytes, nonCodeBytesPerHour: bytes / hours, grew: heapGrowth(a, b, 40) }, null, 2));
  }
  // With a heap comparison, it decides about memory; without, the RSS trend does.
  const leak = (heapLeak ?? rssGrowth) || fdSlope > 10 || applied !== written;
  console.log(`VERDICT: ${leak ? 'growth trend — investigate' : 'no growth trend'}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exitCode = leak ? 1 : 0;
}

/**
 * A replicating channel (writes on the master all the time, into a database of its own) and an idle fan-out
 * over the two PostgreSQL servers, created through the API like the UI does.
 */
async function startUnits(api: (method: string, params: unknown) => Promise<unknown>): Promise<{
  suite: RunningSuite;
  stopWriting(): Promise<number>;
  waitApplied(n: number): Promise<number>;
  cleanup(): Promise<void>;
}> {
  const suite = await startSuite();
  const { master, target, pg } = suite.info;
  const db = uniqueName('soak');
  const m = await mysqlConnect(master);
  await m.query(`CREATE DATABASE \`${db}\``);
  await m.query(`CREATE TABLE \`${db}\`.events (id INT AUTO_INCREMENT PRIMARY KEY, payload VARCHAR(200), at DATETIME(6))`);
  const [st] = await m.query('SHOW MASTER STATUS');
  const pos = (st as { File: string; Position: number }[])[0]!;
  const t = await mysqlConnect(target);
  await t.query(`CREATE DATABASE \`${db}\``);
  await t.query(`CREATE TABLE \`${db}\`.events (id INT AUTO_INCREMENT PRIMARY KEY, payload VARCHAR(200), at DATETIME(6))`);
  const ep = (s: typeof master) => ({ host: s.host, port: s.port, user: s.user, password: s.password });
  await api('channels.create', { name: 'soak', master: ep(master), target: ep(target), start: { file: pos.File, pos: Number(pos.Position) }, filters: { doDb: [db] } });
  await api('channels.start', { name: 'soak' });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-soak-pgpool-'));
  const conf = path.join(dir, 'pgpool.conf');
  const port = await freePort();
  fs.writeFileSync(
    conf,
    ["backend_clustering_mode = 'native_replication'", "listen_addresses = '127.0.0.1'", `port = ${port}`, ...pg.flatMap((p, i) => [`backend_hostname${i} = '${p.host}'`, `backend_port${i} = ${p.port}`, `backend_weight${i} = 1`]), 'health_check_period = 5', `health_check_user = '${pg[0]!.user}'`, `health_check_password = '${pg[0]!.password}'`].join('\n') + '\n',
  );
  await api('fanouts.create', { name: 'soak-pg', configPath: conf });
  await api('fanouts.start', { name: 'soak-pg' });

  let writing = true;
  let written = 0;
  const writer = (async () => {
    while (writing) {
      const batch = Math.max(1, Math.round(writesPerSecond / 10));
      for (let i = 0; i < batch; i++) {
        await m.query(`INSERT INTO \`${db}\`.events (payload, at) VALUES (?, NOW(6))`, ['x'.repeat(100)]);
        written++;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    suite,
    stopWriting: async () => {
      writing = false;
      await writer;
      return written;
    },
    waitApplied: async (n) => {
      const deadline = Date.now() + 120_000;
      let count = 0;
      while (Date.now() < deadline) {
        const [rows] = await t.query(`SELECT COUNT(*) AS n FROM \`${db}\`.events`);
        count = Number((rows as { n: number }[])[0]!.n);
        if (count >= n) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      return count;
    },
    cleanup: async () => {
      await api('channels.stop', { name: 'soak' }).catch(() => undefined);
      await api('channels.delete', { name: 'soak' }).catch(() => undefined);
      await api('fanouts.delete', { name: 'soak-pg' }).catch(() => undefined);
      await m.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
      await t.query(`DROP DATABASE IF EXISTS \`${db}\``).catch(() => undefined);
      await m.end();
      await t.end();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
