import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startMariaDb, type MariaDbInstance } from '../../servers/mariadb';
import { makeRunDir } from '../../servers/workdir';
import { cloneMaster, type CloneResult } from '../../../core/setup/clone/clone';
import type { CloneProgress } from '../../../core/setup/clone/progress';
import { listPurgeableBinlogs, purgeBinlogs } from '../../../core/setup/purge';
import { ReplicaDeskError } from '../../../core/errors';
import type { MySqlEndpoint } from '../../../core/setup/endpoint';

const execFileP = promisify(execFile);
let runDir = '';
let master: MariaDbInstance;
let target: MariaDbInstance;
const ep = (s: MariaDbInstance): MySqlEndpoint => ({ host: s.host, port: s.port, user: s.user, password: s.password });

before(async () => {
  runDir = makeRunDir('rd-clone-');
  [master, target] = await Promise.all([startMariaDb({ name: 'cmaster', runDir, serverId: 11 }), startMariaDb({ name: 'ctarget', runDir, serverId: 12 })]);
});
after(async () => {
  await Promise.allSettled([master?.stop(), target?.stop()]);
  if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
});

const SCHEMA = `
CREATE DATABASE rdclone CHARACTER SET utf8mb4;
USE rdclone;
CREATE TABLE every_type (
  id INT AUTO_INCREMENT PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, mi MEDIUMINT, bi BIGINT, biu BIGINT UNSIGNED,
  de DECIMAL(65,30), fl FLOAT, dbl DOUBLE, bt BIT(64), yr YEAR,
  d DATE, dt DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL, tm TIME(6),
  ch CHAR(10), vc VARCHAR(200), vlat VARCHAR(50) CHARACTER SET latin1, vsj VARCHAR(50) CHARACTER SET cp932,
  tx TEXT, lt LONGTEXT, bn BINARY(8), vb VARBINARY(100), bl BLOB, lb LONGBLOB,
  en ENUM('a','b','日本'), st SET('x','y','z'), js JSON, g GEOMETRY, pt POINT,
  gen INT AS (ti + 1) VIRTUAL, gens VARCHAR(210) AS (CONCAT(vc, '!')) STORED,
  inv INT INVISIBLE DEFAULT 7, u UUID, i6 INET6
) ENGINE=InnoDB;
CREATE TABLE parent (id INT PRIMARY KEY, name VARCHAR(20)) ENGINE=InnoDB;
CREATE TABLE child (id INT PRIMARY KEY, parent_id INT, FOREIGN KEY (parent_id) REFERENCES parent(id)) ENGINE=InnoDB;
CREATE TABLE nopk (a INT, b VARCHAR(10)) ENGINE=InnoDB;
CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(50)) ENGINE=InnoDB;
CREATE TABLE busy (id INT AUTO_INCREMENT PRIMARY KEY, n INT, pad CHAR(100)) ENGINE=InnoDB;
CREATE TABLE skipped_tbl (id INT PRIMARY KEY) ENGINE=InnoDB;
CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
CREATE PROCEDURE add_parent(IN i INT) INSERT INTO parent VALUES (i, CONCAT('p', i));
CREATE VIEW v_parent AS SELECT id, twice(id) AS t FROM parent;
CREATE VIEW v_v AS SELECT t FROM v_parent WHERE t > 2;
CREATE TRIGGER parent_ai AFTER INSERT ON parent FOR EACH ROW INSERT INTO audit (what) VALUES (CONCAT('parent ', NEW.id));
CREATE EVENT ev_tick ON SCHEDULE EVERY 1 HOUR DO DELETE FROM audit WHERE id < 0;
`;

