// scratch (not committed): two backends with pgbench tables, kept up until SIGTERM
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startPostgres } from '../../test/servers/postgres';
import { makeRunDir } from '../../test/servers/workdir';
async function main() {
  const dir = makeRunDir('rd-perfenv-');
  const bs = await Promise.all([0, 1].map((i) => startPostgres({ name: `pg${i}`, runDir: dir })));
  for (const b of bs) {
    const c = await b.connect(); await c.query('CREATE DATABASE bench'); await c.end();
    execFileSync('/usr/lib/postgresql/15/bin/pgbench', ['-h', b.host, '-p', String(b.port), '-U', 'postgres', '-i', '-s', '10', '-q', 'bench'], { env: { ...process.env, PGPASSWORD: 'harness-pw' }, stdio: 'ignore' });
  }
  const conf = path.join(dir, 'pgpool.conf');
  fs.writeFileSync(conf, [
    "backend_clustering_mode = 'native_replication'", "listen_addresses = '127.0.0.1'", 'port = 9999',
    ...bs.flatMap((b, i) => [`backend_hostname${i} = '${b.host}'`, `backend_port${i} = ${b.port}`, `backend_weight${i} = 1`, `backend_flag${i} = 'ALLOW_TO_FAILOVER'`]),
    'load_balance_mode = on', 'replicate_select = off', 'insert_lock = on', 'num_init_children = 32', 'max_pool = 4', 'enable_pool_hba = on', "pool_passwd = 'pool_passwd'", 'health_check_period = 0',
  ].join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'pool_hba.conf'), 'host all all 127.0.0.1/32 scram-sha-256\n');
  fs.writeFileSync(path.join(dir, 'pool_passwd'), 'postgres:TEXTharness-pw\n', { mode: 0o600 });
  fs.writeFileSync('/tmp/perfwork/env', `CONF=${conf}\nPG0=${bs[0]!.port}\nPG1=${bs[1]!.port}\nDIR=${dir}\n`);
  console.log('ready', fs.readFileSync('/tmp/perfwork/env', 'utf8'));
  const stop = async () => { await Promise.allSettled(bs.map((b) => b.stop())); fs.rmSync(dir, { recursive: true, force: true }); process.exit(0); };
  process.on('SIGTERM', stop); process.on('SIGINT', stop);
  setInterval(() => {}, 1 << 30);
}
void main();
