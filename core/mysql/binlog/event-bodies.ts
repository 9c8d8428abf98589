import { ReplicaDeskError } from '../../errors';
import { ChecksumAlg, ColumnType, EventType, eventTypeName } from './constants';
import { ByteReader } from './cursor';
import { charsetOfCollation, decodeText } from './charsets';
import { mariadbUncompress, zstdUncompress } from './compression';
import { decodeDecimal } from './decimal';
import { ADVICE_CORRUPT, BinlogErrorCode, binlogError, MalformedEvent, UnsupportedInEvent } from './errors';
import { make } from './events';
import type {
  AnnotateRowsEvent,
  BinlogCheckpointEvent,
  BinlogEvent,
  EventBase,
  FormatDescriptionEvent,
  GtidEvent,
  GtidInterval,
  GtidListEvent,
  HeartbeatEvent,
  IncidentEvent,
  IntvarEvent,
  MariadbGtidEvent,
  PreviousGtidsEvent,
  QueryEvent,
  QueryStatusVars,
  RandEvent,
  RotateEvent,
  RowsKind,
  RowsQueryEvent,
  StartEncryptionEvent,
  TransactionPayloadEvent,
  UserVarEvent,
  XaPrepareEvent,
  XidEvent,
} from './events';
import { countBits, RowImageReader } from './row-image';
import type { TableMap } from './table-map';
import type { Row, UpdatedRow } from './types';

// ---------------------------------------------------------------- FORMAT_DESCRIPTION

/** Servers from these versions on write the checksum algorithm byte (and 4 checksum bytes) into the FDE. */
function versionSplit(v: string): number[] {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
}
function versionAtLeast(v: number[], min: number[]): boolean {
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i]! > min[i]!;
  return true;
}

export function parseFormatDescription(base: EventBase, r: ByteReader): FormatDescriptionEvent {
  const binlogVersion = r.u16('binlog version');
  const serverVersion = r.bytes(50, 'server version').toString('latin1').replace(/\0.*$/s, '');
  const createTimestamp = r.u32('create timestamp');
  const headerLength = r.u8('header length');
  const mariadb = /mariadb/i.test(serverVersion);
  const split = versionSplit(serverVersion);
  const hasChecksumAlg = versionAtLeast(split, mariadb ? [5, 3, 0] : [5, 6, 1]);
  let checksumAlg: number = ChecksumAlg.OFF;
  let types = r.remaining;
  if (hasChecksumAlg) {
    // The algorithm byte is followed by 4 checksum bytes, present (maybe zero) even with binlog_checksum=NONE.
    if (types < 5) throw new MalformedEvent('format description too short for its checksum fields');
    types -= 5;
    checksumAlg = r.buf[r.pos + types]!;
    if (checksumAlg !== ChecksumAlg.OFF && checksumAlg !== ChecksumAlg.CRC32) {
      throw new MalformedEvent(`format description names checksum algorithm ${checksumAlg}`);
    }
  }
  const postHeaderLengths = new Uint8Array(r.bytes(types, 'post-header lengths'));
  if (binlogVersion !== 4) throw new UnsupportedInEvent(`binlog version ${binlogVersion} (MySQL before 5.0) is not supported`);
  if (headerLength < 19) throw new MalformedEvent(`header length ${headerLength} is shorter than 19`);
  return make<FormatDescriptionEvent>(base, { kind: 'format_description', binlogVersion, serverVersion, createTimestamp, headerLength, postHeaderLengths, checksumAlg, mariadb });
}

// ---------------------------------------------------------------- QUERY

