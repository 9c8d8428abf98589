import { ReplicaDeskError } from '../../errors';
import { CHECKSUM_LENGTH, ChecksumAlg, EVENT_HEADER_LENGTH, EventFlag, EventType, eventTypeName } from './constants';
import { crc32 } from './crc32';
import { ByteReader } from './cursor';
import { ADVICE_CORRUPT, BinlogErrorCode, binlogError } from './errors';
import { type BinlogEvent, type EventBase, type FormatDescriptionEvent, make, type OtherEvent, type RowsEvent, type StopEvent, type TableMapEvent, type TransactionPayloadEvent } from './events';
import * as B from './event-bodies';
import { parseTableMap, type TableMap } from './table-map';
import type { XidEvent } from './events';
import type { TableHintsProvider } from './types';

export interface DecodeOptions {
  /** File name or stream label, for error messages. */
  source?: string;
  /** Verify CRC32 trailers when the format description says they are there (default true). */
  verifyChecksums?: boolean;
  /**
   * The checksum algorithm before a format description is seen: for the replication stream, whose first
   * (artificial) ROTATE comes before the FDE. The I/O thread knows it from @@global.binlog_checksum.
   * Default: detected (a trailing CRC32 that matches is taken as one).
   */
  checksumAlg?: number;
  /** Signedness, charsets and names for tables whose TABLE_MAP carries no metadata. */
  tableHints?: TableHintsProvider;
}

/**
 * The little state a binlog reader must keep: the current format description (header length, post-header
 * lengths, checksum algorithm) and the table maps by id. Nothing else is remembered between events.
 */
export class DecoderState {
  formatDescription: FormatDescriptionEvent | undefined;
  checksumAlg: number;
  headerLength = EVENT_HEADER_LENGTH;
  mariadb = false;
  readonly tableMaps = new Map<number, TableMap>();
  /** Set by MariaDB's START_ENCRYPTION: every later event is encrypted. */
  encrypted = false;
  /**
   * The last TABLE_MAP body seen per table id and its parsed map: servers repeat the same TABLE_MAP in every
   * transaction, so identical bytes reuse the parsed map (and its row-decoding plan).
   */
  private readonly tableMapBodies = new Map<number, { body: Buffer; map: TableMap }>();

  constructor(readonly options: DecodeOptions = {}) {
    this.checksumAlg = options.checksumAlg ?? ChecksumAlg.UNDEF;
  }

  /** The parsed map for a TABLE_MAP body, reusing the previous one when the bytes are identical. */
  tableMapFor(raw: Buffer, start: number, end: number, postHeaderLength: number, r: ByteReader): TableMap {
    const id = postHeaderLength === 6 ? raw.readUInt32LE(start) : raw.readUIntLE(start, 6);
    const cached = this.tableMapBodies.get(id);
    if (cached && cached.body.length === end - start && raw.compare(cached.body, 0, cached.body.length, start, end) === 0) {
      this.tableMaps.set(id, cached.map);
      return cached.map;
    }
    const map = parseTableMap(r, postHeaderLength, this.mariadb, this.options.tableHints);
    // Table ids grow over a server's life (a new id each time a table is reopened); a map is only needed
    // within its transaction, so a long-running reader drops them wholesale now and then.
    if (this.tableMapBodies.size >= MAX_TABLE_MAPS) {
      this.tableMapBodies.clear();
      this.tableMaps.clear();
    }
    this.tableMapBodies.set(map.tableId, { body: Buffer.from(raw.subarray(start, end)), map });
    this.tableMaps.set(map.tableId, map);
    return map;
  }

  /** Forget cached table maps (e.g. after changing what `tableHints` returns). */
  clearTableMapCache(): void {
    this.tableMapBodies.clear();
  }

  postHeaderLength(type: number, fallback: number): number {
    const p = this.formatDescription?.postHeaderLengths;
    return p && type >= 1 && type <= p.length ? p[type - 1]! : fallback;
  }
}

