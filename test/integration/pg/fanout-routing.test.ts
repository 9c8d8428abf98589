import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { PoolHbaDocument } from '../../../core/config/pgpool/pool-hba';
import { uniqueName, useSuiteServers } from '../../servers/suite';
import { type RunningProxy, direct, fingerprint, pgbench, psql, sendCancel, startProxy, startProxyWithDatabase } from './helpers';

const servers = useSuiteServers();
const db = uniqueName('fanout');
let rp: RunningProxy;

async function assertIdentical(what: string): Promise<void> {
  const [a, b] = await Promise.all(servers().pg.map((s) => fingerprint(s, db)));
  assert.ok(Object.keys(a!).length > 0, 'there is something to compare');
  assert.deepEqual(b, a, `${what}: node 1 differs from node 0`);
}

// Root-level before/after hooks run concurrently in Node 20: our setup lives in a suite, after the servers'.
describe('fan-out routing', () => {
  before(async () => {
    rp = await startProxyWithDatabase(servers().pg, db);
  });

  after(async () => {
    await rp?.stop();
  });

  test('simple and extended protocol, multi-statement queries, transactions and savepoints reach every node alike', async () => {
    const c = await rp.client(db);
    await c.query('CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int NOT NULL DEFAULT 0)');
    await c.query("INSERT INTO items VALUES (1, 'one', 1), (2, 'two', 2)");
    await c.query('INSERT INTO items (id, name, qty) VALUES ($1, $2, $3)', [3, 'three', 3]);
    await c.query("UPDATE items SET qty = qty + 10 WHERE id <= 2; INSERT INTO items VALUES (4, 'four', 4); DELETE FROM items WHERE id = 3");
    await c.query('BEGIN');
    await c.query("UPDATE items SET name = name || '!' WHERE id = 1");
    await c.query('SAVEPOINT s1');
    await assert.rejects(c.query("INSERT INTO items VALUES (1, 'dup', 0)"), /duplicate key/);
    await c.query('ROLLBACK TO SAVEPOINT s1');
    await c.query("INSERT INTO items VALUES (5, 'five', 5)");
    const inTx = await c.query('SELECT count(*)::int AS n FROM items');
    assert.equal(inTx.rows[0].n, 4, 'reads after a write in the transaction see it (main node)');
    await c.query('COMMIT');
    await c.query('BEGIN');
    await c.query("UPDATE items SET qty = 999 WHERE id = 2");
    await c.query('ROLLBACK');
    // A failed transaction: COMMIT turns into ROLLBACK on every node.
    await c.query('BEGIN');
    await c.query("UPDATE items SET qty = -1 WHERE id = 4");
    await assert.rejects(c.query('SELECT 1/0'), /division by zero/);
    const end = await c.query('COMMIT');
    assert.equal(end.command, 'ROLLBACK');
    const rows = (await c.query('SELECT id, name, qty FROM items ORDER BY id')).rows;
    assert.deepEqual(rows, [
      { id: 1, name: 'one!', qty: 11 },
      { id: 2, name: 'two', qty: 12 },
      { id: 4, name: 'four', qty: 4 },
      { id: 5, name: 'five', qty: 5 },
    ]);
    await assertIdentical('after mixed statements');
  });

  test('named prepared statements, reads balanced by weight, SHOW POOL_NODES', async () => {
    const c = await rp.client(db);
    await c.query('CREATE TABLE kv (k int PRIMARY KEY, v text)');
    for (let i = 0; i < 20; i++) await c.query({ name: 'ins', text: 'INSERT INTO kv VALUES ($1, $2)', values: [i, `v${i}`] });
    for (let i = 0; i < 20; i++) {
      const r = await c.query({ name: 'get', text: 'SELECT v FROM kv WHERE k = $1', values: [i] });
      assert.equal(r.rows[0].v, `v${i}`);
    }
    const nodes = (await c.query('SHOW POOL_NODES')).rows;
    assert.equal(nodes.length, 2);
    assert.deepEqual(nodes.map((n) => [n.node_id, n.status, n.role]), [
      ['0', 'up', 'main'],
      ['1', 'up', 'replica'],
    ]);
    assert.equal(nodes.filter((n) => n.load_balance_node === 'true').length, 1);
    const lb = nodes.find((n) => n.load_balance_node === 'true')!;
    assert.ok(Number(lb.select_cnt) >= 20, 'the session read from its load-balance node');
    // Many sessions spread over both nodes.
    const before = rp.proxy.nodes().map((n) => n.select_cnt);
    for (let i = 0; i < 16; i++) {
      const s = await rp.client(db);
      await s.query('SELECT count(*) FROM kv');
      await s.end();
    }
    const grown = rp.proxy.nodes().map((n, i) => n.select_cnt - before[i]!);
    assert.ok(grown[0]! > 0 && grown[1]! > 0, `reads went to both nodes: ${grown}`);
    await assertIdentical('after prepared statements');
  });

  test('SERIAL, IDENTITY, nextval() and DEFAULT now()/CURRENT_TIMESTAMP written by many concurrent clients are identical', async () => {
    const setup = await rp.client(db);
    await setup.query('CREATE TABLE orders (id serial PRIMARY KEY, client int, note text, created timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP, day date DEFAULT current_date, stamp timestamp(3) DEFAULT localtimestamp(3))');
    await setup.query('CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY, at timestamptz DEFAULT now(), kind text)');
    await setup.query('CREATE SEQUENCE tickets');
    await setup.query('CREATE TABLE ticket_log (ticket bigint, at timestamptz)');
    const clients = await Promise.all(Array.from({ length: 8 }, () => rp.client(db)));
    await Promise.all(
      clients.map(async (c, n) => {
        for (let i = 0; i < 15; i++) {
          switch (i % 5) {
            case 0:
              await c.query(`INSERT INTO orders (client, note) VALUES (${n}, 'auto ${i}')`);
              break;
            case 1:
              await c.query('BEGIN');
              await c.query('INSERT INTO orders (client, note) VALUES ($1, $2), ($1, $3)', [n, `tx ${i}a`, `tx ${i}b`]);
              await c.query("INSERT INTO events (kind) VALUES ('tx')");
              await c.query('COMMIT');
              break;
            case 2:
              await c.query('INSERT INTO events DEFAULT VALUES');
              await c.query("INSERT INTO ticket_log VALUES (nextval('tickets'), now())");
              break;
            case 3:
              await c.query({ name: `p${n}`, text: 'INSERT INTO orders (client, note, created) VALUES ($1, $2, DEFAULT) RETURNING id', values: [n, `prep ${i}`] });
              break;
            default:
              await c.query('BEGIN');
              await c.query("UPDATE orders SET note = note || ' upd', created = CURRENT_TIMESTAMP WHERE client = $1", [n]);
              await c.query('ROLLBACK');
              await c.query("INSERT INTO orders VALUES (DEFAULT, $1, 'defaults', DEFAULT)", [n]);
          }
        }
      }),
    );
    const count = await setup.query('SELECT count(*)::int AS n FROM orders');
    assert.equal(count.rows[0].n, 8 * 15);
    await assertIdentical('after concurrent SERIAL / DEFAULT now() inserts');
  });

  test('COPY FROM STDIN and TO STDOUT through psql', async () => {
    const c = await rp.client(db);
    await c.query('CREATE TABLE imported (id serial, a int, b text, at timestamptz DEFAULT now())');
    const rows = Array.from({ length: 2000 }, (_, i) => `${i}\trow ${i}`).join('\n') + '\n';
    await psql(rp.port, servers().pg[0]!.user, servers().pg[0]!.password, db, ['-c', 'COPY imported (a, b) FROM STDIN'], rows);
    const out = await psql(rp.port, servers().pg[0]!.user, servers().pg[0]!.password, db, ['-c', 'COPY (SELECT a, b FROM imported ORDER BY a) TO STDOUT']);
    assert.equal(out.stdout, rows);
    // In a transaction, and a failing COPY that rolls back.
    await psql(rp.port, servers().pg[0]!.user, servers().pg[0]!.password, db, ['-1', '-c', 'COPY imported (a, b) FROM STDIN'], '5000\tin tx\n');
    await assert.rejects(psql(rp.port, servers().pg[0]!.user, servers().pg[0]!.password, db, ['-c', 'COPY imported (a, b) FROM STDIN'], 'not-a-number\tx\n'), /invalid input syntax/);
    assert.equal((await c.query('SELECT count(*)::int AS n FROM imported')).rows[0].n, 2001);
    await assertIdentical('after COPY');
  });

  test('a read that fails inside a transaction does not hang and leaves every node alike', async () => {
    const c = await rp.client(db);
    await c.query('CREATE TABLE t_readfail (x int)');
    await c.query('BEGIN');
    await assert.rejects(c.query('SELECT 1/0'), /division by zero/);
    await assert.rejects(c.query('INSERT INTO t_readfail VALUES (1)'), /current transaction is aborted/);
    await c.query('ROLLBACK');
    await c.query('BEGIN');
    await c.query('SELECT count(*) FROM t_readfail');
    await c.query('INSERT INTO t_readfail VALUES (2)');
    await c.query('COMMIT');
    assert.deepEqual((await c.query('SELECT x FROM t_readfail')).rows, [{ x: 2 }]);
    await assertIdentical('after a failed read in a transaction');
  });

  test('volatile functions in writes are reported to the client as a warning', async () => {
    const c = await rp.client(db);
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    await c.query('CREATE TABLE t_rand (x float8)');
    await c.query('INSERT INTO t_rand VALUES (1)');
    await c.query('UPDATE t_rand SET x = random() WHERE false');
    assert.ok(notices.some((m) => /random\(\) gives a different value on each PostgreSQL node/.test(m)), `notices: ${notices.join(' | ')}`);
    await c.query('CREATE TABLE t_stamped (x float8, at timestamptz DEFAULT now())');
    // With a column list the main node's time is filled in (fanout-insert-select.test.ts); without one the
    // number of columns the query yields is unknown, so each node computes the DEFAULT itself.
    await c.query('INSERT INTO t_stamped SELECT x FROM t_rand');
    assert.ok(notices.some((m) => /INSERT \.\.\. SELECT into t_stamped without a column list leaves its time DEFAULTs to each node/.test(m)), `notices: ${notices.join(' | ')}`);
    // That row really differs between the nodes: do not leave it for the comparisons that follow.
    await c.query('DROP TABLE t_stamped');
    await c.query('UPDATE t_rand SET x = random() WHERE false');
    // A large object whose OID each node picks: told as well. Each node holds it under its own OID (which
    // is why), so it is removed on each node directly to leave the nodes comparable.
    await c.query('SELECT lo_create(0) AS oid');
    assert.ok(notices.some((m) => /lo_create\(\) gives a different value on each PostgreSQL node/.test(m)), `notices: ${notices.join(' | ')}`);
    for (const s of servers().pg) {
      const d = await direct(s, db);
      await d.query('SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata');
      await d.end();
    }
    // The service (history, dashboard) hears of each once.
    const warnings = rp.events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
    assert.equal(warnings.filter((m) => /random\(\), which gives a different value on each node/.test(m)).length, 1, JSON.stringify(warnings));
    assert.equal(warnings.filter((m) => /t_stamped without a column list/.test(m)).length, 1, JSON.stringify(warnings));
  });

  test('autocommit writes with large results (held back, then streamed), notices and errors reach the client in order', async () => {
    const c = await rp.client(db);
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    await c.query('CREATE TABLE t_big (id int PRIMARY KEY, pad text)');
    // About 400 KiB of RETURNING rows: more than the proxy holds back for its own ReadyForQuery.
    const big = await c.query("INSERT INTO t_big SELECT g, repeat('x', 200) || g FROM generate_series(1, 2000) g RETURNING id, pad");
    assert.equal(big.rowCount, 2000);
    assert.deepEqual(big.rows.slice(0, 2).map((r) => r.id), [1, 2]);
    assert.equal(big.rows[1999].pad, 'x'.repeat(200) + '2000');
    const small = await c.query('UPDATE t_big SET pad = pad WHERE id <= 3 RETURNING id');
    assert.deepEqual(small.rows.map((r) => r.id).sort(), [1, 2, 3]);
    await c.query("DO $$BEGIN RAISE NOTICE 'rd-notice-1'; RAISE NOTICE 'rd-notice-2'; END$$; UPDATE t_big SET pad = 'y' WHERE id = 1");
    assert.deepEqual(notices.filter((m) => m.startsWith('rd-notice')), ['rd-notice-1', 'rd-notice-2']);
    await assert.rejects(c.query('INSERT INTO t_big VALUES (1, null)'), /duplicate key/);
    assert.equal((await c.query('SELECT count(*)::int AS n FROM t_big')).rows[0].n, 2000, 'the session goes on after the error');
    await c.end();
    await assertIdentical('after large autocommit results');
  });

  test('a cancel request reaches the node running the query; the session carries on', async () => {
    const c = await rp.client(db);
    const started = Date.now();
    const slow = c.query('SELECT pg_sleep(20)');
    await new Promise((r) => setTimeout(r, 300));
    await sendCancel(rp.port, c);
    await assert.rejects(slow, /canceling statement due to user request/);
    assert.ok(Date.now() - started < 10_000);
    assert.equal((await c.query('SELECT 41 + 1 AS x')).rows[0].x, 42);
  });

  test('pgbench (simple and prepared) through the proxy leaves both nodes identical', async () => {
    const s = servers().pg[0]!;
    await pgbench(rp.port, s.user, s.password, db, ['-i', '-s', '1', '-q']);
    for (const mode of ['simple', 'prepared', 'extended']) {
      const r = await pgbench(rp.port, s.user, s.password, db, ['-c', '4', '-t', '150', '-M', mode]);
      assert.match(r.stdout, /number of failed transactions: 0 /);
      assert.match(r.stdout, /number of transactions actually processed: 600\/600/);
    }
    await assertIdentical('after pgbench');
  });

  test('malformed protocol bytes get an ErrorResponse and a closed connection; other sessions continue', async () => {
    const other = await rp.client(db);
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const sock = net.connect({ host: '127.0.0.1', port: rp.port });
      const chunks: Buffer[] = [];
      sock.on('data', (d) => chunks.push(d));
      sock.on('close', () => resolve(Buffer.concat(chunks)));
      sock.on('error', reject);
      // A startup packet whose length runs past a sane size.
      sock.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0]));
    });
    assert.equal(reply[0], 0x45, 'an ErrorResponse');
    assert.match(reply.toString('latin1'), /08P01/);
    // After login: a message type that does not exist.
    const trustProxy = await startProxy(servers().pg, { enablePoolHba: true, hba: PoolHbaDocument.parse('host all all 127.0.0.1/32 trust\n', 'pool_hba.conf') });
    try {
      const got = await new Promise<Buffer>((resolve, reject) => {
        const sock = net.connect({ host: '127.0.0.1', port: trustProxy.port });
        const chunks: Buffer[] = [];
        let sent = false;
        sock.on('data', (d) => {
          chunks.push(d);
          if (!sent && Buffer.concat(chunks).includes(Buffer.from('Z\0\0\0\x05I'))) {
            sent = true;
            sock.write(Buffer.from([0x01, 0, 0, 0, 4]));
          }
        });
        sock.on('close', () => resolve(Buffer.concat(chunks)));
        sock.on('error', reject);
        sock.write(serialize.startup({ user: servers().pg[0]!.user, database: db }));
      });
      const text = got.toString('latin1');
      assert.match(text, /invalid frontend message type/);
      assert.match(text, /08P01/);
    } finally {
      await trustProxy.stop();
    }
    assert.equal((await other.query('SELECT 1 AS ok')).rows[0].ok, 1, 'the other session still works');
    assert.ok(other instanceof pg.Client);
  });
});
