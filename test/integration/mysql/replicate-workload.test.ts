import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { mysqlConnect, uniqueName, useSuiteServers } from '../../servers/suite';
import { channelHarness, channelInput, endOf, type Harness } from './channel-harness';
import { dumpDatabase, masterStatus, suiteReady } from './helpers';

const servers = useSuiteServers();

/*
 * One channel from the shared master into the shared target, restricted with replicate-do-db to this
 * file's databases (other test files write to the same master at the same time). The workload covers
 * every column type, DDL mid-stream, multi-statement transactions, rollbacks, keyless tables, reserved
 * words and non-ASCII identifiers, statement-based events with their context, and a large transaction.
 */

let h: Harness;
let m: mysql.Connection;
let t: mysql.Connection;
const db1 = uniqueName('rdw');
const db2 = `${uniqueName('rdw')}_データ`;
const NAME = 'workload';

before(async () => {
  await suiteReady(servers);
  h = await channelHarness();
  m = await mysqlConnect(servers().master);
  t = await mysqlConnect(servers().target);
  const start = await masterStatus(m);
  await h.manager.create(channelInput(NAME, servers().master, servers().target, start, { filters: { doDb: [db1, db2], ignoreDb: [], doTable: [], ignoreTable: [], wildDoTable: [], wildIgnoreTable: [], rewriteDb: [] } }));
  await h.manager.start(NAME);
});

after(async () => {
  await h?.manager.stop(NAME).catch(() => undefined);
  await h?.manager.delete(NAME).catch(() => undefined);
  await h?.close();
  for (const c of [m, t]) {
    if (!c) continue;
    await c.query(`DROP DATABASE IF EXISTS \`${db1}\``).catch(() => undefined);
    await c.query(`DROP DATABASE IF EXISTS \`${db2}\``).catch(() => undefined);
    await c.end();
  }
});

async function compare(db: string): Promise<void> {
  const [a, b] = await Promise.all([dumpDatabase(m, db), dumpDatabase(t, db)]);
  assert.ok(Object.keys(a).length > 0, `master has tables in ${db}`);
  for (const table of Object.keys(a)) {
    const x = a[table] as { ddl: string; rows?: unknown[][] };
    const y = b[table] as { ddl: string; rows?: unknown[][] } | undefined;
    assert.ok(y, `table ${db}.${table} missing on the target`);
    assert.equal(y.ddl, x.ddl, `table ${db}.${table}: definitions differ`);
    assert.equal(y.rows?.length, x.rows?.length, `table ${db}.${table}: row counts differ`);
    (x.rows ?? []).forEach((row, i) => {
      row.forEach((cell, j) => {
        const other = y.rows![i]![j];
        if (cell !== other) assert.fail(`${db}.${table} row ${i} column ${j + 1}: master ${String(cell).slice(0, 80)} target ${String(other).slice(0, 80)}`);
      });
    });
  }
  assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort());
}