function parseStatusVars(r: ByteReader): QueryStatusVars {
  const s: QueryStatusVars = {};
  while (r.remaining > 0) {
    const code = r.u8('status variable code');
    switch (code) {
      case 0:
        s.flags2 = r.u32('Q_FLAGS2');
        break;
      case 1:
        s.sqlMode = r.u64('Q_SQL_MODE');
        break;
      case 2:
        s.catalog = r.utf8(r.u8(), 'Q_CATALOG');
        r.skip(1, 'Q_CATALOG NUL');
        break;
      case 3:
        s.autoIncrementIncrement = r.u16('Q_AUTO_INCREMENT');
        s.autoIncrementOffset = r.u16('Q_AUTO_INCREMENT');
        break;
      case 4:
        s.charsetClient = r.u16('Q_CHARSET');
        s.collationConnection = r.u16('Q_CHARSET');
        s.collationServer = r.u16('Q_CHARSET');
        break;
      case 5:
        s.timeZone = r.utf8(r.u8(), 'Q_TIME_ZONE');
        break;
      case 6:
        s.catalog = r.utf8(r.u8(), 'Q_CATALOG_NZ');
        break;
      case 7:
        s.lcTimeNames = r.u16('Q_LC_TIME_NAMES');
        break;
      case 8:
        s.collationDatabase = r.u16('Q_CHARSET_DATABASE');
        break;
      case 9:
        s.tableMapForUpdate = r.u64('Q_TABLE_MAP_FOR_UPDATE');
        break;
      case 10:
        s.masterDataWritten = r.u32('Q_MASTER_DATA_WRITTEN');
        break;
      case 11: {
        const user = r.utf8(r.u8(), 'Q_INVOKER user');
        const host = r.utf8(r.u8(), 'Q_INVOKER host');
        s.invoker = { user, host };
        break;
      }
      case 12: {
        const n = r.u8('Q_UPDATED_DB_NAMES');
        const names: string[] = [];
        // 254 (OVER_MAX_DBS_IN_EVENT_MTS) means "too many to list": no names follow.
        if (n !== 254) for (let i = 0; i < n; i++) names.push(r.utf8z());
        s.updatedDbNames = names;
        break;
      }
      case 13:
        s.microseconds = r.u24('Q_MICROSECONDS');
        break;
      case 16:
        s.explicitDefaultsForTimestamp = r.u8('Q_EXPLICIT_DEFAULTS_FOR_TIMESTAMP') !== 0;
        break;
      case 17:
        s.ddlXid = r.u64('Q_DDL_LOGGED_WITH_XID');
        break;
      case 18:
        s.defaultCollationForUtf8mb4 = r.u16('Q_DEFAULT_COLLATION_FOR_UTF8MB4');
        break;
      case 19:
        s.sqlRequirePrimaryKey = r.u8('Q_SQL_REQUIRE_PRIMARY_KEY');
        break;
      case 20:
        s.defaultTableEncryption = r.u8('Q_DEFAULT_TABLE_ENCRYPTION');
        break;
      case 128:
        s.hrnow = r.u24('Q_HRNOW');
        break;
      case 129:
        s.xid = r.u64('Q_XID');
        break;
      case 130:
        s.gtidFlags3 = r.u8('Q_GTID_FLAGS3');
        break;
      case 131:
        s.characterSetCollations = r.rest();
        break;
      default:
        // Unknown codes have unknown lengths: keep the rest raw, as the servers themselves do.
        r.pos--;
        s.unknown = r.rest();
    }
  }
  return s;
}

export function parseQuery(base: EventBase, r: ByteReader, postHeaderLength: number, compressed: boolean): QueryEvent {
  const threadId = r.u32('thread id');
  const execTime = r.u32('exec time');
  const schemaLength = r.u8('schema length');
  const errorCode = r.u16('error code');
  const statusLength = postHeaderLength >= 13 ? r.u16('status variables length') : 0;
  if (postHeaderLength > 13) r.skip(postHeaderLength - 13, 'post-header');
  r.need(statusLength, 'status variables');
  const statusVars = parseStatusVars(new ByteReader(r.buf, r.pos, r.pos + statusLength));
  r.pos += statusLength;
  const schema = r.utf8(schemaLength, 'schema name');
  r.skip(1, 'NUL after schema name');
  const queryBytes = compressed ? mariadbUncompress(r.buf, r.pos, r.end) : r.rest();
  // The text is in the client's character set (Q_CHARSET_CODE); UTF-8 when not known or not decodable.
  const dec = statusVars.charsetClient !== undefined ? charsetOfCollation(statusVars.charsetClient)?.decoding : undefined;
  const query = dec && dec !== 'utf8' && dec !== 'binary' && dec !== 'raw' ? decodeText(dec, queryBytes, 0, queryBytes.length) : queryBytes.toString('utf8');
  return make<QueryEvent>(base, { kind: 'query', threadId, execTime, schema, errorCode, statusVars, query, queryBytes, compressed });
}

// ---------------------------------------------------------------- small events

export function parseRotate(base: EventBase, r: ByteReader, postHeaderLength: number): RotateEvent {
  const nextPosition = postHeaderLength >= 8 || postHeaderLength === 0 ? r.u64Number('next position') : 4;
  return make<RotateEvent>(base, { kind: 'rotate', nextPosition, nextFile: r.rest().toString('utf8') });
}

