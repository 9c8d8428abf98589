/**
 * How each column is read and written back, exactly. Pure. Source sessions read with
 * character_set_results=binary, so every string arrives as the column's own bytes. The main path passes
 * those bytes to LOAD DATA ... CHARACTER SET binary (load-data.ts); the fallback for targets that refuse
 * LOAD DATA LOCAL writes them as hex literals in INSERTs (below). Either way the target stores them byte
 * for byte whatever the column's character set.
 */
import { qid } from '../endpoint';

/** num: server's ASCII number text; quoted: ASCII text (dates, UUIDs); bin: bytes; utf8: bytes of utf8mb4 text (MySQL's JSON). */
export type ColumnKind = 'num' | 'quoted' | 'bin' | 'utf8';

export interface ColumnPlan {
  name: string;
  kind: ColumnKind;
  /** What to SELECT for this column. */
  select: string;
  /**
   * How LOAD DATA assigns it: "bytes" stores the bytes as they are; "text" converts them as utf8mb4 text
   * first (types whose binary-charset input means their internal binary form, not their text).
   */
  loadAs: 'bytes' | 'text';
  /** The table's AUTO_INCREMENT column. */
  autoIncrement?: boolean;
  /** An integer type (a primary key of one such column lets a big table be read in ranges). */
  integer: boolean;
}

const INTEGER = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint']);
const NUMERIC = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'decimal', 'numeric', 'double', 'real', 'year', 'float']);
const TEMPORAL = new Set(['date', 'datetime', 'timestamp', 'time']);
const GEOMETRY = new Set(['geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection', 'geomcollection']);

export function planColumn(name: string, dataType: string): ColumnPlan {
  const t = dataType.toLowerCase();
  return { ...planRead(name, t), integer: INTEGER.has(t) };
}

function planRead(name: string, t: string): Omit<ColumnPlan, 'integer'> {
  const col = qid(name);
  // The text protocol prints FLOAT with 6 significant digits, which loses precision; as a DOUBLE it
  // carries the stored float exactly, and the target rounds it back to the same float.
  if (t === 'float') return { name, kind: 'num', select: `(${col} + 0e0)`, loadAs: 'bytes' };
  if (NUMERIC.has(t)) return { name, kind: 'num', select: col, loadAs: 'bytes' };
  if (TEMPORAL.has(t)) return { name, kind: 'quoted', select: col, loadAs: 'bytes' };
  // MariaDB's UUID/INET4/INET6 go through their text form: the binary form of some values (all zero
  // bytes) does not read back as the same value when written as a binary literal.
  if (t === 'uuid' || t === 'inet4' || t === 'inet6') return { name, kind: 'quoted', select: `CAST(${col} AS CHAR)`, loadAs: 'text' };
  // MySQL's JSON refuses binary-charset input; MariaDB's JSON is LONGTEXT and never gets here.
  if (t === 'json') return { name, kind: 'utf8', select: col, loadAs: 'text' };
  // Geometry as its internal bytes (SRID + WKB); the driver would otherwise turn it into objects.
  if (GEOMETRY.has(t)) return { name, kind: 'bin', select: `CAST(${col} AS BINARY)`, loadAs: 'bytes' };
  return { name, kind: 'bin', select: col, loadAs: 'bytes' };
}

/** One value as a SQL literal. */
export function literal(v: unknown, kind: ColumnKind): string {
  if (v === null || v === undefined) return 'NULL';
  if (kind === 'num') {
    const s = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : String(v);
    // Numbers from the server are plain ASCII; anything else is quoted so it can never become SQL.
    return /^[-+0-9.eE]+$/.test(s) ? s : quote(s);
  }
  if (kind === 'quoted') return quote(Buffer.isBuffer(v) ? v.toString('latin1') : String(v));
  // The driver hands strings for a few types (JSON with jsonStrings) decoded as latin1 from binary results.
  const b = Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'latin1');
  const hex = b.length === 0 ? "''" : `X'${b.toString('hex')}'`;
  return kind === 'utf8' ? `CONVERT(${hex} USING utf8mb4)` : hex;
}

function quote(s: string): string {
  return "'" + s.replace(/[\0\n\r\x1a'\\]/g, (c) => ({ '\0': '\\0', '\n': '\\n', '\r': '\\r', '\x1a': '\\Z', "'": "\\'", '\\': '\\\\' })[c]!) + "'";
}

/** Size in bytes a value adds to the copy (for progress), approximately its stored size. */
export function valueBytes(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (Buffer.isBuffer(v)) return v.length;
  if (typeof v === 'string') return v.length;
  return 8;
}

export function insertPrefix(schema: string, table: string, cols: ColumnPlan[]): string {
  return `INSERT INTO ${qid(schema)}.${qid(table)} (${cols.map((c) => qid(c.name)).join(',')}) VALUES `;
}

export function encodeRow(row: unknown[], cols: ColumnPlan[]): string {
  let s = '(';
  for (let i = 0; i < cols.length; i++) {
    if (i) s += ',';
    s += literal(row[i], cols[i]!.kind);
  }
  return s + ')';
}