test('every column type, extreme values and NULLs replicate exactly', async () => {
  await m.query(`CREATE DATABASE \`${db1}\` CHARACTER SET utf8mb4`);
  await m.query(`USE \`${db1}\``);
  await m.query(`CREATE TABLE all_types (
    id INT PRIMARY KEY AUTO_INCREMENT,
    ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
    i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
    f FLOAT, d DOUBLE, dec1 DECIMAL(10,2), dec2 DECIMAL(40,20), dec3 DECIMAL(5,0) UNSIGNED,
    bt BIT(1), b10 BIT(10), b64 BIT(64),
    dt DATE, tm TIME, tm3 TIME(3), dtm DATETIME, dtm6 DATETIME(6), ts TIMESTAMP NULL DEFAULT NULL, ts2 TIMESTAMP(2) NULL DEFAULT NULL, y YEAR,
    c CHAR(10), vc VARCHAR(100), vcl VARCHAR(100) CHARACTER SET latin1, u3 VARCHAR(20) CHARACTER SET utf8mb3,
    ucs VARCHAR(10) CHARACTER SET ucs2, sj VARCHAR(20) CHARACTER SET sjis, bin BINARY(4), vbin VARBINARY(20),
    tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT, tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB,
    e ENUM('a','b','c'), s SET('x','y','z'), j JSON, g GEOMETRY, pt POINT, ip INET6, uu UUID,
    gen INT AS (i + 1) VIRTUAL, gens BIGINT AS (i * 2) PERSISTENT
  )`);
  await m.query("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION', time_zone = '+09:00'");
  const cols =
    'ti,tiu,si,siu,mi,miu,i,iu,bi,biu,f,d,dec1,dec2,dec3,bt,b10,b64,dt,tm,tm3,dtm,dtm6,ts,ts2,y,c,vc,vcl,u3,ucs,sj,bin,vbin,tt,tx,mt,lt,tb,bl,mb,lb,e,s,j,g,pt,ip,uu';
  const ins = (values: string) => m.query(`INSERT INTO all_types (${cols}) VALUES (${values})`);
  await ins(
    "-128,255,-32768,65535,-8388608,16777215,-2147483648,4294967295,-9223372036854775808,18446744073709551615," +
      "-3.4028234e38,1.7976931348623157e308,-99999999.99,'-12345678901234567890.12345678901234567890',99999," +
      "b'1',b'1111111111',b'1111111111111111111111111111111111111111111111111111111111111111'," +
      "'0000-00-00','-838:59:59','838:59:58.999','1000-01-01 00:00:00','9999-12-31 23:59:59.999999','1970-01-01 09:00:01','2038-01-19 12:14:07.99',1901," +
      "'ab','emoji 😀 and 漢字','café €uro','ümlaut','日本','漢字かな',X'00000000',X'00FF00'," +
      "'tiny','text','medium','long',X'00',X'DEADBEEF',REPEAT('m', 70000),REPEAT(X'AB', 300000)," +
      "'c','x,z','{\"a\": [1, 2.5, \"x\"], \"b\": null, \"c\": {\"d\": true}}',ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))'),ST_GeomFromText('POINT(1.5 -2.25)'),'2001:db8::1','123e4567-e89b-12d3-a456-426614174000'",
  );
  await ins(
    '127,0,32767,0,8388607,0,2147483647,0,9223372036854775807,0,1.5,-0.0,0.00,0,0,' +
      "b'0',b'0',b'0','2024-02-29','00:00:00','-00:00:01.500','2024-02-29 12:34:56','2024-02-29 12:34:56.000001','2024-02-29 12:34:56','2024-02-29 12:34:56.5',0," +
      "'','','','','','',X'01020304',X''," +
      "'','','','','','','',''," +
      "'a','','[]',ST_GeomFromText('LINESTRING(0 0,1 1,2 3)'),ST_GeomFromText('POINT(0 0)'),'::ffff:1.2.3.4','00000000-0000-0000-0000-000000000000'",
  );
  await ins(Array.from({ length: 49 }, () => 'NULL').join(','));
  await m.query("UPDATE all_types SET f = 0.1, d = 0.1, vc = CONCAT(vc, ' más'), j = JSON_SET(j, '$.a[0]', 42) WHERE id = 1");
  await m.query('UPDATE all_types SET i = i + 1 WHERE id IN (1, 2)');
  await m.query('DELETE FROM all_types WHERE id = 3');
  await h.waitApplied(NAME, await endOf(m));
  await compare(db1);
});

test('DDL mid-stream: added, dropped and reordered columns keep mapping by position', async () => {
  await m.query(`USE \`${db1}\``);
  await m.query('CREATE TABLE evolve (id INT PRIMARY KEY, a INT, b VARCHAR(20))');
  await m.query("INSERT INTO evolve VALUES (1, 10, 'one'), (2, 20, 'two')");
  await m.query("ALTER TABLE evolve ADD COLUMN c DATETIME DEFAULT '2020-01-01 00:00:00' AFTER id");
  await m.query("INSERT INTO evolve VALUES (3, '2021-05-05 05:05:05', 30, 'three')");
  await m.query('ALTER TABLE evolve DROP COLUMN a');
  await m.query("UPDATE evolve SET b = 'changed' WHERE id = 1");
  await m.query('ALTER TABLE evolve ADD INDEX (b), RENAME TO evolved');
  await m.query("INSERT INTO evolved VALUES (4, NOW(), 'four')");
  await m.query('CREATE TABLE copy_of LIKE evolved');
  await m.query('INSERT INTO copy_of SELECT * FROM evolved');
  await m.query('TRUNCATE TABLE evolved');
  await m.query("INSERT INTO evolved VALUES (5, NOW(), 'five')");
  await h.waitApplied(NAME, await endOf(m));
  await compare(db1);
});

