/**
 * Makes a writing statement deterministic for the other nodes: now()/CURRENT_* become the main node's
 * transaction timestamp as a literal, and columns whose DEFAULT uses the time get that value explicitly
 * (pgpool does this for temporal DEFAULTs; we also do it for DEFAULT keywords, DEFAULT VALUES and UPDATE
 * SET col = DEFAULT). Edits are spliced at token positions of the original text; nothing is re-printed.
 */
import type { Classified, TimeCast, TimeSite } from './classify';
import { type Tokens } from './lexer';

/** The main node's transaction timestamp in UTC, "YYYY-MM-DD HH:MM:SS.ffffff". */
export type MainTimestamp = string;

/** SQL that gives MainTimestamp for the current transaction, independent of DateStyle and TimeZone. */
export const FETCH_MAIN_TIMESTAMP = `SELECT pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')`;

export function timeLiteral(ts: MainTimestamp, cast: TimeCast, precision?: number): string {
  const base = `'${ts}+00'::timestamptz`;
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
