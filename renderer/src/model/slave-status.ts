import type { DesktopChannel } from '../../../core/desktop/health';
/**
 * One row of SHOW SLAVE STATUS, with MySQL's / MariaDB's own field names, so what the card shows matches
 * what users have in their notes and manuals. The renderer keeps this shape locally until the service
 * API offers the full row (today it sends a summary); the card renders whichever it gets.
 */
export interface SlaveStatus {
  /** MySQL's name for the channel; MariaDB calls it Connection_name. */
  Channel_Name?: string;
  /** MariaDB multi-source: the channel's name (our channel name). */
  Connection_name?: string;
  Slave_IO_State: string;
  Master_Host: string;
  Master_User: string;
  Master_Port: number;
  Connect_Retry: number;
  Master_Log_File: string;
  Read_Master_Log_Pos: number;
  Relay_Log_File: string;
  Relay_Log_Pos: number;
  Relay_Master_Log_File: string;
  Slave_IO_Running: 'Yes' | 'No' | 'Connecting';
  Slave_SQL_Running: 'Yes' | 'No';
  Replicate_Do_DB: string;
  Replicate_Ignore_DB: string;
  Replicate_Do_Table: string;
  Replicate_Ignore_Table: string;
  Replicate_Wild_Do_Table: string;
  Replicate_Wild_Ignore_Table: string;
  Last_Errno: number;
  Last_Error: string;
  Skip_Counter: number;
  Exec_Master_Log_Pos: number;
  Relay_Log_Space: number;
  Until_Condition: string;
  Until_Log_File: string;
  Until_Log_Pos: number;
  Seconds_Behind_Master: number | null;
  Last_IO_Errno: number;
  Last_IO_Error: string;
  Last_SQL_Errno: number;
  Last_SQL_Error: string;
  Master_Server_Id: number;
  Using_Gtid?: 'No' | 'Current_Pos' | 'Slave_Pos';
  Gtid_IO_Pos?: string;
  Slave_SQL_Running_State: string;
  Last_IO_Error_Timestamp?: string;
  Last_SQL_Error_Timestamp?: string;
  Master_UUID?: string;
  SQL_Delay?: number;
  Gtid_Slave_Pos?: string;
  // ReplicaDesk's additions (core/mysql/channel/status.ts).
  /** Relay-log bytes received but not applied yet. */
  Relay_Bytes_Behind?: number;
  /** Source events applied per second over the last ~10 s. */
  Apply_Rate_Events?: number;
  Apply_Rate_Transactions?: number;
  Target_Host?: string;
  Target_Port?: number;
  Target_User?: string;
}

/** Fields SHOW SLAVE STATUS has, in its order, for the "all fields" view. */
export const SLAVE_STATUS_FIELDS: readonly (keyof SlaveStatus)[] = [
  'Channel_Name',
  'Connection_name',
  'Slave_IO_State',
  'Master_Host',
  'Master_User',
  'Master_Port',
  'Connect_Retry',
  'Master_Log_File',
  'Read_Master_Log_Pos',
  'Relay_Log_File',
  'Relay_Log_Pos',
  'Relay_Master_Log_File',
  'Slave_IO_Running',
  'Slave_SQL_Running',
  'Replicate_Do_DB',
  'Replicate_Ignore_DB',
  'Replicate_Do_Table',
  'Replicate_Ignore_Table',
  'Replicate_Wild_Do_Table',
  'Replicate_Wild_Ignore_Table',
  'Last_Errno',
  'Last_Error',
  'Skip_Counter',
  'Exec_Master_Log_Pos',
  'Relay_Log_Space',
  'Until_Condition',
  'Until_Log_File',
  'Until_Log_Pos',
  'Seconds_Behind_Master',
  'Last_IO_Errno',
  'Last_IO_Error',
  'Last_SQL_Errno',
  'Last_SQL_Error',
  'Master_Server_Id',
  'Using_Gtid',
  'Gtid_IO_Pos',
  'Slave_SQL_Running_State',
  'Last_IO_Error_Timestamp',
  'Last_SQL_Error_Timestamp',
  'Master_UUID',
  'SQL_Delay',
  'Gtid_Slave_Pos',
  'Relay_Bytes_Behind',
  'Apply_Rate_Events',
  'Apply_Rate_Transactions',
  'Target_Host',
  'Target_Port',
  'Target_User',
];

/** Which thread's error is the current one: a stopped thread's error wins over a running one's old error. */
export function currentError(s: Pick<SlaveStatus, 'Slave_IO_Running' | 'Slave_SQL_Running' | 'Last_IO_Errno' | 'Last_IO_Error' | 'Last_SQL_Errno' | 'Last_SQL_Error'>):
  | { thread: 'io' | 'sql'; errno: number; message: string }
  | undefined {
  if (s.Slave_SQL_Running === 'No' && (s.Last_SQL_Errno || s.Last_SQL_Error)) return { thread: 'sql', errno: s.Last_SQL_Errno, message: s.Last_SQL_Error };
  if (s.Slave_IO_Running === 'No' && (s.Last_IO_Errno || s.Last_IO_Error)) return { thread: 'io', errno: s.Last_IO_Errno, message: s.Last_IO_Error };
  return undefined;
}

/**
 * Bytes the SQL thread still has to apply: the engine's own count when it sends one; otherwise derived
 * from the positions when both are in the same master binlog file (across a rotation the exact figure is
 * unknown, and null is honest).
 */
export function bytesBehind(
  s: Pick<SlaveStatus, 'Master_Log_File' | 'Read_Master_Log_Pos' | 'Relay_Master_Log_File' | 'Exec_Master_Log_Pos' | 'Relay_Bytes_Behind'>,
): number | null {
  if (typeof s.Relay_Bytes_Behind === 'number') return s.Relay_Bytes_Behind;
  if (!s.Master_Log_File || s.Master_Log_File !== s.Relay_Master_Log_File) return null;
  return Math.max(0, s.Read_Master_Log_Pos - s.Exec_Master_Log_Pos);
}

/** The health rules' view of a full status row (same rules as the tray, richer input than the summary). */
export function desktopChannelFromStatus(s: SlaveStatus): DesktopChannel {
  return {
    name: s.Channel_Name ?? s.Connection_name ?? '',
    io: s.Slave_IO_Running === 'Yes' ? 'running' : s.Slave_IO_Running === 'Connecting' ? 'connecting' : 'stopped',
    sql: s.Slave_SQL_Running === 'Yes' ? 'running' : 'stopped',
    secondsBehindMaster: s.Seconds_Behind_Master,
    ioError: s.Last_IO_Errno || s.Last_IO_Error ? { errno: s.Last_IO_Errno, message: s.Last_IO_Error } : null,
    sqlError: s.Last_SQL_Errno || s.Last_SQL_Error ? { errno: s.Last_SQL_Errno, message: s.Last_SQL_Error } : null,
  };
}
