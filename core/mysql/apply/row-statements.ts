/**
 * Row changes → SQL statements, mapped by column position onto the target table (as MySQL's replica maps
 * them when the binlog carries no column names). Pure: a TargetTable and rows in, statements out.
 *
 * - INSERT: the columns present in the after image (MINIMAL images leave the others to their defaults);
 *   consecutive rows become one multi-row INSERT.
 * - DELETE / UPDATE: the row is found by the table's key (primary key, else a NOT NULL unique key) when the
 *   before image has it, as MySQL does; otherwise by every column in the before image with the null-safe
 *   `<=>` and LIMIT 1 (keyless tables). Deletes by key are batched into one `IN (...)` / OR list.
 * - STRICT mode checks every UPDATE/DELETE matched the rows it should (the connection reports found rows),
 *   like the native replica's error 1032; IDEMPOTENT mode turns duplicates into updates and ignores misses.
 */
import { isJsonDiff, type ColumnValue, type JsonDiffValue, type Row, type UpdatedRow } from '../binlog/types';
import { literal, qualified, quoteId, quoteString } from './sql-text';
import type { TargetColumn, TargetTable } from './target-table';

export type RowsKind = 'write' | 'update' | 'delete';

export interface RowStatement {
  sql: string;
  /** Rows the statement must match in STRICT mode; null: no check (the server reports its own errors). */
  expect: number | null;
}

export interface RowsBatch {
  table: TargetTable;
  kind: RowsKind;
  /** Column positions present in the (before) image. */
  present: number[];
  /** Column positions present in the after image (updates). */
  presentAfter: number[];
  rows: Row[] | UpdatedRow[];
}

export interface BuildOptions {
  idempotent: boolean;
  /** Split multi-row statements above about this many bytes of SQL. */
  maxStatementBytes: number;
}

/** Positions of the set bits of a column bitmap (LSB first), up to `count` columns. */
export function bitmapPositions(bitmap: Uint8Array, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (bitmap[i >> 3]! & (1 << (i & 7))) out.push(i);
  return out;
}

export function buildRowStatements(b: RowsBatch, o: BuildOptions): RowStatement[] {
  switch (b.kind) {
    case 'write':
      return buildInserts(b, b.rows as Row[], o);
    case 'delete':
      return buildDeletes(b, b.rows as Row[], o);
    case 'update':
      return buildUpdates(b, b.rows as UpdatedRow[], o);
  }
}

function writable(t: TargetTable, positions: number[]): TargetColumn[] {
  const out: TargetColumn[] = [];
  for (const p of positions) {
    const c = t.columns[p];
    // Source columns beyond the target's last column are ignored, as MySQL's replica ignores them.
    if (c && !c.generated) out.push(c);
  }
  return out;
}

function buildInserts(b: RowsBatch, rows: Row[], o: BuildOptions): RowStatement[] {
  const cols = writable(b.table, b.present);
  const head = `INSERT INTO ${qualified(b.table.db, b.table.table)} (${cols.map((c) => quoteId(c.name)).join(',')}) VALUES `;
  const tail = o.idempotent && cols.length > 0 ? ` ON DUPLICATE KEY UPDATE ${cols.map((c) => `${quoteId(c.name)}=VALUES(${quoteId(c.name)})`).join(',')}` : '';
  const out: RowStatement[] = [];
  let parts: string[] = [];
  let size = head.length + tail.length;
  const flush = () => {
    if (parts.length === 0) return;
    out.push({ sql: head + parts.join(',') + tail, expect: null });
    parts = [];
    size = head.length + tail.length;
  };
  for (const row of rows) {
    let v = '(';
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i]!;
      if (i > 0) v += ',';
      v += valueSql(row[c.position], c);
    }
    v += ')';
    if (size + v.length > o.maxStatementBytes) flush();
    parts.push(v);
    size += v.length + 1;
  }
  flush();
  return out;
}

function valueSql(v: ColumnValue | undefined, c: TargetColumn): string {
  if (v === undefined) return 'DEFAULT';
  if (isJsonDiff(v)) throw new TypeError('a JSON diff can only be applied by an UPDATE');
  return literal(v, c);
}

/** Key positions usable for this image, or undefined to match on the whole image. */
function usableKey(t: TargetTable, present: number[]): number[] | undefined {
  if (!t.key) return undefined;
  const have = new Set(present);
  return t.key.every((p) => have.has(p)) ? t.key : undefined;
}

