/**
 * Writes tricky values of every column type on a real MariaDB, decodes the server's own binlog file and
 * compares every decoded value with what the server returns for the same rows.
 *  - the shared master (binlog_row_metadata=NO_LOG, FULL images): signedness/charsets from hints built from
 *    information_schema, as the applier does;
 *  - a private server with binlog_row_metadata=FULL, MINIMAL images and log_bin_compress=ON: no hints,
 *    compressed events, partial images.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { columnHintsFromInformationSchema, type InformationSchemaColumn } from '../../../core/mysql/binlog/schema-hints';
import { readBinlogFile } from '../../../core/mysql/binlog/file-reader';
import type { BinlogEvent, RowsEvent } from '../../../core/mysql/binlog/events';
import type { ColumnHint, ColumnValue, Row, UpdatedRow } from '../../../core/mysql/binlog/types';
import { startMariaDb, type MariaDbInstance } from '../../servers/mariadb';
import { mysqlConnect, uniqueName, useSuiteServers } from '../../servers/suite';
import { makeRunDir } from '../../servers/workdir';

const servers = useSuiteServers();

type Kind = 'int' | 'dec' | 'float' | 'double' | 'text' | 'bin' | 'bit' | 'enum' | 'set' | 'year' | 'temporal' | 'json';
interface Col {
  name: string;
  ddl: string;
  kind: Kind;
}

const ENUM300 = Array.from({ length: 300 }, (_, i) => `v${i}`);
const SET64 = Array.from({ length: 64 }, (_, i) => `m${i}`);

const COLS: Col[] = [
  { name: 'ti', ddl: 'TINYINT', kind: 'int' },
  { name: 'tiu', ddl: 'TINYINT UNSIGNED', kind: 'int' },
  { name: 'si', ddl: 'SMALLINT', kind: 'int' },
  { name: 'siu', ddl: 'SMALLINT UNSIGNED', kind: 'int' },
  { name: 'mi', ddl: 'MEDIUMINT', kind: 'int' },
  { name: 'miu', ddl: 'MEDIUMINT UNSIGNED', kind: 'int' },
  { name: 'i', ddl: 'INT', kind: 'int' },
  { name: 'iu', ddl: 'INT UNSIGNED', kind: 'int' },
  { name: 'bi', ddl: 'BIGINT', kind: 'int' },
  { name: 'biu', ddl: 'BIGINT UNSIGNED', kind: 'int' },
  { name: 'd65', ddl: 'DECIMAL(65,30)', kind: 'dec' },
  { name: 'd10', ddl: 'DECIMAL(10,0) UNSIGNED', kind: 'dec' },
  { name: 'd55', ddl: 'DECIMAL(5,5)', kind: 'dec' },
  { name: 'f', ddl: 'FLOAT', kind: 'float' },
  { name: 'db', ddl: 'DOUBLE', kind: 'double' },
  { name: 'dt', ddl: 'DATE', kind: 'temporal' },
  { name: 'dtm0', ddl: 'DATETIME', kind: 'temporal' },
  { name: 'dtm3', ddl: 'DATETIME(3)', kind: 'temporal' },
  { name: 'dtm6', ddl: 'DATETIME(6)', kind: 'temporal' },
  { name: 'tm0', ddl: 'TIME', kind: 'temporal' },
  { name: 'tm2', ddl: 'TIME(2)', kind: 'temporal' },
  { name: 'tm6', ddl: 'TIME(6)', kind: 'temporal' },
  { name: 'ts0', ddl: 'TIMESTAMP NULL', kind: 'temporal' },
  { name: 'ts6', ddl: 'TIMESTAMP(6) NULL', kind: 'temporal' },
  { name: 'y', ddl: 'YEAR', kind: 'year' },
  { name: 'c_utf8', ddl: 'CHAR(10) CHARACTER SET utf8mb4', kind: 'text' },
  { name: 'vc_utf8', ddl: 'VARCHAR(300) CHARACTER SET utf8mb4', kind: 'text' },
  { name: 'vc_latin1', ddl: 'VARCHAR(20) CHARACTER SET latin1', kind: 'text' },
  { name: 'c_ucs2', ddl: 'CHAR(10) CHARACTER SET ucs2', kind: 'text' },
  { name: 'vc_utf16', ddl: 'VARCHAR(20) CHARACTER SET utf16', kind: 'text' },
  { name: 'vc_utf16le', ddl: 'VARCHAR(20) CHARACTER SET utf16le', kind: 'text' },
  { name: 'vc_utf32', ddl: 'VARCHAR(10) CHARACTER SET utf32', kind: 'text' },
  { name: 'vc_sjis', ddl: 'VARCHAR(10) CHARACTER SET sjis', kind: 'bin' },
  { name: 'txt', ddl: 'MEDIUMTEXT CHARACTER SET utf8mb4', kind: 'text' },
  { name: 'bn', ddl: 'BINARY(8)', kind: 'bin' },
  { name: 'vbn', ddl: 'VARBINARY(10)', kind: 'bin' },
  { name: 'bl', ddl: 'BLOB', kind: 'bin' },
  { name: 'lbl', ddl: 'LONGBLOB', kind: 'bin' },
  { name: 'b1', ddl: 'BIT(1)', kind: 'bit' },
  { name: 'b7', ddl: 'BIT(7)', kind: 'bit' },
  { name: 'b64', ddl: 'BIT(64)', kind: 'bit' },
  { name: 'e3', ddl: "ENUM('a','b','c')", kind: 'enum' },
  { name: 'e300', ddl: `ENUM(${ENUM300.map((v) => `'${v}'`).join(',')})`, kind: 'enum' },
  { name: 's64', ddl: `SET(${SET64.map((v) => `'${v}'`).join(',')})`, kind: 'set' },
  { name: 'js', ddl: 'JSON', kind: 'json' },
  { name: 'g', ddl: 'GEOMETRY', kind: 'bin' },
  { name: 'ip6', ddl: 'INET6', kind: 'bin' },
  { name: 'ip4', ddl: 'INET4', kind: 'bin' },
  { name: 'uu', ddl: 'UUID', kind: 'bin' },
];

const BIG_JSON = `JSON_OBJECT('k', REPEAT('é', 40000), 'n', 1.5, 'a', JSON_ARRAY(1, 'x', NULL))`;

/** Row 1: minimums and oddities; row 2: maximums; row 3: all NULL. Then an update and a delete. */
const ROW1 = [
  '-128', '0', '-32768', '0', '-8388608', '0', '-2147483648', '0', '-9223372036854775808', '0',
  `'-${'9'.repeat(35)}.${'9'.repeat(30)}'`, '0', "'-0.00001'", '-3.40282e38', '-2.2250738585072014e-308',
  "'0000-00-00'", "'0000-00-00 00:00:00'", "'2015-00-21 01:02:03.004'", "'1000-01-01 00:00:00.000001'",
  "'-838:59:59'", "'-12:34:56.78'", "'-00:00:00.500000'", "'0000-00-00 00:00:00'", "'1970-01-01 00:00:01.000001'", '0',
  "'😀a 😀'", `REPEAT('ü', 300)`, "'é€ÿ'", "'Aé'", "'𝄞x'", "'é😀'", "'😀'", "'ｱ'", "'line1\\nline2'",
  "x'6100000000000000'", "x'7800000000'", "x'00ff00'", "x''",
  "b'0'", "b'1010101'", "b'1000000000000000000000000000000000000000000000000000000000000001'",
  "''", "'v0'", "'m0,m63'", BIG_JSON, "ST_GeomFromText('POINT(1 2)')", "'::'", "'0.0.0.0'", "'123e4567-e89b-42d3-a456-426614174000'",
];
const ROW2 = [
  '127', '255', '32767', '65535', '8388607', '16777215', '2147483647', '4294967295', '9223372036854775807', '18446744073709551615',
  `'${'9'.repeat(35)}.${'9'.repeat(30)}'`, '9999999999', "'0.99999'", '1.1', '1.7976931348623157e308',
  "'9999-12-31'", "'9999-12-31 23:59:59'", "'9999-12-31 23:59:59.999'", "'9999-12-31 23:59:59.999999'",
  "'838:59:59'", "'00:00:00.01'", "'-00:00:01.000001'", "'2038-01-19 03:14:07'", "'2038-01-19 03:14:07.999999'", '2155',
  "'abc'", "'x'", "'plain'", "'Z'", "'a'", "'b'", "'c'", "'abc'", `REPEAT('🙂', 70000)`,
  "x'ffffffffffffffff'", "x'00'", `REPEAT(x'00ff', 1000)`, `REPEAT(x'5a', 70000)`,
  "b'1'", "b'1111111'", "b'1111111111111111111111111111111111111111111111111111111111111111'",
  "'c'", "'v299'", "'m1,m2,m62'", "'{\"a\": [1, 2.5, \"x\"], \"b\": null}'", "ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))')",
  "'2001:db8::ff00:42:8329'", "'255.255.255.255'", "'00000000-0000-0000-0000-000000000000'",
];

