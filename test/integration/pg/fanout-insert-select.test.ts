import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { uniqueName, useSuiteServers } from '../../servers/suite';
import { type RunningProxy, direct, fingerprint, startProxyWithDatabase } from './helpers';

const servers = useSuiteServers();
const db = uniqueName('fanout_inssel');
let rp: RunningProxy;

// INSERT ... SELECT into a table whose DEFAULTs use the time: each node would otherwise fill in its own
// clock for the rows (the other nodes run the statement later than the main node).
describe('fan-out INSERT ... SELECT into tables with time DEFAULTs', () => {
  before(async () => {
    rp = await startProxyWithDatabase(servers().pg, db, { loadBalance: false });
    const c = await rp.client(db);
    await c.query('CREATE TABLE src (n int, label text)');
    await c.query("INSERT INTO src SELECT g, 'row ' || g FROM generate_series(1, 50) g");
    await c.query(
      'CREATE TABLE log (id serial PRIMARY KEY, n int UNIQUE, label text, at timestamptz NOT NULL DEFAULT now(), day date DEFAULT CURRENT_DATE, stamp timestamp(3) DEFAULT localtimestamp(3))',
    );
    await c.end();
  });

  after(async () => {
    await rp?.stop();
  });

  test('autocommit, in a transaction, WITH, ON CONFLICT, RETURNING and the extended protocol: every node stores the same rows', async () => {
    const c = await rp.client(db);
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    try {
      await c.query('INSERT INTO log (n, label) SELECT n, label FROM src WHERE n <= 10 ORDER BY n');
      await c.query('BEGIN');
      await c.query('SELECT pg_sleep(0.01)');
      await c.query('INSERT INTO log (n, label) SELECT n, label FROM src WHERE n > 10 AND n <= 20 ORDER BY n');
      await c.query('COMMIT');
      await c.query('INSERT INTO log (n) WITH w AS (SELECT n FROM src WHERE n > 20 AND n <= 30) SELECT n FROM w ORDER BY n');
      const r = await c.query('INSERT INTO log (n, label) SELECT n, label FROM src WHERE n > 25 AND n <= 40 ORDER BY n ON CONFLICT (n) DO NOTHING RETURNING n');
      assert.deepEqual(r.rows.map((x) => x.n), [31, 32, 33, 34, 35, 36, 37, 38, 39, 40], 'the client sees the main node RETURNING rows');
      // Extended protocol (node-postgres with parameters).
      await c.query('INSERT INTO log (n, label) SELECT n, $1 FROM src WHERE n > $2 ORDER BY n', ['param', 40]);
    } finally {
      await c.end();
    }
    assert.deepEqual(notices.filter((m) => /ReplicaDesk/.test(m)), [], 'nothing was left to each node');
    assert.deepEqual(rp.events.filter((e) => e.type === 'mismatch'), []);
    const [f0, f1] = await Promise.all(servers().pg.map((s) => fingerprint(s, db)));
    assert.deepEqual(f1, f0, 'node 1 holds the same rows (and times) as node 0');
    const n0 = await direct(servers().pg[0]!, db);
    try {
      const r = await n0.query('SELECT count(*)::int AS rows, count(DISTINCT at)::int AS times FROM log');
      assert.deepEqual(r.rows[0], { rows: 50, times: 5 }, 'one timestamp per transaction');
    } finally {
      await n0.end();
    }
  });
});