function eq(c: TargetColumn, v: ColumnValue | undefined, nullSafe: boolean): string {
  const lhs = quoteId(c.name);
  if (v === null || v === undefined) return nullSafe ? `${lhs} <=> NULL` : `${lhs} IS NULL`;
  let rhs = literal(v as Exclude<ColumnValue, JsonDiffValue>, c);
  if (c.dataType === 'json') rhs = `CAST(${rhs} AS JSON)`;
  return `${lhs} ${nullSafe ? '<=>' : '='} ${rhs}`;
}

/** WHERE clause locating one row from its before image. */
function whereFor(t: TargetTable, present: number[], row: Row): { sql: string; limit: boolean } {
  const key = usableKey(t, present);
  if (key) return { sql: key.map((p) => eq(t.columns[p]!, row[p], false)).join(' AND '), limit: false };
  const cols = present.map((p) => t.columns[p]).filter((c): c is TargetColumn => c !== undefined && !c.generated);
  return { sql: cols.length ? cols.map((c) => eq(c, row[c.position], true)).join(' AND ') : '1', limit: true };
}

function buildDeletes(b: RowsBatch, rows: Row[], o: BuildOptions): RowStatement[] {
  const t = b.table;
  const name = qualified(t.db, t.table);
  const key = usableKey(t, b.present);
  const expect = (n: number) => (o.idempotent ? null : n);
  if (!key) {
    return rows.map((row) => {
      const w = whereFor(t, b.present, row);
      return { sql: `DELETE FROM ${name} WHERE ${w.sql} LIMIT 1`, expect: expect(1) };
    });
  }
  const out: RowStatement[] = [];
  const single = key.length === 1 ? t.columns[key[0]!]! : undefined;
  const head = single ? `DELETE FROM ${name} WHERE ${quoteId(single.name)} IN (` : `DELETE FROM ${name} WHERE `;
  let parts: string[] = [];
  let size = head.length;
  const flush = () => {
    if (parts.length === 0) return;
    out.push({ sql: single ? head + parts.join(',') + ')' : head + parts.join(' OR '), expect: expect(parts.length) });
    parts = [];
    size = head.length;
  };
  for (const row of rows) {
    const part = single ? literal(row[single.position] as Exclude<ColumnValue, JsonDiffValue>, single) : `(${key.map((p) => eq(t.columns[p]!, row[p], false)).join(' AND ')})`;
    if (size + part.length > o.maxStatementBytes) flush();
    parts.push(part);
    size += part.length + 4;
  }
  flush();
  return out;
}

function buildUpdates(b: RowsBatch, rows: UpdatedRow[], o: BuildOptions): RowStatement[] {
  const t = b.table;
  const name = qualified(t.db, t.table);
  const setCols = writable(t, b.presentAfter);
  const out: RowStatement[] = [];
  for (const { before, after } of rows) {
    const sets: string[] = [];
    for (const c of setCols) {
      const v = after[c.position];
      if (v === undefined) continue;
      sets.push(`${quoteId(c.name)}=${isJsonDiff(v) ? jsonDiffSql(c, v) : literal(v, c)}`);
    }
    const w = whereFor(t, b.present, before);
    if (sets.length === 0) continue;
    out.push({ sql: `UPDATE ${name} SET ${sets.join(',')} WHERE ${w.sql}${w.limit ? ' LIMIT 1' : ''}`, expect: o.idempotent ? null : 1 });
  }
  return out;
}

/** MySQL's partial JSON update (binlog_row_value_options=PARTIAL_JSON) replayed with JSON functions. */
function jsonDiffSql(c: TargetColumn, d: JsonDiffValue): string {
  let expr = quoteId(c.name);
  for (const op of d.diffs) {
    const path = quoteString(op.path);
    const value = op.value === undefined ? 'NULL' : `CAST(${quoteString(op.value)} AS JSON)`;
    if (op.operation === 'REPLACE') expr = `JSON_REPLACE(${expr}, ${path}, ${value})`;
    else if (op.operation === 'REMOVE') expr = `JSON_REMOVE(${expr}, ${path})`;
    else expr = /\]$/.test(op.path) ? `JSON_ARRAY_INSERT(${expr}, ${path}, ${value})` : `JSON_INSERT(${expr}, ${path}, ${value})`;
  }
  return expr;
}
