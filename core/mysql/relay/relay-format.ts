/**
 * What a relay-log file looks like on disk, as pure functions over Buffers: the same format as a binary log
 * (magic, format description event, events verbatim) so `mariadb-binlog` / `mysqlbinlog` read it.
 * Layout of every file we write:
 *
 *   fe 62 69 6e | source's FORMAT_DESCRIPTION_EVENT (verbatim) | ROTATE (artificial, ours: source file+pos) | events...
 *
 * The ROTATE we add names the source binlog file and position the first following event starts at, so a
 * reader of any single relay file knows Relay_Master_Log_File without reading earlier files.
 */
import { crc32 } from '../binlog/crc32';
import { BINLOG_MAGIC, CHECKSUM_LENGTH, ChecksumAlg, EVENT_HEADER_LENGTH, EventFlag, EventType } from '../binlog/constants';

// Local copies: the hot paths below run per event, and module bindings compiled to getters cost there.
const crc = crc32;
const CRC32_ALG: number = ChecksumAlg.CRC32;
const CHECKSUM_BYTES: number = CHECKSUM_LENGTH;
const FDE_TYPE: number = EventType.FORMAT_DESCRIPTION_EVENT;

/** Offset of the checksum-algorithm byte from the end of a FORMAT_DESCRIPTION_EVENT (alg byte + CRC32). */
const FDE_ALG_FROM_END = 1 + CHECKSUM_LENGTH;
const FDE_SERVER_VERSION_OFFSET = EVENT_HEADER_LENGTH + 2;
const FDE_SERVER_VERSION_LENGTH = 50;

/**
 * Whether events after this FORMAT_DESCRIPTION_EVENT carry a CRC32 trailer. Servers that know checksums
 * (MySQL >= 5.6.1, MariaDB >= 5.3) end the FDE with the algorithm byte + its own CRC; older ones do not.
 */
export function fdeChecksumAlg(fde: Buffer): number {
  const ver = fde.toString('latin1', FDE_SERVER_VERSION_OFFSET, FDE_SERVER_VERSION_OFFSET + FDE_SERVER_VERSION_LENGTH).replace(/\0.*$/s, '');
  if (!versionKnowsChecksums(ver)) return ChecksumAlg.OFF;
  const alg = fde[fde.length - FDE_ALG_FROM_END]!;
  return alg === ChecksumAlg.CRC32 ? ChecksumAlg.CRC32 : alg === ChecksumAlg.OFF ? ChecksumAlg.OFF : ChecksumAlg.UNDEF;
}

function versionKnowsChecksums(ver: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(ver);
  if (!m) return false;
  const [maj, min, pat] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const n = maj * 10000 + min * 100 + pat;
  return /mariadb/i.test(ver) ? n >= 50300 : n >= 50601;
}

/** Bytes of CRC32 trailer each event carries under this algorithm. */
export function checksumLength(alg: number): number {
  return alg === ChecksumAlg.CRC32 ? CHECKSUM_LENGTH : 0;
}

/** True when the event's trailing CRC32 matches its bytes (always true when the file has no checksums). */
export function eventChecksumOk(buf: Buffer, alg: number, start = 0, end = buf.length): boolean {
  if (alg !== CRC32_ALG) return true;
  const n = end - CHECKSUM_BYTES;
  if (n - start < EVENT_HEADER_LENGTH) return false;
  const stored = buf.readUInt32LE(n);
  if (crc(buf, start, n) === stored) return true;
  // The FDE's stored CRC covers the event with the in-use flag as written then; the server clears that flag
  // in place when it closes the file without recomputing, so compare with the flag both ways.
  if (buf[start + 4] === FDE_TYPE) {
    const copy = Buffer.from(buf.subarray(start, n));
    copy.writeUInt16LE(copy.readUInt16LE(17) ^ EventFlag.BINLOG_IN_USE, 17);
    return crc(copy) === stored;
  }
  return false;
}

/** An artificial ROTATE event naming the source file and the position of the next event in it. */
export function buildArtificialRotate(o: { sourceFile: string; position: number; serverId: number; checksumAlg: number }): Buffer {
  const name = Buffer.from(o.sourceFile, 'utf8');
  const crcLen = checksumLength(o.checksumAlg);
  const size = EVENT_HEADER_LENGTH + 8 + name.length + crcLen;
  const ev = Buffer.alloc(size);
  ev.writeUInt32LE(0, 0); // timestamp 0: artificial events do not move Seconds_Behind_Master
  ev[4] = EventType.ROTATE_EVENT;
  ev.writeUInt32LE(o.serverId >>> 0, 5);
  ev.writeUInt32LE(size, 9);
  ev.writeUInt32LE(0, 13); // log_pos 0: not an event of the source's file
  ev.writeUInt16LE(EventFlag.ARTIFICIAL | EventFlag.RELAY_LOG, 17);
  ev.writeBigUInt64LE(BigInt(o.position), EVENT_HEADER_LENGTH);
  name.copy(ev, EVENT_HEADER_LENGTH + 8);
  if (crcLen) ev.writeUInt32LE(crc32(ev, 0, size - crcLen), size - crcLen);
  return ev;
}

/** File name and position carried by a ROTATE event. */
export function parseRotate(event: Buffer, alg: number): { file: string; position: number } {
  const end = event.length - checksumLength(alg);
  return {
    position: Number(event.readBigUInt64LE(EVENT_HEADER_LENGTH)),
    file: event.toString('utf8', EVENT_HEADER_LENGTH + 8, end),
  };
}

/** The start of every relay file: magic, the source FDE, our ROTATE. Returns the bytes and their length. */
export function buildRelayFileHeader(fde: Buffer, sourceFile: string, sourcePosition: number, serverId: number): Buffer {
  const rotate = buildArtificialRotate({ sourceFile, position: sourcePosition, serverId, checksumAlg: fdeChecksumAlg(fde) });
  return Buffer.concat([BINLOG_MAGIC, fde, rotate]);
}

export interface ScannedEvent {
  offset: number;
  size: number;
}

export interface ScanResult {
  events: ScannedEvent[];
  /** Offset just after the last whole event. */
  end: number;
  /** Offset of the first event whose size field is impossible, if one was met. */
  corruptAt?: number;
}

/**
 * Walks whole events in `buf` starting at `start` (usually 4, after the magic). Stops at a torn tail (an
 * event that does not fit) or at an impossible size field, which it reports as corruption.
 */
export function scanEvents(buf: Buffer, start: number, maxEventSize = 1 << 30): ScanResult {
  const events: ScannedEvent[] = [];
  let off = start;
  while (buf.length - off >= EVENT_HEADER_LENGTH) {
    const size = buf.readUInt32LE(off + 9);
    if (size < EVENT_HEADER_LENGTH || size > maxEventSize) return { events, end: off, corruptAt: off };
    if (off + size > buf.length) break;
    events.push({ offset: off, size });
    off += size;
  }
  return { events, end: off };
}
