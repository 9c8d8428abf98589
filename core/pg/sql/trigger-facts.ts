/**
 * What a table's triggers do that the fan-out must know: a trigger runs on every node, inside the statement
 * that fired it, so a trigger that draws from a sequence (directly, or by inserting into a SERIAL table such
 * as an audit log) gives the same ids everywhere only if the firing statements take the sequence lock
 * (insert_lock), and a trigger that reads the clock or random() stores a different value on each node, which
 * no rewrite of the client's statement can fix: the client is warned.
 *
 * This file builds the catalog question and reads PL/pgSQL trigger functions with PostgreSQL's own parsers
 * (libpg-query: PL/pgSQL, then SQL for each statement and expression in it); the session runs the question on its main connection and caches the
 * answer with the table's other facts.
 */
import { parsePlPgSQLSync } from 'libpg-query';
import { type RelName, routineCallsOf } from './classify';
import { qualifiedName, sqlLiteral } from './catalog';
import { TK_OP, tokenize } from './lexer';

export interface TriggerFacts {
  /** Triggers that read the clock, with the functions they call (e.g. `stamp_row: now`). */
  time: string[];
  /** Triggers that call functions differing per node (e.g. `fill_key: gen_random_uuid`). */
  volatile: string[];
  /** Literal sequence names the triggers draw from. */
  sequences: string[];
  /** Tables the triggers write (their own SERIAL columns and triggers count too). */
  writes: RelName[];
  /** Triggers whose effects cannot be read (other languages, dynamic SQL, nextval of a computed name). */
  unreadable: string[];
}

export const NO_TRIGGERS: TriggerFacts = Object.freeze({ time: [], volatile: [], sequences: [], writes: [], unreadable: [] }) as TriggerFacts;

/** Enabled user triggers of a table: trigger name, function language, function name, body. */
export function triggerFactsSql(rel: RelName): string {
  return (
    'SELECT t.tgname, l.lanname, p.proname, p.prosrc FROM pg_catalog.pg_trigger t ' +
    'JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid JOIN pg_catalog.pg_language l ON l.oid = p.prolang ' +
    `WHERE t.tgrelid = pg_catalog.to_regclass(${sqlLiteral(qualifiedName(rel))}) AND NOT t.tgisinternal AND t.tgenabled <> 'D' ORDER BY t.tgname`
  );
}

/** Built-in trigger functions (language internal or c) that neither read the clock nor draw from sequences. */
const SAFE_BUILTIN = new Set(['suppress_redundant_updates_trigger', 'tsvector_update_trigger', 'tsvector_update_trigger_column', 'unique_key_recheck', 'lo_manage']);
/** Extension trigger functions known to stamp the current time (contrib spi/moddatetime). */
const TIME_BUILTIN = new Set(['moddatetime']);

/** Reads the rows of triggerFactsSql. */
export function analyzeTriggers(rows: (string | null)[][]): TriggerFacts {
  if (!rows.length) return NO_TRIGGERS;
  const out: TriggerFacts = { time: [], volatile: [], sequences: [], writes: [], unreadable: [] };
  for (const [tgname, lang, proname, src] of rows) {
    const trigger = `${tgname} (${proname}())`;
    if (lang === 'internal' || lang === 'c') {
      if (TIME_BUILTIN.has(proname!)) out.time.push(`${trigger}: ${proname}`);
      else if (!SAFE_BUILTIN.has(proname!)) out.unreadable.push(`${trigger}: written in ${lang}`);
      continue;
    }
    let sqls: string[] | undefined;
    let dynamic = false;
    if (lang === 'plpgsql') {
      const body = plpgsqlStatements(src ?? '');
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
    }
    if (time.size) out.time.push(`${trigger}: ${[...time].join(', ')}`);
    if (volatile.size) out.volatile.push(`${trigger}: ${[...volatile].join(', ')}`);
  }
  return out;
}

type PlNode = Record<string, unknown>;

/**
 * Every SQL statement and expression in a PL/pgSQL body, as text the SQL parser takes. Undefined when the
 * body does not parse.
 */
export function plpgsqlStatements(src: string): { sqls: string[]; dynamic: boolean } | undefined {
  let tag = '$rd$';
  for (let i = 0; src.includes(tag); i++) tag = `$rd${i}$`;
  let parsed: unknown;
  try {
    parsed = parsePlPgSQLSync(`CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS ${tag}${src}${tag}`);
  } catch {
    return undefined;
  }
  const sqls: string[] = [];
  let dynamic = false;
  const stack: unknown[] = [parsed];
  while (stack.length) {
    const n = stack.pop();
    if (!n || typeof n !== 'object') continue;
    if (Array.isArray(n)) {
      for (const x of n) stack.push(x);
      continue;
    }
    for (const [key, v] of Object.entries(n as PlNode)) {
      if (key === 'PLpgSQL_stmt_dynexecute' || key === 'PLpgSQL_stmt_dynfors') dynamic = true;
      if (key === 'PLpgSQL_expr') {
        const e = v as { query?: string; parseMode?: number };
        if (typeof e.query === 'string') sqls.push(exprAsSql(e.query, e.parseMode ?? 0));
        continue;
      }
      if (v && typeof v === 'object') stack.push(v);
    }
  }
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
