/**
 * What a table's triggers, and the user's functions a write calls, do that the fan-out must know: their
 * bodies run on every node inside the statement, so one that draws from a sequence (directly, or by
 * inserting into a SERIAL table such as an audit log) gives the same ids everywhere only if the statement
 * takes the sequence lock (insert_lock), and one that reads the clock or random() gets a different value on
 * each node, which no rewrite of the client's statement can fix: the client is warned.
 *
 * This file builds the catalog questions and reads the bodies with PostgreSQL's own parsers (libpg-query:
 * PL/pgSQL, then SQL for each statement and expression in it); the session runs the questions on its main
 * connection and caches the answers with the table's other facts.
 */
import { parsePlPgSQLSync } from 'libpg-query';
import { type RelName, routineCallsOf } from './classify';
import { qualifiedName, sqlLiteral } from './catalog';
import { TK_OP, tokenize } from './lexer';
import { visitTree } from './tree';

export interface RoutineFacts {
  /** Routines that read the clock, with what they call (e.g. `stamp (stamp_row()): now`). */
  time: string[];
  /** Routines that call functions differing per node (e.g. `fill_key(): gen_random_uuid`). */
  volatile: string[];
  /** Literal sequence names they draw from. */
  sequences: string[];
  /** Tables they write (those tables' SERIAL columns and triggers count too). */
  writes: RelName[];
  /** Functions they call that may be the user's. */
  calls: string[];
  /** Routines whose effects cannot be read (other languages, dynamic SQL, nextval of a computed name). */
  unreadable: string[];
}

/** A table's triggers as routine facts. */
export type TriggerFacts = RoutineFacts;

export const NO_TRIGGERS: RoutineFacts = Object.freeze({ time: [], volatile: [], sequences: [], writes: [], calls: [], unreadable: [] }) as RoutineFacts;

/** Enabled user triggers of a table: trigger name, function language, function name, body. */
export function triggerFactsSql(rel: RelName): string {
  return (
    'SELECT t.tgname, l.lanname, p.proname, p.prosrc FROM pg_catalog.pg_trigger t ' +
    'JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid JOIN pg_catalog.pg_language l ON l.oid = p.prolang ' +
    `WHERE t.tgrelid = pg_catalog.to_regclass(${sqlLiteral(qualifiedName(rel))}) AND NOT t.tgisinternal AND t.tgenabled <> 'D' ORDER BY t.tgname`
  );
}

/**
 * The user's functions of these names (schema-qualified, or as the search_path finds them): a label, the
 * language, the name, the body, the argument list and the result type. Built-ins (pg_catalog) are left out.
 */
export function functionFactsSql(names: string[], serverMajor: number): string {
  const conds = names.map((n) => {
    const dot = n.indexOf('.');
    return dot >= 0
      ? `(n.nspname = ${sqlLiteral(n.slice(0, dot))} AND p.proname = ${sqlLiteral(n.slice(dot + 1))})`
      : `(p.proname = ${sqlLiteral(n)} AND pg_catalog.pg_function_is_visible(p.oid))`;
  });
  return (
    "SELECT n.nspname || '.' || p.proname, l.lanname, p.proname, " +
    // A SQL-standard body (BEGIN ATOMIC / RETURN, PostgreSQL 14+) is kept parsed, with an empty prosrc. A
    // failed question would abort the client's transaction, so older servers are not asked about it.
    (serverMajor >= 14 ? 'CASE WHEN p.prosqlbody IS NOT NULL THEN pg_catalog.pg_get_function_sqlbody(p.oid) ELSE p.prosrc END, ' : 'p.prosrc, ') +
    // PL/pgSQL needs the parameter names (INTO targets must be known variables) to parse the body.
    'pg_catalog.pg_get_function_arguments(p.oid), pg_catalog.pg_get_function_result(p.oid) FROM pg_catalog.pg_proc p ' +
    'JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace JOIN pg_catalog.pg_language l ON l.oid = p.prolang ' +
    `WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND (${conds.join(' OR ')}) ORDER BY 1`
  );
}

/** Built-in trigger functions (language internal or c) that neither read the clock nor draw from sequences. */
const SAFE_BUILTIN = new Set(['suppress_redundant_updates_trigger', 'tsvector_update_trigger', 'tsvector_update_trigger_column', 'unique_key_recheck', 'lo_manage']);
/** Extension trigger functions known to stamp the current time (contrib spi/moddatetime). */
const TIME_BUILTIN = new Set(['moddatetime']);

/** Reads the rows of triggerFactsSql. */
export function analyzeTriggers(rows: (string | null)[][]): RoutineFacts {
  return analyzeRoutines(rows, 'trigger');
}

