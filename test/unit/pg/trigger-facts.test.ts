import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { classifyText, loadSqlParser, routineCallsOf } from '../../../core/pg/sql/classify';
import { NO_TRIGGERS, analyzeFunctions, analyzeTriggers, functionFactsSql, plpgsqlStatements } from '../../../core/pg/sql/trigger-facts';

before(() => loadSqlParser());

test('a write names every table it writes, including data-modifying WITH queries and COPY FROM', () => {
  assert.deepEqual(classifyText('UPDATE items SET v = v + 1 WHERE id = 3').writeTargets, [{ name: 'items' }]);
  assert.deepEqual(classifyText('DELETE FROM app.items WHERE id = 3').writeTargets, [{ schema: 'app', name: 'items' }]);
  assert.deepEqual(classifyText('WITH moved AS (DELETE FROM inbox RETURNING *) INSERT INTO archive SELECT * FROM moved').writeTargets, [{ name: 'archive' }, { name: 'inbox' }]);
  assert.deepEqual(classifyText('COPY items (id, v) FROM STDIN').writeTargets, [{ name: 'items' }]);
  assert.deepEqual(classifyText('SELECT * FROM items').writeTargets, [], 'a read writes nothing');
});

test('routine bodies: clock, volatile functions, literal sequences and written tables are found by the parser', () => {
  const c = routineCallsOf("INSERT INTO audit (at, k) VALUES (CURRENT_TIMESTAMP, gen_random_uuid()); SELECT nextval('audit_no'), now()");
  assert.ok(c);
  assert.deepEqual(c.time.sort(), ['current_timestamp', 'now']);
  assert.deepEqual(c.volatile, ['gen_random_uuid']);
  assert.deepEqual(c.sequences, ['audit_no']);
  assert.deepEqual(c.writes, [{ name: 'audit' }]);
  // A string that merely mentions now() is not a call.
  assert.deepEqual(routineCallsOf("SELECT 'now()' || 'nextval(x)'")?.time, []);
  assert.equal(routineCallsOf('SELEC broken'), undefined);
});

test('PL/pgSQL bodies: statements, bare expressions and assignments all reach the SQL parser', () => {
  const body = `
DECLARE n int;
BEGIN
  NEW.updated_at := now();
  n = nextval('ticket_no');
  IF NEW.qty > 0 THEN
    INSERT INTO stock_log (item, qty) VALUES (NEW.id, NEW.qty);
  END IF;
  RETURN NEW;
END`;
  const r = plpgsqlStatements(body);
  assert.ok(r);
  assert.equal(r.dynamic, false);
  const facts = analyzeTriggers([['stamp', 'plpgsql', 'stamp_row', body]]);
  assert.deepEqual(facts.time, ['stamp (stamp_row()): now']);
  assert.deepEqual(facts.sequences, ['ticket_no']);
  assert.deepEqual(facts.writes, [{ name: 'stock_log' }]);
  assert.deepEqual(facts.unreadable, []);
});

test('triggers that cannot be read are named, not ignored; harmless built-ins and no triggers are quiet', () => {
  const dyn = analyzeTriggers([['t1', 'plpgsql', 'f1', "BEGIN EXECUTE 'INSERT INTO x VALUES (1)'; RETURN NEW; END"]]);
  assert.deepEqual(dyn.unreadable, ['t1 (f1()): runs dynamic SQL (EXECUTE)']);
  const other = analyzeTriggers([['t2', 'plpython3u', 'f2', 'return None']]);
  assert.deepEqual(other.unreadable, ['t2 (f2()): written in plpython3u']);
  const broken = analyzeTriggers([['t3', 'plpgsql', 'f3', 'BEGIN this is not plpgsql END']]);
  assert.equal(broken.unreadable.length, 1);
  assert.deepEqual(analyzeTriggers([['t4', 'internal', 'suppress_redundant_updates_trigger', 'suppress_redundant_updates_trigger']]).unreadable, []);
  assert.deepEqual(analyzeTriggers([['t5', 'c', 'moddatetime', 'moddatetime']]).time, ['t5 (moddatetime()): moddatetime']);
  assert.equal(analyzeTriggers([]), NO_TRIGGERS);
});

test("the user's functions: SQL bodies (classic and SQL-standard), PL/pgSQL, calls to further functions; C functions stay quiet", () => {
  const sql = analyzeFunctions([['public.add_line', 'sql', 'add_line', "INSERT INTO lines (at) VALUES (localtimestamp); SELECT setval('s', 1)"]]);
  assert.deepEqual(sql.time, ['public.add_line(): localtimestamp']);
  assert.deepEqual(sql.sequences, ['s']);
  assert.deepEqual(sql.writes, [{ name: 'lines' }]);
  const atomic = analyzeFunctions([['app.log_it', 'sql', 'log_it', 'BEGIN ATOMIC\n INSERT INTO app.log (msg) VALUES (audit_text(1));\nEND']]);
  assert.deepEqual(atomic.writes, [{ schema: 'app', name: 'log' }]);
  assert.deepEqual(atomic.calls, ['audit_text'], 'a call to another function is followed');
  assert.deepEqual(atomic.unreadable, []);
  const body = 'BEGIN INSERT INTO orders (item) VALUES (p_item) RETURNING id INTO o; RETURN; END';
  const pl = analyzeFunctions([['public.new_order', 'plpgsql', 'new_order', body, 'p_item text, OUT o integer', 'integer']]);
  assert.deepEqual(pl.writes, [{ name: 'orders' }], 'the OUT parameter is known to the parser');
  assert.equal(analyzeFunctions([['public.new_order', 'plpgsql', 'new_order', body, '', 'integer']]).unreadable.length, 1, 'without it the body does not parse');
  assert.deepEqual(analyzeFunctions([['public.st_x', 'c', 'st_x', 'st_x']]), { time: [], volatile: [], sequences: [], writes: [], calls: [], unreadable: [] });
  const classified = classifyText("INSERT INTO t VALUES (new_id(), lower('A'), app.stamp())");
  assert.deepEqual([...classified.calledFunctions].sort(), ['app.stamp', 'new_id'], 'well-known built-ins are not looked up');
  assert.deepEqual(classifyText('CALL app.close_day(1)').calledFunctions, ['app.close_day']);
});

test('the function question asks for SQL-standard bodies only of servers that have them (PostgreSQL 14+)', () => {
  assert.match(functionFactsSql(['f', 'app.g'], 15), /pg_get_function_sqlbody/);
  assert.doesNotMatch(functionFactsSql(['f'], 13), /prosqlbody|pg_get_function_sqlbody/);
  assert.match(functionFactsSql(['app.g'], 15), /n\.nspname = 'app' AND p\.proname = 'g'/);
});
