import { isUtf8 } from 'node:buffer';
import { ChecksumAlg, EventFlag } from './constants';
import type { BinlogEvent, RowsEvent } from './events';
import { pad2 } from './temporal';
import type { TableMap, TableMapColumn } from './table-map';
import { ColumnType } from './constants';
import { type ColumnValue, isJsonDiff, type Row, type UpdatedRow } from './types';

/**
 * Text for people, in the spirit of `mariadb-binlog --base64-output=decode-rows -v`: one "# at POS" block per
 * event, rows as pseudo-SQL (`### INSERT INTO ... SET @1=...`). Or one JSON object per event (`--json`).
 * Times are UTC. Output is built as strings in large chunks by the caller.
 */

type FastBuffer = Buffer & { latin1Write(s: string, offset: number): number; utf8Write(s: string, offset: number): number };

/**
 * Builds the dump as bytes in 1 MiB buffers handed to `sink` when full (each buffer is fresh, so the sink may
 * keep it, e.g. a stream write still in flight). Byte values are copied without making strings.
 */
export class TextWriter {
  private buf: FastBuffer;
  private n = 0;
  constructor(
    private readonly sink: (chunk: Buffer) => void,
    private readonly size = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(size) as FastBuffer;
  }
  get pending(): number {
    return this.n;
  }
  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    this.flush();
    if (k > this.buf.length) this.buf = Buffer.allocUnsafe(k) as FastBuffer;
  }
  flush(): void {
    if (this.n === 0) return;
    const chunk = this.buf.subarray(0, this.n);
    this.buf = Buffer.allocUnsafe(this.size) as FastBuffer;
    this.n = 0;
    this.sink(chunk);
  }
  /** Any text (UTF-8). */
  s(str: string): void {
    this.room(str.length * 3);
    this.n += this.buf.utf8Write(str, this.n);
  }
  /** Text known to be ASCII. */
  a(str: string): void {
    this.room(str.length);
    this.n += this.buf.latin1Write(str, this.n);
  }
  bytes(b: Uint8Array, start: number, end: number): void {
    const len = end - start;
    this.room(len);
    const buf = this.buf;
    let n = this.n;
    if (len > 48) buf.set(b.subarray(start, end), n);
    else for (let i = start; i < end; i++) buf[n++] = b[i]!;
    this.n += len;
  }
  /** Pre-encoded ASCII bytes (constants). */
  lit(b: Uint8Array): void {
    const len = b.length;
    this.room(len);
    const buf = this.buf;
    let n = this.n;
    for (let i = 0; i < len; i++) buf[n++] = b[i]!;
    this.n = n;
  }
  byte(c: number): void {
    this.room(1);
    this.buf[this.n++] = c;
  }
  /** An integer (|v| < 2^53) in decimal, without making a string. */
  int(v: number): void {
    this.room(22);
    const buf = this.buf;
    if (v < 0) {
      buf[this.n++] = 0x2d;
      v = -v;
    }
    if (v < 10) {
      buf[this.n++] = 0x30 + v;
      return;
    }
    let digits = 0;
    for (let x = v; x >= 1; x = Math.floor(x / 10)) digits++;
    let p = this.n + digits;
    this.n = p;
    while (v >= 1) {
      const q = Math.floor(v / 10);
      buf[--p] = 0x30 + (v - q * 10);
      v = q;
    }
  }
  /** 8 lower-case hex digits. */
  hex8(v: number): void {
    this.room(8);
    const buf = this.buf;
    for (let i = 7; i >= 0; i--) {
      buf[this.n + i] = HEX[v & 15]!;
      v >>>= 4;
    }
    this.n += 8;
  }
}

const HEX = Buffer.from('0123456789abcdef');
const lit = (s: string): Buffer => Buffer.from(s, 'latin1');
const L_AT = lit('# at ');
const L_SERVER_ID = lit(' server id ');
const L_END_LOG_POS = lit('  end_log_pos ');
const L_CRC = lit(' CRC32 0x');
const L_TAB = lit(' \t');
const L_SET = lit('### SET\n');
const L_STMT_END = lit(' flags: STMT_END_F\n');
const L_TABLE_ID = lit(': table id ');

