import { BINARY_COLLATION_ID, ColumnType } from './constants';
import { ByteReader } from './cursor';
import { type CharsetInfo, charsetByName, charsetOfCollation } from './charsets';
import { MalformedEvent } from './errors';
import type { ColumnHint } from './types';

/** MariaDB's types for columns declared COMPRESSED (as seen in MariaDB 10.11 binlogs). */
export const MARIADB_BLOB_COMPRESSED = 140;
export const MARIADB_VARCHAR_COMPRESSED = 141;

/** TABLE_MAP optional metadata field types (`Table_map_log_event::Optional_metadata_field_type`). */
export const TableMapMetadata = {
  SIGNEDNESS: 1,
  DEFAULT_CHARSET: 2,
  COLUMN_CHARSET: 3,
  COLUMN_NAME: 4,
  SET_STR_VALUE: 5,
  ENUM_STR_VALUE: 6,
  GEOMETRY_TYPE: 7,
  SIMPLE_PRIMARY_KEY: 8,
  PRIMARY_KEY_WITH_PREFIX: 9,
  ENUM_AND_SET_DEFAULT_CHARSET: 10,
  ENUM_AND_SET_COLUMN_CHARSET: 11,
  COLUMN_VISIBILITY: 12,
  VECTOR_DIMENSIONALITY: 13,
} as const;

/** One column as the TABLE_MAP describes it, plus what metadata and hints add. */
export interface TableMapColumn {
  index: number;
  /** Type code as written in the TABLE_MAP (STRING for CHAR, BINARY, ENUM and SET). */
  type: number;
  /** The real type: ENUM/SET/STRING resolved from the metadata; otherwise equal to `type`. */
  realType: number;
  /** The raw per-column metadata as one number (the way mysqlbinlog prints `meta=`). */
  meta: number;
  nullable: boolean;
  name?: string;
  /** undefined: not known (no metadata, no hint). */
  unsigned?: boolean;
  /** Collation id from the metadata (undefined if unknown or not a character column). */
  collationId?: number;
  charset?: CharsetInfo;
  enumValues?: string[];
  setValues?: string[];
  geometryType?: number;
  /** MySQL 8.0.23+ invisible columns (COLUMN_VISIBILITY); undefined when not logged. */
  visible?: boolean;
  vectorDimensions?: number;

  // Decoding parameters derived from type + metadata.
  /** CHAR/VARCHAR: maximum length in bytes. BIT: number of bits. */
  maxLength: number;
  /** Bytes of the length prefix of VARCHAR/CHAR (1|2) and BLOB-like columns (1..4); ENUM/SET/FLOAT/DOUBLE pack length. */
  lengthBytes: number;
  precision: number;
  scale: number;
  /** Fractional seconds precision of TIME2/DATETIME2/TIMESTAMP2. */
  fsp: number;
}

export interface TableMap {
  tableId: number;
  flags: number;
  schema: string;
  table: string;
  columnCount: number;
  columns: TableMapColumn[];
  /** Column indexes of the primary key, from SIMPLE_PRIMARY_KEY / PRIMARY_KEY_WITH_PREFIX metadata. */
  primaryKey?: number[];
  /** Prefix length per primary key column (0 = whole column), from PRIMARY_KEY_WITH_PREFIX. */
  primaryKeyPrefixes?: number[];
  /** JSON columns in table order, for PARTIAL_UPDATE_ROWS partial bits. */
  jsonColumnCount: number;
  /** Optional metadata field types present (empty when binlog_row_metadata=NO_LOG / MySQL 5.7). */
  metadataFields: number[];
}

function isNumeric(type: number, mariadb: boolean): boolean {
  switch (type) {
    case ColumnType.TINY:
    case ColumnType.SHORT:
    case ColumnType.INT24:
    case ColumnType.LONG:
    case ColumnType.LONGLONG:
    case ColumnType.NEWDECIMAL:
    case ColumnType.FLOAT:
    case ColumnType.DOUBLE:
      return true;
    // MariaDB gives every Field_num a signedness bit, YEAR and old DECIMAL included; MySQL does not.
    case ColumnType.YEAR:
    case ColumnType.DECIMAL:
      return mariadb;
    default:
      return false;
  }
}