/** Post-header lengths of v4 binlogs, used before a format description has been seen (stream start). */
function defaultPostHeader(type: number): number {
  switch (type) {
    case EventType.QUERY_EVENT:
    case EventType.QUERY_COMPRESSED_EVENT:
      return 13;
    case EventType.ROTATE_EVENT:
      return 8;
    case EventType.TABLE_MAP_EVENT:
      return 8;
    case EventType.WRITE_ROWS_EVENT:
    case EventType.UPDATE_ROWS_EVENT:
    case EventType.DELETE_ROWS_EVENT:
    case EventType.PARTIAL_UPDATE_ROWS_EVENT:
    case EventType.WRITE_ROWS_COMPRESSED_EVENT:
    case EventType.UPDATE_ROWS_COMPRESSED_EVENT:
    case EventType.DELETE_ROWS_COMPRESSED_EVENT:
      return 10;
    default:
      return rowsLike(type) ? 8 : 0;
  }
}
function rowsLike(type: number): boolean {
  return B.rowsEventInfo(type) !== undefined;
}

const KNOWN_TYPES = new Set<number>(Object.values(EventType));
const MAX_TABLE_MAPS = 4096;

/**
 * Decodes one whole event (`raw` = exactly its bytes, header to checksum) at `position`, updating `state`.
 * Pure apart from `state`; throws only ReplicaDeskError (BINLOG_*). Works for file events and for events
 * taken from the replication stream (after the socket layer strips the OK byte).
 */
