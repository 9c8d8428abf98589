import type { TableMap } from './table-map';
import type { Row, UpdatedRow } from './types';

/** Fields every decoded event has: the common header, where it is, and its exact bytes. */
export interface EventBase {
  typeCode: number;
  /** MySQL's name of the type (QUERY_EVENT, WRITE_ROWS_EVENT, ...). */
  typeName: string;
  timestamp: number;
  serverId: number;
  eventSize: number;
  /** End position in the source's binlog as written in the header (0 inside payloads / artificial events). */
  logPos: number;
  flags: number;
  /**
   * Offset of the event's first byte: in the file for files, in the source's binlog for stream events
   * (computed as logPos - eventSize when the caller does not know it), -1 when unknown.
   */
  position: number;
  /** The whole event, header and checksum included: a view into the input, not a copy. */
  raw: Buffer;
  /** The CRC32 trailer, when the event has one. */
  checksum?: number;
}

export interface FormatDescriptionEvent extends EventBase {
  kind: 'format_description';
  binlogVersion: number;
  serverVersion: string;
  createTimestamp: number;
  headerLength: number;
  /** Post-header length per event type, index = type code - 1. */
  postHeaderLengths: Uint8Array;
  checksumAlg: number;
  mariadb: boolean;
}

export interface RotateEvent extends EventBase {
  kind: 'rotate';
  nextPosition: number;
  nextFile: string;
}

export interface StopEvent extends EventBase {
  kind: 'stop';
}

export interface QueryStatusVars {
  flags2?: number;
  /** sql_mode bitmask (64 bits). */
  sqlMode?: bigint;
  catalog?: string;
  autoIncrementIncrement?: number;
  autoIncrementOffset?: number;
  charsetClient?: number;
  collationConnection?: number;
  collationServer?: number;
  timeZone?: string;
  lcTimeNames?: number;
  collationDatabase?: number;
  tableMapForUpdate?: bigint;
  masterDataWritten?: number;
  invoker?: { user: string; host: string };
  updatedDbNames?: string[];
  microseconds?: number;
  explicitDefaultsForTimestamp?: boolean;
  ddlXid?: bigint;
  defaultCollationForUtf8mb4?: number;
  sqlRequirePrimaryKey?: number;
  defaultTableEncryption?: number;
  /** MariaDB: microseconds of the statement start (Q_HRNOW). */
  hrnow?: number;
  /** MariaDB: XID of a DDL (Q_XID). */
  xid?: bigint;
  /** MariaDB Q_GTID_FLAGS3. */
  gtidFlags3?: number;
  /** MariaDB 11.2+ Q_CHARACTER_SET_COLLATIONS (raw). */
  characterSetCollations?: Buffer;
  /** Status variables after the first code we do not know (their layout is unknown, so they stay raw). */
  unknown?: Buffer;
}

export interface QueryEvent extends EventBase {
  kind: 'query';
  threadId: number;
  execTime: number;
  schema: string;
  errorCode: number;
  statusVars: QueryStatusVars;
  /** The statement text, decoded in the client charset when known and decodable, else as UTF-8 (`queryBytes` is exact). */
  query: string;
  queryBytes: Buffer;
  /** MariaDB QUERY_COMPRESSED_EVENT (the statement was zlib-compressed in the binlog). */
  compressed: boolean;
}

export interface XidEvent extends EventBase {
  kind: 'xid';
  xid: bigint;
}

export interface IntvarEvent extends EventBase {
  kind: 'intvar';
  /** 1 = LAST_INSERT_ID, 2 = INSERT_ID. */
  subtype: number;
  subtypeName: 'LAST_INSERT_ID' | 'INSERT_ID' | 'INVALID_INT';
  value: bigint;
}

export interface RandEvent extends EventBase {
  kind: 'rand';
  seed1: bigint;
  seed2: bigint;
}

export interface UserVarEvent extends EventBase {
  kind: 'user_var';
  name: string;
  isNull: boolean;
  /** STRING_RESULT 0, REAL_RESULT 1, INT_RESULT 2, ROW_RESULT 3, DECIMAL_RESULT 4. */
  valueType?: number;
  collationId?: number;
  /** string for text/decimal, Buffer for strings in charsets we keep raw, number for REAL, bigint for INT. */
  value?: string | Buffer | number | bigint | null;
  unsigned?: boolean;
}

export interface TableMapEvent extends EventBase {
  kind: 'table_map';
  tableId: number;
  schema: string;
  table: string;
  tableMap: TableMap;
}

export type RowsKind = 'write' | 'update' | 'delete';

export interface RowsEventBase extends EventBase {
  kind: 'rows';
  rowsKind: RowsKind;
  /** 0 (5.1 pre-GA), 1 (MySQL 5.1-5.5, MariaDB) or 2 (MySQL 5.6+). */
  version: number;
  /** PARTIAL_UPDATE_ROWS_EVENT (MySQL 8 JSON diffs). */
  partial: boolean;
  /** MariaDB *_ROWS_COMPRESSED_EVENT. */
  compressed: boolean;
  tableId: number;
  /** Rows event flags: 1 STMT_END, 2 NO_FOREIGN_KEY_CHECKS, 4 RELAXED_UNIQUE_CHECKS, 8 COMPLETE_ROWS. */
  rowsFlags: number;
  /** v2 extra row info (raw), if any. */
  extraData?: Buffer;
  columnCount: number;
  /** Columns in the (before) image, LSB-first bitmap. */
  columnsPresent: Uint8Array;
  /** Columns in the after image of updates. */
  columnsPresentAfter?: Uint8Array;
  /** The TABLE_MAP in force for this table id when the event was decoded; undefined if none was seen. */
  tableMap: TableMap | undefined;
  /** Number of rows (decodes them). */
  readonly rowCount: number;
}

