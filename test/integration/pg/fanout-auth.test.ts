import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { PoolHbaDocument } from '../../../core/config/pgpool/pool-hba';
import { PasswordBook, PoolPasswdDocument, encryptAesSecret, md5Secret } from '../../../core/config/pgpool/pool-passwd';
import { useSuiteServers } from '../../servers/suite';
import { type RunningProxy, startProxy } from './helpers';

const servers = useSuiteServers();

const HBA = [
  'host all blocked 127.0.0.1/32 reject',
  'hostssl all all 127.0.0.1/32 scram-sha-256',
  'host all md5user 127.0.0.1/32 md5',
  'host all all 127.0.0.1/32 scram-sha-256',
].join('\n');

function connect(port: number, user: string, password: string, extra: Partial<pg.ClientConfig> = {}): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'postgres', ...extra });
  c.on('error', () => undefined);
  return c.connect().then(() => c);
}

describe('fan-out client authentication (pool_hba.conf + pool_passwd)', () => {
  let rp: RunningProxy;
  let tlsDir: string;
  before(async () => {
    const s = servers().pg[0]!;
    // Roles only the proxy authenticates; on the backends they log in as themselves with the stored password.
    for (const node of servers().pg) {
      const c = new pg.Client({ host: node.host, port: node.port, user: node.user, password: node.password, database: 'postgres' });
      await c.connect();
      for (const r of ['md5user', 'aesuser', 'blocked']) {
        await c.query(`DROP ROLE IF EXISTS ${r}`);
        await c.query(`CREATE ROLE ${r} LOGIN PASSWORD 'pw-${r}'`);
      }
      await c.end();
    }
    tlsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-fanout-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', path.join(tlsDir, 'server.key'), '-out', path.join(tlsDir, 'server.crt')], { stdio: 'ignore' });
    const passwd = [`${s.user}:TEXT${s.password}`, `md5user:TEXTpw-md5user`, `aesuser:${encryptAesSecret('pw-aesuser', 'the key phrase')}`, `blocked:TEXTpw-blocked`, `hashonly:md5${md5Secret('pw-hashonly', 'hashonly')}`].join('\n');
    rp = await startProxy(servers().pg, {
      enablePoolHba: true,
      hba: PoolHbaDocument.parse(HBA, 'pool_hba.conf'),
      passwords: new PasswordBook(PoolPasswdDocument.parse(passwd, 'pool_passwd'), 'the key phrase'),
      tls: { cert: fs.readFileSync(path.join(tlsDir, 'server.crt')), key: fs.readFileSync(path.join(tlsDir, 'server.key')) },
    });
  });
  after(async () => {
    await rp?.stop();
    fs.rmSync(tlsDir, { recursive: true, force: true });
    for (const node of servers().pg) {
      const c = new pg.Client({ host: node.host, port: node.port, user: node.user, password: node.password, database: 'postgres' });
      await c.connect();
      for (const r of ['md5user', 'aesuser', 'blocked']) await c.query(`DROP ROLE IF EXISTS ${r}`);
      await c.end();
    }
  });

  test('SCRAM-SHA-256 client with the right password gets in and reaches both nodes', async () => {
    const s = servers().pg[0]!;
    const c = await connect(rp.port, s.user, s.password);
    assert.equal((await c.query('SELECT current_user AS u')).rows[0].u, s.user);
    await c.end();
  });

  test('a wrong password and an unknown user are refused alike (28P01)', async () => {
    const s = servers().pg[0]!;
    await assert.rejects(connect(rp.port, s.user, 'wrong'), (e: pg.DatabaseError) => e.code === '28P01' && /password authentication failed for user/.test(e.message));
    await assert.rejects(connect(rp.port, 'nosuchuser', 'x'), (e: pg.DatabaseError) => e.code === '28P01' && /password authentication failed for user "nosuchuser"/.test(e.message));
  });

  test('a pool_hba.conf reject rule refuses the user', async () => {
    await assert.rejects(connect(rp.port, 'blocked', 'pw-blocked'), (e: pg.DatabaseError) => e.code === '28000' && /pool_hba.conf rejects connection/.test(e.message));
  });

  test('an MD5 client (pool_hba md5) is checked against pool_passwd; the backends get SCRAM', async () => {
    const c = await connect(rp.port, 'md5user', 'pw-md5user');
    assert.equal((await c.query('SELECT current_user AS u')).rows[0].u, 'md5user');
    await c.end();
    await assert.rejects(connect(rp.port, 'md5user', 'nope'), (e: pg.DatabaseError) => e.code === '28P01');
  });

  test('an AES entry (decrypted with the pgpool key) lets the user in', async () => {
    const c = await connect(rp.port, 'aesuser', 'pw-aesuser');
    assert.equal((await c.query('SELECT current_user AS u')).rows[0].u, 'aesuser');
    await c.end();
  });

  test('an md5-only entry cannot log in to SCRAM backends: a clear message, not a hang', async () => {
    await assert.rejects(connect(rp.port, 'hashonly', 'pw-hashonly'), (e: pg.DatabaseError) => /TEXT or AES|SCRAM|password/.test(e.message));
  });

  test('TLS: SSLRequest is accepted with the configured certificate and hostssl rules apply', async () => {
    const s = servers().pg[0]!;
    const c = await connect(rp.port, s.user, s.password, { ssl: { rejectUnauthorized: false } });
    assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
    const sock = (c as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream;
    assert.equal(sock.encrypted, true);
    await c.end();
  });
});
