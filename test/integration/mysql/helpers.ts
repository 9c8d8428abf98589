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

export async function waitUntil<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  everyMs = 50,
  /** When it returns true after a probe error, that error is final (stop waiting). */
  fatal: () => boolean = () => false,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
      if (fatal()) throw err;
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

/** Rows of every table of `db`, ordered by every column, with binary values as hex: comparable as JSON. */
export async function dumpDatabase(c: mysql.Connection, db: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  // TIMESTAMP values print in the session's time zone: read both sides in UTC.
  await c.query("SET SESSION time_zone = '+00:00'");
  const [tables] = await c.query('SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [db]);
  for (const t of tables as { TABLE_NAME: string; TABLE_TYPE: string }[]) {
    const name = t.TABLE_NAME;
    const q = (s: string) => '`' + s.replace(/`/g, '``') + '`';
    const [cols] = await c.query('SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [db, name]);
    const list = (cols as { COLUMN_NAME: string; DATA_TYPE: string }[]).map((col) => {
      const n = q(col.COLUMN_NAME);
      // Compare exact bytes for everything that is not plain text or a number.
      if (/geometry|point|polygon|linestring|collection/i.test(col.DATA_TYPE)) return `HEX(ST_AsBinary(${n}))`;
      if (/blob|binary|bit|text|char|enum|set|json/i.test(col.DATA_TYPE)) return `HEX(${n})`;
      if (/float|double/i.test(col.DATA_TYPE)) return `CAST(${n} AS CHAR)`;
      return `CAST(${n} AS CHAR)`;
    });
    const [create] = await c.query(`SHOW CREATE TABLE ${q(db)}.${q(name)}`);
    const ddl = String(Object.values((create as Record<string, unknown>[])[0]!)[1]).replace(/ AUTO_INCREMENT=\d+/, '');
    if (t.TABLE_TYPE !== 'BASE TABLE') {
      out[name] = { ddl };
      continue;
    }
    const [rows] = await c.query({ sql: `SELECT ${list.join(', ')} FROM ${q(db)}.${q(name)} ORDER BY ${list.map((_, i) => i + 1).join(', ')}`, rowsAsArray: true });
    out[name] = { ddl, rows };
  }
  return out;
}

export function reachedPosition(cur: { file: string; pos: number }, end: { file: string; pos: number }): boolean {
  const seq = (f: string) => Number(/\.(\d+)$/.exec(f)?.[1] ?? 0);
  return seq(cur.file) > seq(end.file) || (cur.file === end.file && cur.pos >= end.pos);
}

/**
 * node 20 runs a file's top-level before() hooks concurrently, so a hook cannot assume useSuiteServers()'s
 * own hook has finished: wait for the getter to work.
 */
export async function suiteReady<T>(servers: () => T, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return servers();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
