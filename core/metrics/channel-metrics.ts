/**
 * The last hour of each channel's progress, for the dashboard's chart. A window that opens now still sees
 * how the lag behaved before it opened, so the service samples, not the renderer. Kept in memory only: a
 * bounded ring per channel (a sample every `intervalMs`), so memory stays flat however long the app runs.
 */
import type { ChannelMetricSample } from '../api/types';
import type { ChannelStatus } from '../mysql/channel/status';

export const METRICS_INTERVAL_MS = 10_000;
export const METRICS_WINDOW_MS = 60 * 60 * 1000;

interface Previous {
  atMs: number;
  events: number;
  transactions: number;
}

function appliedTransactions(s: ChannelStatus): number {
  return s.Slave_DDL_Groups + s.Slave_Non_Transactional_Groups + s.Slave_Transactional_Groups;
}

export class ChannelMetrics {
  private readonly samples = new Map<string, ChannelMetricSample[]>();
  private readonly previous = new Map<string, Previous>();
  private readonly capacity: number;

  constructor(
    readonly intervalMs = METRICS_INTERVAL_MS,
    readonly windowMs = METRICS_WINDOW_MS,
  ) {
    this.capacity = Math.max(1, Math.ceil(windowMs / intervalMs) + 1);
  }

  /** Records one status; rates are the change since the channel's previous sample. */
  add(name: string, status: ChannelStatus, atMs = Date.now()): ChannelMetricSample {
    const events = status.Executed_log_entries;
    const transactions = appliedTransactions(status);
    const prev = this.previous.get(name);
    const seconds = prev ? (atMs - prev.atMs) / 1000 : 0;
    // Counters restart with the channel object (stop/start, settings changed): never report a negative rate.
    const rate = (now: number, before: number | undefined) => (seconds > 0 && before !== undefined && now >= before ? (now - before) / seconds : 0);
    const sample: ChannelMetricSample = {
      at: new Date(atMs).toISOString(),
      secondsBehindMaster: status.Seconds_Behind_Master,
      bytesBehind: status.Relay_Bytes_Behind,
      eventsPerSecond: round1(rate(events, prev?.events)),
      transactionsPerSecond: round1(rate(transactions, prev?.transactions)),
      ioRunning: status.Slave_IO_Running !== 'No',
      sqlRunning: status.Slave_SQL_Running === 'Yes',
    };
    this.previous.set(name, { atMs, events, transactions });
    let ring = this.samples.get(name);
    if (!ring) this.samples.set(name, (ring = []));
    ring.push(sample);
    if (ring.length > this.capacity) ring.splice(0, ring.length - this.capacity);
    return sample;
  }

  /** Samples of the last window, oldest first. */
  list(name: string, nowMs = Date.now()): ChannelMetricSample[] {
    const since = nowMs - this.windowMs;
    return (this.samples.get(name) ?? []).filter((s) => Date.parse(s.at) >= since);
  }

  /** Forgets channels that no longer exist. */
  retain(names: Iterable<string>): void {
    const keep = new Set(names);
    for (const n of [...this.samples.keys()]) if (!keep.has(n)) this.samples.delete(n);
    for (const n of [...this.previous.keys()]) if (!keep.has(n)) this.previous.delete(n);
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