export interface WriteRowsEvent extends RowsEventBase {
  rowsKind: 'write';
  /** After images, decoded on first access (throws BINLOG_* errors). */
  readonly rows: Row[];
}
export interface DeleteRowsEvent extends RowsEventBase {
  rowsKind: 'delete';
  /** Before images, decoded on first access. */
  readonly rows: Row[];
}
export interface UpdateRowsEvent extends RowsEventBase {
  rowsKind: 'update';
  readonly rows: UpdatedRow[];
}
export type RowsEvent = WriteRowsEvent | DeleteRowsEvent | UpdateRowsEvent;

export interface RowsQueryEvent extends EventBase {
  kind: 'rows_query';
  query: string;
}

/** MySQL GTID, ANONYMOUS_GTID and GTID_TAGGED events. */
export interface GtidEvent extends EventBase {
  kind: 'gtid';
  anonymous: boolean;
  /** 1 = may have changes logged with statement format. */
  gtidFlags: number;
  uuid: string;
  tag?: string;
  gno: bigint;
  /** 'uuid:gno' or 'uuid:tag:gno' (MySQL 8.4+). */
  gtid: string;
  lastCommitted?: bigint;
  sequenceNumber?: bigint;
  /** Microseconds since the epoch. */
  immediateCommitTimestamp?: number;
  originalCommitTimestamp?: number;
  transactionLength?: number;
  immediateServerVersion?: number;
  originalServerVersion?: number;
  commitGroupTicket?: bigint;
}

export interface GtidInterval {
  /** First GNO (inclusive). */
  start: bigint;
  /** Last GNO + 1 (exclusive), as stored. */
  end: bigint;
}

export interface PreviousGtidsEvent extends EventBase {
  kind: 'previous_gtids';
  sets: { uuid: string; tag?: string; intervals: GtidInterval[] }[];
  /** MySQL's text form, e.g. 'uuid:1-13:mytag:1-2,uuid2:5'. */
  gtidSet: string;
}

export interface TransactionPayloadEvent extends EventBase {
  kind: 'transaction_payload';
  /** 0 = zstd, 255 = none. */
  compressionType: number;
  payloadSize: number;
  uncompressedSize: number;
  /** The inner events (no checksums, logPos 0), decoded with the same table-map state. */
  events: BinlogEvent[];
}

export interface HeartbeatEvent extends EventBase {
  kind: 'heartbeat';
  logFile: string;
  /** v2 heartbeats carry the position in the body; v1 in logPos. */
  logPosition: number;
}

export interface IncidentEvent extends EventBase {
  kind: 'incident';
  incident: number;
  message: string;
}

export interface XaPrepareEvent extends EventBase {
  kind: 'xa_prepare';
  onePhase: boolean;
  formatId: number;
  gtrid: Buffer;
  bqual: Buffer;
}

/** MariaDB GTID event (also the BEGIN of a transaction). */
export interface MariadbGtidEvent extends EventBase {
  kind: 'mariadb_gtid';
  domainId: number;
  seqNo: bigint;
  /** FL_STANDALONE 1, FL_GROUP_COMMIT_ID 2, FL_TRANSACTIONAL 4, FL_ALLOW_PARALLEL 8, FL_WAITED 16, FL_DDL 32, FL_PREPARED_XA 64, FL_COMPLETED_XA 128. */
  gtidFlags: number;
  /** 'domain-server-seq'. */
  gtid: string;
  standalone: boolean;
  commitId?: bigint;
  xid?: { formatId: number; gtrid: Buffer; bqual: Buffer };
  flagsExtra?: number;
  extraEngines?: number;
  startAlterSeqNo?: bigint;
}

export interface GtidListEvent extends EventBase {
  kind: 'gtid_list';
  listFlags: number;
  gtids: { domainId: number; serverId: number; seqNo: bigint }[];
}

export interface BinlogCheckpointEvent extends EventBase {
  kind: 'binlog_checkpoint';
  file: string;
}

export interface AnnotateRowsEvent extends EventBase {
  kind: 'annotate_rows';
  query: string;
}

export interface StartEncryptionEvent extends EventBase {
  kind: 'start_encryption';
  scheme: number;
  keyVersion: number;
  nonce: Buffer;
}

/** Event types we pass through without decoding the body (unknown codes, LOAD_*, VIEW_CHANGE, ...). */
export interface OtherEvent extends EventBase {
  kind: 'other';
  /** True when the type code is one MySQL or MariaDB define. */
  knownType: boolean;
  /** The body without header and checksum. */
  body: Buffer;
}

export type BinlogEvent =
  | FormatDescriptionEvent
  | RotateEvent
  | StopEvent
  | QueryEvent
  | XidEvent
  | IntvarEvent
  | RandEvent
  | UserVarEvent
  | TableMapEvent
  | RowsEvent
  | RowsQueryEvent
  | GtidEvent
  | PreviousGtidsEvent
  | TransactionPayloadEvent
  | HeartbeatEvent
  | IncidentEvent
  | XaPrepareEvent
  | MariadbGtidEvent
  | GtidListEvent
  | BinlogCheckpointEvent
  | AnnotateRowsEvent
  | StartEncryptionEvent
  | OtherEvent;

export type BinlogEventKind = BinlogEvent['kind'];

/**
 * Completes a header-only event object into an event of kind T, in place. (Object spread copies cost
 * microseconds per event on V8 here; adding properties to the one object costs nanoseconds.)
 */
export function make<T extends EventBase>(base: EventBase, fields: Omit<T, keyof EventBase>): T {
  return Object.assign(base, fields) as T;
}
