import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bitmapPositions, buildRowStatements, type RowsBatch } from '../../../core/mysql/apply/row-statements';
import { literal, quoteId, quoteString, valueStyleOf } from '../../../core/mysql/apply/sql-text';
import type { TargetColumn, TargetTable } from '../../../core/mysql/apply/target-table';

function col(name: string, position: number, dataType: string, extra: Partial<TargetColumn> = {}): TargetColumn {
  const charset = /char|text/.test(dataType) ? 'utf8mb4' : null;
  return { name, position, dataType, charset, collation: null, style: valueStyleOf(dataType, charset), unsigned: false, nullable: true, generated: false, ...extra };
}

const table = (key: number[] | undefined, cols = [col('id', 0, 'int'), col('name', 1, 'varchar'), col('n', 2, 'int')]): TargetTable => ({ db: 'd', table: 't', columns: cols, key, hasNativeJson: false, nettable: key !== undefined, hasTriggers: false });
const opts = { idempotent: false, maxStatementBytes: 1 << 20 };

test('identifiers and strings are quoted; literals keep exact values', () => {
  assert.equal(quoteId('we`ird'), '`we``ird`');
  assert.equal(quoteString("it's \\ \n\0"), "'it\\'s \\\\ \\n\\0'");
  const text = { style: valueStyleOf('varchar', 'latin1'), charset: 'latin1' };
  assert.equal(literal(Buffer.from([0xe9]), text), "_latin1 X'e9'");
  assert.equal(literal('é', text), "_utf8mb4 X'c3a9'");
  assert.equal(literal(Buffer.alloc(0), { style: 'binary', charset: null }), "X''");
  assert.equal(literal(18446744073709551615n, { style: 'integer', charset: null }), '18446744073709551615');
  assert.equal(literal(-0, { style: 'real', charset: null }), '-0e0');
  assert.equal(literal(0.1, { style: 'real', charset: null }), '0.1');
  assert.equal(literal('-12.50', { style: 'decimal', charset: null }), '-12.50');
  assert.equal(literal("2024-02-29 12:00:00.5", { style: 'temporal', charset: null }), "'2024-02-29 12:00:00.5'");
  assert.equal(literal(Buffer.from([0x01, 0x00]), { style: 'bit', charset: null }), '256');
  assert.equal(literal(Buffer.from('123e4567e89b12d3a456426614174000', 'hex'), { style: 'uuid', charset: null }), "'123e4567-e89b-12d3-a456-426614174000'");
  assert.equal(literal(null, text), 'NULL');
});

test('bitmaps list the columns present', () => {
  assert.deepEqual(bitmapPositions(Uint8Array.from([0b101, 0b1]), 9), [0, 2, 8]);
  assert.deepEqual(bitmapPositions(Uint8Array.from([0xff]), 3), [0, 1, 2]);
});

test('inserts: one multi-row statement, only the columns in the image, generated columns left out', () => {
  const t = table([0], [col('id', 0, 'int'), col('name', 1, 'varchar'), col('g', 2, 'int', { generated: true })]);
  const b: RowsBatch = { table: t, kind: 'write', present: [0, 1, 2], presentAfter: [0, 1, 2], rows: [[1, Buffer.from('a'), 2], [2, null, 3]] };
  const s = buildRowStatements(b, opts);
  assert.equal(s.length, 1);
  assert.equal(s[0]!.sql, "INSERT INTO `d`.`t` (`id`,`name`) VALUES (1,_utf8mb4 X'61'),(2,NULL)");
  assert.equal(s[0]!.expect, null);
  const minimal = buildRowStatements({ ...b, present: [0] , rows: [[7]] }, opts);
  assert.equal(minimal[0]!.sql, 'INSERT INTO `d`.`t` (`id`) VALUES (7)');
  const idem = buildRowStatements(b, { ...opts, idempotent: true });
  assert.match(idem[0]!.sql, /ON DUPLICATE KEY UPDATE `id`=VALUES\(`id`\),`name`=VALUES\(`name`\)$/);
});

test('large batches split at the statement size limit without losing rows', () => {
  const rows = Array.from({ length: 500 }, (_, i) => [i, Buffer.alloc(50, 97), i]);
  const s = buildRowStatements({ table: table([0]), kind: 'write', present: [0, 1, 2], presentAfter: [0, 1, 2], rows }, { idempotent: false, maxStatementBytes: 4096 });
  assert.ok(s.length > 5);
  const count = s.reduce((n, x) => n + (x.sql.match(/\),\(/g)?.length ?? 0) + 1, 0);
  assert.equal(count, 500);
  for (const x of s) assert.ok(x.sql.length <= 4096 + 200);
});

