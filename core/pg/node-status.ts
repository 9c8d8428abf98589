/**
 * Node states as SHOW POOL_NODES names them, the events the proxy emits about them, and the small
 * persistence interface the service implements over its SQLite state (an in-memory one is here for tests
 * and the CLI).
 */

/** up: serving. down: detached (degenerated). recovering: being re-synced from the main node. */
export type NodeStatus = 'up' | 'down' | 'recovering';

export interface StoredNodeStatus {
  status: NodeStatus;
  /** ISO time of the last change. */
  lastChange: string;
  reason?: string;
}

export interface NodeStatusStore {
  /** Status by node id, for nodes that have one saved. */
  load(): Promise<Map<number, StoredNodeStatus>>;
  save(nodeId: number, status: StoredNodeStatus): Promise<void>;
}

export class MemoryNodeStatusStore implements NodeStatusStore {
  readonly saved = new Map<number, StoredNodeStatus>();
  async load(): Promise<Map<number, StoredNodeStatus>> {
    return new Map(this.saved);
  }
  async save(nodeId: number, status: StoredNodeStatus): Promise<void> {
    this.saved.set(nodeId, { ...status });
  }
}

/** One row of SHOW POOL_NODES, with pgpool's column names. */
export interface PoolNodeRow {
  node_id: number;
  hostname: string;
  port: number;
  status: NodeStatus | 'waiting';
  pg_status: 'up' | 'down' | 'unknown';
  lb_weight: number;
  role: 'main' | 'replica';
  pg_role: 'main' | 'replica';
  select_cnt: number;
  load_balance_node: boolean;
  replication_delay: number;
  replication_state: string;
  replication_sync_state: string;
  last_status_change: string;
}

export interface NodeStatusEvent {
  type: 'node-status';
  nodeId: number;
  previous: NodeStatus;
  status: NodeStatus;
  reason: string;
  at: string;
}

export interface MismatchEvent {
  type: 'mismatch';
  nodeId: number;
  /** The statement (shortened) whose results differed. */
  statement: string;
  main: string[];
  node: string[];
  kind: 'kind' | 'affected-rows';
  action: 'detached' | 'aborted' | 'reported';
  at: string;
}

export interface RecoveryEvent {
  type: 'recovery';
  nodeId: number;
  phase: 'start' | 'snapshot' | 'copy' | 'catch-up' | 'pause' | 'attached' | 'failed';
  /** 0..1 for the copy phase. */
  progress?: number;
  database?: string;
  /** Statements still to replay during catch-up. */
  backlog?: number;
  /** Bytes of recorded writes that waited in the recovery's temporary file (over its memory limit). */
  spilledBytes?: number;
  message: string;
  at: string;
}

export interface WarningEvent {
  type: 'warning';
  nodeId?: number;
  message: string;
  at: string;
}

export type FanoutEvent = NodeStatusEvent | MismatchEvent | RecoveryEvent | WarningEvent;

export function nowIso(): string {
  return new Date().toISOString();
}