export function parseXid(base: EventBase, r: ByteReader): XidEvent {
  return make<XidEvent>(base, { kind: 'xid', xid: r.u64('xid') });
}

export function parseIntvar(base: EventBase, r: ByteReader): IntvarEvent {
  const subtype = r.u8('intvar type');
  return make<IntvarEvent>(base, { kind: 'intvar', subtype, subtypeName: subtype === 1 ? 'LAST_INSERT_ID' : subtype === 2 ? 'INSERT_ID' : 'INVALID_INT', value: r.u64('intvar value') });
}

export function parseRand(base: EventBase, r: ByteReader): RandEvent {
  return make<RandEvent>(base, { kind: 'rand', seed1: r.u64('seed1'), seed2: r.u64('seed2') });
}

export function parseUserVar(base: EventBase, r: ByteReader): UserVarEvent {
  const name = r.utf8(r.u32('name length'), 'variable name');
  const isNull = r.u8('is_null') !== 0;
  const ev = make<UserVarEvent>(base, { kind: 'user_var', name, isNull });
  if (isNull) {
    ev.value = null;
    return ev;
  }
  const valueType = r.u8('value type');
  const collationId = r.u32('charset');
  const len = r.u32('value length');
  const start = r.pos;
  r.skip(len, 'value');
  const flags = r.remaining > 0 ? r.u8('flags') : 0;
  ev.valueType = valueType;
  ev.collationId = collationId;
  ev.unsigned = (flags & 1) !== 0;
  const b = r.buf;
  switch (valueType) {
    case 0: {
      const dec = charsetOfCollation(collationId)?.decoding;
      ev.value = dec && dec !== 'binary' && dec !== 'raw' ? decodeText(dec, b, start, start + len) : b.subarray(start, start + len);
      break;
    }
    case 1:
      if (len !== 8) throw new MalformedEvent(`REAL user variable of ${len} bytes`);
      ev.value = b.readDoubleLE(start);
      break;
    case 2:
      if (len < 8) throw new MalformedEvent(`INT user variable of ${len} bytes`);
      ev.value = ev.unsigned ? b.readBigUInt64LE(start) : b.readBigInt64LE(start);
      break;
    case 4:
      if (len < 2) throw new MalformedEvent('DECIMAL user variable too short');
      ev.value = decodeDecimal(b.subarray(0, start + len), start + 2, b[start]!, b[start + 1]!);
      break;
    default:
      ev.value = b.subarray(start, start + len);
  }
  return ev;
}

export function parseRowsQuery(base: EventBase, r: ByteReader): RowsQueryEvent {
  r.skip(1, 'length byte');
  return make<RowsQueryEvent>(base, { kind: 'rows_query', query: r.rest().toString('utf8') });
}

export function parseAnnotateRows(base: EventBase, r: ByteReader): AnnotateRowsEvent {
  const e = base as AnnotateRowsEvent;
  e.kind = 'annotate_rows';
  e.query = (r.buf as Buffer & { utf8Slice(s: number, e: number): string }).utf8Slice(r.pos, r.end);
  return e;
}

export function parseBinlogCheckpoint(base: EventBase, r: ByteReader): BinlogCheckpointEvent {
  const len = r.u32('file name length');
  return make<BinlogCheckpointEvent>(base, { kind: 'binlog_checkpoint', file: r.utf8(len, 'file name') });
}

export function parseIncident(base: EventBase, r: ByteReader): IncidentEvent {
  const incident = r.u16('incident');
  const message = r.remaining > 0 ? r.utf8(r.u8('message length'), 'message') : '';
  return make<IncidentEvent>(base, { kind: 'incident', incident, message });
}

export function parseXaPrepare(base: EventBase, r: ByteReader): XaPrepareEvent {
  const onePhase = r.u8('one phase') !== 0;
  const formatId = r.u32('format id');
  const gl = r.u32('gtrid length');
  const bl = r.u32('bqual length');
  if (gl > 64 || bl > 64) throw new MalformedEvent('XA id longer than 64 bytes');
  return make<XaPrepareEvent>(base, { kind: 'xa_prepare', onePhase, formatId, gtrid: r.bytes(gl, 'gtrid'), bqual: r.bytes(bl, 'bqual') });
}

export function parseStartEncryption(base: EventBase, r: ByteReader): StartEncryptionEvent {
  return make<StartEncryptionEvent>(base, { kind: 'start_encryption', scheme: r.u8('scheme'), keyVersion: r.u32('key version'), nonce: r.bytes(12, 'nonce') });
}

