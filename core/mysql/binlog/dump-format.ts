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

function stamp(ts: number): string {
  const d = new Date(ts * 1000);
  return pad2(d.getUTCFullYear() % 100) + pad2(d.getUTCMonth() + 1) + pad2(d.getUTCDate()) + ' ' + pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes()) + ':' + pad2(d.getUTCSeconds());
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

function columnLabel(map: TableMap, i: number): string {
  const name = map.columns[i]?.name;
  return name !== undefined ? name : '@' + (i + 1);
}

function imageLines(out: string[], map: TableMap, row: Row): void {
  const n = map.columnCount;
  for (let i = 0; i < n; i++) {
    if (!(i in row)) continue;
    const label = columnLabel(map, i);
    out.push('###   ' + label + '=' + formatValue(row[i], map.columns[i], label) + '\n');
  }
}

function rowsText(out: string[], e: RowsEvent): void {
  const map = e.tableMap;
  if (!map) {
    out.push(`### Row event for unknown table #${e.tableId}\n`);
    return;
  }
  const name = quoteIdent(map.schema) + '.' + quoteIdent(map.table);
  if (e.rowsKind === 'write') {
    for (const r of e.rows) {
      out.push('### INSERT INTO ' + name + '\n### SET\n');
      imageLines(out, map, r);
    }
  } else if (e.rowsKind === 'delete') {
    for (const r of e.rows) {
      out.push('### DELETE FROM ' + name + '\n### WHERE\n');
      imageLines(out, map, r);
    }
  } else {
    for (const u of e.rows as UpdatedRow[]) {
      out.push('### UPDATE ' + name + '\n### WHERE\n');
      imageLines(out, map, u.before);
      out.push('### SET\n');
      imageLines(out, map, u.after);
    }
  }
}

const ROWS_NAMES: Record<string, string> = { write: 'Write_rows', update: 'Update_rows', delete: 'Delete_rows' };

export interface FormatOptions {
  verbose: boolean;
}

