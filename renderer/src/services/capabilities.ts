import type { ReplicaDeskApi } from '../../../core/api/contract';
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
  metrics?(name: string): Promise<MetricSample[]>;
  start?(name: string): Promise<void>;
  stop?(name: string): Promise<void>;
  retry?(name: string): Promise<void>;
  skip?(name: string, count: number): Promise<void>;
  reclone?(name: string): Promise<void>;
}

export interface FanoutOps {
  nodes?(name: string): Promise<PoolNode[]>;
  start?(name: string): Promise<void>;
  stop?(name: string): Promise<void>;
  attach?(name: string, nodeId: number): Promise<void>;
  detach?(name: string, nodeId: number): Promise<void>;
  recover?(name: string, nodeId: number): Promise<void>;
}

export function channelOps(api: ReplicaDeskApi): ChannelOps {
  void api; // channels.status / metrics / start / stop / skip / reclone are not in the contract yet
  return {};
}

export function fanoutOps(api: ReplicaDeskApi): FanoutOps {
  void api; // fanouts.nodes / start / stop / attach / detach / recover are not in the contract yet
  return {};
}

/** Start all / stop all need start and stop for both kinds. */
export function canStartStopAll(c: ChannelOps, f: FanoutOps): boolean {
  return !!(c.start && c.stop && f.start && f.stop);
}
