import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelHealth, computeTrayState, fanoutHealth, worst, type DesktopChannel, type DesktopFanout } from '../../../core/desktop/health';
import { desktopChannel, desktopFanout } from '../../../core/desktop/from-api';

const running = (over: Partial<DesktopChannel> = {}): DesktopChannel => ({
  name: 'office1',
  io: 'running',
  sql: 'running',
  secondsBehindMaster: 0,
  ioError: null,
  sqlError: null,
  ...over,
});

const fanout = (statuses: ('up' | 'down' | 'waiting' | 'recovering' | 'unused')[], over: Partial<DesktopFanout> = {}): DesktopFanout => ({
  name: 'pg',
  running: true,
  error: null,
  nodes: statuses.map((status, i) => ({ nodeId: i, hostname: `db${i}`, port: 5432, status })),
  ...over,
});

test('a channel with both threads running and little lag is green', () => {
  assert.deepEqual([channelHealth(running()).health, channelHealth(running()).reason], ['ok', 'replicating']);
});

test('lag over the limit, reconnecting, and a plain stop are amber', () => {
  assert.equal(channelHealth(running({ secondsBehindMaster: 301 }), { lagWarnSeconds: 300 }).reason, 'lagging');
  assert.equal(channelHealth(running({ secondsBehindMaster: 300 }), { lagWarnSeconds: 300 }).health, 'ok', 'the limit itself is still fine');
  assert.equal(channelHealth(running({ io: 'connecting', secondsBehindMaster: null })).reason, 'reconnecting');
  assert.equal(channelHealth(running({ io: 'stopped', sql: 'stopped' })).reason, 'stopped');
  assert.equal(channelHealth(running({ io: 'stopped', sql: 'stopped' })).health, 'warn');
});

test('a thread stopped on an error is red; an old error on a running thread is not', () => {
  const sqlErr = { errno: 1062, message: "Duplicate entry '1' for key 'PRIMARY'" };
  assert.deepEqual(channelHealth(running({ sql: 'stopped', sqlError: sqlErr })).reason, 'sql-error');
  assert.equal(channelHealth(running({ io: 'stopped', ioError: { errno: 2003, message: "Can't connect" } })).reason, 'io-error');
  assert.equal(channelHealth(running({ sqlError: sqlErr })).health, 'ok', 'SQL thread restarted after the error');
});

test('a fan-out: all up green, one detached amber, none up or stopped on error red', () => {
  assert.equal(fanoutHealth(fanout(['up', 'waiting'])).health, 'ok');
  const one = fanoutHealth(fanout(['up', 'down', 'unused']));
  assert.deepEqual([one.health, one.reason, one.nodesUp, one.nodesTotal], ['warn', 'node-detached', 1, 2]);
  assert.equal(fanoutHealth(fanout(['down', 'down'])).reason, 'all-nodes-down');
  assert.equal(fanoutHealth(fanout(['up', 'recovering'])).reason, 'node-recovering', 'being recovered is not "detached"');
  assert.equal(fanoutHealth(fanout(['up', 'recovering', 'down'])).reason, 'node-detached', 'a detached node is the news');
  assert.equal(fanoutHealth(fanout(['down'], { running: false, error: 'bind: address in use' })).health, 'error');
  assert.equal(fanoutHealth(fanout(['up'], { running: false })).health, 'warn');
});

test('the tray shows the worst state; nothing set up is idle', () => {
  assert.equal(worst([]), 'idle');
  assert.equal(computeTrayState([], []).health, 'idle');
  assert.equal(computeTrayState([running(), running({ name: 'b' })], [fanout(['up'])]).health, 'ok');
  assert.equal(computeTrayState([running(), running({ name: 'b', io: 'connecting' })], [fanout(['up'])]).health, 'warn');
  const s = computeTrayState([running({ sql: 'stopped', sqlError: { errno: 1032, message: 'x' } }), running({ name: 'b', io: 'connecting' })], [fanout(['up', 'down'])]);
  assert.equal(s.health, 'error');
  assert.deepEqual(s.counts, { idle: 0, ok: 0, warn: 2, error: 1 });
});

test('API summaries map to desktop inputs, with unknown fields read as unknown', () => {
  const c = desktopChannel({ name: 'a', slaveIoRunning: 'Connecting', slaveSqlRunning: 'Yes' });
  assert.deepEqual(c, { name: 'a', io: 'connecting', sql: 'running', secondsBehindMaster: null, ioError: null, sqlError: null });
  const richer = { name: 'b', slaveIoRunning: 'No' as const, slaveSqlRunning: 'No' as const, secondsBehindMaster: null, lastIoErrno: 1236, lastIoError: 'purged', lastSqlErrno: 0, lastSqlError: '' };
  assert.deepEqual(desktopChannel(richer).ioError, { errno: 1236, message: 'purged' });
  assert.equal(desktopChannel(richer).sqlError, null);
  const f = desktopFanout({ name: 'p', running: true, nodes: 2, ...{ poolNodes: [{ nodeId: 0, hostname: 'h', port: 1, status: 'up' }, { nodeId: 1, hostname: 'h2', port: 2, status: 'quarantine' }] } });
  assert.deepEqual(f.nodes.map((n) => n.status), ['up', 'down']);
});
