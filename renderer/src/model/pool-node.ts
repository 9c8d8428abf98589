/**
 * One row of pgpool's SHOW POOL_NODES, with its column names, so the fan-out card reads like the tool
 * users know. Kept locally until the service API sends node rows.
 */
export interface PoolNode {
  node_id: number;
  hostname: string;
  port: number;
  /** up: in use; waiting: up but no client has used it yet; down: detached; unused: not configured. */
  status: 'up' | 'waiting' | 'down' | 'unused';
  /** Share of the reads this node gets, 0..1 as pgpool shows it. */
  lb_weight: number;
  /** In replication mode every node takes the writes; pgpool calls the first live one "main". */
  role: 'main' | 'replica' | 'primary' | 'standby';
  select_cnt: number;
  last_status_change: string;
}

export const POOL_NODE_COLUMNS = ['node_id', 'hostname', 'port', 'status', 'lb_weight', 'role', 'select_cnt', 'last_status_change'] as const;

/** What a person can do with a node in each status. */
export function nodeActions(status: PoolNode['status']): ('detach' | 'attach' | 'recover')[] {
  if (status === 'up' || status === 'waiting') return ['detach'];
  if (status === 'down') return ['recover', 'attach'];
  return [];
}
