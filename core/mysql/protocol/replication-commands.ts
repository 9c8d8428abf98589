/**
 * Payloads of the replication commands a replica sends after it has authenticated. Pure encoders; the
 * caller frames them with encodePacket (sequence id 0: each command starts a new exchange).
 */

export const Command = {
  COM_QUIT: 0x01,
  COM_QUERY: 0x03,
  COM_PING: 0x0e,
  COM_BINLOG_DUMP: 0x12,
  COM_REGISTER_SLAVE: 0x15,
  COM_STMT_PREPARE: 0x16,
  COM_STMT_EXECUTE: 0x17,
  COM_STMT_CLOSE: 0x19,
  COM_BINLOG_DUMP_GTID: 0x1e,
} as const;

/** COM_BINLOG_DUMP flags. */
export const DumpFlag = {
  /** Send EOF instead of blocking at the end of the last binlog. */
  NON_BLOCK: 0x01,
  /** MariaDB only: also send ANNOTATE_ROWS events (the statement behind row events). MySQL reads 0x02 differently. */
  MARIADB_SEND_ANNOTATE_ROWS: 0x02,
  /** COM_BINLOG_DUMP_GTID: the GTID set data follows. */
  MYSQL_THROUGH_GTID: 0x04,
} as const;

export interface RegisterSlave {
  serverId: number;
  reportHost?: string;
  reportUser?: string;
  reportPassword?: string;
  reportPort?: number;
}

function shortString(s: string | undefined, what: string): Buffer {
  const b = Buffer.from(s ?? '', 'utf8');
  if (b.length > 255) throw new RangeError(`${what} is longer than 255 bytes`);
  return b;
}

export function encodeRegisterSlave(r: RegisterSlave): Buffer {
  const host = shortString(r.reportHost, 'report host');
  const user = shortString(r.reportUser, 'report user');
  const password = shortString(r.reportPassword, 'report password');
  const out = Buffer.alloc(1 + 4 + 1 + host.length + 1 + user.length + 1 + password.length + 2 + 4 + 4);
  let off = 0;
  out[off++] = Command.COM_REGISTER_SLAVE;
  out.writeUInt32LE(r.serverId >>> 0, off);
  off += 4;
  for (const b of [host, user, password]) {
    out[off++] = b.length;
    b.copy(out, off);
    off += b.length;
  }
  out.writeUInt16LE((r.reportPort ?? 0) & 0xffff, off);
  off += 2;
  // Replication rank and master id: unused by every server since 4.x, always 0.
  out.writeUInt32LE(0, off);
  out.writeUInt32LE(0, off + 4);
  return out;
}

/** File/position dump (also MariaDB's GTID dump, with an empty file name after SET @slave_connect_state). */
export function encodeBinlogDump(o: { position: number; flags: number; serverId: number; file: string }): Buffer {
  const name = Buffer.from(o.file, 'utf8');
  const out = Buffer.alloc(1 + 4 + 2 + 4 + name.length);
  out[0] = Command.COM_BINLOG_DUMP;
  // The protocol field is 4 bytes; MySQL positions in files above 4 GiB cannot be asked for this way.
  out.writeUInt32LE(Math.min(o.position, 0xffffffff) >>> 0, 1);
  out.writeUInt16LE(o.flags, 5);
  out.writeUInt32LE(o.serverId >>> 0, 7);
  name.copy(out, 11);
  return out;
}

/** One interval of transaction numbers, [start, end] inclusive as people write them ("uuid:1-5"). */
export interface GtidInterval {
  start: bigint;
  end: bigint;
}

/** A MySQL GTID set: source UUID (and optional tag, 8.4+, not supported here) → intervals. */
export type MysqlGtidSet = Map<string, GtidInterval[]>;

/** Parses "uuid:1-5:7,uuid2:1-3" (whitespace and newlines allowed, as SHOW MASTER STATUS prints them). */
export function parseMysqlGtidSet(text: string): MysqlGtidSet {
  const set: MysqlGtidSet = new Map();
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [uuid, ...ranges] = part.split(':');
    if (!uuid || !/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(uuid)) {
      throw new RangeError(`"${part}" is not a MySQL GTID set element (expected uuid:N-M)`);
    }
    const list = set.get(uuid.toLowerCase()) ?? [];
    for (const r of ranges) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(r.trim());
      if (!m) throw new RangeError(`"${r}" in "${part}" is not a GTID interval (N or N-M)`);
      const start = BigInt(m[1]!);
      const end = m[2] !== undefined ? BigInt(m[2]) : start;
      if (end < start || start < 1n) throw new RangeError(`GTID interval "${r}" is empty or starts below 1`);
      list.push({ start, end });
    }
    set.set(uuid.toLowerCase(), list);
  }
  return set;
}

/** The binary encoding COM_BINLOG_DUMP_GTID carries (MySQL's Gtid_set::encode; intervals end-exclusive). */
export function encodeMysqlGtidSet(set: MysqlGtidSet): Buffer {
  const entries = [...set.entries()].filter(([, iv]) => iv.length > 0);
  let size = 8;
  for (const [, iv] of entries) size += 16 + 8 + iv.length * 16;
  const out = Buffer.alloc(size);
  let off = 0;
  out.writeBigUInt64LE(BigInt(entries.length), off);
  off += 8;
  for (const [uuid, iv] of entries) {
    Buffer.from(uuid.replace(/-/g, ''), 'hex').copy(out, off);
    off += 16;
    out.writeBigUInt64LE(BigInt(iv.length), off);
    off += 8;
    for (const { start, end } of iv) {
      out.writeBigUInt64LE(start, off);
      out.writeBigUInt64LE(end + 1n, off + 8);
      off += 16;
    }
  }
  return out;
}

export function encodeBinlogDumpGtid(o: { serverId: number; file: string; position: number; gtidSet: MysqlGtidSet; flags?: number }): Buffer {
  const name = Buffer.from(o.file, 'utf8');
  const data = encodeMysqlGtidSet(o.gtidSet);
  const out = Buffer.alloc(1 + 2 + 4 + 4 + name.length + 8 + 4 + data.length);
  let off = 0;
  out[off++] = Command.COM_BINLOG_DUMP_GTID;
  out.writeUInt16LE((o.flags ?? 0) | DumpFlag.MYSQL_THROUGH_GTID, off);
  off += 2;
  out.writeUInt32LE(o.serverId >>> 0, off);
  off += 4;
  out.writeUInt32LE(name.length, off);
  off += 4;
  name.copy(out, off);
  off += name.length;
  out.writeBigUInt64LE(BigInt(o.position), off);
  off += 8;
  out.writeUInt32LE(data.length, off);
  off += 4;
  data.copy(out, off);
  return out;
}

export function encodeQuery(sql: string): Buffer {
  const body = Buffer.from(sql, 'utf8');
  const out = Buffer.allocUnsafe(1 + body.length);
  out[0] = Command.COM_QUERY;
  body.copy(out, 1);
  return out;
}
