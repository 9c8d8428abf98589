/**
 * Net changes per primary key, for when many source transactions share one target transaction (catching
 * up). Inside that target transaction nobody sees intermediate states, so for a table whose rows are only
 * related through their primary key (no other unique key, no foreign key, no trigger, a key compared
 * byte for byte) the sequence of row events on one key can be replaced by its net effect:
 *
 *   first op    | last state  | statement
 *   ------------+-------------+-----------------------------------------------------------
 *   INSERT      | present     | INSERT ... VALUES (multi-row): a duplicate still fails (1062)
 *   INSERT      | deleted     | nothing
 *   UPDATE/DEL. | present     | INSERT ... ON DUPLICATE KEY UPDATE (multi-row), or nothing if unchanged
 *   UPDATE/DEL. | deleted     | DELETE ... WHERE pk IN (...)
 *
 * One statement per table and kind replaces thousands: this is what lets the applier keep up with, and
 * beat, the native replica's row-by-row handler calls. Row counts are still checked (STRICT): a DELETE
 * must remove every listed row, and an upsert of n rows that all exist and all change reports 2n; a row
 * missing on the target shows up as a count mismatch (the caller then replays those transactions one by
 * one, without net changes, to report the exact event).
 */
import { isJsonDiff, type ColumnValue, type Row, type UpdatedRow } from '../binlog/types';
import type { RowStatement } from './row-statements';
import { literal, qualified, quoteId } from './sql-text';
import type { TargetTable } from './target-table';

interface Entry {
  /** Whether the row existed on the target before this target transaction touched it. */
  existed: boolean;
  /** The row as it was before (when it existed): to tell a real change from a no-op. */
  initial: Row | undefined;
  /** The row now, or null when deleted. */
  final: Row | null;
}

interface TableChanges {
  table: TargetTable;
  entries: Map<string, Entry>;
}

/** Returned by add() when the events contradict the net state (drift): apply them one by one instead. */
export const NOT_NETTABLE = Symbol('not-nettable');

export class NetChanges {
  private readonly tables = new Map<TargetTable, TableChanges>();
  private rowCount = 0;
  private byteEstimate = 0;

  /** Rows held (distinct keys). */
  get size(): number {
    return this.rowCount;
  }

  get bytes(): number {
    return this.byteEstimate;
  }

  has(t: TargetTable): boolean {
    return this.tables.has(t);
  }

  /**
   * Folds one rows event (full images only) into the net state. Returns NOT_NETTABLE, changing nothing,
   * when a row's history does not make sense (insert of a present key, change of an absent one).
   */
  add(t: TargetTable, kind: 'write' | 'update' | 'delete', rows: Row[] | UpdatedRow[], eventBytes: number): typeof NOT_NETTABLE | undefined {
    let tc = this.tables.get(t);
    if (!tc) {
      tc = { table: t, entries: new Map() };
      this.tables.set(t, tc);
    }
    const key = t.key!;
    const staged: [string, Entry | undefined, Entry][] = [];
    const current = (k: string) => {
      for (let i = staged.length - 1; i >= 0; i--) if (staged[i]![0] === k) return staged[i]![2];
      return tc!.entries.get(k);
    };
    const apply = (k: string, next: Entry) => staged.push([k, tc!.entries.get(k), next]);
    for (const r of rows) {
      if (kind === 'write') {
        const row = r as Row;
        const k = keyOf(row, key);
        const e = current(k);
        if (e && e.final !== null) return NOT_NETTABLE;
        apply(k, e ? { ...e, final: row } : { existed: false, initial: undefined, final: row });
      } else if (kind === 'delete') {
        const row = r as Row;
        const k = keyOf(row, key);
        const e = current(k);
        if (e && e.final === null) return NOT_NETTABLE;
        apply(k, e ? { ...e, final: null } : { existed: true, initial: row, final: null });
      } else {
        const { before, after } = r as UpdatedRow;
        const kb = keyOf(before, key);
        const ka = keyOf(after, key);
        const e = current(kb);
        if (e && e.final === null) return NOT_NETTABLE;
        if (ka === kb) {
          apply(kb, e ? { ...e, final: after } : { existed: true, initial: before, final: after });
        } else {
          // The key changed: the old key goes, the new one comes.
          apply(kb, e ? { ...e, final: null } : { existed: true, initial: before, final: null });
          const en = current(ka);
          if (en && en.final !== null) return NOT_NETTABLE;
          apply(ka, en ? { ...en, final: after } : { existed: false, initial: undefined, final: after });
        }
      }
    }
    for (const [k, prev, next] of staged) {
      if (!prev && !tc.entries.has(k)) this.rowCount++;
      tc.entries.set(k, next);
    }
    this.byteEstimate += eventBytes;
    return undefined;
  }