async function prepare(): Promise<void> {
  const c = await master.connect();
  await c.query("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'");
  for (const s of SCHEMA.split(';\n').map((x) => x.trim()).filter(Boolean)) await c.query(s);
  const big = Buffer.alloc(300_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 256;
  await c.query(
    `INSERT INTO every_type (id, ti, tiu, si, mi, bi, biu, de, fl, dbl, bt, yr, d, dt, ts, tm, ch, vc, vlat, vsj, tx, lt, bn, vb, bl, lb, en, st, js, g, pt, inv, u, i6) VALUES
     (0, -128, 255, -32768, -8388608, -9223372036854775808, 18446744073709551615, '-12345678901234567890123456789012345.123456789012345678901234567890',
      3.1415927, 0.1, b'1111111111111111111111111111111111111111111111111111111111111111', 1901, '0000-00-00', '0000-00-00 00:00:00', '2038-01-19 03:14:07.999999', '-838:59:59.000000',
      'a''b\\\\c', 'quote '' back\\\\ nl\\n tab\\t nul\\0 絵文字😀', 'café é', 'ﾃｽﾄ日本語', 'long text 漢字', REPEAT('x', 70000), X'00FF00FF00FF00FF', X'000102FEFF', ?, ?,
      '日本', 'x,z', '{"a": 1.0, "名前": "値", "n": null}', ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))'), POINT(1.5, -2.25), 42, '123e4567-e89b-12d3-a456-426614174000', '2001:db8::1'),
     (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
     (NULL, 127, 0, 32767, 8388607, 9223372036854775807, 0, '0.000000000000000000000000000001', -1.17549435e-38, 1.7976931348623157e308, b'0', 2155, '9999-12-31', '9999-12-31 23:59:59.999999', '1970-01-01 00:00:01.000000', '838:59:59.999999',
      '', '', '', '', '', '', X'', X'', X'', X'', 'a', '', '[]', ST_GeomFromText('POINT(0 0)'), POINT(0, 0), 0, '00000000-0000-0000-0000-000000000000', '::')`,
    [big, big.subarray(0, 1000)],
  );
  await c.query("INSERT INTO parent VALUES (1,'one'),(2,'two'),(3,'three')");
  await c.query('INSERT INTO child VALUES (1,1),(2,3)');
  await c.query("INSERT INTO nopk VALUES (1,'a'),(1,'a'),(NULL,NULL)");
  await c.query('INSERT INTO skipped_tbl VALUES (1)');
  // Enough rows that the copy takes a while and the writes below land during it.
  await c.query("INSERT INTO busy (n, pad) SELECT seq, REPEAT('p', 100) FROM seq_1_to_60000");
  await c.query('CREATE DATABASE rdbig');
  await c.query("CREATE TABLE rdbig.t (id INT PRIMARY KEY, pad CHAR(200)) SELECT seq AS id, REPEAT('z', 200) AS pad FROM seq_1_to_400000");
  await c.end();
}

async function dump(s: MariaDbInstance, db: string): Promise<string> {
  const { stdout } = await execFileP(
    'mariadb-dump',
    ['--no-defaults', `--socket=${s.socket}`, '-u', s.user, `-p${s.password}`, '--no-create-info', '--order-by-primary', '--hex-blob', '--skip-extended-insert', '--skip-comments', '--tz-utc', '--skip-triggers', `--ignore-table=${db}.skipped_tbl`, db],
    { maxBuffer: 256 << 20 },
  );
  return stdout;
}
async function checksums(s: MariaDbInstance, db: string, tables: string[]): Promise<string> {
  const c = await s.connect();
  const [r] = await c.query(`CHECKSUM TABLE ${tables.map((t) => `\`${db}\`.\`${t}\``).join(', ')} EXTENDED`);
  await c.end();
  return JSON.stringify(r);
}
async function waitCaughtUp(): Promise<void> {
  const m = await master.connect();
  const t = await target.connect();
  try {
    const [[ms]] = (await m.query('SHOW MASTER STATUS')) as unknown as [Record<string, unknown>[]];
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [[ss]] = (await t.query('SHOW SLAVE STATUS')) as unknown as [Record<string, unknown>[]];
      if (ss!.Last_SQL_Error || ss!.Last_IO_Error) throw new Error(`replication error: ${ss!.Last_SQL_Error || ss!.Last_IO_Error}`);
      if (ss!.Relay_Master_Log_File === ms!.File && Number(ss!.Exec_Master_Log_Pos) >= Number(ms!.Position)) return;
      if (Date.now() > deadline) throw new Error(`replication did not catch up: ${JSON.stringify(ss)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await m.end();
    await t.end();
  }
}

let result: CloneResult;