/** Appends the text of one event to `out` (strings, joined by the caller). */
export function eventText(out: string[], e: BinlogEvent, o: FormatOptions, inPayload = false): void {
  const crc = e.checksum !== undefined ? ` CRC32 0x${e.checksum.toString(16).padStart(8, '0')}` : '';
  out.push(inPayload ? `# (in the payload at ${e.position})\n` : `# at ${e.position}\n`);
  const head = `#${stamp(e.timestamp)} server id ${e.serverId}  end_log_pos ${e.logPos}${crc} \t`;
  switch (e.kind) {
    case 'format_description':
      out.push(`${head}Start: binlog v ${e.binlogVersion}, server v ${e.serverVersion} created ${stamp(e.createTimestamp)}${e.flags & EventFlag.BINLOG_IN_USE ? ' (in use)' : ''}${e.flags & EventFlag.RELAY_LOG ? ' (relay log)' : ''}, checksum ${e.checksumAlg === ChecksumAlg.CRC32 ? 'CRC32' : 'NONE'}\n`);
      break;
    case 'rotate':
      out.push(`${head}Rotate to ${e.nextFile}  pos: ${e.nextPosition}\n`);
      break;
    case 'stop':
      out.push(`${head}Stop\n`);
      break;
    case 'query':
      out.push(`${head}Query\tthread_id=${e.threadId}\texec_time=${e.execTime}\terror_code=${e.errorCode}${e.compressed ? '\tcompressed' : ''}\n`);
      if (e.schema) out.push(`use ${quoteIdent(e.schema)}/*!*/;\n`);
      out.push(e.query + '\n/*!*/;\n');
      break;
    case 'xid':
      out.push(`${head}Xid = ${e.xid}\nCOMMIT/*!*/;\n`);
      break;
    case 'intvar':
      out.push(`${head}Intvar\nSET ${e.subtypeName}=${e.value}/*!*/;\n`);
      break;
    case 'rand':
      out.push(`${head}Rand\nSET @@RAND_SEED1=${e.seed1}, @@RAND_SEED2=${e.seed2}/*!*/;\n`);
      break;
    case 'user_var':
      out.push(`${head}User_var\nSET @${quoteIdent(e.name)}:=${e.isNull ? 'NULL' : typeof e.value === 'string' ? quoteText(e.value) : Buffer.isBuffer(e.value) ? quoteBytes(e.value) : String(e.value)}/*!*/;\n`);
      break;
    case 'table_map':
      out.push(`${head}Table_map: ${quoteIdent(e.schema)}.${quoteIdent(e.table)} mapped to number ${e.tableId}\n`);
      break;
    case 'rows':
      out.push(`${head}${e.partial ? 'Update_rows_partial' : ROWS_NAMES[e.rowsKind]}${e.compressed ? '_compressed' : ''}: table id ${e.tableId}${e.rowsFlags & 1 ? ' flags: STMT_END_F' : ''}\n`);
      if (o.verbose) rowsText(out, e);
      break;
    case 'rows_query':
      out.push(`${head}Rows_query\n# ${e.query.replace(/\n/g, '\n# ')}\n`);
      break;
    case 'annotate_rows':
      out.push(`${head}Annotate_rows:\n#Q> ${e.query.replace(/\n/g, '\n#Q> ')}\n`);
      break;
    case 'gtid':
      out.push(
        e.anonymous
          ? `${head}Anonymous_GTID\tlast_committed=${e.lastCommitted ?? 0}\tsequence_number=${e.sequenceNumber ?? 0}\nSET @@SESSION.GTID_NEXT= 'ANONYMOUS'/*!*/;\n`
          : `${head}GTID\tlast_committed=${e.lastCommitted ?? 0}\tsequence_number=${e.sequenceNumber ?? 0}\nSET @@SESSION.GTID_NEXT= '${e.gtid}'/*!*/;\n`,
      );
      break;
    case 'previous_gtids':
      out.push(`${head}Previous-GTIDs\n# ${e.gtidSet || '[empty]'}\n`);
      break;
    case 'mariadb_gtid':
      out.push(`${head}GTID ${e.gtid}${e.standalone ? ' ddl' : ' trans'}${e.commitId !== undefined ? ` cid=${e.commitId}` : ''}\n${e.standalone ? '' : 'START TRANSACTION\n/*!*/;\n'}`);
      break;
    case 'gtid_list':
      out.push(`${head}Gtid list [${e.gtids.map((g) => `${g.domainId}-${g.serverId}-${g.seqNo}`).join(',\n# ')}]\n`);
      break;
    case 'binlog_checkpoint':
      out.push(`${head}Binlog checkpoint ${e.file}\n`);
      break;
    case 'transaction_payload':
      out.push(`${head}Transaction_Payload\tpayload_size=${e.payloadSize}\tcompression_type=${e.compressionType === 0 ? 'ZSTD' : e.compressionType === 255 ? 'NONE' : e.compressionType}\tuncompressed_size=${e.uncompressedSize}\n`);
      for (const inner of e.events) eventText(out, inner, o, true);
      out.push(`# End of the payload at ${e.position}\n`);
      break;
    case 'heartbeat':
      out.push(`${head}Heartbeat ${e.logFile} pos ${e.logPosition}\n`);
      break;
    case 'incident':
      out.push(`${head}Incident ${e.incident}: ${e.message}\n`);
      break;
    case 'xa_prepare':
      out.push(`${head}XA PREPARE X'${e.gtrid.toString('hex')}',X'${e.bqual.toString('hex')}',${e.formatId}${e.onePhase ? ' ONE PHASE' : ''}\n`);
      break;
    case 'start_encryption':
      out.push(`${head}Start_encryption scheme ${e.scheme} key version ${e.keyVersion}\n`);
      break;
    case 'other':
      out.push(`${head}${e.knownType ? e.typeName : `Unknown event type ${e.typeCode}`}${e.flags & EventFlag.IGNORABLE ? ' (ignorable)' : ''}, ${e.body.length} bytes not decoded\n`);
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
