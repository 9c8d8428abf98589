/**
 * Builds binlog bytes for tests, independently of the decoder: headers, checksums, TABLE_MAP/rows bodies,
 * and MySQL binary JSON. Follows the servers' documented layouts.
 */
import { crc32 } from '../../../core/mysql/binlog/crc32';
import { BINLOG_MAGIC, EventType } from '../../../core/mysql/binlog/constants';

export function lenenc(n: number): Buffer {
  if (n < 0xfb) return Buffer.from([n]);
  if (n < 0x10000) return Buffer.from([0xfc, n & 0xff, n >> 8]);
  if (n < 0x1000000) return Buffer.from([0xfd, n & 0xff, (n >> 8) & 0xff, n >> 16]);
  const b = Buffer.alloc(9);
  b[0] = 0xfe;
  b.writeBigUInt64LE(BigInt(n), 1);
  return b;
}

export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}
export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
export function u64(n: bigint | number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}
export function u48(n: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntLE(n, 0, 6);
  return b;
}

export interface BuilderOptions {
  checksum?: boolean;
  serverVersion?: string;
  serverId?: number;
}

/** Post-header lengths as MySQL 8 / MariaDB 10 FDEs list them (index = type - 1), up to type 171. */
function postHeaders(): Buffer {
  const p = Buffer.alloc(171);
  const set = (t: number, n: number) => (p[t - 1] = n);
  set(EventType.QUERY_EVENT, 13);
  set(EventType.QUERY_COMPRESSED_EVENT, 13);
  set(EventType.ROTATE_EVENT, 8);
  set(EventType.TABLE_MAP_EVENT, 8);
  for (const t of [20, 21, 22, 23, 24, 25, 166, 167, 168]) set(t, 8);
  for (const t of [30, 31, 32, 39, 169, 170, 171]) set(t, 10);
  set(EventType.INCIDENT_EVENT, 2);
  return p;
}

export class BinlogBuilder {
  readonly checksum: boolean;
  readonly serverVersion: string;
  private pos = 4;
  private readonly parts: Buffer[] = [BINLOG_MAGIC];

  constructor(readonly o: BuilderOptions = {}) {
    this.checksum = o.checksum ?? true;
    this.serverVersion = o.serverVersion ?? '10.11.19-MariaDB-log';
  }

  /** One event's bytes: header (with log_pos), body, CRC32 if on. */
  event(type: number, body: Buffer, opts: { flags?: number; timestamp?: number; logPos?: number; serverId?: number; checksum?: boolean } = {}): Buffer {
    const withCrc = opts.checksum ?? this.checksum;
    const size = 19 + body.length + (withCrc ? 4 : 0);
    const b = Buffer.alloc(size);
    b.writeUInt32LE(opts.timestamp ?? 1700000000, 0);
    b[4] = type;
    b.writeUInt32LE(opts.serverId ?? this.o.serverId ?? 1, 5);
    b.writeUInt32LE(size, 9);
    b.writeUInt32LE(opts.logPos ?? this.pos + size, 13);
    b.writeUInt16LE(opts.flags ?? 0, 17);
    body.copy(b, 19);
    if (withCrc) b.writeUInt32LE(crc32(b, 0, size - 4), size - 4);
    return b;
  }

  /** Appends an event to the file being built and returns it. */
  add(type: number, body: Buffer, opts: Parameters<BinlogBuilder['event']>[2] = {}): Buffer {
    const e = this.event(type, body, opts);
    this.parts.push(e);
    this.pos += e.length;
    return e;
  }

  fdeBody(): Buffer {
    const ver = Buffer.alloc(50);
    ver.write(this.serverVersion, 'latin1');
    return Buffer.concat([u16(4), ver, u32(1700000000), Buffer.from([19]), postHeaders(), Buffer.from([this.checksum ? 1 : 0])]);
  }

  /** The FDE: its checksum algorithm byte is followed by 4 checksum bytes (zero when checksums are off). */
  addFde(flags = 0): Buffer {
    const body = this.fdeBody();
    const e = this.checksum ? this.event(EventType.FORMAT_DESCRIPTION_EVENT, body, { flags }) : this.event(EventType.FORMAT_DESCRIPTION_EVENT, Buffer.concat([body, Buffer.alloc(4)]), { flags, checksum: false });
    this.parts.push(e);
    this.pos += e.length;
    return e;
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export function queryBody(schema: string, query: string | Buffer, statusVars: Buffer = Buffer.alloc(0), opts: { threadId?: number; errorCode?: number } = {}): Buffer {
  const s = Buffer.from(schema);
  return Buffer.concat([u32(opts.threadId ?? 7), u32(0), Buffer.from([s.length]), u16(opts.errorCode ?? 0), u16(statusVars.length), statusVars, s, Buffer.from([0]), Buffer.isBuffer(query) ? query : Buffer.from(query)]);
}

export interface ColumnDef {
  type: number;
  meta?: Buffer;
  nullable?: boolean;
}

export function tableMapBody(tableId: number, schema: string, table: string, cols: ColumnDef[], optional: Buffer = Buffer.alloc(0)): Buffer {
  const meta = Buffer.concat(cols.map((c) => c.meta ?? Buffer.alloc(0)));
  const nulls = Buffer.alloc((cols.length + 7) >> 3);
  cols.forEach((c, i) => {
    if (c.nullable !== false) nulls[i >> 3]! |= 1 << (i & 7);
  });
  return Buffer.concat([
    u48(tableId),
    u16(1),
    Buffer.from([schema.length]),
    Buffer.from(schema),
    Buffer.from([0]),
    Buffer.from([table.length]),
    Buffer.from(table),
    Buffer.from([0]),
    lenenc(cols.length),
    Buffer.from(cols.map((c) => c.type)),
    lenenc(meta.length),
    meta,
    nulls,
    optional,
  ]);
}

/** An optional-metadata TLV field. */
export function optField(type: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), lenenc(value.length), value]);
}