test('initial copy of every column type while the master is being written, then replication from the recorded position gives identical data', async () => {
  await prepare();
  // Writes during the copy: inserts, updates and deletes in several tables, through a trigger too.
  let writing = true;
  let writes = 0;
  const w = await master.connect('rdclone');
  const writer = (async () => {
    let i = 100;
    while (writing) {
      await w.query('INSERT INTO busy (n, pad) VALUES (?, ?)', [i, `w${i}`]);
      await w.query('UPDATE busy SET n = n + 1 WHERE id = ?', [(i * 37) % 60000]);
      await w.query('DELETE FROM busy WHERE id = ?', [(i * 91) % 60000]);
      await w.query('CALL add_parent(?)', [i]);
      await w.query('UPDATE every_type SET ti = ti + 1 WHERE id = 0 AND ti < 100');
      i++;
      writes++;
    }
  })();
  const events: CloneProgress[] = [];
  try {
    result = await cloneMaster(
      { source: ep(master), target: ep(target), databases: ['rdclone'], include: (_db, t) => t !== 'skipped_tbl', parallel: 3, batchBytes: 64 * 1024 },
      (p) => events.push(p),
    );
  } finally {
    writing = false;
    await writer;
    await w.end();
  }
  assert.ok(writes > 0, 'writes ran during the copy');
  assert.match(result.binlogFile, /^binlog\.\d+$/);
  assert.ok(result.binlogPos > 4);
  assert.match(result.gtidPos, /^0-11-\d+$/);
  assert.equal(result.tables, 6, 'skipped_tbl is left out by the filter');
  assert.deepEqual(result.objects, { views: 2, routines: 2, triggers: 1, events: 1 });
  assert.ok(events.some((e) => e.phase === 'data' && e.rowsDone > 0));
  assert.equal(events.at(-1)!.phase, 'done');
  assert.equal(events.at(-1)!.tablesDone, 6);

  const t = await target.connect('rdclone');
  const [[tbl]] = (await t.query("SHOW TABLES LIKE 'skipped_tbl'")) as unknown as [unknown[]];
  assert.equal(tbl, undefined);
  const [[ev]] = (await t.query("SELECT STATUS FROM information_schema.EVENTS WHERE EVENT_SCHEMA = 'rdclone'")) as unknown as [Record<string, unknown>[]];
  assert.equal(ev!.STATUS, 'SLAVESIDE_DISABLED', 'events do not run on the backup');
  const [[trig]] = (await t.query('SELECT COUNT(*) AS n FROM audit')) as unknown as [Record<string, unknown>[]];
  const [[parents]] = (await t.query('SELECT COUNT(*) AS n FROM parent')) as unknown as [Record<string, unknown>[]];
  assert.equal(Number(trig!.n), Number(parents!.n), 'the trigger did not fire for copied rows (one audit row per parent, from the master)');

  // Follow from the recorded position with MariaDB's own replication, only for the copied database.
  await t.query("SET GLOBAL replicate_do_db = 'rdclone'");
  await t.query(
    `CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${master.port}, MASTER_USER = '${master.user}', MASTER_PASSWORD = '${master.password}', MASTER_LOG_FILE = ?, MASTER_LOG_POS = ?, MASTER_USE_GTID = no`,
    [result.binlogFile, result.binlogPos],
  );
  await t.query('START SLAVE');
  await t.end();
  // A few more writes after the copy, replicated too.
  const m = await master.connect('rdclone');
  await m.query("UPDATE every_type SET vc = 'after copy' WHERE id = 1");
  await m.end();
  await waitCaughtUp();
  const tables = ['every_type', 'parent', 'child', 'nopk', 'audit', 'busy'];
  {
    const a = (await dump(target, 'rdclone')).split('\n');
    const b = (await dump(master, 'rdclone')).split('\n');
    const diff = a.map((l, i) => [l, b[i]]).filter(([x, y]) => x !== y);
    assert.deepEqual(diff.slice(0, 3).map(([x, y]) => [x!.slice(0, 3000), y?.slice(0, 3000)]), []);
    assert.equal(a.length, b.length);
  }
  assert.equal(await checksums(target, 'rdclone', tables), await checksums(master, 'rdclone', tables));
  const tc = await target.connect('rdclone');
  const [[row]] = (await tc.query('SELECT inv, js = ? AS js, HEX(vlat) AS lat FROM every_type WHERE id = 0', ['{"a": 1.0, "名前": "値", "n": null}'])) as unknown as [Record<string, unknown>[]];
  assert.equal(row!.inv, 42, 'invisible column copied');
  assert.equal(Number(row!.js), 1, 'JSON text kept as written (1.0 stays 1.0)');
  assert.equal(row!.lat, '636166E920E9', 'latin1 bytes unchanged');
  await tc.end();
});

test('a target that already holds the database: clear error, nothing changed', async () => {
  const before = await checksums(target, 'rdclone', ['every_type', 'busy']);
  await assert.rejects(cloneMaster({ source: ep(master), target: ep(target), databases: ['rdclone'] }), (e: unknown) => {
    assert.ok(e instanceof ReplicaDeskError);
    assert.equal(e.code, 'CLONE_TARGET_EXISTS');
    assert.match(e.message, /already has a database named rdclone\. Nothing was changed/);
    return true;
  });
  assert.equal(await checksums(target, 'rdclone', ['every_type', 'busy']), before);
  const t = await target.connect();
  await t.query('STOP SLAVE');
  await t.query('RESET SLAVE ALL');
  await t.query("SET GLOBAL replicate_do_db = ''");
  await t.end();
});

