import { EVENT_HEADER_LENGTH } from './constants';

/** The 19-byte common header of a v4 binlog event. All integers are little-endian on disk. */
export interface EventHeader {
  /** Seconds since 1970 (UTC) when the statement started on the source. */
  timestamp: number;
  typeCode: number;
  serverId: number;
  /** Whole event length: header + body (+ CRC32 trailer when checksums are on). */
  eventSize: number;
  /**
   * Position of the byte after this event in the source's binlog (0 for artificial events, events inside a
   * TRANSACTION_PAYLOAD, and some MariaDB 11.4+ events inside a transaction). In a relay log it is still the
   * source's position, not this file's.
   */
  logPos: number;
  flags: number;
}

/**
 * Reads the common header at `offset`. The caller guarantees 19 bytes are there; this is the innermost loop
 * of every reader, so it does no bounds checks of its own.
 */
export function parseEventHeader(buf: Buffer, offset = 0): EventHeader {
  return {
    timestamp: buf.readUInt32LE(offset),
    typeCode: buf[offset + 4]!,
    serverId: buf.readUInt32LE(offset + 5),
    eventSize: buf.readUInt32LE(offset + 9),
    logPos: buf.readUInt32LE(offset + 13),
    flags: buf.readUInt16LE(offset + 17),
  };
}

/** Just the size field, for framing without allocating a header object. */
export function readEventSize(buf: Buffer, offset = 0): number {
  return buf.readUInt32LE(offset + 9);
}

export function readEventType(buf: Buffer, offset = 0): number {
  return buf[offset + 4]!;
}

export { EVENT_HEADER_LENGTH };
