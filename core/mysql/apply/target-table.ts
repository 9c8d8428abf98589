import type mysql from 'mysql2/promise';
import type { ColumnHint } from '../binlog/types';
import { valueStyleOf, type LiteralColumn } from './sql-text';

/** One column of a target table, as information_schema describes it. Position is 0-based. */
export interface TargetColumn extends LiteralColumn {
  name: string;
  position: number;
  dataType: string;
  collation: string | null;
  unsigned: boolean;
  nullable: boolean;
  /** Generated (virtual/stored/persistent) columns cannot be written. */
  generated: boolean;
}

/** What the applier needs to know about a target table to write row changes into it. */
export interface TargetTable {
  db: string;
  table: string;
  columns: TargetColumn[];
  /**
   * Columns (positions) that identify a row, the way MySQL's replica picks them: the primary key, else a
   * unique key whose columns are all NOT NULL; undefined when there is none (rows are then matched on
   * every column, one at a time).
   */
  key: number[] | undefined;
  /** MySQL's native JSON type is present (WHERE needs CAST(... AS JSON)). */
  hasNativeJson: boolean;
  /**
   * Rows relate only through the key: it is the only unique index, no foreign key points from or to the
   * table, no trigger, and the key compares byte for byte. Row events may then be folded into net changes
   * per key (see net-changes.ts).
   */
  nettable: boolean;
  /** The target table has triggers: they fire on our statements (a native replica does not fire them for row events). */
  hasTriggers: boolean;
}

interface ColumnRow {
  COLUMN_NAME: string;
  ORDINAL_POSITION: number | string;
  DATA_TYPE: string;
  COLUMN_TYPE: string;
  CHARACTER_SET_NAME: string | null;
  COLLATION_NAME: string | null;
  IS_NULLABLE: string;
  EXTRA: string;
  IS_GENERATED?: string;
}

interface IndexRow {
  INDEX_NAME: string;
  NON_UNIQUE: number | string;
  COLUMN_NAME: string;
  SEQ_IN_INDEX: number | string;
}

/** Reads a table's columns and keys; undefined when the table does not exist. */
export async function loadTargetTable(conn: mysql.Connection, db: string, table: string): Promise<TargetTable | undefined> {
  const [cols] = await conn.query(
    `SELECT COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, IS_NULLABLE, EXTRA
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [db, table],
  );
  const rows = cols as ColumnRow[];
  if (rows.length === 0) return undefined;
  const columns: TargetColumn[] = rows.map((r, i) => {
    const extra = String(r.EXTRA ?? '').toUpperCase();
    return {
      name: r.COLUMN_NAME,
      position: i,
      dataType: String(r.DATA_TYPE).toLowerCase(),
      charset: r.CHARACTER_SET_NAME,
      collation: r.COLLATION_NAME,
      style: valueStyleOf(String(r.DATA_TYPE), r.CHARACTER_SET_NAME),
      unsigned: /unsigned/i.test(r.COLUMN_TYPE),
      nullable: r.IS_NULLABLE === 'YES',
      // MySQL's DEFAULT_GENERATED (an expression default) stays writable; only computed columns are not.
      generated: /(VIRTUAL|STORED) GENERATED|PERSISTENT/.test(extra),
    };
  });
  const [idx] = await conn.query(
    `SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SEQ_IN_INDEX FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [db, table],
  );
  const byName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  const indexes = new Map<string, number[]>();
  for (const r of idx as IndexRow[]) {
    if (Number(r.NON_UNIQUE) !== 0) continue;
    const c = byName.get(String(r.COLUMN_NAME).toLowerCase());
    if (!c) continue;
    const list = indexes.get(r.INDEX_NAME) ?? [];
    list.push(c.position);
    indexes.set(r.INDEX_NAME, list);
  }
  let key = indexes.get('PRIMARY');
  if (!key) {
    for (const [name, cols2] of [...indexes.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (name !== 'PRIMARY' && cols2.every((p) => !columns[p]!.nullable)) {
        key = cols2;
        break;
      }
    }
  }
  const [triggers] = await conn.query('SELECT 1 FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ? LIMIT 1', [db, table]);
  const hasTriggers = (triggers as unknown[]).length > 0;
  let nettable = false;
  const uniqueIndexes = indexes.size;
  if (key && uniqueIndexes === 1 && !hasTriggers && key.every((p) => byteComparable(columns[p]!))) {
    const [fks] = await conn.query(
      `SELECT 1 FROM information_schema.KEY_COLUMN_USAGE
        WHERE REFERENCED_TABLE_NAME IS NOT NULL AND ((TABLE_SCHEMA = ? AND TABLE_NAME = ?) OR (REFERENCED_TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME = ?)) LIMIT 1`,
      [db, table, db, table],
    );
    nettable = (fks as unknown[]).length === 0;
  }
  return { db, table, columns, key, hasNativeJson: columns.some((c) => c.dataType === 'json'), nettable, hasTriggers };
}

/** Key values that are equal only when their bytes are (no case- or accent-insensitive text, no floats). */
function byteComparable(c: TargetColumn): boolean {
  switch (c.style) {
    case 'integer':
    case 'decimal':
    case 'temporal':
    case 'binary':
    case 'bit':
    case 'uuid':
      return true;
    case 'text':
      return /_bin$/.test(c.collation ?? '') || c.charset === 'binary';
    default:
      return false;
  }
}

/**
 * Hints for the decoder where MariaDB's default binlog_row_metadata=NO_LOG says nothing: signedness, and
 * which string columns are binary (the server strips trailing 0x00 from BINARY(n), UUID and INET6 values in
 * the binlog; knowing the column is binary lets the decoder pad them back). Text columns get no charset
 * hint on purpose: their raw bytes go back to the server with the column's own charset introducer.
 */
export function hintsFor(t: TargetTable): ColumnHint[] {
  return t.columns.map((c) => (c.charset === null && c.style !== 'integer' && c.style !== 'real' && c.style !== 'decimal' ? { unsigned: c.unsigned, charset: 'binary' } : { unsigned: c.unsigned }));
}

/**
 * Target tables by name, loaded on first use and dropped after DDL. Loading is async (a query); the
 * decoder asks for hints synchronously, so the applier loads a table before decoding its TABLE_MAP.
 */
export class TargetTableCache {
  private readonly tables = new Map<string, TargetTable | null>();

  constructor(private readonly conn: () => mysql.Connection) {}

  private key(db: string, table: string): string {
    return `${db}\u0000${table}`;
  }

  get(db: string, table: string): TargetTable | undefined {
    return this.tables.get(this.key(db, table)) ?? undefined;
  }

  has(db: string, table: string): boolean {
    return this.tables.has(this.key(db, table));
  }

  async load(db: string, table: string): Promise<TargetTable | undefined> {
    const k = this.key(db, table);
    if (this.tables.has(k)) return this.tables.get(k) ?? undefined;
    const t = await loadTargetTable(this.conn(), db, table);
    this.tables.set(k, t ?? null);
    return t;
  }

  /** After DDL (or anything that may change a table), forget everything. */
  clear(): void {
    this.tables.clear();
  }
}