async function targetHas(db: string): Promise<boolean> {
  const t = await target.connect();
  const [r] = (await t.query('SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [db])) as unknown as [Record<string, unknown>[]];
  await t.end();
  return Number(r[0]!.n) > 0;
}

test('cancelled halfway: the partial copy is removed and the error says so', async () => {
  const ac = new AbortController();
  await assert.rejects(
    cloneMaster({ source: ep(master), target: ep(target), databases: ['rdbig'], batchBytes: 64 * 1024 }, (p) => {
      // As soon as rows flow (progress comes at most every 250 ms; the table takes longer than that).
      if (p.rowsDone > 0) ac.abort();
    }, ac.signal),
    (e: unknown) => e instanceof ReplicaDeskError && e.code === 'CLONE_CANCELLED' && /rdbig was removed/.test(e.message) && (e.details as { dropped: string[] }).dropped[0] === 'rdbig',
  );
  assert.equal(await targetHas('rdbig'), false);
});

test('snapshot interrupted halfway (its session killed on the master): failure, partial copy removed', async () => {
  const killer = await master.connect();
  let killed = false;
  await assert.rejects(
    cloneMaster({ source: ep(master), target: ep(target), databases: ['rdbig'], batchBytes: 64 * 1024, snapshot: 'read-lock', parallel: 2 }, (p) => {
      if (process.env.RD_DEBUG) console.log(p.phase, p.rowsDone, p.current);
      if (!killed && p.rowsDone > 0) {
        killed = true;
        void killer.query("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT %rdbig%' AND ID <> CONNECTION_ID()").then(async ([rows]) => {
          for (const r of rows as { ID: number }[]) await killer.query(`KILL ${Number(r.ID)}`);
        });
      }
    }),
    (e: unknown) => e instanceof ReplicaDeskError && e.code === 'CLONE_FAILED' && /removed from the backup server/.test(e.message),
  );
  await killer.end();
  assert.ok(killed);
  assert.equal(await targetHas('rdbig'), false);
  // With replace, a second copy (read-lock snapshots this time) completes and matches.
  const r = await cloneMaster({ source: ep(master), target: ep(target), databases: ['rdbig'], snapshot: 'read-lock', parallel: 2 });
  assert.equal(r.snapshotMethod, 'read-lock');
  assert.equal(r.rows, 400_000);
  assert.equal(await checksums(target, 'rdbig', ['t']), await checksums(master, 'rdbig', ['t']));
  const again = await cloneMaster({ source: ep(master), target: ep(target), databases: ['rdbig'], replace: true, parallel: 1 });
  assert.deepEqual(again.replaced, ['rdbig']);
});

test('safe purge: keeps what the recorded position needs, deletes only older files, refuses an unsafe boundary', async () => {
  const c = await master.connect();
  await c.query('FLUSH BINARY LOGS');
  await c.query('FLUSH BINARY LOGS');
  await c.end();
  const needs = [{ channel: 'backup', file: result.binlogFile, position: result.binlogPos }];
  const l = await listPurgeableBinlogs(ep(master), needs);
  const idx = l.files.findIndex((f) => f.name === result.binlogFile);
  assert.equal(l.files[idx]!.status, 'needed');
  assert.equal(l.files.at(-1)!.status, 'current');
  assert.deepEqual(l.purgeable, l.files.slice(0, idx).map((f) => f.name));
  await assert.rejects(purgeBinlogs(ep(master), needs, l.files.at(-1)!.name), (e: unknown) => e instanceof ReplicaDeskError && e.code === 'PURGE_NOT_SAFE');
  // Pretend the channel has moved on to the newest file: now the older ones go.
  const moved = [{ channel: 'backup', file: l.files.at(-2)!.name }];
  const l2 = await listPurgeableBinlogs(ep(master), moved);
  // MariaDB keeps a file until its crash-recovery checkpoint has passed it (about a second here); the
  // outcome says which files were kept and why, and a retry deletes them.
  let out = await purgeBinlogs(ep(master), moved, l2.purgeTo!);
  for (let i = 0; i < 50 && out.deleted.length < l2.purgeable.length; i++) {
    assert.ok(out.kept.length > 0 && out.kept.every((k) => k.reason.length > 0), JSON.stringify({ out, l2 }));
    await new Promise((r) => setTimeout(r, 200));
    const more = await purgeBinlogs(ep(master), moved, l2.purgeTo!);
    out = { ...more, deleted: [...out.deleted, ...more.deleted] };
  }
  assert.deepEqual(out.deleted, l2.purgeable);
  assert.ok(out.deleted.length >= 1);
  assert.deepEqual(out.remaining, [l.files.at(-2)!.name, l.files.at(-1)!.name]);
});
