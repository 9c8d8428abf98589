import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BackendNodeOptions } from '../../../core/pg/options';
import { loadPgpoolConfig } from '../../../core/pg/options';
import { type PostgresInstance, startPostgres } from '../../servers/postgres';
import { uniqueName, useSuiteServers } from '../../servers/suite';
import { makeRunDir } from '../../servers/workdir';
import { direct, fingerprint, startProxy, waitUntil } from './helpers';

const servers = useSuiteServers();

/** A self-signed certificate (it is its own CA) in `dir`, readable by the server. */
function makeCert(dir: string, name: string): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${name}`, '-keyout', key, '-out', cert], { stdio: 'ignore' });
  fs.chmodSync(key, 0o600);
  if (process.getuid?.() === 0) {
    // PostgreSQL runs as "postgres" and insists on owning a 0600 key.
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    fs.chownSync(key, uid, gid);
    fs.chownSync(cert, uid, gid);
  }
  return { cert, key };
}

/** Whether the proxy's connection (found by application_name) to a server is encrypted, seen from the server. */
async function backendSsl(s: { host: string; port: number; user: string; password: string }, app: string): Promise<boolean[]> {
  const c = await direct(s, 'postgres');
  try {
    const r = await c.query('SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = $1', [app]);
    return r.rows.map((x) => x.ssl as boolean);
  } finally {
    await c.end();
  }
}

// pgpool's ssl = on also encrypts the connections to the backends when they offer TLS (plain text when they
// do not), and checks their certificates against ssl_ca_cert / ssl_ca_cert_dir when set.
describe('fan-out TLS to the backends', () => {
  let runDir: string;
  let secure: PostgresInstance;
  let serverCert: { cert: string; key: string };
  let otherCa: { cert: string; key: string };
  const dbs: string[] = [];

  before(async () => {
    runDir = makeRunDir('rd-fanout-btls-');
    serverCert = makeCert(runDir, 'pg-tls');
    otherCa = makeCert(runDir, 'other-ca');
    secure = await startPostgres({ name: 'tls', runDir, settings: { ssl: 'on', ssl_cert_file: serverCert.cert, ssl_key_file: serverCert.key } });
  });

  after(async () => {
    const plain = servers().pg[1]!;
    for (const db of dbs) {
      for (const s of [secure, plain]) {
        const c = await direct(s, 'postgres').catch(() => undefined);
        await c?.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
        await c?.end();
      }
    }
    await secure?.stop();
    fs.rmSync(runDir, { recursive: true, force: true });
  });

  /** What loadPgpoolConfig sets for ssl = on, on a running proxy's nodes (before any client connects). */
  const setTls = (nodes: BackendNodeOptions[], tls: BackendNodeOptions['tls']) => {
    for (const n of nodes) n.tls = tls;
  };

  test('ssl = on: TLS with the node that offers it (certificate checked against the CA), plain text with the one that does not; writes reach both alike', async () => {
    const plain = servers().pg[1]!;
    const db = uniqueName('btls');
    dbs.push(db);
    for (const s of [secure, plain]) {
      const c = await direct(s, 'postgres');
      await c.query(`CREATE DATABASE "${db}" TEMPLATE template0`);
      await c.end();
    }
    const rp = await startProxy([secure, plain], { loadBalance: false });
    // The CA is the server's own (self-signed) certificate: verification passes.
    setTls(rp.proxy.options.nodes, { ca: [fs.readFileSync(serverCert.cert)] });
    try {
      const app = `rd-btls-${process.pid}`;
      const c = await rp.client(db, { application_name: app });
      await c.query('CREATE TABLE t (id serial PRIMARY KEY, at timestamptz DEFAULT now(), v text)');
      await c.query("INSERT INTO t (v) SELECT 'row ' || g FROM generate_series(1, 20) g");
      assert.deepEqual(await backendSsl(secure, app), [true], 'the TLS-capable node is reached over TLS');
      assert.deepEqual(await backendSsl(plain, app), [false], 'the other one in plain text');
      await c.end();
      const [f0, f1] = await Promise.all([secure, plain].map((s) => fingerprint(s, db)));
      assert.deepEqual(f1, f0);
      assert.deepEqual(rp.proxy.nodes().map((n) => n.status), ['up', 'up']);
    } finally {
      await rp.stop();
    }
  });

  test('a certificate that does not chain to ssl_ca_cert: the node is not used (detached), the session carries on with the other', async () => {
    const rp = await startProxy([secure, servers().pg[1]!], { loadBalance: false });
    setTls(rp.proxy.options.nodes, { ca: [fs.readFileSync(otherCa.cert)] });
    try {
      const c = await rp.client('postgres');
      assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
      await waitUntil('node 0 is detached', () => rp.proxy.nodes()[0]!.status === 'down');
      const ev = rp.events.find((e) => e.type === 'node-status' && e.nodeId === 0 && e.status === 'down');
      assert.ok(ev && ev.type === 'node-status');
      assert.match(ev.reason, /certificate/i);
    } finally {
      await rp.stop();
    }
  });

  test('pgpool.conf: ssl = on without ssl_cert/ssl_key encrypts only the backend side; ssl_ca_cert and ssl_ca_cert_dir are read', () => {
    const dir = path.join(runDir, 'conf');
    fs.mkdirSync(path.join(dir, 'cas'), { recursive: true });
    fs.copyFileSync(serverCert.cert, path.join(dir, 'ca.pem'));
    fs.copyFileSync(otherCa.cert, path.join(dir, 'cas', 'other.pem'));
    fs.writeFileSync(path.join(dir, 'cas', 'README'), 'not a certificate\n');
    const conf = path.join(dir, 'pgpool.conf');
    fs.writeFileSync(conf, ["backend_clustering_mode = 'native_replication'", "backend_hostname0 = '127.0.0.1'", 'backend_port0 = 5432', 'ssl = on', "ssl_ca_cert = 'ca.pem'", "ssl_ca_cert_dir = 'cas'"].join('\n') + '\n');
    const loaded = loadPgpoolConfig(conf, { keyFile: path.join(dir, 'no-key') });
    assert.equal(loaded.options.tls, undefined, 'no certificate for clients: frontend TLS stays off');
    assert.equal(loaded.options.nodes[0]!.tls?.ca?.length, 2);
    // Read and used, so not reported as unsupported.
    assert.deepEqual(loaded.diagnostics.filter((d) => /ssl_ca_cert/.test(d.message)), []);
    fs.writeFileSync(conf, ["backend_clustering_mode = 'native_replication'", "backend_hostname0 = '127.0.0.1'", 'ssl = on', "ssl_ca_cert = 'missing.pem'"].join('\n') + '\n');
    assert.throws(() => loadPgpoolConfig(conf, { keyFile: path.join(dir, 'no-key') }), /ssl_ca_cert: .*missing\.pem cannot be read/);
  });
});
