import { ReplicaDeskError } from '../../errors';
import { eventTypeName } from './constants';

/** Stable error codes of the binlog decoder. */
export const BinlogErrorCode = {
  /** An event's CRC32 trailer does not match its bytes. */
  CHECKSUM_MISMATCH: 'BINLOG_CHECKSUM_MISMATCH',
  /** The input ended inside an event (torn tail of a file being written, or a cut stream). */
  TRUNCATED: 'BINLOG_TRUNCATED',
  /** Bytes that cannot be a valid event (bad size, field pointing past the end, impossible value). */
  CORRUPT: 'BINLOG_CORRUPT',
  /** The file does not start with the binlog magic bytes. */
  BAD_MAGIC: 'BINLOG_BAD_MAGIC',
  /** The binlog is encrypted (MariaDB encrypt_binlog): events after START_ENCRYPTION cannot be read. */
  ENCRYPTED: 'BINLOG_ENCRYPTED',
  /** Valid but not decodable by us (e.g. an unknown compression algorithm, a pre-5.0 DECIMAL column). */
  UNSUPPORTED: 'BINLOG_UNSUPPORTED',
  /** A rows event refers to a table id no TABLE_MAP event announced (reading started mid-transaction). */
  TABLE_MAP_MISSING: 'BINLOG_TABLE_MAP_MISSING',
} as const;
export type BinlogErrorCodeValue = (typeof BinlogErrorCode)[keyof typeof BinlogErrorCode];

/** Where in the input something went wrong. */
export interface BinlogErrorContext {
  /** File name, or a label such as "stream from 10.0.0.5:3306". */
  source?: string | undefined;
  /** Byte offset of the event's first byte in the file/stream (or the source's binlog, for stream events). */
  position?: number | undefined;
  typeCode?: number | undefined;
  /** The event's bytes (or what there is of them), for the hex excerpt. */
  raw?: Uint8Array | undefined;
  /** Offset inside `raw` where the problem was noticed. */
  offsetInEvent?: number | undefined;
}

const EXCERPT_BYTES = 48;

/** Up to 48 bytes of hex around the problem, so a bug report carries what we saw. */
export function hexExcerpt(raw: Uint8Array | undefined, around = 0): string {
  if (!raw || raw.length === 0) return '';
  const start = Math.max(0, Math.min(around - 16, raw.length - EXCERPT_BYTES));
  const end = Math.min(raw.length, start + EXCERPT_BYTES);
  const hex = Buffer.from(raw.buffer, raw.byteOffset + start, end - start).toString('hex').replace(/(..)(?!$)/g, '$1 ');
  return `${start > 0 ? `[+${start}] ` : ''}${hex}${end < raw.length ? ' …' : ''}`;
}

export function binlogError(code: BinlogErrorCodeValue, what: string, ctx: BinlogErrorContext, advice: string, cause?: unknown): ReplicaDeskError {
  const where = `${ctx.source ?? 'binlog stream'}${ctx.position !== undefined && ctx.position >= 0 ? ` at position ${ctx.position}` : ''}`;
  const type = ctx.typeCode !== undefined ? ` (${eventTypeName(ctx.typeCode)})` : '';
  const details: Record<string, unknown> = { position: ctx.position ?? null };
  if (ctx.source !== undefined) details.source = ctx.source;
  if (ctx.typeCode !== undefined) {
    details.eventType = ctx.typeCode;
    details.eventTypeName = eventTypeName(ctx.typeCode);
  }
  if (ctx.offsetInEvent !== undefined) details.offsetInEvent = ctx.offsetInEvent;
  if (ctx.raw) {
    details.eventLength = ctx.raw.length;
    details.hex = hexExcerpt(ctx.raw, ctx.offsetInEvent ?? 0);
  }
  return new ReplicaDeskError(code, `${what} in ${where}${type}. ${advice}`, details, cause === undefined ? undefined : { cause });
}

/**
 * Thrown by the body parsers for malformed bytes; the event decoder turns it into a BINLOG_CORRUPT
 * ReplicaDeskError carrying the position, type and hex excerpt that only it knows.
 */
export class MalformedEvent extends Error {
  constructor(
    message: string,
    readonly offsetInEvent?: number,
  ) {
    super(message);
    this.name = 'MalformedEvent';
  }
}

/** Thrown by body parsers for valid input we deliberately do not decode (BINLOG_UNSUPPORTED). */
export class UnsupportedInEvent extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedInEvent';
  }
}

export const ADVICE_CORRUPT = 'The file or stream is damaged or was not written by MySQL/MariaDB; re-copy it, or restart replication from the next good position.';
export const ADVICE_TRUNCATED = 'The input ends in the middle of an event: if the server is still writing this file, read it again later; otherwise the file was cut short.';