/** Heartbeat v1: the body is the binlog file name; v2: (type, length, value) fields. */
export function parseHeartbeat(base: EventBase, r: ByteReader, v2: boolean): HeartbeatEvent {
  if (!v2) return make<HeartbeatEvent>(base, { kind: 'heartbeat', logFile: r.rest().toString('utf8'), logPosition: base.logPos });
  let logFile = '';
  let logPosition = base.logPos;
  while (r.remaining > 0) {
    const type = r.packed('heartbeat field type');
    if (type === 0) break;
    const len = r.packedLength('heartbeat field length');
    const f = new ByteReader(r.buf, r.pos, r.pos + len);
    r.pos += len;
    if (type === 1) logFile = f.rest().toString('utf8');
    else if (type === 2) logPosition = f.packed('heartbeat position');
  }
  return make<HeartbeatEvent>(base, { kind: 'heartbeat', logFile, logPosition });
}

// ---------------------------------------------------------------- GTIDs

function uuidString(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function read7(r: ByteReader, what: string): number {
  r.need(7, what);
  const v = r.buf.readUIntLE(r.pos, 6) + r.buf[r.pos + 6]! * 2 ** 48;
  r.pos += 7;
  return v;
}

export function parseMysqlGtid(base: EventBase, r: ByteReader, anonymous: boolean): GtidEvent {
  const gtidFlags = r.u8('flags');
  const uuid = uuidString(r.bytes(16, 'sid'));
  const gno = r.i64('gno');
  const ev = make<GtidEvent>(base, { kind: 'gtid', anonymous, gtidFlags, uuid, gno, gtid: anonymous ? 'ANONYMOUS' : `${uuid}:${gno}` });
  if (r.remaining > 0 && r.buf[r.pos] === 2) {
    r.pos++;
    ev.lastCommitted = r.i64('last_committed');
    ev.sequenceNumber = r.i64('sequence_number');
    if (r.remaining >= 7) {
      const imm = read7(r, 'immediate_commit_timestamp');
      // The top bit says an original_commit_timestamp (from another server) follows.
      if (imm >= 2 ** 55) {
        ev.immediateCommitTimestamp = imm - 2 ** 55;
        ev.originalCommitTimestamp = read7(r, 'original_commit_timestamp');
      } else ev.immediateCommitTimestamp = ev.originalCommitTimestamp = imm;
    }
    if (r.remaining > 0) ev.transactionLength = r.packed('transaction_length');
    if (r.remaining >= 4) {
      const v = r.u32('immediate_server_version');
      if (v & 0x80000000) {
        ev.immediateServerVersion = v & 0x7fffffff;
        ev.originalServerVersion = r.u32('original_server_version');
      } else ev.immediateServerVersion = ev.originalServerVersion = v;
    }
    if (r.remaining >= 8) ev.commitGroupTicket = r.u64('commit_group_ticket');
  }
  return ev;
}

/** MySQL serialization library integers (8.4+ tagged GTIDs): the count of trailing 1 bits of the first byte + 1 is the length. */
function serialUint(r: ByteReader, what: string): bigint {
  const first = r.u8(what);
  let n = 0;
  while (n < 8 && first & (1 << n)) n++;
  if (n === 8) return r.u64(what);
  r.pos--;
  r.need(n + 1, what);
  let v = 0n;
  for (let i = n; i >= 0; i--) v = (v << 8n) | BigInt(r.buf[r.pos + i]!);
  r.pos += n + 1;
  return v >> BigInt(n + 1);
}
function serialInt(r: ByteReader, what: string): bigint {
  const u = serialUint(r, what);
  return u & 1n ? -(u >> 1n) - 1n : u >> 1n;
}
function serialString(r: ByteReader, what: string): string {
  const len = serialUint(r, what);
  if (len > BigInt(r.remaining)) throw new MalformedEvent(`${what} longer than the event`);
  return r.utf8(Number(len), what);
}

export function parseTaggedGtid(base: EventBase, r: ByteReader): GtidEvent {
  const version = r.u8('serialization version');
  const start = r.pos - 1;
  const payloadSize = Number(serialUint(r, 'payload size'));
  const lastNonIgnorable = serialUint(r, 'last non-ignorable field');
  const end = start + payloadSize;
  if (end > r.end || end < r.pos) throw new MalformedEvent(`tagged GTID payload size ${payloadSize} does not fit the event`);
  const f = new ByteReader(r.buf, r.pos, end);
  const sid = Buffer.alloc(16);
  let gtidFlags = 0;
  let gno = 0n;
  let tag = '';
  const ev: Partial<GtidEvent> = {};
  while (f.remaining > 0) {
    const id = serialUint(f, 'field id');
    switch (id) {
      case 0n:
        gtidFlags = Number(serialUint(f, 'gtid flags'));
        break;
      case 1n:
        for (let i = 0; i < 16; i++) sid[i] = Number(serialUint(f, 'sid') & 0xffn);
        break;
      case 2n:
        gno = serialInt(f, 'gno');
        break;
      case 3n:
        tag = serialString(f, 'tag');
        break;
      case 4n:
        ev.lastCommitted = serialInt(f, 'last_committed');
        break;
      case 5n:
        ev.sequenceNumber = serialInt(f, 'sequence_number');
        break;
      case 6n:
        ev.immediateCommitTimestamp = Number(serialUint(f, 'immediate_commit_timestamp'));
        break;
      case 7n:
        ev.originalCommitTimestamp = Number(serialUint(f, 'original_commit_timestamp'));
        break;
      case 8n:
        ev.transactionLength = Number(serialUint(f, 'transaction_length'));
        break;
      case 9n:
        ev.immediateServerVersion = Number(serialUint(f, 'immediate_server_version'));
        break;
      case 10n:
        ev.originalServerVersion = Number(serialUint(f, 'original_server_version'));
        break;
      case 11n:
        ev.commitGroupTicket = serialUint(f, 'commit_group_ticket');
        break;
      default:
        if (id <= lastNonIgnorable) throw new UnsupportedInEvent(`tagged GTID (serialization v${version}) has the unknown required field ${id}`);
        f.pos = f.end; // an ignorable field from a newer server: its length is unknown, so stop here
    }
  }
  ev.originalCommitTimestamp ??= ev.immediateCommitTimestamp;
  ev.originalServerVersion ??= ev.immediateServerVersion;
  const uuid = uuidString(sid);
  return make<GtidEvent>(Object.assign(base, ev), { kind: 'gtid', anonymous: false, gtidFlags, uuid, tag, gno, gtid: tag ? `${uuid}:${tag}:${gno}` : `${uuid}:${gno}` });
}

export function parsePreviousGtids(base: EventBase, r: ByteReader): PreviousGtidsEvent {
  const header = r.u64('sid count');
  const tagged = header >> 56n !== 0n;
  const count = Number(tagged ? (header >> 8n) & 0xffffffffffffn : header & 0xffffffffffffffn);
  if (count * 24 > r.remaining) throw new MalformedEvent(`previous GTIDs count ${count} does not fit the event`);
  const sets: PreviousGtidsEvent['sets'] = [];
  const text: string[] = [];
  for (let i = 0; i < count; i++) {
    const uuid = uuidString(r.bytes(16, 'sid'));
    let tag: string | undefined;
    if (tagged) {
      const t = serialString(r, 'tag');
      if (t) tag = t;
    }
    const n = r.u64Number('interval count');
    if (n * 16 > r.remaining) throw new MalformedEvent(`interval count ${n} does not fit the event`);
    const intervals: GtidInterval[] = [];
    for (let k = 0; k < n; k++) intervals.push({ start: r.i64('interval start'), end: r.i64('interval end') });
    sets.push(tag ? { uuid, tag, intervals } : { uuid, intervals });
    const ranges = intervals.map((iv) => (iv.end - iv.start === 1n ? `${iv.start}` : `${iv.start}-${iv.end - 1n}`)).join(':');
    const prev = text.length > 0 && sets[sets.length - 2]?.uuid === uuid;
    const part = (tag ? `${tag}:` : '') + ranges;
    if (prev) text[text.length - 1] += `:${part}`;
    else text.push(`${uuid}:${part}`);
  }
  return make<PreviousGtidsEvent>(base, { kind: 'previous_gtids', sets, gtidSet: text.join(',') });
}

export function parseMariadbGtid(base: EventBase, r: ByteReader): MariadbGtidEvent {
  const seqNo = r.u64('sequence number');
  const domainId = r.u32('domain id');
  const gtidFlags = r.u8('flags');
  const ev = base as MariadbGtidEvent;
  ev.kind = 'mariadb_gtid';
  ev.domainId = domainId;
  ev.seqNo = seqNo;
  ev.gtidFlags = gtidFlags;
  ev.gtid = `${domainId}-${base.serverId}-${seqNo}`;
  ev.standalone = (gtidFlags & 1) !== 0;
  if (gtidFlags & 2) ev.commitId = r.u64('commit id');
  if (gtidFlags & (64 | 128)) {
    const formatId = r.u32('XA format id');
    const gl = r.u8('XA gtrid length');
    const bl = r.u8('XA bqual length');
    ev.xid = { formatId, gtrid: r.bytes(gl, 'XA gtrid'), bqual: r.bytes(bl, 'XA bqual') };
  }
  // 10.5+: flags_extra (in the zero padding when absent), then the fields it announces.
  if (r.remaining > 0) {
    const fe = r.u8('flags extra');
    if (fe) {
      ev.flagsExtra = fe;
      if (fe & 1) ev.extraEngines = r.u8('extra engines');
      if (fe & (4 | 8)) ev.startAlterSeqNo = r.u64('start alter seq no');
    }
  }
  return ev;
}

export function parseGtidList(base: EventBase, r: ByteReader): GtidListEvent {
  const v = r.u32('count');
  const count = v & 0x0fffffff;
  if (count * 16 > r.remaining) throw new MalformedEvent(`GTID list count ${count} does not fit the event`);
  const gtids: GtidListEvent['gtids'] = [];
  for (let i = 0; i < count; i++) gtids.push({ domainId: r.u32('domain id'), serverId: r.u32('server id'), seqNo: r.u64('sequence number') });
  return make<GtidListEvent>(base, { kind: 'gtid_list', listFlags: v >>> 28, gtids });
}

// ---------------------------------------------------------------- ROWS

const EMPTY_BITMAP = new Uint8Array(0);
const EMPTY_BUFFER = Buffer.alloc(0);

export interface RowsEventInfo {
  rowsKind: RowsKind;
  version: number;
  partial: boolean;
  compressed: boolean;
}

/** Rows event type code → what kind it is. */
export function rowsEventInfo(type: number): RowsEventInfo | undefined {
  switch (type) {
    case EventType.WRITE_ROWS_EVENT_V0:
      return { rowsKind: 'write', version: 0, partial: false, compressed: false };
    case EventType.UPDATE_ROWS_EVENT_V0:
      return { rowsKind: 'update', version: 0, partial: false, compressed: false };
    case EventType.DELETE_ROWS_EVENT_V0:
      return { rowsKind: 'delete', version: 0, partial: false, compressed: false };
    case EventType.WRITE_ROWS_EVENT_V1:
      return { rowsKind: 'write', version: 1, partial: false, compressed: false };
    case EventType.UPDATE_ROWS_EVENT_V1:
      return { rowsKind: 'update', version: 1, partial: false, compressed: false };
    case EventType.DELETE_ROWS_EVENT_V1:
      return { rowsKind: 'delete', version: 1, partial: false, compressed: false };
    case EventType.WRITE_ROWS_EVENT:
      return { rowsKind: 'write', version: 2, partial: false, compressed: false };
    case EventType.UPDATE_ROWS_EVENT:
      return { rowsKind: 'update', version: 2, partial: false, compressed: false };
    case EventType.DELETE_ROWS_EVENT:
      return { rowsKind: 'delete', version: 2, partial: false, compressed: false };
    case EventType.PARTIAL_UPDATE_ROWS_EVENT:
      return { rowsKind: 'update', version: 2, partial: true, compressed: false };
    case EventType.WRITE_ROWS_COMPRESSED_EVENT_V1:
      return { rowsKind: 'write', version: 1, partial: false, compressed: true };
    case EventType.UPDATE_ROWS_COMPRESSED_EVENT_V1:
      return { rowsKind: 'update', version: 1, partial: false, compressed: true };
    case EventType.DELETE_ROWS_COMPRESSED_EVENT_V1:
      return { rowsKind: 'delete', version: 1, partial: false, compressed: true };
    case EventType.WRITE_ROWS_COMPRESSED_EVENT:
      return { rowsKind: 'write', version: 2, partial: false, compressed: true };
    case EventType.UPDATE_ROWS_COMPRESSED_EVENT:
      return { rowsKind: 'update', version: 2, partial: false, compressed: true };
    case EventType.DELETE_ROWS_COMPRESSED_EVENT:
      return { rowsKind: 'delete', version: 2, partial: false, compressed: true };
    default:
      return undefined;
  }
}

/**
 * A rows event. The row images are decoded on first access of `rows` (relay-log writers and filters never
 * pay for them); errors found then are the same typed BINLOG_* errors the decoder throws.
 */
export class RowsEventImpl {
  // `declare`d fields: assigned once in the constructor, in one order (no define-then-assign per field).
  declare readonly kind: 'rows';
  declare typeCode: number;
  declare typeName: string;
  declare timestamp: number;
  declare serverId: number;
  declare eventSize: number;
  declare logPos: number;
  declare flags: number;
  declare position: number;
  declare raw: Buffer;
  declare checksum: number | undefined;
  declare rowsKind: RowsKind;
  declare version: number;
  declare partial: boolean;
  declare compressed: boolean;
  declare tableId: number;
  declare rowsFlags: number;
  declare extraData: Buffer | undefined;
  declare columnCount: number;
  declare columnsPresent: Uint8Array;
  declare columnsPresentAfter: Uint8Array | undefined;
  declare tableMap: TableMap | undefined;
  declare private data: Buffer;
  declare private dataStart: number;
  declare private dataEnd: number;
  declare private decoded: Row[] | UpdatedRow[] | undefined;
  declare private readonly source: string | undefined;

  constructor(base: EventBase, info: RowsEventInfo, source: string | undefined) {
    (this as { kind: 'rows' }).kind = 'rows';
    this.typeCode = base.typeCode;
    this.typeName = base.typeName;
    this.timestamp = base.timestamp;
    this.serverId = base.serverId;
    this.eventSize = base.eventSize;
    this.logPos = base.logPos;
    this.flags = base.flags;
    this.position = base.position;
    this.raw = base.raw;
    this.checksum = base.checksum;
    this.rowsKind = info.rowsKind;
    this.version = info.version;
    this.partial = info.partial;
    this.compressed = info.compressed;
    this.tableId = 0;
    this.rowsFlags = 0;
    this.extraData = undefined;
    this.columnCount = 0;
    this.columnsPresent = EMPTY_BITMAP;
    this.columnsPresentAfter = undefined;
    this.tableMap = undefined;
    this.data = EMPTY_BUFFER;
    this.dataStart = 0;
    this.dataEnd = 0;
    this.decoded = undefined;
    (this as unknown as { source: string | undefined }).source = source;
  }

  parse(r: ByteReader, postHeaderLength: number, tableMaps: Map<number, TableMap>): void {
    this.tableId = postHeaderLength === 6 ? r.u32('table id') : r.u48('table id');
    this.rowsFlags = r.u16('rows flags');
    if (this.version === 2) {
      const extraLength = r.u16('extra data length');
      if (extraLength < 2) throw new MalformedEvent(`extra data length ${extraLength} is below 2`);
      if (extraLength > 2) this.extraData = r.bytes(extraLength - 2, 'extra data');
    }
    const fixed = this.version === 2 ? 10 : 8;
    if (postHeaderLength > fixed) r.skip(postHeaderLength - fixed, 'post-header');
    this.columnCount = r.packedLength('column count', 0);
    if (this.columnCount > 4096) throw new MalformedEvent(`rows event claims ${this.columnCount} columns`);
    const bitmapBytes = (this.columnCount + 7) >> 3;
    this.columnsPresent = r.bytes(bitmapBytes, 'columns bitmap');
    if (this.rowsKind === 'update' && this.typeCode !== EventType.UPDATE_ROWS_EVENT_V0) this.columnsPresentAfter = r.bytes(bitmapBytes, 'after-image columns bitmap');
    if (this.compressed) {
      this.data = mariadbUncompress(r.buf, r.pos, r.end);
      this.dataStart = 0;
      this.dataEnd = this.data.length;
    } else {
      this.data = r.buf;
      this.dataStart = r.pos;
      this.dataEnd = r.end;
    }
    this.tableMap = tableMaps.get(this.tableId);
  }

  get rows(): Row[] | UpdatedRow[] {
    if (this.decoded === undefined) this.decoded = this.decodeRows();
    return this.decoded;
  }

  get rowCount(): number {
    return this.rows.length;
  }

  private decodeRows(): Row[] | UpdatedRow[] {
    const ctx = { source: this.source, position: this.position, typeCode: this.typeCode, raw: this.raw };
    const map = this.tableMap;
    if (this.dataStart >= this.dataEnd) return [];
    if (!map) {
      throw binlogError(
        BinlogErrorCode.TABLE_MAP_MISSING,
        `Rows event for table id ${this.tableId} without a preceding TABLE_MAP event`,
        ctx,
        'Start reading at the beginning of the transaction (its GTID or BEGIN event) so the table map is seen first.',
      );
    }
    try {
      if (map.columnCount !== this.columnCount) throw new MalformedEvent(`rows event has ${this.columnCount} columns, its TABLE_MAP ${map.columnCount}`);
      const reader = new RowImageReader(this.data, this.dataStart, this.dataEnd, map);
      const n = this.columnCount;
      const before = this.columnsPresent;
      const beforeCount = countBits(before, n);
      // A row that takes no bytes would make this loop endless: only damaged column bitmaps produce one.
      const noProgress = () => new MalformedEvent('row image with no columns', reader.pos);
      if (this.rowsKind !== 'update') {
        const rows: Row[] = [];
        while (!reader.done) {
          const at = reader.pos;
          rows.push(reader.readImage(before, beforeCount));
          if (reader.pos === at) throw noProgress();
        }
        return rows;
      }
      const after = this.columnsPresentAfter ?? before;
      const afterCount = countBits(after, n);
      const rows: UpdatedRow[] = [];
      while (!reader.done) {
        const at = reader.pos;
        const b = reader.readImage(before, beforeCount);
        const partial = this.partial ? reader.readPartialHeader() : undefined;
        const a = reader.readImage(after, afterCount, partial);
        if (reader.pos === at) throw noProgress();
        rows.push({ before: b, after: a });
      }
      return rows;
    } catch (err) {
      throw toBinlogError(err, { ...ctx, offsetInEvent: this.compressed ? undefined : (err as MalformedEvent).offsetInEvent });
    }
  }
}

// ---------------------------------------------------------------- errors

/** Any failure inside an event body → a typed ReplicaDeskError with the event's position and bytes. */
export function toBinlogError(err: unknown, ctx: { source?: string | undefined; position?: number; typeCode?: number; raw?: Buffer; offsetInEvent?: number | undefined }): ReplicaDeskError {
  if (err instanceof ReplicaDeskError) return err;
  if (err instanceof UnsupportedInEvent) {
    return binlogError(BinlogErrorCode.UNSUPPORTED, `Cannot decode: ${err.message}`, ctx, 'This event uses a feature ReplicaDesk does not decode; please report it with the file.');
  }
  const msg = err instanceof Error ? err.message : String(err);
  const offset = err instanceof MalformedEvent ? err.offsetInEvent : undefined;
  return binlogError(BinlogErrorCode.CORRUPT, `Malformed ${ctx.typeCode !== undefined ? eventTypeName(ctx.typeCode) : 'event'} (${msg})`, { ...ctx, offsetInEvent: ctx.offsetInEvent ?? offset }, ADVICE_CORRUPT, err);
}

// ---------------------------------------------------------------- TRANSACTION_PAYLOAD

export function parsePayloadHeader(r: ByteReader): { compressionType: number; payloadSize: number; uncompressedSize: number } {
  let compressionType = 255;
  let payloadSize = -1;
  let uncompressedSize = 0;
  for (;;) {
    const type = r.packed('payload field type');
    if (type === 0) break;
    const len = r.packedLength('payload field length');
    const f = new ByteReader(r.buf, r.pos, r.pos + len);
    r.pos += len;
    if (type === 1) payloadSize = f.packed('payload size');
    else if (type === 2) compressionType = f.packed('compression type');
    else if (type === 3) uncompressedSize = f.packed('uncompressed size');
    // other field types: skipped by their length
  }
  if (payloadSize < 0) payloadSize = r.remaining;
  if (payloadSize > r.remaining) throw new MalformedEvent(`payload size ${payloadSize} exceeds the ${r.remaining} bytes left`);
  return { compressionType, payloadSize, uncompressedSize };
}

export function decompressPayload(r: ByteReader, h: { compressionType: number; payloadSize: number; uncompressedSize: number }): Buffer {
  const data = r.bytes(h.payloadSize, 'payload');
  if (h.compressionType === 255) return data;
  if (h.compressionType !== 0) throw new UnsupportedInEvent(`transaction payload compression type ${h.compressionType} (only zstd = 0 is defined)`);
  if (h.uncompressedSize > 0x7fffffff) throw new MalformedEvent(`transaction payload claims ${h.uncompressedSize} uncompressed bytes`);
  return zstdUncompress(data, h.uncompressedSize);
}

export type { BinlogEvent, TransactionPayloadEvent };
export { ColumnType };
