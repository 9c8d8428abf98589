import { useEffect, useRef, useState } from 'react';
import type { MetricSample } from '../model/metrics';
import { CHART_WINDOW_MS } from '../model/metrics';
import type { PoolNode } from '../model/pool-node';
import type { SlaveStatus } from '../model/slave-status';
import type { ChannelOps, FanoutOps } from '../services/capabilities';

const POLL_MS = 5000;

export interface ChannelDetails {
  status?: SlaveStatus;
  samples: MetricSample[];
}

/**
 * The full SHOW SLAVE STATUS row of each channel, polled while the dashboard is open, and the chart's
 * samples: the service's last hour when it offers it (ops.metrics), else what this window has seen since
 * it opened (real measurements, never made up). Inert while the service has no channels.status.
 */
export function useChannelDetails(names: readonly string[], ops: ChannelOps): Map<string, ChannelDetails> {
  const [details, setDetails] = useState(new Map<string, ChannelDetails>());
  const seen = useRef(new Map<string, MetricSample[]>());
  const key = names.join('\n');
  useEffect(() => {
    if (!ops.status) return;
    let alive = true;
    const poll = async () => {
      const next = new Map<string, ChannelDetails>();
      await Promise.all(
        names.map(async (name) => {
          try {
            const status = await ops.status!(name);
            let samples: MetricSample[];
            if (ops.metrics) samples = await ops.metrics(name);
            else {
              const now = Date.now();
              const own = (seen.current.get(name) ?? []).filter((s) => now - Date.parse(s.at) < CHART_WINDOW_MS);
              own.push({ at: new Date(now).toISOString(), secondsBehindMaster: status.Seconds_Behind_Master, eventsPerSecond: status.Apply_Rate_Events ?? 0 });
              seen.current.set(name, own);
              samples = own;
            }
            next.set(name, { status, samples });
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
