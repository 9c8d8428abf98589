/**
 * Rows to SQL, exactly. Pure. Source sessions read with character_set_results=binary, so every string
 * arrives as the column's own bytes; they are written back as hex literals, which the target stores
 * byte for byte whatever the column's character set (no conversion through JavaScript strings on the way).
 */
import { qid } from '../endpoint';

export type ColumnKind = 'num' | 'quoted' | 'bin';

export interface ColumnPlan {
  name: string;
  kind: ColumnKind;
  /** What to SELECT for this column. */
  select: string;
}

const NUMERIC = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'decimal', 'numeric', 'double', 'real', 'year', 'float']);
const TEMPORAL = new Set(['date', 'datetime', 'timestamp', 'time']);
const GEOMETRY = new Set(['geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection', 'geomcollection']);

export function planColumn(name: string, dataType: string): ColumnPlan {
  const t = dataType.toLowerCase();
  const col = qid(name);
  // The text protocol prints FLOAT with 6 significant digits, which loses precision; as a DOUBLE it
  // carries the stored float exactly, and the target rounds it back to the same float.
  if (t === 'float') return { name, kind: 'num', select: `(${col} + 0e0)` };
  if (NUMERIC.has(t)) return { name, kind: 'num', select: col };
  if (TEMPORAL.has(t)) return { name, kind: 'quoted', select: col };
  // MariaDB's UUID/INET4/INET6 go through their text form: the binary form of some values (all zero
  // bytes) does not read back as the same value when written as a binary literal.
  if (t === 'uuid' || t === 'inet4' || t === 'inet6') return { name, kind: 'quoted', select: `CAST(${col} AS CHAR)` };
  // Geometry as its internal bytes (SRID + WKB); the driver would otherwise turn it into objects.
  if (GEOMETRY.has(t)) return { name, kind: 'bin', select: `CAST(${col} AS BINARY)` };
  return { name, kind: 'bin', select: col };
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
  return b.length === 0 ? "''" : `X'${b.toString('hex')}'`;
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
