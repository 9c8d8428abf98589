/**
 * What to copy (databases, tables, columns, views, routines, triggers, events) read from the master, and
 * how to recreate each object on the target with the session settings it was created under.
 */
import type mysql from 'mysql2/promise';
import { qid } from '../endpoint';
import { SYSTEM_SCHEMAS } from '../preflight/facts';
import { type ColumnPlan, planColumn } from './rows';

export interface TableInfo {
  schema: string;
  name: string;
  engine: string;
  rowsEstimate: number;
  bytesEstimate: number;
  columns: ColumnPlan[];
  /** The primary key's column when the key is one integer column. */
  intPk?: string;
}

/** A view, routine, trigger or event: its CREATE statement and the sql_mode it must run under. */
export interface SchemaObject {
  kind: 'view' | 'procedure' | 'function' | 'trigger' | 'event';
  schema: string;
  name: string;
  /** For triggers: the table it belongs to. */
  table?: string;
  create: string;
  sqlMode?: string;
}

export interface SourceSchema {
  databases: { name: string; create: string }[];
  tables: TableInfo[];
  views: SchemaObject[];
  routines: SchemaObject[];
  triggers: SchemaObject[];
  events: SchemaObject[];
  /** Tables whose definition is not copied as data (e.g. sequences), with the reason. */
  skipped: { schema: string; name: string; reason: string }[];
}

export type IncludeFn = (schema: string, table?: string) => boolean;

type Row = Record<string, unknown>;
async function q(c: mysql.Connection, sql: string, params: unknown[] = []): Promise<Row[]> {
  const [r] = await c.query(sql, params);
  return r as Row[];
}
const str = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v ?? ''));