function isCharacter(c: TableMapColumn): boolean {
  switch (c.realType) {
    case ColumnType.STRING:
    case ColumnType.VAR_STRING:
    case ColumnType.VARCHAR:
    case ColumnType.BLOB:
    case ColumnType.TINY_BLOB:
    case ColumnType.MEDIUM_BLOB:
    case ColumnType.LONG_BLOB:
    case MARIADB_BLOB_COMPRESSED:
    case MARIADB_VARCHAR_COMPRESSED:
    // MySQL 9 counts VECTOR (a binary BLOB underneath) among the character columns.
    case ColumnType.VECTOR:
      return true;
    default:
      return false;
  }
}

function isEnumOrSet(c: TableMapColumn): boolean {
  return c.realType === ColumnType.ENUM || c.realType === ColumnType.SET;
}

/** Reads the per-column metadata block, one column at a time. */
function readColumnMeta(r: ByteReader, col: TableMapColumn): void {
  switch (col.type) {
    case ColumnType.FLOAT:
    case ColumnType.DOUBLE:
      col.meta = col.lengthBytes = r.u8('FLOAT/DOUBLE metadata');
      break;
    case ColumnType.BLOB:
    case ColumnType.TINY_BLOB:
    case ColumnType.MEDIUM_BLOB:
    case ColumnType.LONG_BLOB:
    case ColumnType.GEOMETRY:
    case ColumnType.JSON:
    case ColumnType.VECTOR:
    case MARIADB_BLOB_COMPRESSED:
      col.meta = col.lengthBytes = r.u8('BLOB metadata');
      if (col.lengthBytes < 1 || col.lengthBytes > 4) throw new MalformedEvent(`column ${col.index + 1}: BLOB length size ${col.lengthBytes} is not 1..4`);
      break;
    case ColumnType.TIME2:
    case ColumnType.DATETIME2:
    case ColumnType.TIMESTAMP2:
      col.meta = col.fsp = r.u8('fractional precision');
      if (col.fsp > 6) throw new MalformedEvent(`column ${col.index + 1}: fractional precision ${col.fsp} is over 6`);
      break;
    case ColumnType.VARCHAR:
    case ColumnType.VAR_STRING:
    case MARIADB_VARCHAR_COMPRESSED:
      col.meta = col.maxLength = r.u16('VARCHAR metadata');
      col.lengthBytes = col.maxLength > 255 ? 2 : 1;
      break;
    case ColumnType.BIT: {
      const bits = r.u8('BIT metadata');
      const bytes = r.u8('BIT metadata');
      col.meta = (bytes << 8) | bits;
      col.maxLength = bytes * 8 + bits;
      if (bits > 7 || col.maxLength > 64) throw new MalformedEvent(`column ${col.index + 1}: BIT(${col.maxLength}) is not a valid width`);
      break;
    }
    case ColumnType.NEWDECIMAL:
      col.precision = r.u8('DECIMAL precision');
      col.scale = r.u8('DECIMAL scale');
      col.meta = (col.precision << 8) | col.scale;
      if (col.precision < 1 || col.precision > 65 || col.scale > 30 || col.scale > col.precision) {
        throw new MalformedEvent(`column ${col.index + 1}: DECIMAL(${col.precision},${col.scale}) is not a valid type`);
      }
      break;
    case ColumnType.STRING:
    case ColumnType.ENUM:
    case ColumnType.SET: {
      const b0 = r.u8('CHAR metadata');
      const b1 = r.u8('CHAR metadata');
      col.meta = (b0 << 8) | b1;
      if (col.type === ColumnType.STRING && (b0 & 0x30) !== 0x30) {
        // CHAR longer than 255 bytes: two high bits of the length are folded (inverted) into the type byte.
        col.realType = b0 | 0x30;
        col.maxLength = b1 | (((b0 & 0x30) ^ 0x30) << 4);
      } else {
        col.realType = b0;
        col.maxLength = b1;
      }
      if (col.realType === ColumnType.ENUM || col.realType === ColumnType.SET) {
        col.lengthBytes = b1;
        const ok = col.realType === ColumnType.ENUM ? b1 === 1 || b1 === 2 : b1 >= 1 && b1 <= 8 && b1 !== 5 && b1 !== 6 && b1 !== 7;
        if (!ok) throw new MalformedEvent(`column ${col.index + 1}: ${col.realType === ColumnType.ENUM ? 'ENUM' : 'SET'} pack length ${b1} is invalid`);
      } else if (col.realType === ColumnType.STRING) {
        col.lengthBytes = col.maxLength > 255 ? 2 : 1;
      } else {
        throw new MalformedEvent(`column ${col.index + 1}: CHAR metadata names the real type ${col.realType}`);
      }
      break;
    }
    default:
      col.meta = 0;
  }
}