let lastStampTs = -1;
let lastStamp = '';
function stamp(ts: number): string {
  if (ts === lastStampTs) return lastStamp;
  const d = new Date(ts * 1000);
  lastStampTs = ts;
  lastStamp = pad2(d.getUTCFullYear() % 100) + pad2(d.getUTCMonth() + 1) + pad2(d.getUTCDate()) + ' ' + pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes()) + ':' + pad2(d.getUTCSeconds());
  return lastStamp;
}

function quoteIdent(s: string): string {
  return '`' + s.replace(/`/g, '``') + '`';
}

const ESCAPE_RE = /[\u0000-\u001f'\\\u007f]/;

/** A quoted SQL-ish literal: printable text as is, quotes/backslashes escaped, control bytes as \xNN. */
export function quoteText(s: string): string {
  if (!ESCAPE_RE.test(s)) return "'" + s + "'";
  let out = "'";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x27) out += "\\'";
    else if (c === 0x5c) out += '\\\\';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + (c < 16 ? '0' : '') + c.toString(16);
    else out += s[i];
  }
  return out + "'";
}

/** Bytes: as text when they are valid UTF-8 (unknown-charset columns usually are), else \xNN for non-ASCII. */
export function quoteBytes(b: Buffer): string {
  if (isUtf8(b)) return quoteText(b.toString('utf8'));
  let out = "'";
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x27) out += "\\'";
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += '\\x' + (c < 16 ? '0' : '') + c.toString(16);
  }
  return out + "'";
}

/** Writes quoted bytes; plain printable ASCII (the common case) is copied straight from the event. */
function writeQuotedBytes(w: TextWriter, b: Buffer): void {
  const n = b.length;
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c < 0x20 || c > 0x7e || c === 0x27 || c === 0x5c) {
      w.s(quoteBytes(b));
      return;
    }
  }
  w.byte(0x27);
  w.bytes(b, 0, n);
  w.byte(0x27);
}

/** Shortest decimal text that reads back as the same float32. */
function float32Text(x: number): string {
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(x);
}

function bitText(b: Buffer, bits: number): string {
  let s = '';
  for (const byte of b) s += byte.toString(2).padStart(8, '0');
  return "b'" + s.slice(Math.max(0, s.length - bits)) + "'";
}

const TEMPORAL = new Set<number>([ColumnType.DATE, ColumnType.NEWDATE, ColumnType.TIME, ColumnType.TIME2, ColumnType.DATETIME, ColumnType.DATETIME2, ColumnType.TIMESTAMP, ColumnType.TIMESTAMP2]);
const UNSIGNED_MOD: Record<number, number> = { [ColumnType.TINY]: 256, [ColumnType.SHORT]: 65536, [ColumnType.INT24]: 16777216, [ColumnType.LONG]: 4294967296 };

/** One value for the pseudo-SQL row lines. */
export function formatValue(v: ColumnValue | undefined, col: TableMapColumn | undefined, colName: string): string {
  if (v === null || v === undefined) return 'NULL';
  switch (typeof v) {
    case 'number': {
      if (col && col.realType === ColumnType.FLOAT) return float32Text(v);
      // Signedness unknown and negative: show the unsigned reading too, as mariadb-binlog does.
      if (col && col.unsigned === undefined && v < 0 && UNSIGNED_MOD[col.realType]) return `${v} (${v + UNSIGNED_MOD[col.realType]!})`;
      return String(v);
    }
    case 'bigint':
      if (col && col.unsigned === undefined && v < 0n && col.realType === ColumnType.LONGLONG) return `${v} (${v + 18446744073709551616n})`;
      return String(v);
    case 'string':
      if (col && (col.realType === ColumnType.NEWDECIMAL || col.realType === ColumnType.DECIMAL)) return v;
      if (col && TEMPORAL.has(col.realType)) return "'" + v + "'";
      return quoteText(v);
    default:
      if (Buffer.isBuffer(v)) return col?.realType === ColumnType.BIT ? bitText(v, col.maxLength) : quoteBytes(v);
      if (isJsonDiff(v)) {
        let expr = colName;
        for (const d of v.diffs) {
          const fn = d.operation === 'REPLACE' ? 'JSON_REPLACE' : d.operation === 'INSERT' ? 'JSON_INSERT' : 'JSON_REMOVE';
          expr = d.value === undefined ? `${fn}(${expr}, ${quoteText(d.path)})` : `${fn}(${expr}, ${quoteText(d.path)}, CAST(${quoteText(d.value)} AS JSON))`;
        }
        return expr;
      }
      return String(v);
  }
}

