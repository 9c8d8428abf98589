import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DesktopChannel, DesktopFanout } from '../../../core/desktop/health';
import { desktopTranslator } from '../../../core/desktop/messages';
import { NotificationRules, type NotificationPolicy } from '../../../core/desktop/notifications';

const t = desktopTranslator('en');
const policy: NotificationPolicy = { lagWarnSeconds: 100, lagRearmFraction: 0.5, sameKeyIntervalMs: 600_000, maxPerWindow: 3, windowMs: 60_000 };
const ch = (name: string, over: Partial<DesktopChannel> = {}): DesktopChannel => ({ name, io: 'running', sql: 'running', secondsBehindMaster: 0, ioError: null, sqlError: null, ...over });
const dup = { errno: 1062, message: "Duplicate entry '7' for key 'PRIMARY'" };
const fo = (statuses: ('up' | 'down')[], running = true): DesktopFanout => ({
  name: 'pg',
  running,
  error: null,
  nodes: statuses.map((status, i) => ({ nodeId: i, hostname: `db${i}`, port: 5432 + i, status })),
});

test('a thread stopping on an error is announced once, with its error, while it stays stopped', () => {
  const rules = new NotificationRules(t, policy);
  assert.deepEqual(rules.evaluate([ch('a')], [], 0), []);
  const first = rules.evaluate([ch('a', { sql: 'stopped', sqlError: dup })], [], 1000);
  assert.equal(first.length, 1);
  assert.equal(first[0]!.severity, 'error');
  assert.match(first[0]!.title, /"a" stopped/);
  assert.match(first[0]!.body, /1062/);
  assert.deepEqual(first[0]!.unit, { kind: 'channel', name: 'a' });
  assert.deepEqual(rules.evaluate([ch('a', { sql: 'stopped', sqlError: dup })], [], 2000), [], 'no repeat while it persists');
});

test('a flapping error is not re-announced within the interval, but is after it', () => {
  const rules = new NotificationRules(t, policy);
  const broken = [ch('a', { io: 'stopped', ioError: { errno: 2003, message: "Can't connect" } })];
  assert.equal(rules.evaluate(broken, [], 0).length, 1);
  assert.equal(rules.evaluate([ch('a')], [], 10_000).length, 0);
  assert.equal(rules.evaluate(broken, [], 20_000).length, 0, 'flap inside the interval stays quiet');
  assert.equal(rules.evaluate([ch('a')], [], 30_000).length, 0);
  assert.equal(rules.evaluate(broken, [], 700_000).length, 1, 'after the interval it is news again');
});

test('a different error on the same thread is news', () => {
  const rules = new NotificationRules(t, policy);
  assert.equal(rules.evaluate([ch('a', { sql: 'stopped', sqlError: dup })], [], 0).length, 1);
  assert.equal(rules.evaluate([ch('a', { sql: 'stopped', sqlError: { errno: 1032, message: "Can't find record" } })], [], 1000).length, 1);
});

test('lag alerts fire on crossing the limit and re-arm only after lag falls well below it', () => {
  const rules = new NotificationRules(t, { ...policy, sameKeyIntervalMs: 0 });
  assert.equal(rules.evaluate([ch('a', { secondsBehindMaster: 100 })], [], 0).length, 0, 'the limit itself is fine');
  const n = rules.evaluate([ch('a', { secondsBehindMaster: 130 })], [], 1);
  assert.equal(n.length, 1);
  assert.match(n[0]!.body, /2 min behind/);
  assert.equal(rules.evaluate([ch('a', { secondsBehindMaster: 80 })], [], 2).length, 0, 'still above the re-arm level');
  assert.equal(rules.evaluate([ch('a', { secondsBehindMaster: 130 })], [], 3).length, 0, 'hysteresis: no second alert');
  assert.equal(rules.evaluate([ch('a', { secondsBehindMaster: null, io: 'connecting' })], [], 4).length, 0, 'NULL lag is no news');
  assert.equal(rules.evaluate([ch('a', { secondsBehindMaster: 140 })], [], 5).length, 0, 'still the same episode');
  assert.equal(rules.evaluate([ch('a', { secondsBehindMaster: 10 })], [], 6).length, 0);
  assert.equal(rules.evaluate([ch('a', { secondsBehindMaster: 130 })], [], 7).length, 1, 're-armed');
});

test('a detached fan-out node is announced once, also across a stop and start of the proxy', () => {
  const rules = new NotificationRules(t, policy);
  assert.equal(rules.evaluate([], [fo(['up', 'up'])], 0).length, 0);
  const n = rules.evaluate([], [fo(['up', 'down'])], 1);
  assert.equal(n.length, 1);
  assert.match(n[0]!.body, /db1:5433 \(node 1\)/);
  assert.equal(rules.evaluate([], [fo(['down', 'down'], false)], 2).length, 0, 'a stopped proxy is not judged');
  assert.equal(rules.evaluate([], [fo(['up', 'down'])], 3).length, 0, 'same node, same episode');
  assert.equal(rules.evaluate([], [fo(['down', 'down'])], 4).length, 1, 'node 0 is new');
});

test('a node being recovered is not announced as detached', () => {
  const rules = new NotificationRules(t, policy);
  const recovering: DesktopFanout = { name: 'pg', running: true, error: null, nodes: [{ nodeId: 0, hostname: 'a', port: 1, status: 'up' }, { nodeId: 1, hostname: 'b', port: 2, status: 'recovering' }] };
  assert.deepEqual(rules.evaluate([], [recovering], 0), []);
});

test('a burst is capped, the rest summed up in one later notification, errors first', () => {
  const rules = new NotificationRules(t, policy);
  const names = ['a', 'b', 'c', 'd', 'e'];
  rules.evaluate(names.map((n) => ch(n)), [], 0);
  const burst = rules.evaluate(
    names.map((n, i) => (i < 4 ? ch(n, { secondsBehindMaster: 500 }) : ch(n, { sql: 'stopped', sqlError: dup }))),
    [],
    1000,
  );
  assert.equal(burst.length, 3);
  assert.equal(burst[0]!.severity, 'error', 'the error comes first');
  assert.deepEqual(rules.evaluate([], [], 2000), [], 'the window is still full');
  const later = rules.evaluate([], [], 62_000);
  assert.equal(later.length, 1);
  assert.equal(later[0]!.key, 'held');
  assert.match(later[0]!.body, /2 more alerts/);
});

test('memory does not grow with time, only with the number of units', () => {
  const rules = new NotificationRules(t, { ...policy, sameKeyIntervalMs: 1000 });
  for (let i = 0; i < 5000; i++) {
    const broken = i % 2 === 0;
    rules.evaluate([ch('a', broken ? { sql: 'stopped', sqlError: { errno: 1000 + (i % 50), message: 'x' } } : {})], [fo(broken ? ['down'] : ['up'])], i * 2000);
  }
  assert.ok(rules.memoryFootprint < 20, `footprint ${rules.memoryFootprint}`);
});

test('the texts follow the language', () => {
  const rules = new NotificationRules(desktopTranslator('ja'), policy);
  const n = rules.evaluate([ch('事務所', { sql: 'stopped', sqlError: dup })], [], 0);
  assert.match(n[0]!.title, /バックアップ「事務所」が停止しました/);
});
