import type { ChannelSummary, FanoutSummary } from '../api/types';
import type { DesktopChannel, DesktopFanout, DesktopPoolNode } from './health';

/**
 * The one place that maps the API's summaries to what the desktop rules read. The summaries are growing
 * as the engines land; fields not there yet are read as "unknown" (no lag, no error, no node states),
 * which can only make the tray less alarmed, never falsely green about a thread that is not running.
 */
type MaybeChannelFields = Partial<{
  secondsBehindMaster: number | null;
  lastIoErrno: number;
  lastIoError: string;
  lastSqlErrno: number;
  lastSqlError: string;
}>;

type MaybeFanoutFields = Partial<{
  lastError: string | null;
  poolNodes: { nodeId: number; hostname: string; port: number; status: string }[];
}>;

const NODE_STATUSES = new Set<DesktopPoolNode['status']>(['up', 'down', 'waiting', 'recovering', 'unused']);

export function desktopChannel(summary: ChannelSummary): DesktopChannel {
  const s = summary as ChannelSummary & MaybeChannelFields;
  const error = (errno: number | undefined, message: string | undefined) => (errno || message ? { errno: errno ?? 0, message: message ?? '' } : null);
  return {
    name: s.name,
    io: s.slaveIoRunning === 'Yes' ? 'running' : s.slaveIoRunning === 'Connecting' ? 'connecting' : 'stopped',
    sql: s.slaveSqlRunning === 'Yes' ? 'running' : 'stopped',
    secondsBehindMaster: typeof s.secondsBehindMaster === 'number' ? s.secondsBehindMaster : null,
    ioError: error(s.lastIoErrno, s.lastIoError),
    sqlError: error(s.lastSqlErrno, s.lastSqlError),
  };
}

export function desktopFanout(summary: FanoutSummary): DesktopFanout {
  const s = summary as FanoutSummary & MaybeFanoutFields;
  const nodes: DesktopPoolNode[] = (s.poolNodes ?? []).map((n) => ({
    nodeId: n.nodeId,
    hostname: n.hostname,
    port: n.port,
    // pgpool shows "up"/"down"/"waiting"/"unused"; anything else we do not know is treated as down.
    status: NODE_STATUSES.has(n.status as DesktopPoolNode['status']) ? (n.status as DesktopPoolNode['status']) : 'down',
  }));
  return { name: s.name, running: s.running, error: s.lastError ?? null, nodes };
}

/** The SHOW SLAVE STATUS fields a channel summary repeats. */
export interface StatusFields {
  Slave_IO_Running: 'Yes' | 'No' | 'Connecting';
  Slave_SQL_Running: 'Yes' | 'No';
  Seconds_Behind_Master: number | null;
  Last_IO_Errno: number;
  Last_IO_Error: string;
  Last_SQL_Errno: number;
  Last_SQL_Error: string;
}

/**
 * A summary brought up to date by a `channel.status` event (the service sends the list only when it
 * changes, and each channel's status when that changes), so the tray and the dashboard's overall line
 * never lag behind the card.
 */
export function withStatus<S extends ChannelSummary>(summary: S, status: StatusFields): S {
  return {
    ...summary,
    slaveIoRunning: status.Slave_IO_Running,
    slaveSqlRunning: status.Slave_SQL_Running,
    secondsBehindMaster: status.Seconds_Behind_Master,
    lastIoErrno: status.Last_IO_Errno,
    lastIoError: status.Last_IO_Error,
    lastSqlErrno: status.Last_SQL_Errno,
    lastSqlError: status.Last_SQL_Error,
  };
}
