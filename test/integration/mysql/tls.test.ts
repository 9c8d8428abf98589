import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { MariaDbInstance } from '../../servers/mariadb';
import { channelHarness, channelInput, type Harness } from './channel-harness';
import { dumpDatabase, masterStatus, ownMariaDb, tempDir, waitUntil } from './helpers';

/*
 * TLS towards the master: mysql2 negotiates TLS during authentication, then the replication stream runs
 * on that same (encrypted) socket. The replication user is created with REQUIRE SSL, so a plain
 * connection could not work; VERIFY_CA checks the server against our own CA, and a wrong CA is refused.
 */

const haveOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skip = haveOpenssl ? false : 'openssl is not installed';
if (skip) console.log(`tls tests: ${skip}`);

let certs: string;
let master: MariaDbInstance;
let target: MariaDbInstance;
const disposers: (() => Promise<void>)[] = [];
let h: Harness;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: certs, stdio: 'ignore' });
}

before(async () => {
  if (skip) return;
  certs = tempDir('rd-tls-');
  fs.chmodSync(certs, 0o755);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=ReplicaDesk test CA', '-keyout', 'ca.key', '-out', 'ca.pem']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr']);
  fs.writeFileSync(path.join(certs, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.cnf', '-out', 'server.pem']);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Someone else', '-keyout', 'other.key', '-out', 'other.pem']);
  for (const f of fs.readdirSync(certs)) fs.chmodSync(path.join(certs, f), 0o644);
  const tls = [`--ssl-ca=${certs}/ca.pem`, `--ssl-cert=${certs}/server.pem`, `--ssl-key=${certs}/server.key`];
  const [a, b] = await Promise.all([ownMariaDb('tlsm', 61, { extraArgs: tls }), ownMariaDb('tlst', 62)]);
  master = a.db;
  target = b.db;
  disposers.push(a.dispose, b.dispose);
  const c = await master.connect();
  await c.query("CREATE USER 'repl'@'%' IDENTIFIED BY 'tls-pw' REQUIRE SSL");
  await c.query("GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO 'repl'@'%'");
  await c.end();
  h = await channelHarness();
});

after(async () => {
  await h?.close();
  for (const d of disposers) await d();
  if (certs) fs.rmSync(certs, { recursive: true, force: true });
});

test('replication over TLS (VERIFY_CA) for a user that requires SSL; a wrong CA is refused with a TLS error', { skip }, async () => {
  const m = await master.connect();
  try {
    const start = await masterStatus(m);
    await m.query('CREATE DATABASE tlsdb');
    await m.query('CREATE TABLE tlsdb.t (id INT PRIMARY KEY, secret VARCHAR(40))');
    for (let i = 0; i < 20; i++) await m.query('INSERT INTO tlsdb.t VALUES (?, ?)', [i, `secret ${i}`]);
    const ep = { host: '127.0.0.1', port: master.port, user: 'repl', password: 'tls-pw' };
    await h.manager.create(channelInput('tls', ep, target, start, { master: { ...ep, ssl: { mode: 'VERIFY_CA', ca: `${certs}/ca.pem` } } }));
    await h.manager.start('tls');
    await h.waitApplied('tls', await masterStatus(m));
    const t = await target.connect();
    try {
      assert.deepEqual(await dumpDatabase(t, 'tlsdb'), await dumpDatabase(m, 'tlsdb'));
    } finally {
      await t.end();
    }
    const s = await h.manager.status('tls');
    assert.equal(s.Master_SSL_Allowed, 'Yes');
    assert.equal(s.Master_SSL_CA_File, `${certs}/ca.pem`);
    // The dump thread on the master runs over TLS.
    const [rows] = await m.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = 'repl' AND COMMAND = 'Binlog Dump'");
    assert.equal(Number((rows as { n: string }[])[0]!.n), 1);
    await h.manager.stop('tls');

    await h.manager.create(channelInput('tlsbad', ep, target, await masterStatus(m), { master: { ...ep, ssl: { mode: 'VERIFY_CA', ca: `${certs}/other.pem` } } }));
    await h.manager.start('tlsbad', 'io');
    const bad = await waitUntil('a TLS error', 20_000, async () => {
      const st = await h.manager.status('tlsbad');
      return st.Last_IO_Errno ? st : undefined;
    });
    assert.equal(bad.Slave_IO_Running, 'Connecting');
    assert.equal(bad.Last_IO_Errno, 2026);
    await h.manager.stop('tlsbad');
  } finally {
    await m.end();
  }
});
