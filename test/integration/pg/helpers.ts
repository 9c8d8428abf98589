import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import pg from 'pg';
import { PasswordBook, PoolPasswdDocument } from '../../../core/config/pgpool/pool-passwd';
import type { FanoutEvent } from '../../../core/pg/node-status';
import { type FanoutOptions, defaultOptions } from '../../../core/pg/options';
import { FanoutProxy, type FanoutProxyDeps } from '../../../core/pg/proxy';
import type { ServerInfo } from '../../servers/suite';

export const execFileP = promisify(execFile);
export const PG_BIN = '/usr/lib/postgresql/15/bin';

export interface RunningProxy {
  proxy: FanoutProxy;
  port: number;
  events: FanoutEvent[];
  client(database: string, extra?: Partial<pg.ClientConfig>): Promise<pg.Client>;
  stop(): Promise<void>;
}

/** A proxy on a free port in front of the given servers; pool_passwd holds their password as TEXT. */
export async function startProxy(servers: Pick<ServerInfo, 'host' | 'port' | 'user' | 'password'>[], over: Partial<FanoutOptions> = {}, passwd?: string, deps: FanoutProxyDeps = {}): Promise<RunningProxy> {
  const s0 = servers[0]!;
  const book = new PasswordBook(PoolPasswdDocument.parse(passwd ?? `${s0.user}:TEXT${s0.password}\n`, 'pool_passwd'), undefined);
  const proxy = new FanoutProxy(defaultOptions(servers, book, { port: 0, ...over }), deps);
  const events: FanoutEvent[] = [];
  proxy.on('event', (e) => events.push(e));
  await proxy.start();
  const port = proxy.address.port;
  const clients: pg.Client[] = [];
  return {
    proxy,
    port,
    events,
    async client(database, extra = {}) {
      const c = new pg.Client({ host: '127.0.0.1', port, user: s0.user, password: s0.password, database, ...extra });
      c.on('error', () => undefined);
      await c.connect();
      clients.push(c);
      return c;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      await proxy.stop();
    },
  };
}

/**
 * A proxy in front of `servers` with a fresh database `db` created through it (CREATE DATABASE cannot run in
 * a transaction block: it goes to every node on its own); its stop() also drops the database everywhere.
 */
export async function startProxyWithDatabase(servers: Pick<ServerInfo, 'host' | 'port' | 'user' | 'password'>[], db: string, over: Partial<FanoutOptions> = {}, passwd?: string): Promise<RunningProxy> {
  const rp = await startProxy(servers, over, passwd);
  const admin = await rp.client('postgres');
  await admin.query(`CREATE DATABASE "${db}" TEMPLATE template0`);
  await admin.end();
  return {
    ...rp,
    async stop() {
      await rp.stop();
      await dropDatabase(servers, db);
    },
  };
}

/** Drops `db` on every server directly (also when a test left a node without it). */
export async function dropDatabase(servers: Pick<ServerInfo, 'host' | 'port' | 'user' | 'password'>[], db: string): Promise<void> {
  for (const s of servers) {
    const c = await direct(s, 'postgres');
    await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await c.end();
  }
}

export async function direct(s: Pick<ServerInfo, 'host' | 'port' | 'user' | 'password'>, database: string): Promise<pg.Client> {
  const c = new pg.Client({ host: s.host, port: s.port, user: s.user, password: s.password, database });
  await c.connect();
  return c;
}

/**
 * Per table: row count and an md5 over all rows in a total order; per sequence: last_value/is_called.
 * Two databases with the same fingerprint hold the same data.
 */
export async function fingerprint(s: Pick<ServerInfo, 'host' | 'port' | 'user' | 'password'>, database: string): Promise<Record<string, string>> {
  const c = await direct(s, database);
  try {
    const out: Record<string, string> = {};
    const tables = await c.query(`SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`);
    for (const t of tables.rows as { schemaname: string; tablename: string }[]) {
      const name = `"${t.schemaname}"."${t.tablename}"`;
      const r = await c.query(`SELECT count(*) AS n, md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) AS h FROM ${name} x`);
      out[name] = `${r.rows[0].n} ${r.rows[0].h}`;
    }
    const seqs = await c.query(`SELECT schemaname, sequencename FROM pg_sequences ORDER BY 1, 2`);
    for (const q of seqs.rows as { schemaname: string; sequencename: string }[]) {
      const name = `"${q.schemaname}"."${q.sequencename}"`;
      const r = await c.query(`SELECT last_value, is_called FROM ${name}`);
      out[`seq ${name}`] = `${r.rows[0].last_value} ${r.rows[0].is_called}`;
    }
    return out;
  } finally {
    await c.end();
  }
}

/** Sends a raw CancelRequest to the proxy for a node-postgres client (it knows its BackendKeyData). */
export function sendCancel(port: number, client: pg.Client): Promise<void> {
  const c = client as unknown as { processID: number; secretKey: number };
  const buf = Buffer.alloc(16);
  buf.writeInt32BE(16, 0);
  buf.writeInt32BE(80877102, 4);
  buf.writeInt32BE(c.processID, 8);
  buf.writeInt32BE(c.secretKey, 12);
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.end(buf));
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}

export function pgbench(port: number, user: string, password: string, database: string, args: string[], timeoutMs = 120_000): Promise<{ stdout: string; stderr: string }> {
  return execFileP(`${PG_BIN}/pgbench`, ['-h', '127.0.0.1', '-p', String(port), '-U', user, ...args, database], { env: { ...process.env, PGPASSWORD: password }, maxBuffer: 1 << 24, timeout: timeoutMs });
}

export function psql(port: number, user: string, password: string, database: string, args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(`${PG_BIN}/psql`, ['-X', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', database, ...args], { env: { ...process.env, PGPASSWORD: password }, maxBuffer: 1 << 24, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

export function waitUntil(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      try {
        if (await fn()) return resolve();
      } catch {
        /* keep waiting */
      }
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 50);
    };
    void tick();
  });
}