function writeValue(w: TextWriter, v: ColumnValue | undefined, col: TableMapColumn | undefined, label: string): void {
  if (typeof v === 'number' && (col === undefined || (col.realType !== ColumnType.FLOAT && col.realType !== ColumnType.DOUBLE && (col.unsigned !== undefined || v >= 0)))) w.int(v);
  else if (Buffer.isBuffer(v) && col?.realType !== ColumnType.BIT) writeQuotedBytes(w, v);
  else if (typeof v === 'string' && col !== undefined && TEMPORAL.has(col.realType)) {
    w.a("'");
    w.a(v);
    w.a("'");
  } else w.s(formatValue(v, col, label));
}

function imageLines(w: TextWriter, map: TableMap, t: TableTexts, row: Row): void {
  const n = map.columnCount;
  for (let i = 0; i < n; i++) {
    if (!(i in row)) continue;
    w.lit(t.prefixes[i]!);
    writeValue(w, row[i], map.columns[i], t.labels[i]!);
    w.byte(0x0a);
  }
}

/** Per table map, pre-encoded: the quoted name and the statement heads. */
interface TableTexts {
  name: Buffer;
  insert: Buffer;
  delete: Buffer;
  update: Buffer;
  prefixes: Buffer[];
  labels: string[];
}
const tableTexts = new WeakMap<TableMap, TableTexts>();
function textsFor(map: TableMap): TableTexts {
  let t = tableTexts.get(map);
  if (!t) {
    const name = quoteIdent(map.schema) + '.' + quoteIdent(map.table);
    const labels = map.columns.map((c, i) => (c.name !== undefined ? c.name : '@' + (i + 1)));
    t = {
      name: Buffer.from(name),
      insert: Buffer.from('### INSERT INTO ' + name + '\n### SET\n'),
      delete: Buffer.from('### DELETE FROM ' + name + '\n### WHERE\n'),
      update: Buffer.from('### UPDATE ' + name + '\n### WHERE\n'),
      prefixes: labels.map((l) => Buffer.from('###   ' + l + '=')),
      labels,
    };
    tableTexts.set(map, t);
  }
  return t;
}
function tableName(map: TableMap): Buffer {
  return textsFor(map).name;
}

function rowsText(w: TextWriter, e: RowsEvent): void {
  const map = e.tableMap;
  if (!map) {
    w.a(`### Row event for unknown table #${e.tableId}\n`);
    return;
  }
  const t = textsFor(map);
  if (e.rowsKind === 'write') {
    for (const r of e.rows) {
      w.lit(t.insert);
      imageLines(w, map, t, r);
    }
  } else if (e.rowsKind === 'delete') {
    for (const r of e.rows) {
      w.lit(t.delete);
      imageLines(w, map, t, r);
    }
  } else {
    for (const u of e.rows as UpdatedRow[]) {
      w.lit(t.update);
      imageLines(w, map, t, u.before);
      w.lit(L_SET);
      imageLines(w, map, t, u.after);
    }
  }
}

const ROWS_NAMES: Record<string, string> = { write: 'Write_rows', update: 'Update_rows', delete: 'Delete_rows' };

export interface FormatOptions {
  verbose: boolean;
}