function selectExpr(c: Col): string {
  const n = '`' + c.name + '`';
  switch (c.kind) {
    case 'int':
    case 'dec':
    case 'temporal':
    case 'year':
      return `CAST(${n} AS CHAR)`;
    case 'float':
      return `CAST(CAST(${n} AS DOUBLE) AS CHAR)`;
    case 'double':
      return `CAST(${n} AS CHAR)`;
    case 'text':
    case 'json':
      return `CONVERT(${n} USING utf8mb4)`;
    case 'bin':
      return `HEX(${n})`;
    case 'bit':
      return `CAST(${n} AS UNSIGNED)`;
    case 'enum':
      return `CAST(${n} + 0 AS CHAR)`;
    case 'set':
      // `set + 0` is a signed BIGINT: member 64 would show negative.
      return `CAST(CAST(${n} + 0 AS UNSIGNED) AS CHAR)`;
  }
}

function compare(c: Col, v: ColumnValue, s: string | null, where: string): void {
  if (s === null) {
    assert.equal(v, null, `${where}: ${c.name} should be NULL`);
    return;
  }
  assert.notEqual(v, null, `${where}: ${c.name} is NULL, server has ${s.slice(0, 80)}`);
  const msg = `${where}: ${c.name} (${c.ddl.slice(0, 30)})`;
  switch (c.kind) {
    case 'int':
    case 'dec':
    case 'temporal':
      assert.equal(String(v), s, msg);
      break;
    case 'year':
      assert.equal(v === 0 ? '0000' : String(v), s, msg);
      break;
    case 'float':
    case 'double':
      assert.equal(v, Number(s), msg);
      break;
    case 'text':
    case 'json':
      assert.equal(v, s, msg);
      break;
    case 'bin':
      assert.ok(Buffer.isBuffer(v), `${msg}: Buffer expected`);
      assert.equal(v.toString('hex').toUpperCase(), s, msg);
      break;
    case 'bit':
      assert.ok(Buffer.isBuffer(v), `${msg}: Buffer expected`);
      assert.equal(BigInt('0x' + (v.toString('hex') || '0')).toString(), s, msg);
      break;
    case 'enum':
    case 'set':
      assert.equal(String(v), s, msg);
      break;
  }
}

