/**
 * Makes a writing statement deterministic for the other nodes: now()/CURRENT_* become the main node's
 * transaction timestamp as a literal, and columns whose DEFAULT uses the time get that value explicitly
 * (pgpool does this for temporal DEFAULTs; we also do it for DEFAULT keywords, DEFAULT VALUES and UPDATE
 * SET col = DEFAULT). Edits are spliced at token positions of the original text; nothing is re-printed.
 */
import type { Classified, TimeCast, TimeSite } from './classify';
import { TK_OP, TK_PARAM, type Tokens, isOp, matchingParen } from './lexer';

/**
 * The main node's transaction timestamp in UTC, "YYYY-MM-DD HH:MM:SS.ffffff"; or, in the other nodes' copy
 * of a SQL-level PREPARE, a parameter reference ("$3") through which EXECUTE passes that timestamp.
 */
export type MainTimestamp = string;

/** SQL that gives MainTimestamp for the current transaction, independent of DateStyle and TimeZone. */
export const FETCH_MAIN_TIMESTAMP = `SELECT pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')`;

export function timeLiteral(ts: MainTimestamp, cast: TimeCast, precision?: number): string {
  const base = ts.startsWith('$') ? `${ts}::pg_catalog.timestamptz` : `'${ts}+00'::timestamptz`;
  const p = precision !== undefined && precision >= 0 ? `(${precision})` : '';
  if (cast === 'timestamptz') return p ? `(${base}${p})` : `(${base})`;
  return `((${base})::${cast}${p})`;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

function siteEdits(text: string, tokens: Tokens, sites: readonly TimeSite[], ts: MainTimestamp, shift = 0): Edit[] {
  void text;
  return sites.map((s) => ({ start: tokens.start[s.first]! - shift, end: tokens.end[s.last]! - shift, text: timeLiteral(ts, s.cast, s.precision) }));
}

function apply(text: string, edits: Edit[]): string {
  if (edits.length === 0) return text;
  edits.sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const e of edits) {
    if (e.start < pos) continue; // overlapping edit (a DEFAULT inside a rewritten call): keep the first
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

/** What the catalog says about one column, for the rewrite. */
export interface ColumnFacts {
  name: string;
  /** DEFAULT expression text (pg_get_expr), if any. */
  defaultExpr?: string;
  /** The DEFAULT uses now()/CURRENT_*: its sites inside `SELECT <defaultExpr>`. */
  timeDefault?: { tokens: Tokens; sites: TimeSite[] };
}

export interface TableFacts {
  exists: boolean;
  columns: ColumnFacts[];
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The DEFAULT expression with its time calls replaced, as a parenthesised value. */
function defaultValue(col: ColumnFacts, ts: MainTimestamp): string {
  const td = col.timeDefault!;
  const wrapped = `SELECT ${col.defaultExpr}`;
  const edits = siteEdits(wrapped, td.tokens, td.sites, ts, 7);
  return `(${apply(col.defaultExpr!, edits)})`;
}

export interface RewriteResult {
  text: string;
  /** Something could not be made deterministic (told to the client as a warning). */
  problems: string[];
}

/**
 * Builds the other nodes' version of a statement. `table` is needed only when info.insert/updateDefaults is
 * set (undefined = unknown table: DEFAULTs are left to each node, with a warning if any could be temporal).
 */
export function rewriteForOthers(text: string, tokens: Tokens, info: Classified, ts: MainTimestamp | undefined, table?: TableFacts): RewriteResult {
  const problems: string[] = [];
  const edits: Edit[] = [];
  if (info.timeSites.length) {
    if (ts === undefined) problems.push('the main node timestamp is unknown');
    else edits.push(...siteEdits(text, tokens, info.timeSites, ts));
  }
  const timeCols = table?.columns.filter((c) => c.timeDefault) ?? [];
  if (ts !== undefined && timeCols.length && info.insert) {
    const ins = info.insert;
    const isTimeCol = new Map(timeCols.map((c) => [c.name, c]));
    const colNames = ins.cols ?? table!.columns.map((c) => c.name);
    // DEFAULT keywords in VALUES rows.
    for (const d of ins.defaults) {
      const col = isTimeCol.get(colNames[d.pos] ?? '');
      if (col) edits.push({ start: tokens.start[d.tok]!, end: tokens.end[d.tok]!, text: defaultValue(col, ts) });
    }
    const width = ins.rowWidths[0] ?? 0;
    const given = new Set(ins.cols ?? table!.columns.slice(0, width).map((c) => c.name));
    const missing = timeCols.filter((c) => !given.has(c.name));
    if (missing.length) {
      const extraCols = missing.map((c) => quoteIdent(c.name)).join(', ');
      const extraVals = missing.map((c) => defaultValue(c, ts)).join(', ');
      if (ins.defaultValues) {
        edits.push({ start: tokens.start[ins.defaultValues[0]]!, end: tokens.end[ins.defaultValues[1]]!, text: `(${extraCols}) VALUES (${extraVals})` });
      } else if (ins.fromSelect && ins.colsCloseTok !== null && ins.sourceTok >= 0 && ins.sourceLastTok !== undefined) {
        // INSERT INTO t (cols) <query>: the query becomes a subquery that also yields the main node's values.
        edits.push({ start: tokens.start[ins.colsCloseTok]!, end: tokens.start[ins.colsCloseTok]!, text: `, ${extraCols}` });
        edits.push({ start: tokens.start[ins.sourceTok]!, end: tokens.start[ins.sourceTok]!, text: `SELECT "replicadesk_src".*, ${extraVals} FROM (` });
        edits.push({ start: tokens.end[ins.sourceLastTok]!, end: tokens.end[ins.sourceLastTok]!, text: ') AS "replicadesk_src"' });
      } else if (ins.fromSelect) {
        problems.push(`INSERT ... SELECT into ${ins.relation.name} without a column list leaves its time DEFAULTs to each node`);
      } else if (ins.rows.length && ins.rowWidths.every((w) => w === width)) {
        if (ins.colsCloseTok !== null) {
          edits.push({ start: tokens.start[ins.colsCloseTok]!, end: tokens.start[ins.colsCloseTok]!, text: `, ${extraCols}` });
        } else {
          const listed = table!.columns.slice(0, width).map((c) => quoteIdent(c.name));
          edits.push({ start: tokens.start[ins.sourceTok]!, end: tokens.start[ins.sourceTok]!, text: `(${[...listed, extraCols].join(', ')}) ` });
        }
        for (const [, close] of ins.rows) edits.push({ start: tokens.start[close]!, end: tokens.start[close]!, text: `, ${extraVals}` });
      } else problems.push(`the VALUES of this INSERT into ${ins.relation.name} could not be extended`);
    }
  }
  if (ts !== undefined && timeCols.length && info.updateDefaults) {
    const byName = new Map(timeCols.map((c) => [c.name, c]));
    for (const s of info.updateDefaults.sites) {
      const col = byName.get(s.col);
      if (col) edits.push({ start: tokens.start[s.tok]!, end: tokens.end[s.tok]!, text: defaultValue(col, ts) });
    }
  }
  if (info.rewriteBroken) problems.push('the statement could not be analysed for rewriting');
  return { text: apply(text, edits), problems };
}

/**
 * SQL-level `PREPARE name [(types)] AS <statement that reads the clock>`: EXECUTE runs it later, on each
 * node with that node's clock. The other nodes instead prepare it with one more parameter standing for the
 * time (the edits rewriteForOthers makes, with the parameter in place of a literal), and each EXECUTE passes
 * the main node's timestamp to it (executeForOthers). Undefined with a reason when that cannot be done.
 */
export function prepareForOthers(text: string, tokens: Tokens, info: Classified, table?: TableFacts): { text: string; param: number; problems: string[] } | { reason: string } {
  const inner = info.sqlPrepare?.inner;
  if (!inner) return { reason: 'not a PREPARE' };
  let maxParam = 0;
  for (let k = 0; k < tokens.count; k++) {
    if (tokens.type[k] === TK_PARAM) maxParam = Math.max(maxParam, Number(text.slice(tokens.start[k]! + 1, tokens.end[k])));
  }
  // PREPARE name ( types ) AS ...: token 2 opens the type list when there is one.
  let declared = 0;
  let close = -1;
  if (isOp(text, tokens, 2, '(')) {
    close = matchingParen(text, tokens, 2);
    if (close < 0) return { reason: 'its parameter list could not be read' };
    if (close > 3) {
      declared = 1;
      let depth = 0;
      for (let k = 3; k < close; k++) {
        if (tokens.type[k] !== TK_OP) continue;
        const ch = text.charCodeAt(tokens.start[k]!);
        if (ch === 40 || ch === 91) depth++;
        else if (ch === 41 || ch === 93) depth--;
        else if (ch === 44 && depth === 0) declared++;
      }
    }
  }
  // The added parameter must be the one right after the declared types (others are inferred).
  if (declared && maxParam > declared) return { reason: 'it uses more parameters than it declares types for' };
  const param = Math.max(maxParam, declared) + 1;
  const r = rewriteForOthers(text, tokens, inner, `$${param}`, table);
  if (r.text === text) return { reason: 'nothing in it could be rewritten' };
  let out = r.text;
  if (close > 0) {
    // The type list comes before every edit of the body: splice it into the rewritten text at the same offset.
    const at = tokens.start[close]!;
    out = out.slice(0, at) + (declared ? ', ' : '') + 'pg_catalog.timestamptz' + out.slice(at);
  }
  return { text: out, param, problems: r.problems };
}

/** `EXECUTE name [(args)]` with one more argument (SQL text) at the end. */
export function executeWithArg(text: string, tokens: Tokens, arg: string): string {
  if (isOp(text, tokens, 2, '(')) {
    const close = matchingParen(text, tokens, 2);
    if (close > 0) {
      const at = tokens.start[close]!;
      return text.slice(0, at) + (close > 3 ? ', ' : '') + arg + text.slice(at);
    }
  }
  const at = tokens.end[1]!;
  return `${text.slice(0, at)} (${arg})${text.slice(at)}`;
}

/** `EXECUTE name [(args)]` for the other nodes: the main node's timestamp is passed as the last argument. */
export function executeForOthers(text: string, tokens: Tokens, ts: MainTimestamp): string {
  return executeWithArg(text, tokens, `'${ts}+00'::timestamptz`);
}

/** Whether the rewrite needs the main node's timestamp (so it must be fetched in the transaction). */
export function needsTimestamp(info: Classified, table?: TableFacts): boolean {
  if (info.timeSites.length) return true;
  if (!table || !(info.insert || info.updateDefaults || info.copyShape?.cols)) return false;
  return table.columns.some((c) => c.timeDefault);
}

/** Name of the staging table the other nodes COPY into when a time DEFAULT must be filled in. */
const COPY_STAGE = 'pg_temp."replicadesk_copy"';

/**
 * COPY FROM with a column list that leaves out a column whose DEFAULT uses the time: each node would fill
 * in its own clock. The other nodes instead COPY (same options, same data) into a temporary table and move
 * the rows over with the main node's timestamp, in COPY order (so serial ids come out the same).
 * Returns undefined when the COPY needs no help.
 */
export function copyForOthers(text: string, tokens: Tokens, info: Classified, ts: MainTimestamp | undefined, table: TableFacts | undefined): { before: string[]; copy: string; after: string[] } | undefined {
  const shape = info.copyShape;
  if (!shape || !shape.cols || ts === undefined || !table) return undefined;
  const listed = new Set(shape.cols);
  const missing = table.columns.filter((c) => c.timeDefault && !listed.has(c.name));
  if (missing.length === 0) return undefined;
  const rel = text.slice(tokens.start[shape.relFirst]!, tokens.end[shape.relLast]!);
  const cols = shape.cols.map(quoteIdent).join(', ');
  const copy = text.slice(0, tokens.start[shape.relFirst]!) + COPY_STAGE + text.slice(tokens.end[shape.relLast]!);
  return {
    before: [`CREATE TEMP TABLE "replicadesk_copy" AS SELECT ${cols} FROM ${rel} WITH NO DATA`],
    copy,
    after: [
      `INSERT INTO ${rel} (${cols}, ${missing.map((c) => quoteIdent(c.name)).join(', ')}) SELECT ${cols}, ${missing.map((c) => defaultValue(c, ts)).join(', ')} FROM ${COPY_STAGE} ORDER BY ctid`,
      `DROP TABLE ${COPY_STAGE}`,
    ],
  };
}
