/**
 * Numbers that the MySQL and MariaDB binary log formats fix on disk and on the wire. Names follow the
 * servers' own sources (`Log_event_type`, `enum_field_types`, `LOG_EVENT_*_F`) so people can look them up.
 * This file is a stable import for the replica I/O thread and relay log: only add to it.
 */

/** Every binlog and relay-log file starts with these 4 bytes: 0xfe 'b' 'i' 'n'. */
export const BINLOG_MAGIC: Buffer = Buffer.from([0xfe, 0x62, 0x69, 0x6e]);
export const BINLOG_MAGIC_LENGTH = 4;

/** The v4 common header every event starts with (binlog version 4, MySQL 5.0+ and all MariaDB). */
export const EVENT_HEADER_LENGTH = 19;
/** Bytes of the CRC32 trailer when the checksum algorithm is CRC32. */
export const CHECKSUM_LENGTH = 4;

/** Event type codes (`Log_event_type`). */
export const EventType = {
  UNKNOWN_EVENT: 0,
  START_EVENT_V3: 1,
  QUERY_EVENT: 2,
  STOP_EVENT: 3,
  ROTATE_EVENT: 4,
  INTVAR_EVENT: 5,
  LOAD_EVENT: 6,
  SLAVE_EVENT: 7,
  CREATE_FILE_EVENT: 8,
  APPEND_BLOCK_EVENT: 9,
  EXEC_LOAD_EVENT: 10,
  DELETE_FILE_EVENT: 11,
  NEW_LOAD_EVENT: 12,
  RAND_EVENT: 13,
  USER_VAR_EVENT: 14,
  FORMAT_DESCRIPTION_EVENT: 15,
  XID_EVENT: 16,
  BEGIN_LOAD_QUERY_EVENT: 17,
  EXECUTE_LOAD_QUERY_EVENT: 18,
  TABLE_MAP_EVENT: 19,
  /** Rows events v0 (MySQL 5.1 pre-GA), a.k.a. PRE_GA_*_ROWS_EVENT. */
  WRITE_ROWS_EVENT_V0: 20,
  UPDATE_ROWS_EVENT_V0: 21,
  DELETE_ROWS_EVENT_V0: 22,
  WRITE_ROWS_EVENT_V1: 23,
  UPDATE_ROWS_EVENT_V1: 24,
  DELETE_ROWS_EVENT_V1: 25,
  INCIDENT_EVENT: 26,
  HEARTBEAT_LOG_EVENT: 27,
  IGNORABLE_LOG_EVENT: 28,
  ROWS_QUERY_LOG_EVENT: 29,
  /** Rows events v2 (MySQL 5.6+), with the extra-data block. */
  WRITE_ROWS_EVENT: 30,
  UPDATE_ROWS_EVENT: 31,
  DELETE_ROWS_EVENT: 32,
  GTID_LOG_EVENT: 33,
  ANONYMOUS_GTID_LOG_EVENT: 34,
  PREVIOUS_GTIDS_LOG_EVENT: 35,
  TRANSACTION_CONTEXT_EVENT: 36,
  VIEW_CHANGE_EVENT: 37,
  XA_PREPARE_LOG_EVENT: 38,
  PARTIAL_UPDATE_ROWS_EVENT: 39,
  TRANSACTION_PAYLOAD_EVENT: 40,
  HEARTBEAT_LOG_EVENT_V2: 41,
  /** MySQL 8.4+: GTID with a tag (uuid:tag:gno). */
  GTID_TAGGED_LOG_EVENT: 42,

  // MariaDB (from 160 up).
  ANNOTATE_ROWS_EVENT: 160,
  BINLOG_CHECKPOINT_EVENT: 161,
  /** MariaDB GTID (domain-server-seq); also marks BEGIN of a transaction. */
  GTID_EVENT: 162,
  GTID_LIST_EVENT: 163,
  START_ENCRYPTION_EVENT: 164,
  QUERY_COMPRESSED_EVENT: 165,
  WRITE_ROWS_COMPRESSED_EVENT_V1: 166,
  UPDATE_ROWS_COMPRESSED_EVENT_V1: 167,
  DELETE_ROWS_COMPRESSED_EVENT_V1: 168,
  WRITE_ROWS_COMPRESSED_EVENT: 169,
  UPDATE_ROWS_COMPRESSED_EVENT: 170,
  DELETE_ROWS_COMPRESSED_EVENT: 171,
} as const;
export type EventTypeCode = (typeof EventType)[keyof typeof EventType];

const EVENT_TYPE_NAMES: string[] = [];
for (const [name, code] of Object.entries(EventType)) EVENT_TYPE_NAMES[code] = name;

/** MySQL's name for an event type code, or `UNKNOWN_EVENT_<n>` for codes no server we know writes. */
export function eventTypeName(code: number): string {
  return EVENT_TYPE_NAMES[code] ?? `UNKNOWN_EVENT_${code}`;
}

/** Flags in the common header (`LOG_EVENT_*_F`). */
export const EventFlag = {
  /** Format description only: the server had the file open (not closed cleanly, or still being written). */
  BINLOG_IN_USE: 0x1,
  FORCED_ROTATE: 0x2,
  THREAD_SPECIFIC: 0x4,
  SUPPRESS_USE: 0x8,
  UPDATE_TABLE_MAP_VERSION: 0x10,
  /** Made up by the server (e.g. the ROTATE that starts a dump); not in any binlog file. */
  ARTIFICIAL: 0x20,
  /** Written by a replica into its relay log, not by the source. */
  RELAY_LOG: 0x40,
  /** A reader that does not know the type may skip it. */
  IGNORABLE: 0x80,
  NO_FILTER: 0x100,
  MTS_ISOLATE: 0x200,
  /** MariaDB: @@skip_replication was set when the event was written. */
  SKIP_REPLICATION: 0x8000,
} as const;

/** `binlog_checksum` algorithm ids as stored in the format description event. */
export const ChecksumAlg = {
  OFF: 0,
  CRC32: 1,
  /** Not known yet (before the format description event was seen). */
  UNDEF: 255,
} as const;
export type ChecksumAlgId = (typeof ChecksumAlg)[keyof typeof ChecksumAlg];

/** Column type codes as they appear in TABLE_MAP events (`enum_field_types`). */
export const ColumnType = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  TIMESTAMP2: 17,
  DATETIME2: 18,
  TIME2: 19,
  TYPED_ARRAY: 20,
  VECTOR: 242,
  INVALID: 243,
  BOOL: 244,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;
export type ColumnTypeCode = (typeof ColumnType)[keyof typeof ColumnType];

const COLUMN_TYPE_NAMES: string[] = [];
for (const [name, code] of Object.entries(ColumnType)) COLUMN_TYPE_NAMES[code] = name;

export function columnTypeName(code: number): string {
  return COLUMN_TYPE_NAMES[code] ?? `TYPE_${code}`;
}

/** Charset/collation id 63: the `binary` pseudo-charset (BINARY, VARBINARY, BLOB, and non-string columns). */
export const BINARY_COLLATION_ID = 63;
