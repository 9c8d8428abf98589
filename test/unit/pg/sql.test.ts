import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { StatementClassifier, classifyText, loadSqlParser } from '../../../core/pg/sql/classify';
import { sequenceLockKey, sequenceLockSql } from '../../../core/pg/sql/catalog';
import { tokenize } from '../../../core/pg/sql/lexer';
import { copyForOthers, executeForOthers, prepareForOthers, rewriteForOthers, timeLiteral } from '../../../core/pg/sql/rewrite';
import { parseTableFacts } from '../../../core/pg/sql/catalog';

/** Queries arrive as bytes; the classifier works on them as latin1 strings (byte offsets = parser offsets). */
const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
const back = (s: string) => Buffer.from(s, 'latin1').toString('utf8');

before(() => loadSqlParser());

test('the cache key folds numbers but keeps strings, quoted names, comments and dollar quotes', () => {
  const k = (s: string) => tokenize(s).key;
  assert.equal(k('SELECT abalance FROM a WHERE aid = 17'), k('SELECT abalance FROM a WHERE aid = 123456'));
  assert.equal(k('SELECT 1.5e3, .5, 0x1F'), k('SELECT 2, 3.25, 7'));
  assert.notEqual(k("SELECT nextval('a')"), k("SELECT nextval('b')"));
  assert.notEqual(k('SELECT "t1".x'), k('SELECT "t2".x'));
  assert.notEqual(k("SELECT 'it''s 1'"), k("SELECT 'it''s 2'"));
  assert.notEqual(k("SELECT E'a\\'1'"), k("SELECT E'a\\'2'"));
  assert.notEqual(k('SELECT $$ 1 $$'), k('SELECT $$ 2 $$'));
  assert.notEqual(k('SELECT $tag$ 1 $tag$'), k('SELECT $tag$ 2 $tag$'));
  assert.notEqual(k('SELECT 1 /* v1 */'), k('SELECT 1 /* v2 */'));
  assert.equal(k('SELECT t1.c FROM t1'), 'SELECT t1.c FROM t1', 'digits inside names are not numbers');
  assert.equal(k('SELECT $1, $2'), 'SELECT $1, $2');
});

test('classification: reads, writes, transaction control, session commands, special cases', () => {
  const kind = (s: string) => classifyText(bytes(s)).kind;
  assert.equal(kind('SELECT * FROM t WHERE id = 1'), 'read');
  assert.equal(kind('WITH x AS (SELECT 1) SELECT * FROM x'), 'read');
  assert.equal(kind('SELECT * FROM t FOR UPDATE'), 'write');
  assert.equal(kind('SELECT * INTO t2 FROM t'), 'write');
  assert.equal(kind('WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d'), 'write');
  assert.equal(kind("SELECT nextval('s')"), 'write');
  assert.equal(kind("SELECT set_config('a.b', '1', false)"), 'write');
  assert.equal(kind('SELECT pg_advisory_lock(1)'), 'write');
  assert.equal(kind('INSERT INTO t VALUES (1)'), 'write');
  assert.equal(kind('EXPLAIN SELECT 1'), 'read');
  assert.equal(kind('EXPLAIN ANALYZE DELETE FROM t'), 'write');
  assert.equal(kind('SHOW search_path'), 'read');
  assert.equal(kind('SHOW POOL_NODES'), 'show-pool-nodes');
  assert.equal(kind('SET search_path = x'), 'session');
  assert.equal(kind('BEGIN'), 'tx');
  assert.equal(classifyText('ROLLBACK TO SAVEPOINT a').tx, 'rollback-to');
  assert.equal(classifyText('START TRANSACTION ISOLATION LEVEL SERIALIZABLE').serializable, true);
  assert.equal(kind('COPY t TO STDOUT'), 'read');
  assert.equal(classifyText('COPY t (a) FROM STDIN').copyIn, true);
  assert.equal(classifyText('VACUUM t').noTxBlock, true);
  assert.equal(classifyText('CREATE DATABASE x').noTxBlock, true);
  assert.equal(classifyText('CREATE INDEX CONCURRENTLY i ON t (a)').noTxBlock, true);
  assert.equal(classifyText('CREATE TABLE x (a int)').ddl, true);
  assert.equal(classifyText('INSERT INTO t VALUES (1)').ddl, false);
  const multi = classifyText('BEGIN; UPDATE t SET a = 1; COMMIT');
  assert.equal(multi.kind, 'write');
  assert.equal(multi.txInMulti, true);
  assert.equal(classifyText('SELECT 1; SELECT 2').kind, 'read');
  assert.equal(kind('/*REPLICATION*/ SELECT 1'), 'write');
  assert.equal(classifyText('/*NO LOAD BALANCE*/ SELECT 1').noLoadBalance, true);
  assert.equal(kind('SELEC 1'), 'invalid');
  assert.deepEqual(classifyText('SELECT myfunc(1), count(*), s.f()').unknownFunctions.sort(), ['myfunc', 's.f']);
  assert.deepEqual(classifyText('UPDATE t SET a = random(), b = gen_random_uuid()').volatileCalls.sort(), ['gen_random_uuid', 'random']);
  assert.deepEqual(classifyText("INSERT INTO t VALUES (nextval('s1'), nextval('public.s2'::regclass))").sequences.sort(), ['public.s2', 's1']);
  assert.equal(classifyText('SELECT nextval($1)').dynamicNextval, true);
  assert.equal(classifyText('PREPARE p AS SELECT 1').sqlPrepare?.inner.kind, 'read');
  assert.equal(classifyText('EXECUTE p').sqlExecute, 'p');
});

