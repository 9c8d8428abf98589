import type { ReplicaDeskApi } from '../../../core/api/contract';
import type { JobState } from '../../../core/api/types';
import type { PoolNode } from '../model/pool-node';
import type { MetricSample } from '../model/metrics';
import type { SlaveStatus } from '../model/slave-status';

/**
 * The one place where screens meet service methods that are still arriving. Each function returns the
 * operations the connected service offers, or undefined while the API contract has no such method; the
 * screens then say so instead of pretending. When a method lands in core/api/contract.ts, it is wired here
 * (the compiler checks the call), and every screen that uses it lights up.
 */
export interface ChannelOps {
  status?(name: string): Promise<SlaveStatus>;
  startAll?(): Promise<void>;
  stopAll?(): Promise<void>;
  metrics?(name: string): Promise<MetricSample[]>;
  start?(name: string): Promise<void>;
  stop?(name: string): Promise<void>;
  retry?(name: string): Promise<void>;
  skip?(name: string, count: number): Promise<void>;
  /** Starts the fresh-copy job; its progress arrives as job events targeted at the channel. */
  reclone?(name: string): Promise<JobState | void>;
  remove?(name: string): Promise<void>;
}

export interface FanoutOps {
  nodes?(name: string): Promise<PoolNode[]>;
  start?(name: string): Promise<void>;
  stop?(name: string): Promise<void>;
  attach?(name: string, nodeId: number): Promise<void>;
  detach?(name: string, nodeId: number): Promise<void>;
  /** Starts the recovery job; its progress arrives as job events. */
  recover?(name: string, nodeId: number): Promise<JobState | void>;
  remove?(name: string): Promise<void>;
}

export function channelOps(api: ReplicaDeskApi): ChannelOps {
  return {
    status: (name) => api.call('channels.status', { name }),
    start: async (name) => void (await api.call('channels.start', { name })),
    stop: async (name) => void (await api.call('channels.stop', { name })),
    // "Retry" starts whichever thread stopped; the channel resumes from its saved positions.
    retry: async (name) => void (await api.call('channels.start', { name, thread: 'both' })),
    // SET GLOBAL sql_slave_skip_counter = N takes effect when the SQL thread starts, so start it.
    skip: async (name, count) => {
      await api.call('channels.skip', { name, count });
      await api.call('channels.start', { name, thread: 'sql' });
    },
    remove: async (name) => void (await api.call('channels.delete', { name })),
    startAll: async () => void (await api.call('channels.startAll', {})),
    stopAll: async () => void (await api.call('channels.stopAll', {})),
    // The service samples every channel all the time, so the chart covers the last hour even in a window
    // opened a minute ago.
    metrics: async (name) =>
      (await api.call('channels.metrics', { name })).map((m) => ({ at: m.at, secondsBehindMaster: m.secondsBehindMaster, bytesBehind: m.bytesBehind, eventsPerSecond: m.eventsPerSecond })),
    // Stop → copy again (the channel's own accounts and filters) → point at the copy's position → start, as one job.
    reclone: (name) => api.call('channels.reclone', { name }),
  };
}

export function fanoutOps(api: ReplicaDeskApi): FanoutOps {
  return {
    nodes: (name) => api.call('fanouts.nodes', { name }),
    start: async (name) => void (await api.call('fanouts.start', { name })),
    stop: async (name) => void (await api.call('fanouts.stop', { name })),
    attach: async (name, nodeId) => void (await api.call('fanouts.attach', { name, nodeId })),
    detach: async (name, nodeId) => void (await api.call('fanouts.detach', { name, nodeId })),
    recover: (name, nodeId) => api.call('fanouts.recover', { name, nodeId }),
    remove: async (name) => void (await api.call('fanouts.delete', { name })),
  };
}

/** Start all / stop all: whatever kinds the service can start and stop. */
export function canStartStopAll(c: ChannelOps, f: FanoutOps): boolean {
  return !!((c.startAll && c.stopAll) || (f.start && f.stop));
}
