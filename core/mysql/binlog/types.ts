/**
 * How decoded column values are represented: the one place that defines it. The applier binds these values
 * as statement parameters (mysql2) and must get back exactly what the source stored, so every choice below
 * favours exactness over convenience.
 *
 * | column type (TABLE_MAP)                 | JS value                                                        |
 * |-----------------------------------------|-----------------------------------------------------------------|
 * | SQL NULL                                | `null`                                                          |
 * | column not in the row image             | `undefined` (a hole: MINIMAL / NOBLOB images, PARTIAL_UPDATE)   |
 * | TINYINT, SMALLINT, MEDIUMINT, INT       | `number`, signed or unsigned as the column is (see below)       |
 * | BIGINT                                  | `bigint` always (exact beyond 2^53; unsigned up to 2^64-1)      |
 * | DECIMAL/NUMERIC (NEWDECIMAL)            | `string`, exactly as the server prints it: '-0.50', '12345.000' |
 * | FLOAT                                   | `number`: the float32 value widened exactly (binds back exactly)|
 * | DOUBLE                                  | `number`                                                        |
 * | YEAR                                    | `number`: 0 (for 0000) or 1901..2155                            |
 * | DATE                                    | `string` 'YYYY-MM-DD', zero and partial-zero dates kept ('0000-00-00', '2015-00-21') |
 * | TIME, TIME(n)                           | `string` '[-]HH:MM:SS[.f…]' with exactly n fraction digits; hours may exceed 99 ('-838:59:59') |
 * | DATETIME, DATETIME(n)                   | `string` 'YYYY-MM-DD HH:MM:SS[.f…]' (n digits), zero dates kept |
 * | TIMESTAMP, TIMESTAMP(n)                 | `string` in **UTC**, same layout as DATETIME; 0 is '0000-00-00 00:00:00'. Bind with the session time_zone set to '+00:00'. |
 * | CHAR, VARCHAR, TEXT (charset known)     | `string` when the charset decodes losslessly (utf8mb3/utf8mb4/ascii/latin1/ucs2/utf16/utf16le/utf32), else `Buffer` |
 * | CHAR, VARCHAR, TEXT (charset unknown)   | `Buffer` of the raw bytes (MariaDB's default binlog_row_metadata=NO_LOG does not say) |
 * | BINARY, VARBINARY, BLOB                 | `Buffer`; BINARY(n) re-padded with 0x00 to n bytes when the column is known to be binary (the server strips them in the binlog) |
 * | BIT(n)                                  | `Buffer` of ceil(n/8) bytes, big-endian, as `SELECT` returns it |
 * | ENUM                                    | `number`: 1-based index, 0 for the '' error value. Names: `TableMapColumn.enumValues` |
 * | SET                                     | `bigint` bitmask (bit 0 = first member). Names: `TableMapColumn.setValues` |
 * | JSON (MySQL binary JSON)                | `string`: the text MySQL prints for it (`{"a": 1, "b": [1.5, "x"]}`) |
 * | JSON in PARTIAL_UPDATE_ROWS after image | `JsonDiffValue` when the server logged a diff instead of the document |
 * | GEOMETRY                                | `Buffer`: 4-byte SRID + WKB, as stored                           |
 * | VECTOR (MySQL 9)                        | `Buffer` of float32 little-endian values                         |
 * | MariaDB INET4/INET6/UUID                | `Buffer` (they are BINARY(4/16) in the binlog)                   |
 * | MariaDB compressed columns              | the decompressed value, as for the uncompressed type            |
 *
 * Binding notes for the applier: ENUM/SET are numbers, so bind them where a number is expected
 * (`? + 0` or CAST(? AS UNSIGNED)), not as text, which the server would read as member names. Buffers are
 * views into the event bytes (no copy): copy them to keep them beyond the event. DECIMAL/temporal strings bind
 * as text and convert exactly.
 *
 * Signedness: MySQL 8 (binlog_row_metadata MINIMAL/FULL) and MariaDB (FULL) say which integers are
 * UNSIGNED. Without that, integers are decoded signed (what the bytes say) unless `ColumnHint.unsigned`
 * says otherwise; the applier supplies hints from the target table's definition.
 */

/** One decoded column value; see the table above. */
export type ColumnValue = null | number | bigint | string | Buffer | JsonDiffValue;

/** One row image, indexed by column position. Columns absent from the image are holes (`undefined`). */
export type Row = ColumnValue[];

export interface UpdatedRow {
  before: Row;
  after: Row;
}

/** PARTIAL_UPDATE_ROWS: MySQL logged a list of changes to the JSON document instead of the new document. */
export interface JsonDiffValue {
  kind: 'json-diff';
  diffs: JsonDiff[];
}

export interface JsonDiff {
  operation: 'REPLACE' | 'INSERT' | 'REMOVE';
  /** A MySQL JSON path, e.g. `$.a[2]`. */
  path: string;
  /** The new value as JSON text (absent for REMOVE). */
  value?: string;
}

export function isJsonDiff(v: unknown): v is JsonDiffValue {
  return typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && (v as JsonDiffValue).kind === 'json-diff';
}

/**
 * What the decoder cannot learn from a binlog without optional metadata, supplied per table (by the applier,
 * from the target's schema). Metadata in the TABLE_MAP, when present, takes precedence.
 */
export interface ColumnHint {
  name?: string;
  unsigned?: boolean;
  /** Character set name (utf8mb4, latin1, binary, ...) of string columns. */
  charset?: string;
  enumValues?: string[];
  setValues?: string[];
}

/** Returns hints for a table (by the names in its TABLE_MAP), or undefined. Called once per TABLE_MAP. */
export type TableHintsProvider = (schema: string, table: string) => ColumnHint[] | undefined;
