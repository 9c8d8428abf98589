import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetChanges, NOT_NETTABLE } from '../../../core/mysql/apply/net-changes';
import { valueStyleOf } from '../../../core/mysql/apply/sql-text';
import type { TargetColumn, TargetTable } from '../../../core/mysql/apply/target-table';

function col(name: string, position: number, dataType: string): TargetColumn {
  const charset = /char/.test(dataType) ? 'latin1' : null;
  return { name, position, dataType, charset, collation: null, style: valueStyleOf(dataType, charset), unsigned: false, nullable: true, generated: false };
}
const t: TargetTable = { db: 'd', table: 't', columns: [col('id', 0, 'int'), col('v', 1, 'varchar')], key: [0], hasNativeJson: false, nettable: true, hasTriggers: false };
const o = { idempotent: false, maxStatementBytes: 1 << 20 };
const v = (s: string) => Buffer.from(s);

test('a key inserted, updated and deleted in one target transaction leaves nothing; an insert kept is one multi-row INSERT', () => {
  const n = new NetChanges();
  n.add(t, 'write', [[1, v('a')], [2, v('b')]], 10);
  n.add(t, 'update', [{ before: [1, v('a')], after: [1, v('a2')] }], 10);
  n.add(t, 'delete', [[2, v('b')]], 10);
  assert.equal(n.size, 2);
  assert.deepEqual(n.drain(o), [{ sql: "INSERT INTO `d`.`t` (`id`,`v`) VALUES (1,_latin1 X'6132')", expect: null }]);
  assert.equal(n.size, 0);
});

test('rows that existed: changed ones are upserted (2 affected rows each), deleted ones deleted, unchanged ones left alone', () => {
  const n = new NetChanges();
  n.add(t, 'update', [{ before: [1, v('x')], after: [1, v('y')] }, { before: [2, v('p')], after: [2, v('q')] }], 10);
  n.add(t, 'update', [{ before: [2, v('q')], after: [2, v('p')] }], 10); // back to where it was
  n.add(t, 'delete', [[3, v('gone')]], 10);
  // sysbench's DELETE + INSERT of the same id: one upsert.
  n.add(t, 'delete', [[4, v('old')]], 10);
  n.add(t, 'write', [[4, v('new')]], 10);
  const out = n.drain(o);
  assert.deepEqual(out, [
    { sql: 'DELETE FROM `d`.`t` WHERE `id` IN (3)', expect: 1 },
    { sql: "INSERT INTO `d`.`t` (`id`,`v`) VALUES (1,_latin1 X'79'),(4,_latin1 X'6e6577') ON DUPLICATE KEY UPDATE `id`=VALUES(`id`),`v`=VALUES(`v`)", expect: 4 },
  ]);
  const idem = new NetChanges();
  idem.add(t, 'delete', [[3, v('gone')]], 1);
  assert.equal(idem.drain({ ...o, idempotent: true })[0]!.expect, null);
});

test('a primary key change moves the row; contradictory histories are refused without changing the state', () => {
  const n = new NetChanges();
  n.add(t, 'update', [{ before: [1, v('a')], after: [9, v('a')] }], 10);
  const out = n.drain(o);
  assert.deepEqual(out.map((s) => s.sql), ['DELETE FROM `d`.`t` WHERE `id` IN (1)', "INSERT INTO `d`.`t` (`id`,`v`) VALUES (9,_latin1 X'61')"]);
  const m = new NetChanges();
  m.add(t, 'write', [[5, v('x')]], 1);
  assert.equal(m.add(t, 'write', [[6, v('ok')], [5, v('dup')]], 1), NOT_NETTABLE, 'insert of a key already present');
  assert.equal(m.size, 1, 'nothing of the refused event was kept');
  m.add(t, 'delete', [[5, v('x')]], 1);
  assert.equal(m.add(t, 'update', [{ before: [5, v('x')], after: [5, v('y')] }], 1), NOT_NETTABLE, 'update of a deleted key');
  assert.equal(m.add(t, 'delete', [[5, v('x')]], 1), NOT_NETTABLE, 'delete of a deleted key');
});

test('one table can be drained alone; statements split at the size limit', () => {
  const other: TargetTable = { ...t, table: 'u' };
  const n = new NetChanges();
  n.add(t, 'write', Array.from({ length: 300 }, (_, i) => [i, v('x'.repeat(40))]), 1);
  n.add(other, 'write', [[1, v('z')]], 1);
  const only = n.drain({ ...o, maxStatementBytes: 2000 }, t);
  assert.ok(only.length > 5 && only.every((s) => s.sql.startsWith('INSERT INTO `d`.`t`')));
  assert.equal(only.reduce((k, s) => k + s.sql.split('),(').length, 0), 300);
  assert.ok(n.has(other) && !n.has(t));
  assert.equal(n.size, 1);
});
