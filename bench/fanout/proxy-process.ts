/**
 * The ReplicaDesk fan-out proxy alone in its own process, for bench/fanout/run.ts: like pgpool-II it then
 * has its own CPU time and memory (measured from /proc), and it can be profiled with node's flags
 * (BENCH_PROXY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof").
 *
 *   node --import tsx bench/fanout/proxy-process.ts <pgpool.conf> <port>
 *
 * Prints "ready" on stdout once it listens; stops cleanly on SIGTERM/SIGINT (so --cpu-prof writes its file).
 */
import { loadPgpoolConfig } from '../../core/pg/options';
import { FanoutProxy } from '../../core/pg/proxy';

async function main(): Promise<void> {
  const [conf, port] = process.argv.slice(2);
  if (!conf || !port) throw new Error('usage: proxy-process.ts <pgpool.conf> <port>');
  const loaded = loadPgpoolConfig(conf, { name: 'bench' });
  const flush = process.env.BENCH_OTHERS_FLUSH as 'eager' | 'deferred' | 'adaptive' | undefined;
  const proxy = new FanoutProxy({ ...loaded.options, port: Number(port), ...(flush ? { othersFlush: flush } : {}), ...(process.env.BENCH_DETACH_ROWS ? { detachOnRowCountMismatch: true } : {}) });
  let mismatches = 0;
  proxy.on('event', (e) => {
    if (e.type === 'mismatch' || e.type === 'node-status') {
      mismatches += e.type === 'mismatch' ? 1 : 0;
      process.stderr.write(`proxy event: ${JSON.stringify(e)}\n`);
    }
  });
  await proxy.start();
  process.stdout.write('ready\n');
  const stop = () => {
    void proxy.stop().finally(() => {
      process.stderr.write(`proxy stopped (${mismatches} mismatch events)\n`);
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`proxy-process failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(2);
});