  /** Statements for everything held (then forgets it), or for one table only. */
  drain(o: { idempotent: boolean; maxStatementBytes: number }, only?: TargetTable): RowStatement[] {
    const out: RowStatement[] = [];
    for (const [t, tc] of [...this.tables]) {
      if (only && t !== only) continue;
      this.tables.delete(t);
      this.rowCount -= tc.entries.size;
      const deletes: Row[] = [];
      const inserts: Row[] = [];
      const upserts: Row[] = [];
      for (const e of tc.entries.values()) {
        if (e.final === null) {
          if (e.existed) deletes.push(e.initial!);
        } else if (!e.existed) inserts.push(e.final);
        else if (!sameRow(e.initial!, e.final)) upserts.push(e.final);
      }
      out.push(...deleteStatements(t, deletes, o), ...insertStatements(t, inserts, o, false), ...insertStatements(t, upserts, o, true));
    }
    if (!only) this.byteEstimate = 0;
    return out;
  }
}

function keyOf(row: Row, key: number[]): string {
  if (key.length === 1) return part(row[key[0]!]);
  let s = '';
  for (const p of key) s += part(row[p]) + '\u0001';
  return s;
}

function part(v: ColumnValue | undefined): string {
  if (v === null || v === undefined) return '\u0000';
  if (typeof v === 'number') return 'n' + v;
  if (typeof v === 'bigint') return 'b' + v;
  if (typeof v === 'string') return 's' + v;
  if (Buffer.isBuffer(v)) return 'x' + v.toString('latin1');
  return 'j' + JSON.stringify(v);
}

function sameRow(a: Row, b: Row): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (Buffer.isBuffer(x) && Buffer.isBuffer(y) && x.equals(y)) continue;
    if (typeof x === 'number' && typeof y === 'number' && Object.is(x, y)) continue;
    return false;
  }
  return true;
}

function writableColumns(t: TargetTable) {
  return t.columns.filter((c) => !c.generated);
}

function insertStatements(t: TargetTable, rows: Row[], o: { idempotent: boolean; maxStatementBytes: number }, upsert: boolean): RowStatement[] {
  if (rows.length === 0) return [];
  const cols = writableColumns(t);
  const head = `INSERT INTO ${qualified(t.db, t.table)} (${cols.map((c) => quoteId(c.name)).join(',')}) VALUES `;
  const tail = upsert || o.idempotent ? ` ON DUPLICATE KEY UPDATE ${cols.map((c) => `${quoteId(c.name)}=VALUES(${quoteId(c.name)})`).join(',')}` : '';
  const out: RowStatement[] = [];
  let parts: string[] = [];
  let size = head.length + tail.length;
  const flush = () => {
    if (parts.length === 0) return;
    // Every upserted row exists and changes: 2 affected rows each (the connection counts found rows).
    out.push({ sql: head + parts.join(',') + tail, expect: upsert && !o.idempotent ? 2 * parts.length : null });
    parts = [];
    size = head.length + tail.length;
  };
  for (const row of rows) {
    let v = '(';
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i]!;
      const x = row[c.position];
      if (i > 0) v += ',';
      v += x === undefined || isJsonDiff(x) ? 'DEFAULT' : literal(x, c);
    }
    v += ')';
    if (size + v.length > o.maxStatementBytes) flush();
    parts.push(v);
    size += v.length + 1;
  }
  flush();
  return out;
}

function deleteStatements(t: TargetTable, rows: Row[], o: { idempotent: boolean; maxStatementBytes: number }): RowStatement[] {
  if (rows.length === 0) return [];
  const key = t.key!;
  const name = qualified(t.db, t.table);
  const single = key.length === 1 ? t.columns[key[0]!]! : undefined;
  const head = single ? `DELETE FROM ${name} WHERE ${quoteId(single.name)} IN (` : `DELETE FROM ${name} WHERE `;
  const out: RowStatement[] = [];
  let parts: string[] = [];
  let size = head.length;
  const flush = () => {
    if (parts.length === 0) return;
    out.push({ sql: single ? head + parts.join(',') + ')' : head + parts.join(' OR '), expect: o.idempotent ? null : parts.length });
    parts = [];
    size = head.length;
  };
  for (const row of rows) {
    const part = single
      ? literal(row[single.position] as Exclude<ColumnValue, undefined>, single)
      : '(' + key.map((p) => `${quoteId(t.columns[p]!.name)} = ${literal(row[p] as Exclude<ColumnValue, undefined>, t.columns[p]!)}`).join(' AND ') + ')';
    if (size + part.length > o.maxStatementBytes) flush();
    parts.push(part);
    size += part.length + 4;
  }
  flush();
  return out;
}
