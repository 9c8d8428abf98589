import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueryEvent } from '../../../core/mysql/binlog/events';
import { groupKeyword, isDml, queryContextStatements } from '../../../core/mysql/apply/query-context';
import { normalizeConfig, defaultServerId } from '../../../core/mysql/channel/config';
import { secondsBehindMaster } from '../../../core/mysql/channel/status';
import { GtidPosition } from '../../../core/mysql/gtid/gtid-position';
import type { IoThreadStatus } from '../../../core/mysql/source/io-thread';
import type { SqlThreadStatus } from '../../../core/mysql/apply/sql-thread';

function queryEvent(p: Partial<QueryEvent>): QueryEvent {
  return { kind: 'query', typeCode: 2, typeName: 'QUERY_EVENT', timestamp: 1700000000, serverId: 1, eventSize: 0, logPos: 0, flags: 0, position: 0, raw: Buffer.alloc(0), threadId: 77, execTime: 0, schema: 'shop', errorCode: 0, statusVars: {}, query: '', queryBytes: Buffer.alloc(0), compressed: false, ...p } as QueryEvent;
}

test('a statement runs with the session its QUERY event describes, plus INTVAR/RAND/USER_VAR', () => {
  const ev = queryEvent({
    statusVars: { flags2: (1 << 26) | (1 << 14), sqlMode: 1411383304n, charsetClient: 33, collationConnection: 33, collationServer: 8, timeZone: '+09:00', autoIncrementIncrement: 2, autoIncrementOffset: 1, hrnow: 42, lcTimeNames: 0, collationDatabase: 8 },
  });
  const names: Record<number, string> = { 33: 'utf8mb3_general_ci', 8: 'latin1_swedish_ci', 45: 'utf8mb4_general_ci' };
  const out = queryContextStatements(
    ev,
    [
      { kind: 'intvar', subtype: 2, value: 100n } as never,
      { kind: 'intvar', subtype: 1, value: 5n } as never,
      { kind: 'rand', seed1: 11n, seed2: 22n } as never,
      { kind: 'user_var', name: 'who', isNull: false, valueType: 0, collationId: 8, value: Buffer.from([0x63, 0xe9]) } as never,
      { kind: 'user_var', name: 'n', isNull: false, valueType: 2, value: 42n } as never,
      { kind: 'user_var', name: 'z', isNull: true } as never,
    ],
    { database: 'shop2', targetIsMariaDb: true, sourceIsMariaDb: true, canSetPseudoThreadId: true, collationName: (id) => names[id] },
  );
  assert.match(out[0]!, /^SET @@session\.timestamp=1700000000\.000042, @@session\.pseudo_thread_id=77, @@session\.foreign_key_checks=0, @@session\.sql_auto_is_null=1, @@session\.unique_checks=1/);
  assert.match(out[0]!, /@@session\.sql_mode=1411383304/);
  assert.match(out[0]!, /@@session\.character_set_client='utf8', @@session\.collation_connection='utf8mb3_general_ci', @@session\.collation_server='latin1_swedish_ci'/);
  assert.match(out[0]!, /@@session\.time_zone='\+09:00'/);
  assert.deepEqual(out.slice(1), [
    'USE `shop2`',
    "SET @@session.collation_database='latin1_swedish_ci'",
    'SET INSERT_ID=100',
    'SET LAST_INSERT_ID=5',
    'SET @@RAND_SEED1=11, @@RAND_SEED2=22',
    "SET @`who`:=_latin1 X'63e9' COLLATE `latin1_swedish_ci`",
    'SET @`n`:=42',
    'SET @`z`:=NULL',
  ]);
  const noDb = queryContextStatements(queryEvent({}), [], { database: '', targetIsMariaDb: false, sourceIsMariaDb: false, canSetPseudoThreadId: false, collationName: () => undefined });
  assert.equal(noDb.length, 1);
  assert.doesNotMatch(noDb[0]!, /pseudo_thread_id/);
});

test('group keywords and DML detection', () => {
  assert.equal(groupKeyword(' begin '), 'BEGIN');
  assert.equal(groupKeyword('COMMIT'), 'COMMIT');
  assert.equal(groupKeyword('ROLLBACK'), 'ROLLBACK');
  assert.equal(groupKeyword("XA START X'01'"), 'XA');
  assert.equal(groupKeyword('ROLLBACK TO SAVEPOINT a'), undefined);
  assert.ok(isDml('/* c */ INSERT INTO t VALUES (1)'));
  assert.ok(isDml('update t set a=1'));
  assert.ok(!isDml('ALTER TABLE t ADD c INT'));
  assert.ok(!isDml('CREATE TABLE t (a INT)'));
});

test('GTID positions: MariaDB keeps the last GTID per domain, MySQL merges intervals', () => {
  const g = new GtidPosition('0-1-5,1-2-3');
  g.add('0-1-6');
  g.addSeen({ gtid: '2-9-1', domain: 2 });
  assert.equal(g.toString(), '0-1-6,1-2-3,2-9-1');
  assert.equal(g.mariaSeq(0), 6n);
  const m = new GtidPosition('3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5');
  m.add('3e11fa47-71ca-11e1-9e33-c80aa9429562:6');
  m.add('3e11fa47-71ca-11e1-9e33-c80aa9429562:8');
  assert.equal(m.toString(), '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-6:8');
  const one = new GtidPosition();
  const seen = { gtid: '0-1-99', domain: 0 };
  one.addSeen(seen);
  assert.equal(one.snapshot(), seen, 'one domain: the snapshot is the GTID itself, not formatted text');
  assert.equal(new GtidPosition().toString(), '');
});

test('Seconds_Behind_Master as MySQL computes it', () => {
  const io = { running: 'Yes', master: { clockDiffSeconds: 2 } } as unknown as IoThreadStatus;
  const sql = { running: 'Yes', idle: false, lastMasterTimestamp: 1000 } as unknown as SqlThreadStatus;
  assert.equal(secondsBehindMaster(io, sql, 1_030_000), 28);
  assert.equal(secondsBehindMaster(io, { ...sql, idle: true }, 1_030_000), 0);
  assert.equal(secondsBehindMaster({ ...io, running: 'Connecting' }, sql, 1_030_000), null);
  assert.equal(secondsBehindMaster(io, { ...sql, running: 'No' }, 1_030_000), null);
  assert.equal(secondsBehindMaster(io, { ...sql, lastMasterTimestamp: 1_040 }, 1_030_000), 0, 'never negative');
});

test('channel settings: defaults, and a clear error naming the wrong field', () => {
  const ep = { host: 'h', port: 3306, user: 'u' };
  const c = normalizeConfig({ name: 'office-1', master: ep, target: ep });
  assert.equal(c.connectRetry, 60);
  assert.equal(c.heartbeatPeriod, 30);
  assert.equal(c.execMode, 'STRICT');
  assert.equal(c.serverId, defaultServerId('office-1'));
  assert.deepEqual(c.start, { kind: 'file', file: '', pos: 4 });
  assert.equal(normalizeConfig({ name: 'g', master: ep, target: ep, start: { kind: 'gtid', gtid: '0-1-5' } }).useGtid, 'Slave_Pos');
  assert.throws(() => normalizeConfig({ name: '../x', master: ep, target: ep }), /cannot be a channel name/);
  assert.throws(() => normalizeConfig({ name: 'x', master: ep, target: ep, heartbeatPeriod: 90, netTimeout: 60 }), /heartbeatPeriod/);
  assert.throws(() => normalizeConfig({ name: 'x', master: ep, target: ep, serverId: 0 }), /serverId/);
});