interface Snapshot {
  [id: number]: (string | null)[];
}

async function snapshot(conn: mysql.Connection, table: string): Promise<Snapshot> {
  const [rows] = await conn.query({ sql: `SELECT id, ${COLS.map(selectExpr).join(', ')} FROM ${table} ORDER BY id`, rowsAsArray: true });
  const out: Snapshot = {};
  for (const r of rows as unknown[][]) out[Number(r[0])] = r.slice(1).map((x) => (x === null ? null : Buffer.isBuffer(x) ? x.toString('utf8') : String(x)));
  return out;
}

async function binlogPosition(conn: mysql.Connection): Promise<{ file: string; pos: number }> {
  const [rows] = await conn.query('SHOW MASTER STATUS');
  const r = (rows as { File: string; Position: number }[])[0]!;
  return { file: r.File, pos: Number(r.Position) };
}

/** Reads the binlog files from `from.file` through `to.file` and returns the rows events on `schema`. */
async function rowsEventsFor(dataDir: string, conn: mysql.Connection, from: { file: string }, to: { file: string }, schema: string): Promise<RowsEvent[]> {
  const [logs] = await conn.query('SHOW BINARY LOGS');
  const names = (logs as { Log_name: string }[]).map((l) => l.Log_name);
  const files = names.slice(names.indexOf(from.file), names.indexOf(to.file) + 1);
  const out: RowsEvent[] = [];
  for (const f of files) {
    await readBinlogFile(
      path.join(dataDir, f),
      (e: BinlogEvent) => {
        if (e.kind === 'rows' && e.tableMap?.schema === schema) out.push(e);
      },
      { allowTruncatedTail: true, tableHints: hintsProvider },
    );
  }
  return out;
}