/** Reads the rows of functionFactsSql. */
export function analyzeFunctions(rows: (string | null)[][]): RoutineFacts {
  return analyzeRoutines(rows, 'function');
}

function analyzeRoutines(rows: (string | null)[][], kind: 'trigger' | 'function'): RoutineFacts {
  if (!rows.length) return NO_TRIGGERS;
  const out: RoutineFacts = { time: [], volatile: [], sequences: [], writes: [], calls: [], unreadable: [] };
  for (const [label, lang, proname, src, args, result] of rows) {
    const trigger = kind === 'trigger' ? `${label} (${proname}())` : `${label}()`;
    if (lang === 'internal' || lang === 'c') {
      // A C function of an extension (PostGIS, uuid-ossp...) is opaque; only a trigger is suspicious enough
      // to mention, since triggers of that kind usually stamp or number rows.
      if (TIME_BUILTIN.has(proname!)) out.time.push(`${trigger}: ${proname}`);
      else if (kind === 'trigger' && !SAFE_BUILTIN.has(proname!)) out.unreadable.push(`${trigger}: written in ${lang}`);
      continue;
    }
    let sqls: string[] | undefined;
    let dynamic = false;
    if (lang === 'sql' && src?.trim()) {
      const body = src.trim();
      sqls = [/^(BEGIN\s+ATOMIC|RETURN)\b/i.test(body) ? `CREATE FUNCTION f() RETURNS void LANGUAGE sql ${body}` : body];
    }
    else if (lang === 'plpgsql') {
      const body = plpgsqlStatements(src ?? '', args ?? '', result ?? 'trigger');
      if (body) ({ sqls, dynamic } = body);
    }
    if (!sqls) {
      out.unreadable.push(`${trigger}: written in ${lang}`);
      continue;
    }
    if (dynamic) out.unreadable.push(`${trigger}: runs dynamic SQL (EXECUTE)`);
    const time = new Set<string>();
    const volatile = new Set<string>();
    for (const sql of sqls) {
      const calls = routineCallsOf(sql);
      if (!calls) {
        out.unreadable.push(`${trigger}: could not read "${sql.slice(0, 80)}"`);
        continue;
      }
      for (const t of calls.time) time.add(t);
      for (const v of calls.volatile) volatile.add(v);
      for (const s of calls.sequences) if (!out.sequences.includes(s)) out.sequences.push(s);
      if (calls.dynamicNextval) out.unreadable.push(`${trigger}: nextval() of a computed name`);
      for (const w of calls.writes) if (!out.writes.some((x) => x.name === w.name && x.schema === w.schema)) out.writes.push(w);
      for (const f of calls.calls) if (!out.calls.includes(f)) out.calls.push(f);
    }
    if (time.size) out.time.push(`${trigger}: ${[...time].join(', ')}`);
    if (volatile.size) out.volatile.push(`${trigger}: ${[...volatile].join(', ')}`);
  }
  return out;
}

/**
 * Every SQL statement and expression in a PL/pgSQL body, as text the SQL parser takes. Undefined when the
 * body does not parse.
 */
export function plpgsqlStatements(src: string, args = '', result = 'trigger'): { sqls: string[]; dynamic: boolean } | undefined {
  let tag = '$rd$';
  for (let i = 0; src.includes(tag); i++) tag = `$rd${i}$`;
  let parsed: unknown;
  try {
    parsed = parsePlPgSQLSync(`CREATE FUNCTION f(${args}) RETURNS ${result} LANGUAGE plpgsql AS ${tag}${src}${tag}`);
  } catch {
    return undefined;
  }
  const sqls: string[] = [];
  let dynamic = false;
  visitTree(parsed, (key, v) => {
    if (key === 'PLpgSQL_stmt_dynexecute' || key === 'PLpgSQL_stmt_dynfors') dynamic = true;
    if (key !== 'PLpgSQL_expr') return true;
    const e = v as { query?: string; parseMode?: number };
    if (typeof e.query === 'string') sqls.push(exprAsSql(e.query, e.parseMode ?? 0));
    return false;
  });
  return { sqls, dynamic };
}

/**
 * PL/pgSQL keeps statements whole (mode 0) but expressions bare (mode 2) and assignments as
 * `target := expr` (modes 3-5): the SQL parser takes the latter two as the SELECT they stand for.
 */
function exprAsSql(query: string, parseMode: number): string {
  if (parseMode === 0) return query;
  if (parseMode >= 3) {
    const t = tokenize(query);
    for (let k = 0; k < t.count; k++) {
      if (t.type[k] !== TK_OP) continue;
      const op = query.slice(t.start[k], t.end[k]);
      if (op === ':=' || op === '=') return `SELECT ${query.slice(t.end[k])}`;
    }
  }
  return `SELECT ${query}`;
}