/** Writes the text of one event. */
export function eventText(w: TextWriter, e: BinlogEvent, o: FormatOptions, inPayload = false): void {
  if (inPayload) w.a(`# (in the payload at ${e.position})\n`);
  else {
    w.lit(L_AT);
    w.int(e.position);
    w.byte(0x0a);
  }
  // "#YYMMDD HH:MM:SS server id N  end_log_pos N CRC32 0x........ \t", as mariadb-binlog writes it (in UTC).
  w.byte(0x23);
  w.a(stamp(e.timestamp));
  w.lit(L_SERVER_ID);
  w.int(e.serverId);
  w.lit(L_END_LOG_POS);
  w.int(e.logPos);
  if (e.checksum !== undefined) {
    w.lit(L_CRC);
    w.hex8(e.checksum);
  }
  w.lit(L_TAB);

  switch (e.kind) {
    case 'format_description':
      w.s(`Start: binlog v ${e.binlogVersion}, server v ${e.serverVersion} created ${stamp(e.createTimestamp)}${e.flags & EventFlag.BINLOG_IN_USE ? ' (in use)' : ''}${e.flags & EventFlag.RELAY_LOG ? ' (relay log)' : ''}, checksum ${e.checksumAlg === ChecksumAlg.CRC32 ? 'CRC32' : 'NONE'}\n`);
      break;
    case 'rotate':
      w.s(`Rotate to ${e.nextFile}  pos: ${e.nextPosition}\n`);
      break;
    case 'stop':
      w.a(`Stop\n`);
      break;
    case 'query':
      w.a(`Query\tthread_id=${e.threadId}\texec_time=${e.execTime}\terror_code=${e.errorCode}${e.compressed ? '\tcompressed' : ''}\n`);
      if (e.schema) w.s(`use ${quoteIdent(e.schema)}/*!*/;\n`);
      w.s(e.query);
      w.a('\n/*!*/;\n');
      break;
    case 'xid':
      w.a('Xid = ');
      w.a(String(e.xid));
      w.a('\nCOMMIT/*!*/;\n');
      break;
    case 'intvar':
      w.a(`Intvar\nSET ${e.subtypeName}=${e.value}/*!*/;\n`);
      break;
    case 'rand':
      w.a(`Rand\nSET @@RAND_SEED1=${e.seed1}, @@RAND_SEED2=${e.seed2}/*!*/;\n`);
      break;
    case 'user_var':
      w.s(`User_var\nSET @${quoteIdent(e.name)}:=${e.isNull ? 'NULL' : typeof e.value === 'string' ? quoteText(e.value) : Buffer.isBuffer(e.value) ? quoteBytes(e.value) : String(e.value)}/*!*/;\n`);
      break;
    case 'table_map':
      w.a('Table_map: ');
      w.lit(tableName(e.tableMap));
      w.a(' mapped to number ');
      w.int(e.tableId);
      w.byte(0x0a);
      break;
    case 'rows':
      w.a(e.partial ? 'Update_rows_partial' : ROWS_NAMES[e.rowsKind]!);
      if (e.compressed) w.a('_compressed');
      w.lit(L_TABLE_ID);
      w.int(e.tableId);
      if (e.rowsFlags & 1) w.lit(L_STMT_END);
      else w.byte(0x0a);
      if (o.verbose) rowsText(w, e);
      break;
    case 'rows_query':
      w.a(`Rows_query\n`);
      w.s(`# ${e.query.replace(/\n/g, '\n# ')}\n`);
      break;
    case 'annotate_rows':
      w.a('Annotate_rows:\n');
      w.s(`#Q> ${e.query.includes('\n') ? e.query.replace(/\n/g, '\n#Q> ') : e.query}\n`);
      break;
    case 'gtid':
      w.s(
        e.anonymous
          ? `Anonymous_GTID\tlast_committed=${e.lastCommitted ?? 0}\tsequence_number=${e.sequenceNumber ?? 0}\nSET @@SESSION.GTID_NEXT= 'ANONYMOUS'/*!*/;\n`
          : `GTID\tlast_committed=${e.lastCommitted ?? 0}\tsequence_number=${e.sequenceNumber ?? 0}\nSET @@SESSION.GTID_NEXT= '${e.gtid}'/*!*/;\n`,
      );
      break;
    case 'previous_gtids':
      w.s(`Previous-GTIDs\n# ${e.gtidSet || '[empty]'}\n`);
      break;
    case 'mariadb_gtid':
      w.a('GTID ');
      w.a(e.gtid);
      w.a(e.standalone ? ' ddl' : ' trans');
      if (e.commitId !== undefined) w.a(` cid=${e.commitId}`);
      w.a(e.standalone ? '\n' : '\nSTART TRANSACTION\n/*!*/;\n');
      break;
    case 'gtid_list':
      w.a(`Gtid list [${e.gtids.map((g) => `${g.domainId}-${g.serverId}-${g.seqNo}`).join(',\n# ')}]\n`);
      break;
    case 'binlog_checkpoint':
      w.s(`Binlog checkpoint ${e.file}\n`);
      break;
    case 'transaction_payload':
      w.a(`Transaction_Payload\tpayload_size=${e.payloadSize}\tcompression_type=${e.compressionType === 0 ? 'ZSTD' : e.compressionType === 255 ? 'NONE' : e.compressionType}\tuncompressed_size=${e.uncompressedSize}\n`);
      for (const inner of e.events) eventText(w, inner, o, true);
      w.a(`# End of the payload at ${e.position}\n`);
      break;
    case 'heartbeat':
      w.s(`Heartbeat ${e.logFile} pos ${e.logPosition}\n`);
      break;
    case 'incident':
      w.s(`Incident ${e.incident}: ${e.message}\n`);
      break;
    case 'xa_prepare':
      w.a(`XA PREPARE X'${e.gtrid.toString('hex')}',X'${e.bqual.toString('hex')}',${e.formatId}${e.onePhase ? ' ONE PHASE' : ''}\n`);
      break;
    case 'start_encryption':
      w.a(`Start_encryption scheme ${e.scheme} key version ${e.keyVersion}\n`);
      break;
    case 'other':
      w.a(`${e.knownType ? e.typeName : `Unknown event type ${e.typeCode}`}${e.flags & EventFlag.IGNORABLE ? ' (ignorable)' : ''}, ${e.body.length} bytes not decoded\n`);
      break;
  }
}