test('multi-statement transactions, rollbacks, keyless tables, primary key changes and a large transaction', async () => {
  await m.query(`USE \`${db1}\``);
  await m.query('CREATE TABLE acct (id INT PRIMARY KEY, owner VARCHAR(20), balance DECIMAL(12,2))');
  await m.query('CREATE TABLE nokey (a INT, b VARCHAR(10), c DOUBLE)');
  await m.query('CREATE TABLE nontrx (id INT PRIMARY KEY, v INT) ENGINE=MyISAM');
  await m.query('BEGIN');
  await m.query("INSERT INTO acct VALUES (1, 'ann', 100), (2, 'bob', 50)");
  await m.query('UPDATE acct SET balance = balance - 30 WHERE id = 1');
  await m.query('UPDATE acct SET balance = balance + 30 WHERE id = 2');
  await m.query('COMMIT');
  await m.query('BEGIN');
  await m.query("INSERT INTO acct VALUES (3, 'never', 1)");
  await m.query('ROLLBACK');
  // A rolled-back transaction that touched a non-transactional table: the MyISAM change stays.
  await m.query('BEGIN');
  await m.query("INSERT INTO acct VALUES (4, 'gone', 1)");
  await m.query('INSERT INTO nontrx VALUES (1, 1)');
  await m.query('ROLLBACK');
  await m.query('UPDATE acct SET id = 10 WHERE id = 1');
  await m.query("INSERT INTO nokey VALUES (1, 'dup', 1.5), (1, 'dup', 1.5), (2, NULL, NULL), (3, 'x', 0.1)");
  await m.query('DELETE FROM nokey WHERE a = 1 LIMIT 1');
  await m.query("UPDATE nokey SET b = 'was null' WHERE a = 2");
  await m.query('UPDATE nokey SET c = c * 2 WHERE a = 3');
  await m.query('BEGIN');
  for (let i = 0; i < 20; i++) {
    await m.query(`INSERT INTO acct VALUES ${Array.from({ length: 250 }, (_, j) => `(${1000 + i * 250 + j}, 'bulk', ${j})`).join(',')}`);
  }
  await m.query('UPDATE acct SET balance = balance * 2 WHERE owner = "bulk"');
  await m.query('DELETE FROM acct WHERE id % 3 = 0 AND owner = "bulk"');
  await m.query('COMMIT');
  await h.waitApplied(NAME, await endOf(m));
  await compare(db1);
});

test('reserved words and non-ASCII names; foreign keys with cascades', async () => {
  await m.query(`CREATE DATABASE \`${db2}\` CHARACTER SET utf8mb4`);
  await m.query(`USE \`${db2}\``);
  await m.query('CREATE TABLE `select` (`from` INT PRIMARY KEY, `order` VARCHAR(10), `we``ird col` INT, `列 1` VARCHAR(10))');
  await m.query("INSERT INTO `select` VALUES (1, 'by', 7, '値'), (2, 'group', 8, 'ü')");
  await m.query('UPDATE `select` SET `order` = `order` WHERE `from` = 1');
  await m.query("UPDATE `select` SET `列 1` = 'новый' WHERE `from` = 2");
  await m.query('CREATE TABLE 表 (id INT PRIMARY KEY, 名前 VARCHAR(20))');
  await m.query("INSERT INTO 表 VALUES (1, '東京'), (2, 'Zürich')");
  await m.query('CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB');
  await m.query('CREATE TABLE child (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES parent (id) ON DELETE CASCADE) ENGINE=InnoDB');
  await m.query('INSERT INTO parent VALUES (1), (2)');
  await m.query('INSERT INTO child VALUES (10, 1), (11, 1), (20, 2)');
  await m.query('DELETE FROM parent WHERE id = 1');
  await h.waitApplied(NAME, await endOf(m));
  await compare(db2);
});

test('statement-based events replay with their context (INSERT_ID, LAST_INSERT_ID, RAND seeds, user variables, time)', async () => {
  await m.query(`USE \`${db1}\``);
  await m.query('CREATE TABLE sbr (id INT PRIMARY KEY AUTO_INCREMENT, r DOUBLE, v VARCHAR(40), t DATETIME(6), l BIGINT)');
  await m.query("SET SESSION binlog_format = 'STATEMENT'");
  try {
    await m.query('INSERT INTO sbr (r, v, t) VALUES (RAND(), \'a\', NOW(6))');
    await m.query("SET @who = _latin1 'caf\\xe9', @n = 42, @d = 1.25");
    await m.query('INSERT INTO sbr (v, l) VALUES (@who, @n * @d)');
    await m.query('INSERT INTO sbr (v, l) VALUES (\'lid\', LAST_INSERT_ID())');
    await m.query('UPDATE sbr SET r = RAND(7) WHERE id = 1');
    await m.query('BEGIN');
    await m.query("INSERT INTO sbr (v) VALUES ('in trx 1'), ('in trx 2')");
    await m.query("UPDATE sbr SET v = CONCAT(v, '!') WHERE v LIKE 'in trx%'");
    await m.query('COMMIT');
  } finally {
    await m.query("SET SESSION binlog_format = 'ROW'");
  }
  await h.waitApplied(NAME, await endOf(m));
  await compare(db1);
  const s = await h.manager.status(NAME);
  assert.equal(s.Slave_IO_Running, 'Yes');
  assert.equal(s.Slave_SQL_Running, 'Yes');
  assert.equal(s.Last_SQL_Errno, 0);
  assert.equal(s.Seconds_Behind_Master, 0);
  assert.ok(s.Slave_DDL_Groups > 5, `DDL groups counted: ${s.Slave_DDL_Groups}`);
  assert.match(s.Gtid_Slave_Pos, /^0-1-\d+$/);
});