let hints: Record<string, ColumnHint[]> = {};
let useHints = true;
const hintsProvider = (schema: string, table: string) => (useHints ? hints[`${schema}.${table}`] : undefined);

/** The whole scenario on one server; returns counts for assertions. */
async function scenario(conn: mysql.Connection, dataDir: string, opts: { minimal: boolean }): Promise<{ checked: number }> {
  const db = uniqueName('binlog_vals');
  const table = `\`${db}\`.\`t\``;
  await conn.query(`CREATE DATABASE \`${db}\``);
  try {
    await conn.query("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION', time_zone = '+00:00', NAMES utf8mb4");
    await conn.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, ${COLS.map((c) => `\`${c.name}\` ${c.ddl}`).join(', ')}) ENGINE=InnoDB`);
    const [isRows] = await conn.query(
      'SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [db, 't'],
    );
    hints[`${db}.t`] = columnHintsFromInformationSchema(isRows as InformationSchemaColumn[]);
    const from = await binlogPosition(conn);
    const names = COLS.map((c) => `\`${c.name}\``).join(', ');
    await conn.query(`INSERT INTO ${table} (id, ${names}) VALUES (1, ${ROW1.join(', ')})`);
    await conn.query(`INSERT INTO ${table} (id, ${names}) VALUES (2, ${ROW2.join(', ')}), (3, ${COLS.map(() => 'NULL').join(', ')})`);
    const s1 = await snapshot(conn, table);
    // Row 1 takes row 2's values (every column changes); row 3 gets one column.
    await conn.query(`UPDATE ${table} SET ${COLS.map((c, i) => `\`${c.name}\` = ${ROW2[i]}`).join(', ')} WHERE id = 1`);
    await conn.query(`UPDATE ${table} SET vc_utf8 = 'changed' WHERE id = 3`);
    const s2 = await snapshot(conn, table);
    await conn.query(`DELETE FROM ${table} WHERE id IN (2, 3)`);
    const to = await binlogPosition(conn);

    const events = await rowsEventsFor(dataDir, conn, from, to, db);
    if (opts.minimal) assert.ok(events.some((e) => e.compressed), 'log_bin_compress=ON wrote compressed rows events');
    // Large rows make the server split one statement into several rows events: gather rows by kind.
    const writes = events.filter((e) => e.rowsKind === 'write').flatMap((e) => e.rows as Row[]);
    const updates = events.filter((e) => e.rowsKind === 'update').flatMap((e) => e.rows as UpdatedRow[]);
    const deletes = events.filter((e) => e.rowsKind === 'delete').flatMap((e) => e.rows as Row[]);
    assert.deepEqual([writes.length, updates.length, deletes.length], [3, 2, 2]);
    let checked = 0;
    const check = (row: Row, snap: (string | null)[], where: string, requireAll: boolean) => {
      const id = row[0] as number;
      COLS.forEach((c, i) => {
        if (!(i + 1 in row)) {
          assert.ok(!requireAll, `${where}: ${c.name} missing from a FULL image`);
          return;
        }
        compare(c, row[i + 1]!, snap[i]!, `${where} id=${id}`);
        checked++;
      });
    };
    const full = !opts.minimal;
    for (const r of writes) check(r, s1[r[0] as number]!, 'insert', true);
    for (const u of updates) {
      if (full) {
        check(u.before, s1[u.before[0] as number]!, 'update before', true);
        check(u.after, s2[u.after[0] as number]!, 'update after', true);
      } else {
        assert.deepEqual(Object.keys(u.before), ['0'], 'MINIMAL before image: the primary key only');
        const id = u.before[0] as number;
        assert.equal(0 in u.after, false, 'the key did not change, so it is not in the after image');
        const after = u.after.slice();
        after[0] = id;
        check(after, s2[id]!, 'update after', false);
      }
    }
    if (!full) {
      // MINIMAL after images hold only the changed columns.
      const u3 = updates.find((u) => u.before[0] === 3)!;
      assert.deepEqual(Object.keys(u3.after), [String(1 + COLS.findIndex((c) => c.name === 'vc_utf8'))]);
    }
    for (const r of deletes) {
      if (full) check(r, s2[r[0] as number]!, 'delete', true);
      else assert.deepEqual(Object.keys(r), ['0']);
    }
    return { checked };
  } finally {
    await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
  }
}

test('shared master (NO_LOG metadata, FULL images): every value equals the server, with schema hints', async () => {
  const m = servers().master;
  const conn = await mysqlConnect(m);
  try {
    useHints = true;
    const { checked } = await scenario(conn, m.dataDir, { minimal: false });
    assert.ok(checked >= COLS.length * 6, `checked ${checked} values`);
  } finally {
    await conn.end();
  }
});

let own: MariaDbInstance | undefined;
let replica: MariaDbInstance | undefined;
let ownRunDir: string | undefined;
before(async () => {
  ownRunDir = makeRunDir('rd-binlog-full-');
  [own, replica] = await Promise.all([
    startMariaDb({
      name: 'fullmeta',
      runDir: ownRunDir,
      serverId: 31,
      extraArgs: ['--binlog-row-metadata=FULL', '--binlog-row-image=MINIMAL', '--log-bin-compress=ON', '--log-bin-compress-min-len=10'],
    }),
    startMariaDb({ name: 'replica', runDir: ownRunDir, serverId: 32, extraArgs: ['--relay-log=relay-bin'] }),
  ]);
});
after(async () => {
  await Promise.allSettled([own?.stop(), replica?.stop()]);
  if (ownRunDir) fs.rmSync(ownRunDir, { recursive: true, force: true });
});

test('private server (FULL metadata, MINIMAL images, compressed events): values equal the server without hints', async () => {
  const conn = await own!.connect();
  try {
    useHints = false;
    const { checked } = await scenario(conn, own!.dataDir, { minimal: true });
    assert.ok(checked >= COLS.length * 3, `checked ${checked} values`);
  } finally {
    useHints = true;
    await conn.end();
  }
});

test('NOBLOB row image: unchanged BLOB/TEXT columns are absent (holes), the rest decodes', async () => {
  const m = servers().master;
  const conn = await mysqlConnect(m);
  const db = uniqueName('binlog_noblob');
  try {
    await conn.query(`CREATE DATABASE \`${db}\``);
    await conn.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, b BLOB, t TEXT, v INT, name VARCHAR(10))`);
    await conn.query(`INSERT INTO \`${db}\`.t VALUES (1, x'00ff', 'text', 10, 'n')`);
    const from = await binlogPosition(conn);
    await conn.query("SET SESSION binlog_row_image = 'NOBLOB'");
    await conn.query(`UPDATE \`${db}\`.t SET v = 11 WHERE id = 1`);
    await conn.query(`UPDATE \`${db}\`.t SET t = 'changed' WHERE id = 1`);
    const to = await binlogPosition(conn);
    const updates = (await rowsEventsFor(m.dataDir, conn, from, to, db)).filter((e) => e.rowsKind === 'update').flatMap((e) => e.rows as UpdatedRow[]);
    assert.equal(updates.length, 2);
    const keys = (r: Row) => Object.keys(r).map(Number);
    assert.deepEqual(keys(updates[0]!.before), [0, 3, 4], 'before image: every column but the BLOB/TEXT ones');
    assert.deepEqual(keys(updates[0]!.after), [0, 3, 4]);
    assert.deepEqual([updates[0]!.after[0], updates[0]!.after[3], String(updates[0]!.after[4])], [1, 11, 'n']);
    assert.deepEqual(keys(updates[1]!.after), [0, 2, 3, 4], 'a changed TEXT column is logged');
    assert.deepEqual(updates[1]!.after[2], Buffer.from('changed'), 'TEXT without metadata or hints: the bytes');
  } finally {
    await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await conn.end();
  }
});

