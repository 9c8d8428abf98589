import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChannelMetrics } from '../../core/metrics/channel-metrics';

test('metrics: rates from counter deltas, bounded to the window, never negative after a restart', () => {
  const m = new ChannelMetrics(10_000, 60_000);
  const status = (events: number, trx: number, lag: number | null) =>
    ({ Executed_log_entries: events, Slave_DDL_Groups: 0, Slave_Non_Transactional_Groups: 0, Slave_Transactional_Groups: trx, Seconds_Behind_Master: lag, Relay_Bytes_Behind: 100, Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes' }) as never;
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(m.add('c', status(0, 0, 0), t0).eventsPerSecond, 0);
  const s1 = m.add('c', status(500, 100, 3), t0 + 10_000);
  assert.equal(s1.eventsPerSecond, 50);
  assert.equal(s1.transactionsPerSecond, 10);
  assert.equal(s1.secondsBehindMaster, 3);
  // The channel was restarted: its counters start again from zero.
  assert.equal(m.add('c', status(20, 4, null), t0 + 20_000).eventsPerSecond, 0);
  for (let i = 3; i < 20; i++) m.add('c', status(20 + i, 4, 0), t0 + i * 10_000);
  const listed = m.list('c', t0 + 19 * 10_000);
  assert.ok(listed.length <= 8, `at most an hour-equivalent window (got ${listed.length})`);
  assert.ok(listed.every((s) => Date.parse(s.at) >= t0 + 13 * 10_000));
  m.retain([]);
  assert.deepEqual(m.list('c'), []);
});