test('the classifier cache: one parse for a statement shape', () => {
  const c = new StatementClassifier();
  for (let i = 0; i < 50; i++) c.classify(`SELECT abalance FROM pgbench_accounts WHERE aid = ${i * 7919}`);
  assert.equal(c.misses, 1);
  assert.equal(c.hits, 49);
});

const TS = '2024-05-06 07:08:09.123456';

test('now()/CURRENT_* become the main node timestamp, keeping types and precision; other text stays byte for byte', () => {
  const q = bytes("UPDATE t SET a = now(), b = CURRENT_DATE, c = current_timestamp(3), d = localtime, e = pg_catalog.now()::date, f = 'now()' WHERE g = 'é'");
  const info = classifyText(q);
  const out = back(rewriteForOthers(q, tokenize(q), info, TS).text);
  assert.equal(
    out,
    `UPDATE t SET a = ('${TS}+00'::timestamptz), b = (('${TS}+00'::timestamptz)::date), c = ('${TS}+00'::timestamptz(3)), d = (('${TS}+00'::timestamptz)::time), e = ('${TS}+00'::timestamptz)::date, f = 'now()' WHERE g = 'é'`,
  );
  assert.equal(timeLiteral(TS, 'timetz', 2), `(('${TS}+00'::timestamptz)::timetz(2))`);
});

// Built after the parser is loaded (the DEFAULT expressions are parsed too).
const orders = () => parseTableFacts([
  ['id', "nextval('orders_id_seq'::regclass)", '16390', null, ''],
  ['note', null, null, null, ''],
  ['created', 'CURRENT_TIMESTAMP', null, null, ''],
  ['day', "date_trunc('day'::text, now())", null, null, ''],
]);