export function decodeEvent(raw: Buffer, position: number | undefined, state: DecoderState, inPayload = false): BinlogEvent {
  const source = state.options.source;
  if (raw.length < EVENT_HEADER_LENGTH) {
    throw binlogError(BinlogErrorCode.CORRUPT, `Event of ${raw.length} bytes is shorter than the 19-byte header`, { source, position, raw }, ADVICE_CORRUPT);
  }
  const typeCode = raw[4]!;
  const eventSize = raw.readUInt32LE(9);
  const logPos = raw.readUInt32LE(13);
  const pos = position ?? (logPos > 0 && logPos >= eventSize ? logPos - eventSize : -1);
  if (eventSize !== raw.length) {
    throw binlogError(BinlogErrorCode.CORRUPT, `Event header says ${eventSize} bytes but the event has ${raw.length}`, { source, position: pos, typeCode, raw }, ADVICE_CORRUPT);
  }
  if (state.encrypted && !inPayload) {
    throw binlogError(
      BinlogErrorCode.ENCRYPTED,
      'The binlog is encrypted (MariaDB encrypt_binlog=ON) from here on',
      { source, position: pos, typeCode, raw },
      'ReplicaDesk cannot read encrypted binlog files; read the events through replication instead (the server decrypts them when it sends them).',
    );
  }
  const base: EventBase = {
    typeCode,
    typeName: eventTypeName(typeCode),
    timestamp: raw.readUInt32LE(0),
    serverId: raw.readUInt32LE(5),
    eventSize,
    logPos,
    flags: raw.readUInt16LE(17),
    position: pos,
    raw,
    checksum: undefined,
  };
  const ctx = { source, position: pos, typeCode, raw };

  try {
    if (typeCode === EventType.FORMAT_DESCRIPTION_EVENT) {
      const fde = B.parseFormatDescription(base, new ByteReader(raw, EVENT_HEADER_LENGTH, eventSize));
      if (fde.checksumAlg === ChecksumAlg.CRC32) {
        verifyChecksum(raw, state, ctx);
        fde.checksum = raw.readUInt32LE(eventSize - 4);
      }
      state.formatDescription = fde;
      state.checksumAlg = fde.checksumAlg;
      state.headerLength = fde.headerLength;
      state.mariadb = fde.mariadb;
      return fde;
    }

    let bodyEnd = eventSize;
    if (!inPayload) {
      let alg = state.checksumAlg;
      if (alg === ChecksumAlg.UNDEF) {
        // No format description yet (stream start): a trailer that checks out is a checksum.
        alg = eventSize >= EVENT_HEADER_LENGTH + CHECKSUM_LENGTH && crc32(raw, 0, eventSize - 4) === raw.readUInt32LE(eventSize - 4) ? ChecksumAlg.CRC32 : ChecksumAlg.OFF;
      } else if (alg === ChecksumAlg.CRC32) verifyChecksum(raw, state, ctx);
      if (alg === ChecksumAlg.CRC32) {
        bodyEnd -= CHECKSUM_LENGTH;
        base.checksum = raw.readUInt32LE(bodyEnd);
      }
    }
    const bodyStart = state.headerLength;
    if (bodyEnd < bodyStart) {
      throw binlogError(BinlogErrorCode.CORRUPT, `Event of ${eventSize} bytes is too short for its header and checksum`, ctx, ADVICE_CORRUPT);
    }
    const r = new ByteReader(raw, bodyStart, bodyEnd);

    switch (typeCode) {
      case EventType.QUERY_EVENT:
      case EventType.QUERY_COMPRESSED_EVENT:
        return B.parseQuery(base, r, state.postHeaderLength(typeCode, defaultPostHeader(typeCode)), typeCode === EventType.QUERY_COMPRESSED_EVENT);
      case EventType.ROTATE_EVENT:
        return B.parseRotate(base, r, state.postHeaderLength(typeCode, defaultPostHeader(typeCode)));
      case EventType.STOP_EVENT:
        return make<StopEvent>(base, { kind: 'stop' });
      case EventType.XID_EVENT: {
        const e = base as XidEvent;
        e.kind = 'xid';
        e.xid = r.u64('xid');
        return e;
      }
      case EventType.INTVAR_EVENT:
        return B.parseIntvar(base, r);
      case EventType.RAND_EVENT:
        return B.parseRand(base, r);
      case EventType.USER_VAR_EVENT:
        return B.parseUserVar(base, r);
      case EventType.TABLE_MAP_EVENT: {
        const tableMap = state.tableMapFor(raw, bodyStart, bodyEnd, state.postHeaderLength(typeCode, defaultPostHeader(typeCode)), r);
        const e = base as TableMapEvent;
        e.kind = 'table_map';
        e.tableId = tableMap.tableId;
        e.schema = tableMap.schema;
        e.table = tableMap.table;
        e.tableMap = tableMap;
        return e;
      }
      case EventType.ROWS_QUERY_LOG_EVENT:
        return B.parseRowsQuery(base, r);
      case EventType.GTID_LOG_EVENT:
      case EventType.ANONYMOUS_GTID_LOG_EVENT:
        return B.parseMysqlGtid(base, r, typeCode === EventType.ANONYMOUS_GTID_LOG_EVENT);
      case EventType.GTID_TAGGED_LOG_EVENT:
        return B.parseTaggedGtid(base, r);
      case EventType.PREVIOUS_GTIDS_LOG_EVENT:
        return B.parsePreviousGtids(base, r);
      case EventType.TRANSACTION_PAYLOAD_EVENT:
        return decodePayload(base, r, state);
      case EventType.HEARTBEAT_LOG_EVENT:
      case EventType.HEARTBEAT_LOG_EVENT_V2:
        return B.parseHeartbeat(base, r, typeCode === EventType.HEARTBEAT_LOG_EVENT_V2);
      case EventType.INCIDENT_EVENT:
        return B.parseIncident(base, r);
      case EventType.XA_PREPARE_LOG_EVENT:
        return B.parseXaPrepare(base, r);
      case EventType.GTID_EVENT:
        return B.parseMariadbGtid(base, r);
      case EventType.GTID_LIST_EVENT:
        return B.parseGtidList(base, r);
      case EventType.BINLOG_CHECKPOINT_EVENT:
        return B.parseBinlogCheckpoint(base, r);
      case EventType.ANNOTATE_ROWS_EVENT:
        return B.parseAnnotateRows(base, r);
      case EventType.START_ENCRYPTION_EVENT: {
        const ev = B.parseStartEncryption(base, r);
        state.encrypted = true;
        return ev;
      }
      default: {
        const info = B.rowsEventInfo(typeCode);
        if (info) {
          const ev = new B.RowsEventImpl(base, info, source);
          ev.parse(r, state.postHeaderLength(typeCode, defaultPostHeader(typeCode)), state.tableMaps);
          return ev as unknown as RowsEvent;
        }
        const other = make<OtherEvent>(base, { kind: 'other', knownType: KNOWN_TYPES.has(typeCode), body: raw.subarray(bodyStart, bodyEnd) });
        return other;
      }
    }
  } catch (err) {
    if (err instanceof ReplicaDeskError) throw err;
    throw B.toBinlogError(err, ctx);
  }
}

