import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { uniqueName, useSuiteServers } from '../../servers/suite';
import { type RunningProxy, direct, fingerprint, startProxyWithDatabase } from './helpers';

const servers = useSuiteServers();
const db = uniqueName('fanout_sqlprep');
let rp: RunningProxy;

// SQL-level PREPARE / EXECUTE: the statement runs at EXECUTE, on each node with that node's clock and
// sequence order, long after the PREPARE went by. The other nodes get the main node's time as an extra
// parameter, and EXECUTE takes the sequence lock its statement needs.
describe('fan-out SQL-level PREPARE and EXECUTE', () => {
  before(async () => {
    rp = await startProxyWithDatabase(servers().pg, db, { loadBalance: false });
    const c = await rp.client(db);
    await c.query('CREATE TABLE log (id serial PRIMARY KEY, n int, label text, at timestamptz, made timestamptz DEFAULT now(), day date)');
    await c.end();
  });

  after(async () => {
    await rp?.stop();
  });

  test('prepared writes that read the clock and draw ids store the same rows on every node', async () => {
    const clients = await Promise.all([0, 1, 2, 3].map(() => rp.client(db)));
    const notices: string[] = [];
    for (const c of clients) c.on('notice', (n) => notices.push(n.message ?? ''));
    await Promise.all(
      clients.map(async (c, i) => {
        await c.query('PREPARE ins (int, text) AS INSERT INTO log (n, label, at, day) VALUES ($1, $2, now(), CURRENT_DATE)');
        await c.query('PREPARE bare AS INSERT INTO log (n) VALUES (-1)');
        await c.query('PREPARE touch (int) AS UPDATE log SET at = now() WHERE n = $1');
        for (let k = 0; k < 15; k++) {
          await new Promise((r) => setTimeout(r, 2));
          if (k % 4 === 3) {
            await c.query('BEGIN');
            await c.query(`EXECUTE ins (${i * 100 + k}, 'in tx')`);
            await c.query(`EXECUTE touch (${i * 100 + k - 1})`);
            await c.query('COMMIT');
          } else await c.query(`EXECUTE ins (${i * 100 + k}, 'auto ${k}')`);
        }
        await c.query('EXECUTE bare');
      }),
    );
    await Promise.all(clients.map((c) => c.end()));
    assert.deepEqual(notices.filter((m) => /ReplicaDesk/.test(m)), [], 'nothing was left to each node');
    assert.deepEqual(rp.events.filter((e) => e.type === 'mismatch'), []);
    const [f0, f1] = await Promise.all(servers().pg.map((s) => fingerprint(s, db)));
    assert.equal(f0['"public"."log"']?.split(' ')[0], '64');
    assert.deepEqual(f1, f0, 'node 1 holds the same rows, ids and times as node 0');
    const n0 = await direct(servers().pg[0]!, db);
    try {
      const r = await n0.query('SELECT count(DISTINCT made)::int AS made, count(*) FILTER (WHERE at IS NULL)::int AS no_at FROM log');
      assert.ok(r.rows[0].made > 1, 'the rows were written at different times (the check compares real clocks)');
      assert.equal(r.rows[0].no_at, 4, 'only the bare inserts have no time');
    } finally {
      await n0.end();
    }
  });
});
