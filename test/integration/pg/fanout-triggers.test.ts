import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { uniqueName, useSuiteServers } from '../../servers/suite';
import { type RunningProxy, direct, fingerprint, startProxyWithDatabase } from './helpers';

const servers = useSuiteServers();
const db = uniqueName('fanout_trig');
const role = uniqueName('rd_trig_app').toLowerCase();
let rp: RunningProxy;

// Triggers run on every node inside the statement that fired them. An audit trigger that inserts into a
// SERIAL log table draws ids in the order the firing statements ran on that node; concurrent sessions reach
// the other nodes in a different order than the main node unless the firing statements take the sequence
// lock (insert_lock). A trigger that reads the clock cannot be made to agree: the client is told.
describe('fan-out, triggers and functions', () => {
  before(async () => {
    const s0 = servers().pg[0]!;
    rp = await startProxyWithDatabase(servers().pg, db, { loadBalance: false }, `${s0.user}:TEXT${s0.password}\n${role}:TEXTapp-pw\n`);
    const c = await rp.client(db);
    await c.query('CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL)');
    await c.query('INSERT INTO items SELECT g, 0 FROM generate_series(1, 8) g');
    await c.query('CREATE TABLE audit (no serial PRIMARY KEY, item int, qty int)');
    await c.query(`CREATE FUNCTION log_qty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.qty <> OLD.qty THEN
    INSERT INTO audit (item, qty) VALUES (NEW.id, NEW.qty);
  END IF;
  RETURN NEW;
END $$`);
    await c.query('CREATE TRIGGER items_audit AFTER UPDATE ON items FOR EACH ROW EXECUTE FUNCTION log_qty()');
    await c.query('CREATE TABLE notes (id int PRIMARY KEY, body text, changed timestamptz)');
    await c.query(`CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.changed := now(); RETURN NEW; END $$`);
    await c.query('CREATE TRIGGER notes_stamp BEFORE INSERT OR UPDATE ON notes FOR EACH ROW EXECUTE FUNCTION stamp()');
    // Stored-procedure style: the application calls a function that inserts into a SERIAL table.
    await c.query('CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL)');
    await c.query(`CREATE FUNCTION new_order(p_item text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE o int;
BEGIN
  INSERT INTO orders (item) VALUES (p_item) RETURNING id INTO o;
  RETURN o;
END $$`);
    await c.query("CREATE FUNCTION touch_note(p int) RETURNS void LANGUAGE sql AS $$ UPDATE notes SET body = body || '.', changed = clock_timestamp() WHERE id = p $$");
    await c.end();
  });

  after(async () => {
    await rp?.stop();
  });

  test('concurrent updates whose trigger fills a SERIAL audit table leave the same audit rows on every node', async () => {
    const clients = await Promise.all([1, 2, 3, 4, 5, 6].map(() => rp.client(db)));
    const notices: string[] = [];
    for (const c of clients) c.on('notice', (n) => notices.push(n.message ?? ''));
    await Promise.all(
      clients.map(async (c, i) => {
        for (let k = 1; k <= 30; k++) {
          if (k % 5 === 0) {
            await c.query('BEGIN');
            await c.query('UPDATE items SET qty = qty + 1 WHERE id = $1', [i + 1]);
            await c.query('UPDATE items SET qty = qty + 1 WHERE id = 7');
            await c.query('COMMIT');
          } else await c.query(`UPDATE items SET qty = qty + 1 WHERE id = ${i + 1}`);
        }
      }),
    );
    await Promise.all(clients.map((c) => c.end()));
    assert.deepEqual(notices.filter((m) => /ReplicaDesk/.test(m)), [], 'the audit trigger is fully readable: nothing to warn about');
    assert.deepEqual(rp.events.filter((e) => e.type === 'mismatch'), []);
    const [f0, f1] = await Promise.all(servers().pg.map((s) => fingerprint(s, db)));
    assert.equal(f0['"public"."audit"']?.split(' ')[0], String(6 * 30 + 6 * 6), 'one audit row per change');
    assert.deepEqual(f1, f0, 'node 1 numbered the audit rows as node 0 did');
  });

  test('a trigger that stamps the time: the client is warned once per table and session, naming the trigger', async () => {
    const c = await rp.client(db);
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    try {
      await c.query("INSERT INTO notes VALUES (1, 'first')");
      await c.query("UPDATE notes SET body = 'second' WHERE id = 1");
      await c.query('SELECT 1'); // the notice of the last write has arrived
    } finally {
      await c.end();
    }
    const ours = notices.filter((m) => /ReplicaDesk/.test(m));
    assert.equal(ours.length, 1, `one warning, got: ${JSON.stringify(notices)}`);
    assert.match(ours[0]!, /"notes"/);
    assert.match(ours[0]!, /notes_stamp \(stamp\(\)\): now reads the clock/);
  });

  test("concurrent calls of a function that inserts into a SERIAL table give every node the same ids; a function's clock is reported", async () => {
    const clients = await Promise.all([1, 2, 3, 4, 5].map(() => rp.client(db)));
    const notices: string[] = [];
    for (const c of clients) c.on('notice', (n) => notices.push(n.message ?? ''));
    const ids: number[] = [];
    await Promise.all(
      clients.map(async (c, i) => {
        for (let k = 0; k < 20; k++) ids.push((await c.query('SELECT new_order($1) AS id', [`client ${i} order ${k}`])).rows[0].id);
      }),
    );
    await clients[0]!.query('SELECT touch_note(1)');
    await clients[0]!.query('SELECT 1');
    await Promise.all(clients.map((c) => c.end()));
    assert.equal(new Set(ids).size, 100, 'each call got its own id');
    const [f0, f1] = await Promise.all(servers().pg.map((s) => fingerprint(s, db)));
    assert.deepEqual(f1['"public"."orders"'], f0['"public"."orders"'], 'node 1 numbered the orders as node 0 did');
    const ours = notices.filter((m) => /ReplicaDesk/.test(m));
    // touch_note() itself, and the trigger on the table it updates (followed from the function's UPDATE).
    assert.equal(ours.length, 2, `two warnings, got: ${JSON.stringify(ours)}`);
    assert.match(ours[0]!, /the function touch_note\(\) runs .*public\.touch_note\(\): clock_timestamp differs per node/);
    assert.match(ours[1]!, /triggers on "notes" run .*notes_stamp \(stamp\(\)\): now reads the clock/);
    // The service hears of each once per run (history, dashboard), however many sessions meet it.
    const warnings = rp.events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
    assert.equal(warnings.filter((m) => /notes_stamp/.test(m)).length, 1, JSON.stringify(warnings));
    assert.equal(warnings.filter((m) => /touch_note/.test(m)).length, 1, JSON.stringify(warnings));
    assert.match(warnings.find((m) => /touch_note/.test(m))!, new RegExp(`^In database ${db}, the function touch_note\\(\\) runs on each node`));
    assert.deepEqual(rp.events.filter((e) => e.type === 'mismatch'), []);
  });

  test("a catalog question the client's role may not ask does not abort its transaction; the service is told", async () => {
    const admin = await rp.client(db);
    await admin.query(`CREATE ROLE "${role}" LOGIN PASSWORD 'app-pw'`);
    try {
      await admin.query('CREATE TABLE guarded (id int PRIMARY KEY)');
      await admin.query(`GRANT ALL ON guarded TO "${role}"`);
      await admin.query('REVOKE SELECT ON pg_catalog.pg_trigger FROM PUBLIC');
      const app = await rp.client(db, { user: role, password: 'app-pw' });
      await app.query('BEGIN');
      await app.query('INSERT INTO guarded VALUES (1)');
      await app.query('INSERT INTO guarded VALUES (2)');
      await app.query('COMMIT');
      await app.end();
      for (const s of servers().pg) {
        const c = await direct(s, db);
        assert.equal((await c.query('SELECT count(*)::int AS n FROM guarded')).rows[0].n, 2, `node ${s.port} has both rows`);
        await c.end();
      }
      const warnings = rp.events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
      assert.ok(warnings.some((m) => /a catalog question ReplicaDesk asks the main node failed \(permission denied/.test(m)), JSON.stringify(warnings));
    } finally {
      await admin.query('GRANT SELECT ON pg_catalog.pg_trigger TO PUBLIC');
      await admin.query(`DROP OWNED BY "${role}"`);
      await admin.end();
      const pg0 = await rp.client('postgres');
      await pg0.query(`DROP ROLE "${role}"`);
      await pg0.end();
    }
  });
});
