/**
 * Generic server responses (OK, ERR, EOF) and the length-encoded integers they use. Pure functions over
 * one logical packet payload.
 */

export const OK_HEADER = 0x00;
export const EOF_HEADER = 0xfe;
export const ERR_HEADER = 0xff;
export const LOCAL_INFILE_HEADER = 0xfb;

export interface ServerError {
  errno: number;
  sqlState: string;
  message: string;
}

export interface OkPacket {
  affectedRows: number;
  lastInsertId: number;
  statusFlags: number;
  warnings: number;
  info: string;
}

/** SERVER_STATUS_* bits of OK/EOF packets that callers look at. */
export const ServerStatus = {
  IN_TRANS: 0x0001,
  AUTOCOMMIT: 0x0002,
  MORE_RESULTS_EXISTS: 0x0008,
} as const;

export function isErrPacket(p: Buffer): boolean {
  return p.length > 0 && p[0] === ERR_HEADER;
}

/** An OK packet (header 0x00, at least 7 bytes). */
export function isOkPacket(p: Buffer): boolean {
  return p.length >= 7 && p[0] === OK_HEADER;
}

/** The old-style EOF packet (header 0xfe, shorter than 9 bytes; longer 0xfe packets are rows or OK). */
export function isEofPacket(p: Buffer): boolean {
  return p.length > 0 && p.length < 9 && p[0] === EOF_HEADER;
}

export function parseErrPacket(p: Buffer): ServerError {
  const errno = p.length >= 3 ? p.readUInt16LE(1) : 0;
  let off = 3;
  let sqlState = 'HY000';
  if (p.length >= 9 && p[3] === 0x23 /* '#' */) {
    sqlState = p.toString('latin1', 4, 9);
    off = 9;
  }
  return { errno, sqlState, message: p.toString('utf8', off) };
}

export function parseOkPacket(p: Buffer): OkPacket {
  const r = { off: 1 };
  const affectedRows = readLenEncInt(p, r) ?? 0;
  const lastInsertId = readLenEncInt(p, r) ?? 0;
  const statusFlags = r.off + 2 <= p.length ? p.readUInt16LE(r.off) : 0;
  const warnings = r.off + 4 <= p.length ? p.readUInt16LE(r.off + 2) : 0;
  const info = r.off + 4 < p.length ? p.toString('utf8', r.off + 4) : '';
  return { affectedRows, lastInsertId, statusFlags, warnings, info };
}

export function parseEofStatus(p: Buffer): { warnings: number; statusFlags: number } {
  return { warnings: p.length >= 3 ? p.readUInt16LE(1) : 0, statusFlags: p.length >= 5 ? p.readUInt16LE(3) : 0 };
}

/**
 * Reads a length-encoded integer at `cursor.off` and advances it. Returns null for the NULL marker (0xfb).
 * Values above 2^53 lose precision; callers that need them use readLenEncBigInt.
 */
export function readLenEncInt(p: Buffer, cursor: { off: number }): number | null {
  const first = p[cursor.off]!;
  if (first < 0xfb) {
    cursor.off += 1;
    return first;
  }
  if (first === 0xfb) {
    cursor.off += 1;
    return null;
  }
  if (first === 0xfc) {
    const v = p.readUInt16LE(cursor.off + 1);
    cursor.off += 3;
    return v;
  }
  if (first === 0xfd) {
    const v = p.readUIntLE(cursor.off + 1, 3);
    cursor.off += 4;
    return v;
  }
  const v = Number(p.readBigUInt64LE(cursor.off + 1));
  cursor.off += 9;
  return v;
}

/** A length-encoded string (as raw bytes), or null for the NULL marker. */
export function readLenEncBytes(p: Buffer, cursor: { off: number }): Buffer | null {
  const len = readLenEncInt(p, cursor);
  if (len === null) return null;
  const v = p.subarray(cursor.off, cursor.off + len);
  cursor.off += len;
  return v;
}

export function lenEncIntLength(n: number): number {
  return n < 0xfb ? 1 : n < 0x10000 ? 3 : n < 0x1000000 ? 4 : 9;
}

/** Writes `n` as a length-encoded integer at `off`; returns the offset after it. */
export function writeLenEncInt(out: Buffer, off: number, n: number): number {
  if (n < 0xfb) {
    out[off] = n;
    return off + 1;
  }
  if (n < 0x10000) {
    out[off] = 0xfc;
    out.writeUInt16LE(n, off + 1);
    return off + 3;
  }
  if (n < 0x1000000) {
    out[off] = 0xfd;
    out.writeUIntLE(n, off + 1, 3);
    return off + 4;
  }
  out[off] = 0xfe;
  out.writeBigUInt64LE(BigInt(n), off + 1);
  return off + 9;
}