/** Reads the master's schema. `c` must read text as utf8mb4 (not the binary data sessions). */
export async function readSchema(c: mysql.Connection, opts: { databases?: string[]; include?: IncludeFn }): Promise<SourceSchema> {
  const include = opts.include ?? (() => true);
  const all = (await q(c, 'SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME')).map((r) => str(r.s));
  const dbs = all.filter((d) => !SYSTEM_SCHEMAS.includes(d.toLowerCase()) && (!opts.databases || opts.databases.includes(d)) && include(d));
  const out: SourceSchema = { databases: [], tables: [], views: [], routines: [], triggers: [], events: [], skipped: [] };
  if (!dbs.length) return out;
  const inList = dbs.map(() => '?').join(',');
  for (const d of dbs) {
    const r = await q(c, `SHOW CREATE DATABASE ${qid(d)}`);
    out.databases.push({ name: d, create: str(r[0]!['Create Database']) });
  }
  const cols = new Map<string, ColumnPlan[]>();
  for (const r of await q(
    c,
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, COLUMN_NAME AS c, DATA_TYPE AS dt, EXTRA AS x
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN (${inList}) ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
    dbs,
  )) {
    // Generated columns are computed by the target; writing them is an error. (DEFAULT_GENERATED is MySQL's
    // mark for a DEFAULT expression, an ordinary column.)
    if (/\b(VIRTUAL|STORED|PERSISTENT)\b/i.test(str(r.x))) continue;
    const key = `${str(r.s)}\0${str(r.t)}`;
    const plan = planColumn(str(r.c), str(r.dt));
    if (/\bauto_increment\b/i.test(str(r.x))) plan.autoIncrement = true;
    cols.set(key, [...(cols.get(key) ?? []), plan]);
  }
  // Primary keys of exactly one column, and which column (integer ones allow reading a table in ranges).
  const pk = new Map<string, string>();
  for (const r of await q(
    c,
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, MIN(COLUMN_NAME) AS c FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA IN (${inList}) AND INDEX_NAME = 'PRIMARY' GROUP BY TABLE_SCHEMA, TABLE_NAME HAVING COUNT(*) = 1`,
    dbs,
  )) {
    pk.set(`${str(r.s)}\0${str(r.t)}`, str(r.c));
  }
  for (const r of await q(
    c,
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, TABLE_TYPE AS tt, ENGINE AS e, COALESCE(TABLE_ROWS,0) AS n, COALESCE(DATA_LENGTH,0) AS b
       FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (${inList}) ORDER BY TABLE_SCHEMA, TABLE_NAME`,
    dbs,
  )) {
    const schema = str(r.s);
    const name = str(r.t);
    const type = str(r.tt);
    if (!include(schema, name)) continue;
    if (type === 'VIEW') {
      const v = await q(c, `SHOW CREATE VIEW ${qid(schema)}.${qid(name)}`);
      out.views.push({ kind: 'view', schema, name, create: str(v[0]!['Create View']) });
    } else if (type === 'BASE TABLE' || type === 'SYSTEM VERSIONED') {
      const columns = cols.get(`${schema}\0${name}`) ?? [];
      const key = pk.get(`${schema}\0${name}`);
      const table: TableInfo = { schema, name, engine: str(r.e), rowsEstimate: Number(r.n), bytesEstimate: Number(r.b), columns };
      if (key !== undefined && columns.some((x) => x.name === key && x.integer)) table.intPk = key;
      out.tables.push(table);
    } else out.skipped.push({ schema, name, reason: `${type} objects are not copied` });
  }
  for (const r of await q(c, `SELECT ROUTINE_SCHEMA AS s, ROUTINE_NAME AS n, ROUTINE_TYPE AS t FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN (${inList}) ORDER BY ROUTINE_SCHEMA, ROUTINE_NAME`, dbs)) {
    const kind = str(r.t) === 'FUNCTION' ? 'function' : 'procedure';
    if (str(r.t) !== 'FUNCTION' && str(r.t) !== 'PROCEDURE') continue;
    const x = await q(c, `SHOW CREATE ${kind.toUpperCase()} ${qid(str(r.s))}.${qid(str(r.n))}`);
    const create = str(x[0]![kind === 'function' ? 'Create Function' : 'Create Procedure']);
    if (!create) {
      out.skipped.push({ schema: str(r.s), name: str(r.n), reason: `the copy account may not read the body of ${kind} ${str(r.n)} (needs SELECT on mysql.proc or SHOW CREATE ROUTINE)` });
      continue;
    }
    out.routines.push({ kind, schema: str(r.s), name: str(r.n), create, sqlMode: str(x[0]!.sql_mode) });
  }
  for (const r of await q(c, `SELECT TRIGGER_SCHEMA AS s, TRIGGER_NAME AS n, EVENT_OBJECT_TABLE AS t FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA IN (${inList}) ORDER BY TRIGGER_SCHEMA, EVENT_OBJECT_TABLE, ACTION_ORDER`, dbs)) {
    if (!include(str(r.s), str(r.t))) continue;
    const x = await q(c, `SHOW CREATE TRIGGER ${qid(str(r.s))}.${qid(str(r.n))}`);
    out.triggers.push({ kind: 'trigger', schema: str(r.s), name: str(r.n), table: str(r.t), create: str(x[0]!['SQL Original Statement']), sqlMode: str(x[0]!.sql_mode) });
  }
  for (const r of await q(c, `SELECT EVENT_SCHEMA AS s, EVENT_NAME AS n FROM information_schema.EVENTS WHERE EVENT_SCHEMA IN (${inList}) ORDER BY EVENT_SCHEMA, EVENT_NAME`, dbs)) {
    const x = await q(c, `SHOW CREATE EVENT ${qid(str(r.s))}.${qid(str(r.n))}`);
    out.events.push({ kind: 'event', schema: str(r.s), name: str(r.n), create: str(x[0]!['Create Event']), sqlMode: str(x[0]!.sql_mode) });
  }
  return out;
}

/** Removes "DEFINER=`u`@`h`" so an object can be created when the definer's account does not exist on the target. */
export function withoutDefiner(create: string): string {
  return create.replace(/\s+DEFINER\s*=\s*(`(?:[^`]|``)*`|'[^']*'|\S+)@(`(?:[^`]|``)*`|'[^']*'|\S+)/i, '').replace(/\s+DEFINER\s*=\s*CURRENT_USER(\(\))?/i, '');
}
