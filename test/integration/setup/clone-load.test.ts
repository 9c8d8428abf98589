/**
 * The initial copy's fast path (LOAD DATA LOCAL from the raw row bytes, secondary indexes built after the
 * data) against real servers: exact bytes, identical table definitions, the INSERT fallback on a backup
 * server that refuses LOAD DATA LOCAL, the backup's binary log, and a target session lost mid-load.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startMariaDb, type MariaDbInstance } from '../../servers/mariadb';
import { makeRunDir } from '../../servers/workdir';
import { cloneMaster } from '../../../core/setup/clone/clone';
import { ReplicaDeskError } from '../../../core/errors';
import type { MySqlEndpoint } from '../../../core/setup/endpoint';

const execFileP = promisify(execFile);
let runDir = '';
let master: MariaDbInstance;
let target: MariaDbInstance;
let noInfile: MariaDbInstance;
const ep = (s: MariaDbInstance): MySqlEndpoint => ({ host: s.host, port: s.port, user: s.user, password: s.password });

before(async () => {
  runDir = makeRunDir('rd-clone-load-');
  [master, target, noInfile] = await Promise.all([
    startMariaDb({ name: 'lmaster', runDir, serverId: 21 }),
    startMariaDb({ name: 'ltarget', runDir, serverId: 22 }),
    startMariaDb({ name: 'lnoinfile', runDir, serverId: 23, extraArgs: ['--local-infile=0'] }),
  ]);
  await prepare();
});
after(async () => {
  await Promise.allSettled([master?.stop(), target?.stop(), noInfile?.stop()]);
  if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
});

const TABLES = ['bytes_t', 'idx_t', 'parent', 'child', 'my_t', 'empty_t', 'nokey_t'];
const SCHEMA = `
CREATE DATABASE rdload CHARACTER SET utf8mb4;
USE rdload;
CREATE TABLE bytes_t (id INT AUTO_INCREMENT PRIMARY KEY, b LONGBLOB, t MEDIUMTEXT, v VARCHAR(100) CHARACTER SET latin1, n INT, KEY kv (v), KEY kn (n)) ENGINE=InnoDB;
CREATE TABLE idx_t (
  id INT PRIMARY KEY, a INT NOT NULL, b VARCHAR(50), c TEXT, g POINT NOT NULL, d DATETIME(3),
  UNIQUE KEY ua (a), KEY kb (b(10)) COMMENT 'prefix, with a comma', KEY \`odd\`\`name\` (a, b DESC), KEY kd (d) USING BTREE,
  FULLTEXT KEY ft (c), SPATIAL KEY sp (g), KEY kc (c(20))
) ENGINE=InnoDB;
CREATE TABLE parent (id INT PRIMARY KEY, name VARCHAR(20), KEY kn (name)) ENGINE=InnoDB;
CREATE TABLE child (id INT PRIMARY KEY, pid INT, note VARCHAR(20), KEY knote (note), CONSTRAINT fk FOREIGN KEY (pid) REFERENCES parent (id)) ENGINE=InnoDB;
CREATE TABLE my_t (id INT PRIMARY KEY, v VARCHAR(20), KEY kv (v)) ENGINE=MyISAM;
CREATE TABLE empty_t (id INT PRIMARY KEY, v INT, KEY kv (v)) ENGINE=InnoDB;
CREATE TABLE nokey_t (a INT, b TEXT) ENGINE=InnoDB;
CREATE DATABASE rdsmall;
CREATE TABLE rdsmall.t (id INT PRIMARY KEY, v VARCHAR(10), KEY kv (v));
INSERT INTO rdsmall.t VALUES (1, 'a'), (2, 'b');
CREATE DATABASE rdbig2;
CREATE TABLE rdbig2.t (id INT PRIMARY KEY, k INT, pad CHAR(200), KEY kk (k));
INSERT INTO rdbig2.t SELECT seq, seq * 7919 % 100000, REPEAT('q', 200) FROM seq_1_to_500000
`;

function randomBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

async function prepare(): Promise<void> {
  const c = await master.connect();
  for (const s of SCHEMA.split(';\n').map((x) => x.trim()).filter(Boolean)) await c.query(s);
  const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const rows: unknown[][] = [
    [every, 'tab\there\nnewline\\backslash \\N end', Buffer.from('café\t\\', 'latin1'), 1],
    [Buffer.from('\\N'), '\\N', Buffer.from('\\N'), 2],
    [Buffer.from(''), '', Buffer.from(''), 0],
    [null, null, null, null],
    [Buffer.from('N'), 'N', Buffer.from('N'), 3],
    // Longer than the 1 MiB chunks the rows travel in, with every special byte many times.
    [randomBytes(3_000_000, 42), 'x'.repeat(60_000) + '\t\n\\'.repeat(3000), Buffer.alloc(100, 0x5c), 4],
  ];
  for (const r of rows) await c.query('INSERT INTO rdload.bytes_t (b, t, v, n) VALUES (?, ?, ?, ?)', r);
  await c.query(
    "INSERT INTO rdload.bytes_t (b, t, v, n) SELECT UNHEX(SHA2(seq, 256)), CONCAT('line ', seq, CHAR(9), CHAR(10), CHAR(92), CHAR(0)), CONCAT('v', seq % 100), seq % 7 FROM seq_1_to_20000",
  );
  await c.query(
    "INSERT INTO rdload.idx_t SELECT seq, 100000 - seq, IF(seq % 10 = 0, NULL, CONCAT('b', seq % 97)), CONCAT('word', seq % 50, ' other text ', seq), POINT(seq, -seq), TIMESTAMP'2024-01-01 00:00:00.123' + INTERVAL seq SECOND FROM seq_1_to_20000",
  );
  await c.query("INSERT INTO rdload.parent SELECT seq, CONCAT('p', seq) FROM seq_1_to_1000");
  await c.query("INSERT INTO rdload.child SELECT seq, 1001 - seq, CONCAT('n', seq % 13) FROM seq_1_to_1000");
  await c.query("INSERT INTO rdload.my_t SELECT seq, CONCAT('m', seq % 5) FROM seq_1_to_100");
  await c.query("INSERT INTO rdload.nokey_t VALUES (1, 'a'), (1, 'a'), (NULL, NULL), (2, '')");
  await c.end();
}

async function dump(s: MariaDbInstance, db: string): Promise<string> {
  const { stdout } = await execFileP(
    'mariadb-dump',
    ['--no-defaults', `--socket=${s.socket}`, '-u', s.user, `-p${s.password}`, '--no-create-info', '--order-by-primary', '--hex-blob', '--skip-extended-insert', '--skip-comments', '--tz-utc', db],
    { maxBuffer: 256 << 20 },
  );
  return stdout;
}
const quote = (n: string) => '`' + n.replace(/`/g, '``') + '`';
async function checksums(s: MariaDbInstance, db: string, tables: string[]): Promise<string> {
  const c = await s.connect();
  const [r] = await c.query(`CHECKSUM TABLE ${tables.map((t) => `${quote(db)}.${quote(t)}`).join(', ')} EXTENDED`);
  await c.end();
  return JSON.stringify(r);
}
async function definitions(s: MariaDbInstance, db: string, tables: string[]): Promise<string[]> {
  const c = await s.connect();
  const out: string[] = [];
  for (const t of tables) {
    const [[r]] = (await c.query(`SHOW CREATE TABLE ${quote(db)}.${quote(t)}`)) as unknown as [Record<string, string>[]];
    out.push(r!['Create Table']!);
  }
  await c.end();
  return out;
}
async function has(s: MariaDbInstance, db: string): Promise<boolean> {
  const c = await s.connect();
  const [r] = (await c.query('SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [db])) as unknown as [Record<string, unknown>[]];
  await c.end();
  return Number(r[0]!.n) > 0;
}

test('every byte value, escapes, NULLs, values larger than a chunk, and indexes built after the data: identical rows and identical table definitions', async () => {
  const r = await cloneMaster({ source: ep(master), target: ep(target), databases: ['rdload'], parallel: 3 });
  assert.equal(r.rowsMethod, 'load-data');
  // bytes_t, idx_t and empty_t; not parent/child (foreign key), my_t (MyISAM) or nokey_t (no key).
  assert.equal(r.indexesBuiltAfterData, 3);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.rows, 6 + 20_000 + 20_000 + 1000 + 1000 + 100 + 4);
  assert.deepEqual(await definitions(target, 'rdload', TABLES), await definitions(master, 'rdload', TABLES));
  const [a, b] = [await dump(target, 'rdload'), await dump(master, 'rdload')];
  assert.ok(a === b, 'ordered dumps are identical');
  assert.equal(await checksums(target, 'rdload', TABLES), await checksums(master, 'rdload', TABLES));
});

test('a backup server that refuses LOAD DATA LOCAL: the rows go in as INSERTs, the result says so, and the copy is identical', async () => {
  const r = await cloneMaster({ source: ep(master), target: ep(noInfile), databases: ['rdload'], parallel: 2 });
  assert.equal(r.rowsMethod, 'insert');
  assert.ok(r.warnings.some((w) => /LOAD DATA LOCAL INFILE/.test(w) && /local_infile=ON/.test(w)), JSON.stringify(r.warnings));
  assert.deepEqual(await definitions(noInfile, 'rdload', TABLES), await definitions(master, 'rdload', TABLES));
  assert.equal(await checksums(noInfile, 'rdload', TABLES), await checksums(master, 'rdload', TABLES));
  // Asked for explicitly, and without building indexes afterwards, the result is the same too.
  const again = await cloneMaster({ source: ep(master), target: ep(target), databases: ['rdsmall'], method: 'insert', deferIndexes: false });
  assert.equal(again.rowsMethod, 'insert');
  assert.equal(again.indexesBuiltAfterData, 0);
  assert.equal(await checksums(target, 'rdsmall', ['t']), await checksums(master, 'rdsmall', ['t']));
});

test("the copy stays out of the backup's binary log unless targetBinlog is set", async () => {
  const status = async () => {
    const c = await target.connect();
    const [[m]] = (await c.query('SHOW MASTER STATUS')) as unknown as [Record<string, unknown>[]];
    const [[g]] = (await c.query('SELECT @@gtid_binlog_pos AS g')) as unknown as [Record<string, unknown>[]];
    await c.end();
    return `${String(m!.File)}:${String(m!.Position)} ${String(g!.g)}`;
  };
  const before = await status();
  await cloneMaster({ source: ep(master), target: ep(target), databases: ['rdsmall'], replace: true });
  assert.equal(await status(), before, 'nothing written to the binary log by default');
  await cloneMaster({ source: ep(master), target: ep(target), databases: ['rdsmall'], replace: true, targetBinlog: true });
  assert.notEqual(await status(), before, 'written with targetBinlog');
  const c = await target.connect();
  const [[m]] = (await c.query('SHOW MASTER STATUS')) as unknown as [Record<string, unknown>[]];
  await c.end();
  const { stdout } = await execFileP('mariadb-binlog', ['--no-defaults', '-v', `--read-from-remote-server`, '-h127.0.0.1', `-P${target.port}`, `-u${target.user}`, `-p${target.password}`, String(m!.File)], { maxBuffer: 64 << 20 });
  assert.match(stdout, /INSERT INTO `rdsmall`\.`t`/, 'the copied rows are in the backup server\'s binary log');
});

test('names with spaces, backticks and question marks: every statement quotes them (and no "?" is taken for a placeholder)', async () => {
  const db = 'rd odd?`db';
  const q = (n: string) => '`' + n.replace(/`/g, '``') + '`';
  const m = await master.connect();
  await m.query(`CREATE DATABASE ${q(db)}`);
  await m.query(`CREATE TABLE ${q(db)}.${q('ta?b`le')} (${q('i?d')} INT AUTO_INCREMENT PRIMARY KEY, ${q('`c 2')} VARCHAR(20), ${q('u?')} UUID, KEY ${q('k?`')} (${q('`c 2')}))`);
  await m.query("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'");
  await m.query(`INSERT INTO ${q(db)}.${q('ta?b`le')} VALUES (0, 'a?', UUID()), (5, '?', NULL), (6, 'b', '00000000-0000-0000-0000-000000000000')`);
  await m.query(`CREATE VIEW ${q(db)}.${q('v?')} AS SELECT ${q('i?d')} FROM ${q(db)}.${q('ta?b`le')}`);
  await m.end();
  const r = await cloneMaster({ source: ep(master), target: ep(target), databases: [db] });
  assert.equal(r.rows, 3);
  assert.equal(r.indexesBuiltAfterData, 1);
  assert.equal(await checksums(target, db, ['ta?b`le']), await checksums(master, db, ['ta?b`le']));
  assert.deepEqual(await definitions(target, db, ['ta?b`le']), await definitions(master, db, ['ta?b`le']));
  const t = await target.connect();
  const [rows] = (await t.query(`SELECT ${q('i?d')} AS id FROM ${q(db)}.${q('v?')} ORDER BY 1`)) as unknown as [{ id: number }[]];
  await t.end();
  assert.deepEqual(rows.map((x) => x.id), [0, 5, 6], 'id 0 kept, through the view too');
});

async function waitCaughtUp(): Promise<void> {
  const m = await master.connect();
  const t = await target.connect();
  try {
    const [[ms]] = (await m.query('SHOW MASTER STATUS')) as unknown as [Record<string, unknown>[]];
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [[ss]] = (await t.query('SHOW SLAVE STATUS')) as unknown as [Record<string, unknown>[]];
      if (ss!.Last_SQL_Error || ss!.Last_IO_Error) throw new Error(`replication error: ${String(ss!.Last_SQL_Error || ss!.Last_IO_Error)}`);
      if (ss!.Relay_Master_Log_File === ms!.File && Number(ss!.Exec_Master_Log_Pos) >= Number(ms!.Position)) return;
      if (Date.now() > deadline) throw new Error(`replication did not catch up: ${JSON.stringify(ss)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await m.end();
    await t.end();
  }
}

test('a big table read in key ranges by several streams while the master is written: replication from the recorded position makes the copy identical', async () => {
  const m = await master.connect();
  await m.query('CREATE DATABASE rdrange');
  await m.query('USE rdrange');
  await m.query('CREATE TABLE r (id BIGINT PRIMARY KEY, k INT, pad VARCHAR(100), KEY kk (k)) ENGINE=InnoDB');
  await m.query("INSERT INTO r SELECT CAST(seq AS SIGNED) * 3 - 150000, seq % 1000, REPEAT('r', seq % 100) FROM seq_1_to_150000");
  await m.query('ANALYZE TABLE r');
  // Writes in every range while the copy runs: inserts, updates and deletes.
  let writing = true;
  let writes = 0;
  const writer = (async () => {
    for (let i = 1; writing; i++) {
      const id = ((i * 7919) % 450_000) - 150_000;
      await m.query("INSERT INTO r VALUES (?, ?, 'new') ON DUPLICATE KEY UPDATE pad = CONCAT(pad, '+')", [id * 3 + 1, i]);
      await m.query('UPDATE r SET k = k + 1 WHERE id = ?', [id - (id % 3)]);
      await m.query('DELETE FROM r WHERE id = ?', [((i * 104729) % 450_000) - 150_000]);
      writes++;
    }
  })();
  const seen = new Set<string>();
  let r;
  try {
    r = await cloneMaster({ source: ep(master), target: ep(target), databases: ['rdrange'], parallel: 3, splitTableBytes: 1 }, (p) => p.current.forEach((c) => seen.add(c)));
  } finally {
    writing = false;
    await writer;
  }
  assert.ok(writes > 0);
  assert.equal(r.rangedTables, 1);
  assert.deepEqual([...seen], ['rdrange.r'], 'progress names the table once, whatever number of its ranges are in flight');
  assert.equal(r.indexesBuiltAfterData, 1);
  const t = await target.connect();
  await t.query("SET GLOBAL replicate_do_db = 'rdrange'");
  await t.query(`CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${master.port}, MASTER_USER = '${master.user}', MASTER_PASSWORD = '${master.password}', MASTER_LOG_FILE = ?, MASTER_LOG_POS = ?, MASTER_USE_GTID = no`, [r.binlogFile, r.binlogPos]);
  await t.query('START SLAVE');
  await m.query("UPDATE r SET pad = 'after' WHERE id = 0");
  await m.end();
  try {
    await waitCaughtUp();
    assert.equal(await checksums(target, 'rdrange', ['r']), await checksums(master, 'rdrange', ['r']));
    assert.deepEqual(await definitions(target, 'rdrange', ['r']), await definitions(master, 'rdrange', ['r']));
  } finally {
    await t.query('STOP SLAVE');
    await t.query('RESET SLAVE ALL');
    await t.query("SET GLOBAL replicate_do_db = ''");
    await t.end();
  }
});

test("the backup server's loading session killed halfway: a clear failure, the partial copy removed, nothing left hanging", { timeout: 180_000 }, async () => {
  const sessions = async () => {
    const m = await master.connect();
    const [[x]] = (await m.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ? AND ID <> CONNECTION_ID() AND COMMAND <> 'Binlog Dump'", [master.user])) as unknown as [Record<string, unknown>[]];
    await m.end();
    return Number(x!.n);
  };
  const before = await sessions();
  const killer = await target.connect();
  let killed = false;
  const started = Date.now();
  await assert.rejects(
    cloneMaster({ source: ep(master), target: ep(target), databases: ['rdbig2'], parallel: 1 }, (p) => {
      // As soon as rows flow (progress comes at most every 250 ms; the table takes longer than that).
      if (!killed && p.rowsDone > 0) {
        killed = true;
        void killer.query("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'LOAD DATA%' AND ID <> CONNECTION_ID()").then(async ([rows]) => {
          for (const r of rows as { ID: number }[]) await killer.query(`KILL ${Number(r.ID)}`);
        });
      }
    }),
    (e: unknown) => e instanceof ReplicaDeskError && e.code === 'CLONE_FAILED' && /rdbig2 was removed from the backup server/.test(e.message),
  );
  await killer.end();
  assert.ok(killed);
  assert.ok(Date.now() - started < 30_000, `the failure is reported promptly (${Date.now() - started} ms)`);
  assert.equal(await has(target, 'rdbig2'), false);
  // The copy's sessions on the master were all closed (the server may take a moment to notice).
  let n = -1;
  for (let i = 0; i < 50 && n !== before; i++) {
    if (i) await new Promise((r) => setTimeout(r, 100));
    n = await sessions();
  }
  assert.equal(n, before, 'no session of the copy left open on the master');
});
