import type { ColumnHint } from './types';

/** One row of information_schema.COLUMNS (the fields hints need), in ORDINAL_POSITION order. */
export interface InformationSchemaColumn {
  COLUMN_NAME: string;
  DATA_TYPE: string;
  COLUMN_TYPE: string;
  CHARACTER_SET_NAME: string | null;
}

const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'inet4', 'inet6', 'uuid']);

/** The quoted members of an ENUM(...)/SET(...) column type, unescaped. */
export function parseEnumMembers(columnType: string): string[] {
  const m = /^(?:enum|set)\((.*)\)$/is.exec(columnType.trim());
  if (!m) return [];
  const out: string[] = [];
  const re = /'((?:[^']|'')*)'/g;
  let x: RegExpExecArray | null;
  while ((x = re.exec(m[1]!))) out.push(x[1]!.replace(/''/g, "'").replace(/\\\\/g, '\\'));
  return out;
}

/**
 * Column hints for a table from its information_schema.COLUMNS rows, for binlogs without TABLE_MAP metadata
 * (MariaDB's default binlog_row_metadata=NO_LOG, MySQL 5.7): signedness, charsets (binary for BINARY,
 * VARBINARY, BLOB and MariaDB's INET4/INET6/UUID), names and ENUM/SET members. Pure: the caller queries.
 */
export function columnHintsFromInformationSchema(rows: InformationSchemaColumn[]): ColumnHint[] {
  return rows.map((r) => {
    const type = r.DATA_TYPE.toLowerCase();
    const h: ColumnHint = { name: r.COLUMN_NAME };
    if (/\bunsigned\b/i.test(r.COLUMN_TYPE)) h.unsigned = true;
    else if (/int|decimal|float|double|real|numeric|year/.test(type)) h.unsigned = type === 'year';
    if (r.CHARACTER_SET_NAME) h.charset = r.CHARACTER_SET_NAME;
    else if (BINARY_TYPES.has(type)) h.charset = 'binary';
    if (type === 'enum') h.enumValues = parseEnumMembers(r.COLUMN_TYPE);
    if (type === 'set') h.setValues = parseEnumMembers(r.COLUMN_TYPE);
    return h;
  });
}