test("MariaDB relay log: a real replica's relay log decodes, with the same rows as the source binlog", async () => {
  const src = await own!.connect();
  const rep = await replica!.connect();
  const db = uniqueName('binlog_relay');
  try {
    await src.query(`CREATE DATABASE \`${db}\``);
    await src.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, s VARCHAR(20), d DECIMAL(10,2), j JSON)`);
    await src.query(`INSERT INTO \`${db}\`.t VALUES (1, 'a', 1.50, '{"k": [1, 2]}'), (2, 'b', -2.25, NULL)`);
    await src.query(`UPDATE \`${db}\`.t SET d = d + 1`);
    await rep.query(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${own!.port}, MASTER_USER='${own!.user}', MASTER_PASSWORD='${own!.password}', MASTER_USE_GTID=no, MASTER_LOG_FILE='binlog.000001', MASTER_LOG_POS=4`);
    // Only the I/O thread: we want the relay log, not the replica's copy of the data.
    await rep.query('START SLAVE IO_THREAD');
    const [[st]] = (await src.query('SHOW MASTER STATUS')) as unknown as [{ File: string; Position: number }[]];
    for (let i = 0; ; i++) {
      const [[s]] = (await rep.query('SHOW SLAVE STATUS')) as unknown as [Record<string, unknown>[]];
      if (s && s.Master_Log_File === st!.File && Number(s.Read_Master_Log_Pos) >= Number(st!.Position)) break;
      assert.ok(i < 200, `replica did not catch up: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await rep.query('STOP SLAVE');
    const relayFiles = fs.readdirSync(replica!.dataDir).filter((f) => /^relay-bin\.\d+$/.test(f)).sort();
    assert.ok(relayFiles.length > 0, 'relay log files exist');
    const fromRelay: RowsEvent[] = [];
    let relayFde = 0;
    let sourceFde = 0;
    for (const f of relayFiles) {
      await readBinlogFile(path.join(replica!.dataDir, f), (e: BinlogEvent) => {
        if (e.kind === 'format_description') {
          if (e.serverId === 32) relayFde++;
          else sourceFde++;
        }
        if (e.kind === 'rows' && e.tableMap?.schema === db) fromRelay.push(e);
      });
    }
    assert.ok(relayFde > 0 && sourceFde > 0, "the relay log holds the replica's and the source's format descriptions");
    const fromSource = await rowsEventsFor(own!.dataDir, src, { file: 'binlog.000001' }, { file: st!.File }, db);
    const rowsOf = (evs: RowsEvent[]) => evs.map((e) => ({ kind: e.rowsKind, rows: JSON.stringify(e.rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v)) }));
    assert.ok(fromSource.length >= 2);
    assert.deepEqual(rowsOf(fromRelay), rowsOf(fromSource));
    assert.equal(((fromRelay[0]!.rows as Row[])[0]!)[3], '{"k": [1, 2]}');
  } finally {
    await rep.query('STOP SLAVE').catch(() => undefined);
    await src.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await Promise.all([src.end(), rep.end()]);
  }
});
