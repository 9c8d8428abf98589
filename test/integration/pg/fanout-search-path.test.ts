import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { uniqueName, useSuiteServers } from '../../servers/suite';
import { type RunningProxy, direct, fingerprint, startProxyWithDatabase } from './helpers';

const servers = useSuiteServers();
const db = uniqueName('fanout_path');
let rp: RunningProxy;

// Table facts (time DEFAULTs, sequences) are cached to rewrite writes for the other nodes; an unqualified
// name means whatever the session's search_path finds, so two sessions may mean different tables.
describe('fan-out table facts follow the session search_path', () => {
  before(async () => {
    rp = await startProxyWithDatabase(servers().pg, db, { loadBalance: false });
    const c = await rp.client(db);
    await c.query('CREATE TABLE public.t (id int PRIMARY KEY, ts timestamptz NOT NULL DEFAULT now())');
    await c.query('CREATE SCHEMA s2');
    await c.query('CREATE TABLE s2.t (id int PRIMARY KEY, note text)');
    await c.query('CREATE SCHEMA s3');
    await c.query('CREATE TABLE s3.t (id int PRIMARY KEY, made timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP, serial_no serial)');
    await c.end();
  });

  after(async () => {
    await rp?.stop();
  });

  test('sessions with different search_paths write "t" in their own schema, identically on every node', async () => {
    const a = await rp.client(db);
    const b = await rp.client(db);
    try {
      // Session a fills the cache with public.t (a time DEFAULT the other nodes get as a literal).
      await a.query('INSERT INTO t (id) VALUES (1)');
      // Session b means s2.t (no such column "ts"): public.t's facts would add one for the other nodes.
      await b.query('SET search_path = s2, public');
      await b.query("INSERT INTO t (id, note) VALUES (1, 'b') ");
      await b.query('SET search_path = s3, public');
      // s3.t: a time DEFAULT and a serial of its own, resolved afresh after the second SET.
      await b.query('INSERT INTO t (id) VALUES (7)');
      await b.query('BEGIN');
      await b.query('INSERT INTO t (id) VALUES (8)');
      await b.query('COMMIT');
      await a.query('INSERT INTO t (id) VALUES (2)');
      await b.query('RESET search_path');
      await b.query('INSERT INTO t (id) VALUES (3)');
    } finally {
      await a.end();
      await b.end();
    }
    const events = rp.events.filter((e) => e.type === 'mismatch');
    assert.deepEqual(events, [], 'no node answered differently');
    const [f0, f1] = await Promise.all(servers().pg.map((s) => fingerprint(s, db)));
    assert.deepEqual(f1, f0, 'node 1 holds the same rows as node 0');
    const c = await direct(servers().pg[1]!, db);
    try {
      assert.equal((await c.query('SELECT string_agg(id::text, \',\' ORDER BY id) AS ids FROM public.t')).rows[0].ids, '1,2,3');
      assert.equal((await c.query('SELECT string_agg(id::text, \',\' ORDER BY id) AS ids FROM s2.t')).rows[0].ids, '1');
      assert.equal((await c.query('SELECT string_agg(id || \':\' || serial_no, \',\' ORDER BY id) AS ids FROM s3.t')).rows[0].ids, '7:1,8:2');
    } finally {
      await c.end();
    }
  });
});
