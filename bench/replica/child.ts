/**
 * Runs in its own process so its memory is measured alone: either a whole channel (I/O + SQL threads)
 * catching up to a given master position, or the I/O thread alone. Prints one JSON line with the time
 * and the peak resident set size (VmHWM).
 *
 *   node --import tsx bench/replica/child.ts channel <json options>
 *   node --import tsx bench/replica/child.ts io <json options>
 *
 * run.ts bundles this file with esbuild first and runs the bundle, so what is measured is compiled
 * JavaScript as the app ships it (`npm run build` output), not tsx's on-the-fly module wrappers, whose
 * export getters cost several seconds of CPU on a binlog this size.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ChannelManager } from '../../core/mysql/channel/manager';
import { IoThread } from '../../core/mysql/source/io-thread';
import { RelayLogSet } from '../../core/mysql/relay/relay-log-set';
import { KeyFileSecretBox } from '../../core/secrets/keyfile-box';
import { StateStore } from '../../core/state/store';

interface Options {
  dir: string;
  master: { host: string; port: number; user: string; password: string };
  target: { host: string; port: number; user: string; password: string };
  start: { file: string; pos: number };
  end: { file: string; pos: number };
  maxGroupTransactions?: number;
}

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 1048576;
}

function reached(cur: { file: string; pos: number }, end: { file: string; pos: number }): boolean {
  const seq = (f: string) => Number(/\.(\d+)$/.exec(f)?.[1] ?? 0);
  return seq(cur.file) > seq(end.file) || (cur.file === end.file && cur.pos >= end.pos);
}

async function channel(o: Options): Promise<void> {
  const store = await StateStore.open(o.dir);
  const mgr = new ChannelManager(store, KeyFileSecretBox.openOrCreate(o.dir), { controlPollMs: 0, statusSaveMs: 0 });
  await mgr.create({
    name: 'bench',
    master: o.master,
    target: o.target,
    start: { kind: 'file', file: o.start.file, pos: o.start.pos },
    ...(o.maxGroupTransactions ? { maxGroupTransactions: o.maxGroupTransactions } : {}),
  });
  const t0 = Date.now();
  if (process.env.BENCH_MEM) {
    setInterval(() => {
      const u = process.memoryUsage();
      process.stderr.write(`mem ${Date.now() - t0}ms rss=${(u.rss / 1048576).toFixed(0)} heap=${(u.heapUsed / 1048576).toFixed(0)}/${(u.heapTotal / 1048576).toFixed(0)} ext=${(u.external / 1048576).toFixed(0)} ab=${(u.arrayBuffers / 1048576).toFixed(0)}\n`);
    }, 250).unref();
  }
  await mgr.start('bench');
  let ioDoneMs = 0;
  for (;;) {
    const s = await mgr.status('bench');
    if (s.Last_SQL_Errno) throw new Error(`SQL thread error: ${s.Last_SQL_Error}`);
    if (!ioDoneMs && reached({ file: s.Master_Log_File, pos: s.Read_Master_Log_Pos }, o.end)) ioDoneMs = Date.now() - t0;
    if (reached({ file: s.Relay_Master_Log_File, pos: s.Exec_Master_Log_Pos }, o.end)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const ms = Date.now() - t0;
  const s = await mgr.status('bench');
  await mgr.close();
  await store.close();
  const cpu = process.cpuUsage();
  process.stdout.write(JSON.stringify({ ms, ioDoneMs, rssPeakMb: peakRssMb(), cpuMs: Math.round((cpu.user + cpu.system) / 1000), transactions: s.Slave_Transactional_Groups + s.Slave_Non_Transactional_Groups }) + '\n');
}

async function ioOnly(o: Options): Promise<void> {
  const relay = new RelayLogSet(path.join(o.dir, 'relay'), 'bench-relay-bin');
  await relay.load();
  const io = new IoThread(
    {
      channel: 'bench',
      master: o.master,
      serverId: 4242,
      replicaUuid: '00000000-0000-4000-8000-000000004242',
      useGtid: false,
      connectRetrySec: 5,
      heartbeatPeriodSec: 30,
      netTimeoutSec: 60,
      maxRelayLogSize: 1 << 30,
      relayLogSpaceLimit: 0,
      relay,
      saveCheckpoint: async () => undefined,
    },
    { source: o.start, gtid: '', lastEventTime: 0 },
  );
  const t0 = Date.now();
  const done = new Promise<void>((resolve) => relay.on('published', (cp) => reached(cp.source, o.end) && resolve()));
  io.start();
  await done;
  const ms = Date.now() - t0;
  await io.stop();
  const cpu = process.cpuUsage();
  process.stdout.write(JSON.stringify({ ms, rssPeakMb: peakRssMb(), cpuMs: Math.round((cpu.user + cpu.system) / 1000), bytes: relay.space() }) + '\n');
}

const [mode, json] = process.argv.slice(2);
const opts = JSON.parse(json ?? '{}') as Options;
(mode === 'io' ? ioOnly(opts) : channel(opts)).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