function verifyChecksum(raw: Buffer, state: DecoderState, ctx: { source: string | undefined; position: number; typeCode: number; raw: Buffer }): void {
  if (state.options.verifyChecksums === false) return;
  const n = raw.length;
  if (n < EVENT_HEADER_LENGTH + CHECKSUM_LENGTH) throw binlogError(BinlogErrorCode.CORRUPT, 'Event too short for its CRC32 checksum', ctx, ADVICE_CORRUPT);
  const expected = raw.readUInt32LE(n - 4);
  let actual: number;
  if (raw[4] === EventType.FORMAT_DESCRIPTION_EVENT && raw[17]! & EventFlag.BINLOG_IN_USE) {
    // The server checksums its FDE with LOG_EVENT_BINLOG_IN_USE_F clear, so that clearing the flag when it
    // closes the file keeps the checksum valid.
    actual = crc32(raw, 0, 17);
    actual = crc32(Buffer.from([raw[17]! & ~EventFlag.BINLOG_IN_USE, raw[18]!]), 0, 2, actual);
    actual = crc32(raw, 19, n - 4, actual);
  } else actual = crc32(raw, 0, n - 4);
  if (expected !== actual) {
    const e = binlogError(
      BinlogErrorCode.CHECKSUM_MISMATCH,
      `CRC32 checksum mismatch (event says 0x${expected.toString(16).padStart(8, '0')}, bytes give 0x${actual.toString(16).padStart(8, '0')})`,
      ctx,
      'The event was damaged on disk or in transit; re-copy the file or re-fetch the events from the server.',
    );
    (e.details as Record<string, unknown>).expectedChecksum = expected;
    (e.details as Record<string, unknown>).actualChecksum = actual;
    throw e;
  }
}

function decodePayload(base: EventBase, r: ByteReader, state: DecoderState): TransactionPayloadEvent {
  const h = B.parsePayloadHeader(r);
  const data = B.decompressPayload(r, h);
  const events: BinlogEvent[] = [];
  let p = 0;
  while (p < data.length) {
    if (data.length - p < EVENT_HEADER_LENGTH) throw new Error(`transaction payload ends with ${data.length - p} stray bytes`);
    const size = data.readUInt32LE(p + 9);
    if (size < EVENT_HEADER_LENGTH || p + size > data.length) throw new Error(`inner event at payload offset ${p} has size ${size}`);
    // Inner events have no position of their own; they take the payload event's.
    events.push(decodeEvent(data.subarray(p, p + size), base.position, state, true));
    p += size;
  }
  return make<TransactionPayloadEvent>(base, { kind: 'transaction_payload', compressionType: h.compressionType, payloadSize: h.payloadSize, uncompressedSize: h.uncompressedSize, events });
}

/** True when the event is one the server made up (fake ROTATE/GTID_LIST at stream start). */
export function isArtificial(ev: { flags: number }): boolean {
  return (ev.flags & EventFlag.ARTIFICIAL) !== 0;
}
