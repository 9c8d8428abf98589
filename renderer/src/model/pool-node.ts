import type { DesktopFanout } from '../../../core/desktop/health';
/**
 * One row of pgpool's SHOW POOL_NODES, with its column names, so the fan-out card reads like the tool
 * users know (the fan-out engine's PoolNodeRow in core/pg/node-status.ts has the same shape). Kept
 * locally until the service API sends node rows.
 */
export interface PoolNode {
  node_id: number;
  hostname: string;
  port: number;
  /**
   * up: in use; waiting: up but no client has used it yet; down: detached; recovering: being copied back
   * in step; unused: not configured.
   */
  status: 'up' | 'waiting' | 'down' | 'recovering' | 'unused';
  /** What PostgreSQL itself answers to the health check, whatever pgpool decided. */
  pg_status?: 'up' | 'down' | 'unknown';
  /** Share of the reads this node gets, 0..1 as pgpool shows it. */
  lb_weight: number;
  /** In replication mode every node takes the writes; pgpool calls the first live one "main". */
  role: 'main' | 'replica' | 'primary' | 'standby';
  select_cnt: number;
  load_balance_node?: boolean;
  last_status_change: string;
}

/** Recovery progress of one node, as the fan-out engine reports it (core/pg RecoveryEvent). */
export interface NodeRecovery {
  nodeId: number;
  phase: 'start' | 'snapshot' | 'copy' | 'catch-up' | 'pause' | 'attached' | 'failed';
  /** 0..1 during the copy phase. */
  progress?: number;
  database?: string;
  backlog?: number;
}

export const POOL_NODE_COLUMNS = ['node_id', 'hostname', 'port', 'status', 'lb_weight', 'role', 'select_cnt', 'last_status_change'] as const;

/** What a person can do with a node in each status. */
export function nodeActions(status: PoolNode['status']): ('detach' | 'attach' | 'recover')[] {
  if (status === 'up' || status === 'waiting') return ['detach'];
  if (status === 'down') return ['recover', 'attach'];
  return [];
}

/** The health rules' view of a fan-out when its node rows are known. */
export function desktopFanoutFromNodes(name: string, running: boolean, error: string | null, nodes: readonly PoolNode[]): DesktopFanout {
  return { name, running, error, nodes: nodes.map((n) => ({ nodeId: n.node_id, hostname: n.hostname, port: n.port, status: n.status })) };
}