/** Reads a bitmap of `n` bits, most significant bit first (the optional-metadata bitmaps). */
function msbBits(buf: Buffer, n: number): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push(((buf[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0);
  return out;
}

function readStrList(r: ByteReader, what: string): string[] {
  const n = r.packedLength(what);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(r.utf8(r.packedLength(what), what));
  return out;
}

/** Assigns collations from DEFAULT_CHARSET-style fields (default + exceptions indexed among `targets`). */
function applyDefaultCharset(r: ByteReader, targets: TableMapColumn[]): void {
  const def = r.packed('default collation');
  const ids = targets.map(() => def);
  while (r.remaining > 0) {
    const idx = r.packed('charset column index');
    const coll = r.packed('column collation');
    if (idx < 0 || idx >= ids.length) throw new MalformedEvent(`charset metadata names column ${idx} of ${ids.length}`);
    ids[idx] = coll;
  }
  targets.forEach((c, i) => (c.collationId = ids[i]));
}

function applyColumnCharsets(r: ByteReader, targets: TableMapColumn[]): void {
  for (const c of targets) {
    if (r.remaining <= 0) break;
    c.collationId = r.packed('column collation');
  }
}

/**
 * Decodes a TABLE_MAP body (after the common header; `end` excludes any checksum). `postHeaderLength` comes
 * from the format description (6 in binlogs of MySQL 5.1.4 and older, 8 since).
 */
export function parseTableMap(body: ByteReader, postHeaderLength: number, mariadb: boolean, hints?: (schema: string, table: string) => ColumnHint[] | undefined): TableMap {
  const r = body;
  const tableId = postHeaderLength === 6 ? r.u32('table id') : r.u48('table id');
  const flags = r.u16('flags');
  if (postHeaderLength > 8) r.skip(postHeaderLength - 8, 'post-header');
  const schema = r.utf8(r.u8('schema name length'), 'schema name');
  r.skip(1, 'NUL after schema name');
  const table = r.utf8(r.u8('table name length'), 'table name');
  r.skip(1, 'NUL after table name');
  const columnCount = r.packedLength('column count');
  const types = r.bytes(columnCount, 'column types');
  const columns: TableMapColumn[] = new Array(columnCount);
  let jsonColumnCount = 0;
  for (let i = 0; i < columnCount; i++) {
    const t = types[i]!;
    if (t === ColumnType.JSON) jsonColumnCount++;
    columns[i] = { index: i, type: t, realType: t, meta: 0, nullable: false, maxLength: 0, lengthBytes: 0, precision: 0, scale: 0, fsp: 0 };
  }
  const metaLength = r.packedLength('metadata length');
  const metaEnd = r.pos + metaLength;
  const saveEnd = r.end;
  r.end = metaEnd;
  for (const c of columns) readColumnMeta(r, c);
  r.end = saveEnd;
  r.pos = metaEnd;
  const nullBits = r.bytes((columnCount + 7) >> 3, 'NULL-able bitmap');
  for (let i = 0; i < columnCount; i++) columns[i]!.nullable = (nullBits[i >> 3]! & (1 << (i & 7))) !== 0;

  const map: TableMap = { tableId, flags, schema, table, columnCount, columns, jsonColumnCount, metadataFields: [] };

  // Optional metadata (MySQL 8 binlog_row_metadata, MariaDB 10.5+): type, length, value.
  while (r.remaining > 0) {
    const type = r.u8('optional metadata type');
    const len = r.packedLength('optional metadata length');
    const f = new ByteReader(r.buf, r.pos, r.pos + len);
    r.pos += len;
    map.metadataFields.push(type);
    switch (type) {
      case TableMapMetadata.SIGNEDNESS: {
        const numeric = columns.filter((c) => isNumeric(c.realType, mariadb));
        const bits = msbBits(f.rest(), numeric.length);
        numeric.forEach((c, i) => (c.unsigned = bits[i]));
        break;
      }
      case TableMapMetadata.DEFAULT_CHARSET:
        applyDefaultCharset(f, columns.filter(isCharacter));
        break;
      case TableMapMetadata.COLUMN_CHARSET:
        applyColumnCharsets(f, columns.filter(isCharacter));
        break;
      case TableMapMetadata.ENUM_AND_SET_DEFAULT_CHARSET:
        applyDefaultCharset(f, columns.filter(isEnumOrSet));
        break;
      case TableMapMetadata.ENUM_AND_SET_COLUMN_CHARSET:
        applyColumnCharsets(f, columns.filter(isEnumOrSet));
        break;
      case TableMapMetadata.COLUMN_NAME:
        for (const c of columns) {
          if (f.remaining <= 0) break;
          c.name = f.utf8(f.packedLength('column name length'), 'column name');
        }
        break;
      case TableMapMetadata.SET_STR_VALUE:
        for (const c of columns.filter((x) => x.realType === ColumnType.SET)) if (f.remaining > 0) c.setValues = readStrList(f, 'SET values');
        break;
      case TableMapMetadata.ENUM_STR_VALUE:
        for (const c of columns.filter((x) => x.realType === ColumnType.ENUM)) if (f.remaining > 0) c.enumValues = readStrList(f, 'ENUM values');
        break;
      case TableMapMetadata.GEOMETRY_TYPE:
        for (const c of columns.filter((x) => x.realType === ColumnType.GEOMETRY)) if (f.remaining > 0) c.geometryType = f.packed('geometry type');
        break;
      case TableMapMetadata.SIMPLE_PRIMARY_KEY: {
        const pk: number[] = [];
        while (f.remaining > 0) pk.push(f.packed('primary key column'));
        map.primaryKey = pk;
        map.primaryKeyPrefixes = pk.map(() => 0);
        break;
      }
      case TableMapMetadata.PRIMARY_KEY_WITH_PREFIX: {
        const pk: number[] = [];
        const prefixes: number[] = [];
        while (f.remaining > 0) {
          pk.push(f.packed('primary key column'));
          prefixes.push(f.packed('primary key prefix'));
        }
        map.primaryKey = pk;
        map.primaryKeyPrefixes = prefixes;
        break;
      }
      case TableMapMetadata.COLUMN_VISIBILITY: {
        const bits = msbBits(f.rest(), columnCount);
        columns.forEach((c, i) => (c.visible = bits[i]));
        break;
      }
      case TableMapMetadata.VECTOR_DIMENSIONALITY:
        for (const c of columns.filter((x) => x.realType === ColumnType.VECTOR)) if (f.remaining > 0) c.vectorDimensions = f.packed('vector dimensions');
        break;
      default:
        // A newer server's field: skipped by its length, as the format intends.
        break;
    }
  }
  if (map.primaryKey?.some((i) => i < 0 || i >= columnCount)) throw new MalformedEvent('primary key metadata names a column that does not exist');

  const h = hints?.(schema, table);
  for (const c of columns) {
    const hint = h?.[c.index];
    if (hint) {
      if (c.name === undefined && hint.name !== undefined) c.name = hint.name;
      if (c.unsigned === undefined && hint.unsigned !== undefined && isNumeric(c.realType, true)) c.unsigned = hint.unsigned;
      if (c.enumValues === undefined && hint.enumValues) c.enumValues = hint.enumValues;
      if (c.setValues === undefined && hint.setValues) c.setValues = hint.setValues;
      if (c.collationId === undefined && hint.charset && isCharacter(c)) {
        const info = charsetByName(hint.charset);
        if (info) c.charset = info;
      }
    }
    if (c.collationId !== undefined && c.charset === undefined) c.charset = charsetOfCollation(c.collationId);
  }
  return map;
}

/** True when the column's bytes are binary (BINARY/VARBINARY/BLOB), as far as we know. */
export function isBinaryColumn(c: TableMapColumn): boolean {
  return c.collationId === BINARY_COLLATION_ID || c.charset?.decoding === 'binary';
}
