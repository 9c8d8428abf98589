/** One sample of a channel's progress; the chart shows the last hour of them. */
export interface MetricSample {
  /** ISO time of the sample. */
  at: string;
  /** Seconds_Behind_Master at that time (null while the I/O thread was not connected). */
  secondsBehindMaster: number | null;
  /** Relay log bytes fetched but not yet applied (when the service measured it). */
  bytesBehind?: number;
  /** Events the SQL thread applied per second since the previous sample. */
  eventsPerSecond: number;
}

export const CHART_WINDOW_MS = 60 * 60 * 1000;

/** Keeps the samples of the last hour, oldest first, whatever order they came in. */
export function lastHour(samples: readonly MetricSample[], now: number): MetricSample[] {
  return samples
    .filter((s) => {
      const t = Date.parse(s.at);
      return Number.isFinite(t) && t > now - CHART_WINDOW_MS && t <= now + 60_000;
    })
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
