import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type mysql from 'mysql2/promise';
import { startMariaDb, type MariaDbInstance, type MariaDbOptions } from '../../servers/mariadb';
import { makeRunDir } from '../../servers/workdir';
import type { MysqlEndpoint } from '../../../core/mysql/client/endpoint';

export const execFileP = promisify(execFile);

/** A private MariaDB for tests that kill, restart, purge or otherwise disturb it. */
export async function ownMariaDb(name: string, serverId: number, extra: Partial<MariaDbOptions> = {}): Promise<{ db: MariaDbInstance; runDir: string; dispose: () => Promise<void> }> {
  const runDir = makeRunDir(`rd-mysql-${name}-`);
  const db = await startMariaDb({ name, runDir, serverId, ...extra });
  return {
    db,
    runDir,
    dispose: async () => {
      await db.stop().catch(() => undefined);
      fs.rmSync(runDir, { recursive: true, force: true });
    },
  };
}

export function endpointOf(s: { host: string; port: number; user: string; password: string }): MysqlEndpoint {
  return { host: s.host, port: s.port, user: s.user, password: s.password };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function waitUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false> | T | undefined | false, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function masterStatus(c: mysql.Connection): Promise<{ file: string; pos: number }> {
  const [rows] = await c.query('SHOW MASTER STATUS');
  const r = (rows as { File: string; Position: string | number }[])[0]!;
  return { file: r.File, pos: Number(r.Position) };
}

export async function query<T = Record<string, unknown>>(c: mysql.Connection, sql: string, params: unknown[] = []): Promise<T[]> {
  const [rows] = await c.query(sql, params);
  return rows as T[];
}
