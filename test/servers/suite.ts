import fs from 'node:fs';
import { after, before } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { startMariaDb, type MariaDbInstance } from './mariadb';
import { ensureServerPackages } from './packages';
import { startPostgres, type PostgresInstance } from './postgres';
import { makeRunDir } from './workdir';

/** Connection facts of the run-wide servers, passed from the test runner to test files as JSON. */
export interface ServerInfo {
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  url: string;
}
export interface MariaDbInfo extends ServerInfo {
  socket: string;
  dataDir: string;
  serverId: number;
}
export interface SuiteServers {
  runDir: string;
  /** MariaDB with log-bin, server-id 1. */
  master: MariaDbInfo;
  /** MariaDB backup target, server-id 2. */
  target: MariaDbInfo;
  /** Two PostgreSQL 15 backends. */
  pg: ServerInfo[];
}

export const SUITE_ENV = 'REPLICADESK_TEST_SERVERS';

export interface RunningSuite {
  info: SuiteServers;
  stop(): Promise<void>;
}

function pick<T extends ServerInfo>(i: T & Record<string, unknown>, extra: (keyof T)[] = []): T {
  const out: Record<string, unknown> = {};
  for (const k of ['name', 'host', 'port', 'user', 'password', 'url', ...extra] as string[]) out[k] = i[k];
  return out as T;
}

/** Starts the servers shared by a whole test run, all at once. */
export async function startSuite(): Promise<RunningSuite> {
  ensureServerPackages();
  const runDir = makeRunDir();
  const started: { stop(): Promise<void> }[] = [];
  const track = <T extends { stop(): Promise<void> }>(p: Promise<T>) => p.then((x) => (started.push(x), x));
  const stop = async () => {
    await Promise.allSettled(started.map((s) => s.stop()));
    fs.rmSync(runDir, { recursive: true, force: true });
  };
  try {
    const [master, target, pg0, pg1] = await Promise.all([
      track<MariaDbInstance>(startMariaDb({ name: 'master', runDir, serverId: 1 })),
      track<MariaDbInstance>(startMariaDb({ name: 'target', runDir, serverId: 2 })),
      track<PostgresInstance>(startPostgres({ name: 'pg0', runDir })),
      track<PostgresInstance>(startPostgres({ name: 'pg1', runDir })),
    ]);
    const mInfo = (m: MariaDbInstance) => pick<MariaDbInfo>(m as unknown as MariaDbInfo & Record<string, unknown>, ['socket', 'dataDir', 'serverId']);
    return {
      info: { runDir, master: mInfo(master), target: mInfo(target), pg: [pg0, pg1].map((p) => pick<ServerInfo>(p as unknown as ServerInfo & Record<string, unknown>)) },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Call at the top level of a test file. Gives the run-wide servers that the test runner started (passed in
 * REPLICADESK_TEST_SERVERS), or, when the file is run on its own, starts a set for this file and stops it
 * after the file's tests. The returned getter is valid inside tests and hooks.
 */
export function useSuiteServers(): () => SuiteServers {
  let info: SuiteServers | undefined;
  let own: RunningSuite | undefined;
  before(async () => {
    const fromEnv = process.env[SUITE_ENV];
    if (fromEnv) info = JSON.parse(fromEnv) as SuiteServers;
    else {
      own = await startSuite();
      info = own.info;
    }
  });
  after(async () => {
    await own?.stop();
  });
  return () => {
    if (!info) throw new Error('useSuiteServers(): servers are only available inside tests and hooks');
    return info;
  };
}

export function mysqlConnect(s: ServerInfo, database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({ host: s.host, port: s.port, user: s.user, password: s.password, database, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
}

export async function pgConnect(s: ServerInfo, database = 'postgres'): Promise<pg.Client> {
  const c = new pg.Client({ host: s.host, port: s.port, user: s.user, password: s.password, database });
  await c.connect();
  return c;
}

/** A name unique to this test process, for databases and tables shared servers must not collide on. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}
