/**
 * SQL text for the applier: identifiers and literals written so the target stores exactly the bytes the
 * source had. Strings travel as hex with a charset introducer (`_latin1 X'e9'`): no escaping pitfalls, no
 * conversion through the connection charset, and the server reads them as the column's own bytes.
 */
import type { ColumnValue } from '../binlog/types';

/** `name` quoted with backticks (a backtick inside is doubled). */
export function quoteId(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

export function qualified(db: string, table: string): string {
  return `${quoteId(db)}.${quoteId(table)}`;
}

/** A string literal in single quotes, with the characters MySQL treats specially escaped. */
export function quoteString(s: string): string {
  return "'" + s.replace(/[\0\n\r\b\t\x1a'"\\]/g, (c) => ESCAPES[c]!) + "'";
}
const ESCAPES: Record<string, string> = { '\0': '\\0', '\n': '\\n', '\r': '\\r', '\b': '\\b', '\t': '\\t', '\x1a': '\\Z', "'": "\\'", '"': '\\"', '\\': '\\\\' };

/** How the applier writes values for a target column, derived from its data type. */
export type ValueStyle = 'integer' | 'real' | 'decimal' | 'bit' | 'text' | 'binary' | 'temporal' | 'json' | 'enum' | 'set' | 'spatial' | 'uuid' | 'other';

export function valueStyleOf(dataType: string, charset: string | null): ValueStyle {
  switch (dataType.toLowerCase()) {
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
    case 'int':
    case 'integer':
    case 'bigint':
    case 'year':
      return 'integer';
    case 'float':
    case 'double':
    case 'real':
      return 'real';
    case 'decimal':
    case 'numeric':
      return 'decimal';
    case 'bit':
      return 'bit';
    case 'date':
    case 'time':
    case 'datetime':
    case 'timestamp':
      return 'temporal';
    case 'json':
      return 'json';
    case 'enum':
      return 'enum';
    case 'set':
      return 'set';
    case 'geometry':
    case 'point':
    case 'linestring':
    case 'polygon':
    case 'multipoint':
    case 'multilinestring':
    case 'multipolygon':
    case 'geometrycollection':
    case 'geomcollection':
      return 'spatial';
    case 'char':
    case 'varchar':
    case 'tinytext':
    case 'text':
    case 'mediumtext':
    case 'longtext':
      return charset && charset !== 'binary' ? 'text' : 'binary';
    case 'binary':
    case 'varbinary':
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
    case 'uuid':
      // MariaDB UUID: 16 bytes in the binlog, but only its text form can be assigned back.
      return 'uuid';
    case 'inet4':
    case 'inet6':
    case 'vector':
      return 'binary';
    default:
      return charset && charset !== 'binary' ? 'text' : 'other';
  }
}

export interface LiteralColumn {
  style: ValueStyle;
  /** Character set of text columns, as the target names it (used as the introducer). */
  charset: string | null;
}

const NUMERIC_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The SQL literal for one decoded value (see binlog/types.ts for what each JS type means). `undefined`
 * (a column missing from the image) must not reach here: callers leave such columns out.
 */
export function literal(v: ColumnValue, col: LiteralColumn): string {
  if (v === null) return 'NULL';
  switch (typeof v) {
    case 'number':
      if (Object.is(v, -0)) return '-0e0';
      if (!Number.isFinite(v)) return 'NULL';
      return String(v);
    case 'bigint':
      return v.toString();
    case 'string':
      switch (col.style) {
        case 'integer':
        case 'real':
        case 'decimal':
          return NUMERIC_TEXT.test(v) ? v : quoteString(v);
        case 'temporal':
          return quoteString(v);
        case 'binary':
        case 'spatial':
        case 'other':
          return hexLiteral(Buffer.from(v, 'utf8'));
        default:
          // Text decoded from a charset the decoder knows: hand it over as utf8mb4, the server converts it
          // into the column's charset (exact: the decoder only decodes charsets that round-trip).
          return `_utf8mb4 ${hexLiteral(Buffer.from(v, 'utf8'))}`;
      }
    default:
      break;
  }
  if (Buffer.isBuffer(v)) {
    switch (col.style) {
      case 'bit':
        return bitValue(v);
      case 'uuid':
        if (v.length === 16) {
          const h = v.toString('hex');
          return `'${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}'`;
        }
        return hexLiteral(v);
      case 'text':
      case 'json':
      case 'enum':
      case 'set':
        // Raw bytes of the column's own charset: the introducer says so, no conversion happens.
        return col.charset ? `_${col.charset} ${hexLiteral(v)}` : hexLiteral(v);
      default:
        return hexLiteral(v);
    }
  }
  throw new TypeError(`cannot write a ${typeof v} value as SQL`);
}

function hexLiteral(b: Buffer): string {
  return b.length === 0 ? "X''" : `X'${b.toString('hex')}'`;
}

/** BIT values arrive as big-endian bytes; as a number they fit any BIT(n) column. */
function bitValue(b: Buffer): string {
  if (b.length === 0) return '0';
  return BigInt('0x' + b.toString('hex')).toString();
}
