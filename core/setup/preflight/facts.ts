import fsp from 'node:fs/promises';
import type mysql from 'mysql2/promise';
import { type MySqlEndpoint, connectEndpoint } from '../endpoint';
import { parseServerVersion } from '../flavor';
import { pluginFromGrants, redactGrant } from './grants';
import type { ConnectFailure, DiskFact, ServerFacts, TableFact } from './types';

const VARIABLES = [
  'server_id', 'log_bin', 'log_bin_basename', 'binlog_format', 'binlog_row_image', 'gtid_mode', 'gtid_domain_id', 'gtid_binlog_pos',
  'gtid_strict_mode', 'enforce_gtid_consistency', 'expire_logs_days', 'binlog_expire_logs_seconds', 'max_allowed_packet',
  'character_set_server', 'collation_server', 'lower_case_table_names', 'read_only', 'datadir', 'max_binlog_size', 'version_comment',
];

export const SYSTEM_SCHEMAS = ['mysql', 'information_schema', 'performance_schema', 'sys'];

type Row = Record<string, unknown>;

async function rows(c: mysql.Connection, sql: string, params: unknown[] = []): Promise<Row[]> {
  const [r] = await c.query(sql, params);
  return r as Row[];
}

export function connectFailure(err: unknown, e: MySqlEndpoint): ConnectFailure {
  const x = err as { code?: string; message?: string };
  let code = x.code ?? 'UNKNOWN';
  // mysql2 reports a plugin it cannot speak as a plain Error.
  if (/authentication plugin|unknown plugin|auth.*plugin/i.test(x.message ?? '') && code === 'UNKNOWN') code = 'AUTH_PLUGIN';
  return { code, message: x.message ?? String(err), host: e.host, port: e.port, user: e.user };
}

/** Connects and gathers what the checks need; a failed connection is returned, not thrown. */
export async function gatherFacts(e: MySqlEndpoint, opts: { tablesVia?: MySqlEndpoint; withCollations?: boolean } = {}): Promise<ServerFacts | ConnectFailure> {
  let c: mysql.Connection;
  try {
    c = await connectEndpoint(e);
  } catch (err) {
    return connectFailure(err, e);
  }
  try {
    const [head] = await rows(c, 'SELECT VERSION() AS v, @@version_comment AS vc, CURRENT_USER() AS u');
    const vars: Record<string, string> = {};
    for (const r of await rows(c, `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${VARIABLES.map(() => '?').join(',')})`, VARIABLES)) {
      vars[String(r.Variable_name).toLowerCase()] = r.Value === null ? '' : String(r.Value);
    }
    const grants = (await rows(c, 'SHOW GRANTS')).map((r) => redactGrant(String(Object.values(r)[0])));
    let authPlugin = pluginFromGrants(grants);
    if (!authPlugin) {
      // MySQL's SHOW GRANTS does not name the plugin; mysql.user does, when we may read it.
      const p = await rows(c, "SELECT plugin FROM mysql.user WHERE CONCAT(user, '@', host) = CURRENT_USER()").catch(() => []);
      if (p[0]?.plugin) authPlugin = String(p[0].plugin);
    }
    const engines: Record<string, string> = {};
    for (const r of await rows(c, 'SHOW ENGINES')) engines[String(r.Engine).toUpperCase()] = String(r.Support);
    let tables: TableFact[] = [];
    const tc = opts.tablesVia ? await connectEndpoint(opts.tablesVia).catch(() => undefined) : c;
    if (tc) {
      try {
        tables = (
          await rows(
            tc,
            `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS n, ENGINE AS e, TABLE_COLLATION AS co, COALESCE(DATA_LENGTH,0) + COALESCE(INDEX_LENGTH,0) AS b
               FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN (${SYSTEM_SCHEMAS.map(() => '?').join(',')})`,
            SYSTEM_SCHEMAS,
          )
        ).map((r) => ({ schema: String(r.s), name: String(r.n), engine: r.e === null ? null : String(r.e), collation: r.co === null ? null : String(r.co), bytes: Number(r.b) }));
      } finally {
        if (tc !== c) await tc.end().catch(() => undefined);
      }
    }
    const collations = opts.withCollations ? (await rows(c, 'SELECT COLLATION_NAME AS n FROM information_schema.COLLATIONS')).map((r) => String(r.n)) : [];
    const facts: ServerFacts = {
      version: parseServerVersion(String(head!.v), String(head!.vc ?? '')),
      vars,
      currentUser: String(head!.u),
      grants,
      engines,
      tables,
      collations,
    };
    if (authPlugin) facts.authPlugin = authPlugin;
    return facts;
  } finally {
    await c.end().catch(() => undefined);
  }
}

export async function diskFact(p: string, what: DiskFact['what']): Promise<DiskFact | undefined> {
  try {
    const s = await fsp.statfs(p);
    return { path: p, what, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return undefined;
  }
}

export function isLocalHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
