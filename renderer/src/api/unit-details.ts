import { useEffect, useRef, useState } from 'react';
import type { ApiEvent } from '../../../core/api/contract';
import type { MetricSample } from '../model/metrics';
import { CHART_WINDOW_MS } from '../model/metrics';
import type { PoolNode } from '../model/pool-node';
import type { SlaveStatus } from '../model/slave-status';
import type { ChannelOps, FanoutOps } from '../services/capabilities';

const POLL_MS = 10_000;
const SAMPLE_MS = 5000;

export interface ChannelDetails {
  status?: SlaveStatus;
  samples: MetricSample[];
  /** When the samples are this window's own measurements (the service keeps none), since when. */
  measuredSince?: string;
}

/**
 * The full SHOW SLAVE STATUS row of each channel, polled while the dashboard is open, and the chart's
 * samples: the service's last hour when it offers it (ops.metrics), else what this window has seen since
 * it opened (real measurements, never made up). Inert while the service has no channels.status.
 */
export function useChannelDetails(names: readonly string[], ops: ChannelOps, onEvent?: (l: (e: ApiEvent) => void) => () => void): Map<string, ChannelDetails> {
  const [details, setDetails] = useState(new Map<string, ChannelDetails>());
  const seen = useRef(new Map<string, MetricSample[]>());
  const openedAt = useRef(new Date().toISOString());
  const key = names.join('\n');
  const remember = (name: string, status: SlaveStatus): MetricSample[] => {
    const now = Date.now();
    const own = (seen.current.get(name) ?? []).filter((s) => now - Date.parse(s.at) < CHART_WINDOW_MS);
    // One sample per few seconds is plenty for an hour-wide chart; status events can come faster.
    if (!own.length || now - Date.parse(own[own.length - 1]!.at) >= SAMPLE_MS) {
      own.push({ at: new Date(now).toISOString(), secondsBehindMaster: status.Seconds_Behind_Master, eventsPerSecond: status.Apply_Rate_Events ?? 0 });
    }
    seen.current.set(name, own);
    return own;
  };
  // Live: the service pushes a channel's status when it changes.
  useEffect(() => {
    if (!onEvent) return;
    return onEvent((e) => {
      if (e.type !== 'channel.status' || !names.includes(e.name)) return;
      setDetails((old) => {
        const next = new Map(old);
        const before = old.get(e.name);
        // Service samples arrive with the poll; between polls only the status changes.
        next.set(e.name, before && !before.measuredSince && ops.metrics ? { ...before, status: e.status } : { status: e.status, samples: [...remember(e.name, e.status)], measuredSince: openedAt.current });
        return next;
      });
    });
  }, [key, ops, onEvent]);
  useEffect(() => {
    if (!ops.status) return;
    let alive = true;
    const poll = async () => {
      const next = new Map<string, ChannelDetails>();
      await Promise.all(
        names.map(async (name) => {
          try {
            const status = await ops.status!(name);
            // The service's hour when it answers; this window's own measurements if it cannot.
            const kept = ops.metrics ? await ops.metrics(name).catch(() => undefined) : undefined;
            next.set(name, kept ? { status, samples: kept } : { status, samples: [...remember(name, status)], measuredSince: openedAt.current });
          } catch {
            // A channel deleted meanwhile, or the service restarting: the summary card still shows.
          }
        }),
      );
      for (const name of [...seen.current.keys()]) if (!names.includes(name)) seen.current.delete(name);
      if (alive) setDetails(next);
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
    // `key` stands for `names`; ops changes only with the API object.
  }, [key, ops]);
  return details;
}

/** SHOW POOL_NODES of each fan-out, polled while the dashboard is open; inert without fanouts.nodes. */
export function useFanoutNodes(names: readonly string[], ops: FanoutOps): Map<string, PoolNode[]> {
  const [nodes, setNodes] = useState(new Map<string, PoolNode[]>());
  const key = names.join('\n');
  useEffect(() => {
    if (!ops.nodes) return;
    let alive = true;
    const poll = async () => {
      const next = new Map<string, PoolNode[]>();
      await Promise.all(
        names.map(async (name) => {
          try {
            next.set(name, await ops.nodes!(name));
          } catch {
            // Shown from the summary alone until the next poll.
          }
        }),
      );
      if (alive) setNodes(next);
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [key, ops]);
  return nodes;
}