test('catalog facts: sequences and time DEFAULTs of a table', () => {
  assert.deepEqual(orders().columns.map((c) => [c.name, c.sequences, !!c.timeDefault]), [
    ['id', [16390], false],
    ['note', [], false],
    ['created', [], true],
    ['day', [], true],
  ]);
  assert.equal(sequenceLockKey(16390), ((0x52444c4bn << 32n) | 16390n).toString());
  assert.match(sequenceLockSql([16390, 5, 16390], ['s'])!, /^SELECT pg_catalog.pg_advisory_xact_lock\(\d+\), pg_catalog.pg_advisory_xact_lock\(\d+\), pg_catalog.pg_advisory_xact_lock\(.*to_regclass\('s'\)/);
});

test('time DEFAULTs become explicit values for the other nodes (column list, no list, DEFAULT, DEFAULT VALUES, UPDATE)', () => {
  const rw = (s: string) => back(rewriteForOthers(bytes(s), tokenize(bytes(s)), classifyText(bytes(s)), TS, orders()).text);
  const c = `('${TS}+00'::timestamptz)`;
  const d = `(date_trunc('day'::text, ('${TS}+00'::timestamptz)))`;
  assert.equal(rw("INSERT INTO orders (note) VALUES ('a'), ('b')"), `INSERT INTO orders (note, "created", "day") VALUES ('a', (${c}), ${d}), ('b', (${c}), ${d})`);
  assert.equal(rw("INSERT INTO orders VALUES (DEFAULT, 'x')"), `INSERT INTO orders ("id", "note", "created", "day") VALUES (DEFAULT, 'x', (${c}), ${d})`);
  assert.equal(rw("INSERT INTO orders (note, created) VALUES ('x', DEFAULT) RETURNING id"), `INSERT INTO orders (note, created, "day") VALUES ('x', (${c}), ${d}) RETURNING id`);
  assert.equal(rw('INSERT INTO orders DEFAULT VALUES'), `INSERT INTO orders ("created", "day") VALUES ((${c}), ${d})`);
  assert.equal(rw('UPDATE orders SET created = DEFAULT, note = $1'), `UPDATE orders SET created = (${c}), note = $1`);
  // INSERT ... SELECT with a column list: the query becomes a subquery that also yields the main node's values.
  const src = (q: string) => `SELECT "replicadesk_src".*, (${c}), ${d} FROM (${q}) AS "replicadesk_src"`;
  assert.equal(rw('INSERT INTO orders (note) SELECT x FROM y'), `INSERT INTO orders (note, "created", "day") ${src('SELECT x FROM y')}`);
  assert.equal(rw('INSERT INTO orders (note) SELECT x FROM y;'), `INSERT INTO orders (note, "created", "day") ${src('SELECT x FROM y')};`);
  assert.equal(
    rw('INSERT INTO orders (id, note) OVERRIDING SYSTEM VALUE SELECT g, now()::text FROM generate_series(1, 3) g ORDER BY g ON CONFLICT (id) DO NOTHING RETURNING id, (SELECT 1)'),
    `INSERT INTO orders (id, note, "created", "day") OVERRIDING SYSTEM VALUE ${src(`SELECT g, ${c}::text FROM generate_series(1, 3) g ORDER BY g`)} ON CONFLICT (id) DO NOTHING RETURNING id, (SELECT 1)`,
  );
  assert.equal(rw('INSERT INTO orders (note) WITH w AS (SELECT 1) SELECT \'a\' FROM w UNION ALL VALUES (\'b\') RETURNING *'), `INSERT INTO orders (note, "created", "day") ${src("WITH w AS (SELECT 1) SELECT 'a' FROM w UNION ALL VALUES ('b')")} RETURNING *`);
  const sel = rewriteForOthers(bytes('INSERT INTO orders SELECT x FROM y'), tokenize('INSERT INTO orders SELECT x FROM y'), classifyText('INSERT INTO orders SELECT x FROM y'), TS, orders());
  assert.match(sel.problems[0]!, /INSERT \.\.\. SELECT .* without a column list/);
});

test('COPY FROM with a column list leaving out a time DEFAULT is staged for the other nodes', () => {
  const q = "COPY public.orders (note) FROM STDIN WITH (FORMAT csv)";
  const st = copyForOthers(q, tokenize(q), classifyText(q), TS, orders())!;
  assert.deepEqual(st.before, ['CREATE TEMP TABLE "replicadesk_copy" AS SELECT "note" FROM public.orders WITH NO DATA']);
  assert.equal(st.copy, 'COPY pg_temp."replicadesk_copy" (note) FROM STDIN WITH (FORMAT csv)');
  assert.match(st.after[0]!, /^INSERT INTO public.orders \("note", "created", "day"\) SELECT "note", /);
  assert.match(st.after[0]!, /ORDER BY ctid$/);
  assert.equal(copyForOthers('COPY orders FROM STDIN', tokenize('COPY orders FROM STDIN'), classifyText('COPY orders FROM STDIN'), TS, orders()), undefined);
});

test('SQL-level PREPARE that reads the clock: the other nodes take the time as one more parameter, EXECUTE passes it', () => {
  const run = (sql: string, table?: Parameters<typeof prepareForOthers>[3]) => {
    const text = bytes(sql);
    const tokens = tokenize(text);
    return prepareForOthers(text, tokens, classifyText(text, tokens), table);
  };
  const a = run('PREPARE ins (int, text) AS INSERT INTO log (n, label, at) VALUES ($1, $2, now())');
  assert.ok(!('reason' in a));
  assert.equal(a.param, 3);
  assert.equal(back(a.text), 'PREPARE ins (int, text, pg_catalog.timestamptz) AS INSERT INTO log (n, label, at) VALUES ($1, $2, ($3::pg_catalog.timestamptz))');
  const b = run('PREPARE up AS UPDATE t SET d = CURRENT_DATE WHERE id = $1');
  assert.ok(!('reason' in b));
  assert.equal(b.param, 2, 'untyped parameters are inferred, so is the added one (from its cast)');
  assert.equal(back(b.text), 'PREPARE up AS UPDATE t SET d = (($2::pg_catalog.timestamptz)::date) WHERE id = $1');
  // A time DEFAULT the INSERT leaves out is filled from the parameter too.
  const facts = parseTableFacts([
    ['n', null, null, null, ''],
    ['at', 'now()', null, null, ''],
  ]);
  const c = run('PREPARE p2 (int) AS INSERT INTO log (n) VALUES ($1)', facts);
  assert.ok(!('reason' in c));
  assert.equal(back(c.text), 'PREPARE p2 (int, pg_catalog.timestamptz) AS INSERT INTO log (n, "at") VALUES ($1, (($2::pg_catalog.timestamptz)))');
  const d = run('PREPARE odd (int) AS INSERT INTO log VALUES ($1, $2, now())');
  assert.ok('reason' in d, 'a parameter past the declared types leaves no place for ours');
  const exec = (sql: string) => {
    const text = bytes(sql);
    return back(executeForOthers(text, tokenize(text), '2026-11-21 10:00:00.123456'));
  };
  assert.equal(exec('EXECUTE ins (7, \'x\')'), "EXECUTE ins (7, 'x', '2026-11-21 10:00:00.123456+00'::timestamptz)");
  assert.equal(exec('EXECUTE up'), "EXECUTE up ('2026-11-21 10:00:00.123456+00'::timestamptz)");
});

test('large objects whose OID each node would pick are reported like other per-node values', () => {
  const v = (sql: string) => classifyText(bytes(sql)).volatileCalls;
  assert.deepEqual(v('SELECT lo_create(0)'), ['lo_create']);
  assert.deepEqual(v('SELECT lo_creat(-1)'), ['lo_creat']);
  assert.deepEqual(v("SELECT lo_import('/tmp/x')"), ['lo_import']);
  assert.deepEqual(v("INSERT INTO docs (body) VALUES (lo_from_bytea(0, 'abc'))"), ['lo_from_bytea']);
  assert.deepEqual(v('SELECT lo_create(424242)'), [], 'an OID chosen by the application is the same everywhere');
  assert.deepEqual(v("SELECT lo_import('/tmp/x', 424242)"), []);
  assert.deepEqual(v('SELECT lo_create($1)'), [], 'a parameter is the application choosing');
});