test('deletes by primary key are batched in one IN list with a row-count check; keyless rows match null-safely, one at a time', () => {
  const keyed = buildRowStatements({ table: table([0]), kind: 'delete', present: [0, 1, 2], presentAfter: [0, 1, 2], rows: [[1, null, 0], [2, null, 0]] }, opts);
  assert.deepEqual(keyed, [{ sql: 'DELETE FROM `d`.`t` WHERE `id` IN (1,2)', expect: 2 }]);
  const composite = buildRowStatements({ table: table([0, 2]), kind: 'delete', present: [0, 1, 2], presentAfter: [0, 1, 2], rows: [[1, null, 5]] }, opts);
  assert.equal(composite[0]!.sql, 'DELETE FROM `d`.`t` WHERE (`id` = 1 AND `n` = 5)');
  const keyless = buildRowStatements({ table: table(undefined), kind: 'delete', present: [0, 1, 2], presentAfter: [0, 1, 2], rows: [[1, null, 0.5]] }, opts);
  assert.deepEqual(keyless, [{ sql: 'DELETE FROM `d`.`t` WHERE `id` <=> 1 AND `name` <=> NULL AND `n` <=> 0.5 LIMIT 1', expect: 1 }]);
  // The key is not in a MINIMAL before image from a source without that key: match on what is there.
  const noKeyInImage = buildRowStatements({ table: table([0]), kind: 'delete', present: [1], presentAfter: [1], rows: [[undefined, Buffer.from('x')]] as never }, opts);
  assert.equal(noKeyInImage[0]!.sql, "DELETE FROM `d`.`t` WHERE `name` <=> _utf8mb4 X'78' LIMIT 1");
  const idem = buildRowStatements({ table: table([0]), kind: 'delete', present: [0], presentAfter: [0], rows: [[1]] }, { ...opts, idempotent: true });
  assert.equal(idem[0]!.expect, null);
});

test('updates: SET from the after image, WHERE from the before image key; JSON diffs become JSON functions', () => {
  const s = buildRowStatements(
    { table: table([0]), kind: 'update', present: [0, 1, 2], presentAfter: [0, 1, 2], rows: [{ before: [1, Buffer.from('a'), 1], after: [10, Buffer.from('b'), 2] }] },
    opts,
  );
  assert.deepEqual(s, [{ sql: "UPDATE `d`.`t` SET `id`=10,`name`=_utf8mb4 X'62',`n`=2 WHERE `id` = 1", expect: 1 }]);
  const minimal = buildRowStatements({ table: table([0]), kind: 'update', present: [0], presentAfter: [2], rows: [{ before: [1], after: [undefined, undefined, 9] }] as never }, opts);
  assert.equal(minimal[0]!.sql, 'UPDATE `d`.`t` SET `n`=9 WHERE `id` = 1');
  const keyless = buildRowStatements({ table: table(undefined), kind: 'update', present: [0, 1, 2], presentAfter: [2], rows: [{ before: [1, null, 2], after: [undefined, undefined, 3] }] as never }, opts);
  assert.equal(keyless[0]!.sql, 'UPDATE `d`.`t` SET `n`=3 WHERE `id` <=> 1 AND `name` <=> NULL AND `n` <=> 2 LIMIT 1');
  const json = table([0], [col('id', 0, 'int'), col('doc', 1, 'json')]);
  const diff = buildRowStatements(
    {
      table: json,
      kind: 'update',
      present: [0],
      presentAfter: [1],
      rows: [{ before: [1], after: [undefined, { kind: 'json-diff', diffs: [{ operation: 'REPLACE', path: '$.a', value: '1' }, { operation: 'INSERT', path: '$.b[0]', value: '"x"' }, { operation: 'REMOVE', path: '$.c' }] }] }] as never,
    },
    opts,
  );
  assert.equal(diff[0]!.sql, "UPDATE `d`.`t` SET `doc`=JSON_REMOVE(JSON_ARRAY_INSERT(JSON_REPLACE(`doc`, '$.a', CAST('1' AS JSON)), '$.b[0]', CAST('\\\"x\\\"' AS JSON)), '$.c') WHERE `id` = 1");
});