// ---------------------------------------------------------------- JSON lines

function jsonValue(v: ColumnValue | undefined): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (Buffer.isBuffer(v)) return { hex: v.toString('hex') };
  if (isJsonDiff(v)) return { jsonDiff: v.diffs };
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

function jsonImage(map: TableMap | undefined, row: Row): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < row.length; i++) if (i in row) o[map?.columns[i]?.name ?? '@' + (i + 1)] = jsonValue(row[i]);
  return o;
}

const SKIP = new Set(['raw', 'tableMap', 'events', 'body', 'typeCode', 'position', 'typeName', 'timestamp', 'serverId', 'eventSize', 'logPos', 'flags', 'kind', 'postHeaderLengths', 'queryBytes', 'columnsPresent', 'columnsPresentAfter', 'decoded', 'data', 'dataStart', 'dataEnd', 'source', 'checksum']);

function replacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) return { hex: Buffer.from((v as { data: number[] }).data).toString('hex') };
  return v;
}

/** One event as a JSON object (rows always included, decoded). */
export function eventJson(e: BinlogEvent, inPayload = false): Record<string, unknown> {
  const o: Record<string, unknown> = { pos: e.position, type: e.typeName, time: e.timestamp, serverId: e.serverId, endLogPos: e.logPos, size: e.eventSize, flags: e.flags };
  if (inPayload) o.inPayload = true;
  for (const [k, v] of Object.entries(e)) if (!SKIP.has(k) && v !== undefined) o[k] = v;
  if (e.kind === 'rows') {
    o.rowsKind = e.rowsKind;
    o.tableId = e.tableId;
    if (e.tableMap) {
      o.schema = e.tableMap.schema;
      o.table = e.tableMap.table;
    }
    o.rows = e.tableMap ? (e.rowsKind === 'update' ? (e.rows as UpdatedRow[]).map((u) => ({ before: jsonImage(e.tableMap, u.before), after: jsonImage(e.tableMap, u.after) })) : (e.rows as Row[]).map((r) => jsonImage(e.tableMap, r))) : null;
  } else if (e.kind === 'table_map') {
    o.columns = e.tableMap.columns.map((c) => ({ name: c.name, type: c.realType, meta: c.meta, nullable: c.nullable, unsigned: c.unsigned, charset: c.charset?.name, enumValues: c.enumValues, setValues: c.setValues }));
    if (e.tableMap.primaryKey) o.primaryKey = e.tableMap.primaryKey;
  } else if (e.kind === 'transaction_payload') {
    o.events = e.events.map((x) => eventJson(x, true));
  } else if (e.kind === 'other') {
    o.bodyHex = e.body.toString('hex');
  }
  return o;
}

export function eventJsonLine(e: BinlogEvent): string {
  return JSON.stringify(eventJson(e), replacer) + '\n';
}
