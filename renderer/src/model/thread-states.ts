import type { MessageKey } from '../i18n/en';

/**
 * MySQL's and MariaDB's thread states (SHOW PROCESSLIST / Slave_IO_State / Slave_SQL_Running_State) in
 * plain words. The raw state is always shown next to the words, so nothing is hidden from someone who
 * knows MySQL. Newer servers say "source"/"replica" where older ones say "master"/"slave"; both match.
 */
const IO_STATES: [RegExp, MessageKey][] = [
  [/^waiting for (master|source) to send event$/i, 'thread.io.waiting'],
  [/^queueing (master|source) event to the relay log$/i, 'thread.io.queueing'],
  [/^connecting to (master|source)$/i, 'thread.io.connecting'],
  [/^checking (master|source) version$/i, 'thread.io.handshake'],
  [/^registering (slave|replica) on (master|source)$/i, 'thread.io.handshake'],
  [/^requesting binlog dump$/i, 'thread.io.handshake'],
  [/^waiting to reconnect after a failed/i, 'thread.io.reconnectWait'],
  [/^reconnecting after a failed/i, 'thread.io.reconnecting'],
  [/^waiting for the (slave|replica) sql thread to free (enough )?relay log space$/i, 'thread.io.relayFull'],
  [/^waiting for (master|source) update$/i, 'thread.io.connecting'],
  [/^waiting for (slave|replica) mutex on exit$/i, 'thread.stopping'],
  [/^killing (slave|replica)$/i, 'thread.stopping'],
];

const SQL_STATES: [RegExp, MessageKey][] = [
  [/has read all relay log; waiting for/i, 'thread.sql.caughtUp'],
  [/^(slave|replica) has read all relay log/i, 'thread.sql.caughtUp'],
  [/^waiting for the next event in relay log$/i, 'thread.sql.caughtUp'],
  [/^reading event from the relay log$/i, 'thread.sql.applying'],
  [/^making temp file$/i, 'thread.sql.applying'],
  [/^waiting until (master|source)_delay seconds after/i, 'thread.sql.delayed'],
  [/^waiting for an event from coordinator$/i, 'thread.sql.caughtUp'],
  [/^waiting for (slave|replica) workers to process their queues$/i, 'thread.sql.applying'],
  [/^waiting for (slave|replica) mutex on exit$/i, 'thread.stopping'],
  [/^killing (slave|replica)$/i, 'thread.stopping'],
];

export function threadStateKey(thread: 'io' | 'sql', state: string): MessageKey | undefined {
  const s = state.trim();
  if (!s) return undefined;
  for (const [re, key] of thread === 'io' ? IO_STATES : SQL_STATES) if (re.test(s)) return key;
  return undefined;
}