export function bitmap(bits: boolean[]): Buffer {
  const b = Buffer.alloc((bits.length + 7) >> 3);
  bits.forEach((on, i) => {
    if (on) b[i >> 3]! |= 1 << (i & 7);
  });
  return b;
}

/** One row image: NULL bitmap over the present columns, then the encoded non-NULL values. */
export function rowImage(values: (Buffer | null)[]): Buffer {
  return Buffer.concat([bitmap(values.map((v) => v === null)), ...values.filter((v): v is Buffer => v !== null)]);
}

export function rowsBody(tableId: number, columnCount: number, images: Buffer[], opts: { v2?: boolean; present?: boolean[]; presentAfter?: boolean[]; update?: boolean; flags?: number } = {}): Buffer {
  const present = bitmap(opts.present ?? new Array(columnCount).fill(true));
  const parts = [u48(tableId), u16(opts.flags ?? 1)];
  if (opts.v2) parts.push(u16(2));
  parts.push(lenenc(columnCount), present);
  if (opts.update) parts.push(opts.presentAfter ? bitmap(opts.presentAfter) : present);
  return Buffer.concat([...parts, ...images]);
}

// ---------------------------------------------------------------- MySQL binary JSON encoder

type J = null | boolean | number | string | J[] | { [k: string]: J } | { opaque: number; data: Buffer } | { int64: bigint } | { uint64: bigint } | { double: number };

function varLen(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

/** Encodes a value: [type, bytes]. `large` forces 4-byte offsets in containers. */
function encodeValue(v: J, large: boolean): [number, Buffer] {
  if (v === null) return [0x04, Buffer.from([0])];
  if (v === true) return [0x04, Buffer.from([1])];
  if (v === false) return [0x04, Buffer.from([2])];
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= -32768 && v <= 32767) {
      const b = Buffer.alloc(2);
      b.writeInt16LE(v);
      return [0x05, b];
    }
    if (Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) {
      const b = Buffer.alloc(4);
      b.writeInt32LE(v);
      return [0x07, b];
    }
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    return [0x0b, b];
  }
  if (typeof v === 'string') {
    const s = Buffer.from(v);
    return [0x0c, Buffer.concat([varLen(s.length), s])];
  }
  if (Array.isArray(v)) return encodeContainer(v.map((x) => ['', x] as [string, J]), false, large);
  if ('opaque' in v) return [0x0f, Buffer.concat([Buffer.from([v.opaque as number]), varLen((v.data as Buffer).length), v.data as Buffer])];
  if ('int64' in v) return [0x09, u64(BigInt.asUintN(64, v.int64 as bigint))];
  if ('uint64' in v) return [0x0a, u64(v.uint64 as bigint)];
  if ('double' in v) {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v.double as number);
    return [0x0b, b];
  }
  return encodeContainer(Object.entries(v as Record<string, J>), true, large);
}

function encodeContainer(entries: [string, J][], isObject: boolean, large: boolean): [number, Buffer] {
  const w = large ? 4 : 2;
  const n = entries.length;
  const header = 2 * w + (isObject ? n * (w + 2) : 0) + n * (1 + w);
  const keys = entries.map(([k]) => Buffer.from(k));
  const chunks: Buffer[] = [];
  let off = header + (isObject ? keys.reduce((a, k) => a + k.length, 0) : 0);
  const valueEntries: Buffer[] = [];
  for (const [, val] of entries) {
    const [t, data] = encodeValue(val, large);
    const inline = t === 0x04 || t === 0x05 || t === 0x06 || (large && (t === 0x07 || t === 0x08));
    const e = Buffer.alloc(1 + w);
    e[0] = t;
    if (inline) data.copy(e, 1);
    else {
      if (large) e.writeUInt32LE(off, 1);
      else e.writeUInt16LE(off, 1);
      chunks.push(data);
      off += data.length;
    }
    valueEntries.push(e);
  }
  const keyEntries: Buffer[] = [];
  let koff = header;
  for (const k of keys) {
    const e = Buffer.alloc(w + 2);
    if (large) e.writeUInt32LE(koff, 0);
    else e.writeUInt16LE(koff, 0);
    e.writeUInt16LE(k.length, w);
    keyEntries.push(e);
    koff += k.length;
  }
  const head = Buffer.alloc(2 * w);
  if (large) {
    head.writeUInt32LE(n, 0);
    head.writeUInt32LE(off, 4);
  } else {
    head.writeUInt16LE(n, 0);
    head.writeUInt16LE(off, 2);
  }
  const body = Buffer.concat([head, ...(isObject ? keyEntries : []), ...valueEntries, ...(isObject ? keys : []), ...chunks]);
  return [isObject ? (large ? 0x01 : 0x00) : large ? 0x03 : 0x02, body];
}

export function jsonb(v: J, large = false): Buffer {
  const [t, data] = encodeValue(v, large);
  return Buffer.concat([Buffer.from([t]), data]);
}
