/**
 * SHOW SLAVE STATUS for one channel, with MySQL's and MariaDB's field names and meanings, plus a few
 * ReplicaDesk figures (relay bytes behind, apply rates). Plain data: it crosses the service API as is.
 */
import type { IoThreadStatus } from '../source/io-thread';
import type { SqlThreadStatus } from '../apply/sql-thread';
import type { ChannelConfig } from './config';

export interface ChannelStatus {
  Channel_Name: string;
  /** MariaDB's name for the same thing. */
  Connection_name: string;
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
  Replicate_Rewrite_DB: string;
  Replicate_Do_DB: string;
  Replicate_Ignore_DB: string;
  Replicate_Do_Table: string;
  Replicate_Ignore_Table: string;
  Replicate_Wild_Do_Table: string;
  Replicate_Wild_Ignore_Table: string;
  /** Same as Last_SQL_Errno (MySQL keeps both). */
  Last_Errno: number;
  Last_Error: string;
  Skip_Counter: number;
  Exec_Master_Log_Pos: number;
  Relay_Log_Space: number;
  Until_Condition: 'None' | 'Master';
  Until_Log_File: string;
  Until_Log_Pos: number;
  Master_SSL_Allowed: 'Yes' | 'No';
  Master_SSL_CA_File: string;
  Master_SSL_CA_Path: string;
  Master_SSL_Cert: string;
  Master_SSL_Cipher: string;
  Master_SSL_Key: string;
  /** null (NULL) when a thread is not running or the I/O thread is not connected. */
  Seconds_Behind_Master: number | null;
  Master_SSL_Verify_Server_Cert: 'Yes' | 'No';
  Last_IO_Errno: number;
  Last_IO_Error: string;
  Last_SQL_Errno: number;
  Last_SQL_Error: string;
  Replicate_Ignore_Server_Ids: string;
  Master_Server_Id: number;
  Master_UUID: string;
  Master_Info_File: string;
  SQL_Delay: number;
  SQL_Remaining_Delay: number | null;
  Slave_SQL_Running_State: string;
  Master_Retry_Count: number;
  Master_Bind: string;
  Last_IO_Error_Timestamp: string;
  Last_SQL_Error_Timestamp: string;
  Master_SSL_Crl: string;
  Master_SSL_Crlpath: string;
  Retrieved_Gtid_Set: string;
  Executed_Gtid_Set: string;
  Auto_Position: 0 | 1;
  Using_Gtid: 'No' | 'Slave_Pos' | 'Current_Pos';
  Gtid_IO_Pos: string;
  Gtid_Slave_Pos: string;
  Replicate_Do_Domain_Ids: string;
  Replicate_Ignore_Domain_Ids: string;
  Parallel_Mode: string;
  Slave_DDL_Groups: number;
  Slave_Non_Transactional_Groups: number;
  Slave_Transactional_Groups: number;
  Retried_transactions: number;
  Max_relay_log_size: number;
  Executed_log_entries: number;
  Slave_received_heartbeats: number;
  Slave_heartbeat_period: number;
  /** Source time of the last event received / applied (ISO), or '' when none. */
  Master_last_event_time: string;
  Slave_last_event_time: string;
  // ReplicaDesk additions.
  Target_Host: string;
  Target_Port: number;
  Target_User: string;
  Target_Read_Only: 'Yes' | 'No' | '';
  Exec_Mode: string;
  /** Relay-log bytes received but not applied yet. */
  Relay_Bytes_Behind: number;
  /** Source transactions and events applied per second, over the last ~10 s. */
  Apply_Rate_Transactions: number;
  Apply_Rate_Events: number;
  Relay_Log_Dir: string;
  Updated_At: string;
}

export interface StatusInputs {
  config: ChannelConfig;
  io: IoThreadStatus;
  sql: SqlThreadStatus;
  relaySpace: number;
  relayDir: string;
  masterServerId: number | null;
  masterUuid: string | null;
  now?: number;
}

/**
 * Seconds_Behind_Master the way MySQL computes it: NULL unless both threads run and the I/O thread is
 * connected; 0 when the SQL thread has applied all it has; otherwise now - (the master's timestamp of the
 * event being applied) - (replica clock - master clock, measured at connect).
 */
export function secondsBehindMaster(io: IoThreadStatus, sql: SqlThreadStatus, nowMs: number): number | null {
  if (sql.running !== 'Yes' || io.running !== 'Yes') return null;
  if (sql.idle || sql.lastMasterTimestamp === 0) return 0;
  const diff = io.master?.clockDiffSeconds ?? 0;
  return Math.max(0, Math.floor(nowMs / 1000) - diff - sql.lastMasterTimestamp);
}

function iso(ts: number): string {
  return ts > 0 ? new Date(ts * 1000).toISOString() : '';
}

export function buildStatus(i: StatusInputs): ChannelStatus {
  const { config: c, io, sql } = i;
  const now = i.now ?? Date.now();
  const f = c.filters;
  const ssl = c.master.ssl;
  const isMysqlGtid = io.master ? !io.master.isMariaDb : false;
  return {
    Channel_Name: c.name,
    Connection_name: c.name,
    Slave_IO_State: io.state,
    Master_Host: c.master.host,
    Master_User: c.master.user,
    Master_Port: c.master.port,
    Connect_Retry: c.connectRetry,
    Master_Log_File: io.masterLogFile,
    Read_Master_Log_Pos: io.readMasterLogPos,
    Relay_Log_File: sql.relayLogFile,
    Relay_Log_Pos: sql.relayLogPos,
    Relay_Master_Log_File: sql.relayMasterLogFile,
    Slave_IO_Running: io.running,
    Slave_SQL_Running: sql.running,
    Replicate_Rewrite_DB: f.rewriteDb.map((r) => `(${r.from},${r.to})`).join(','),
    Replicate_Do_DB: f.doDb.join(','),
    Replicate_Ignore_DB: f.ignoreDb.join(','),
    Replicate_Do_Table: f.doTable.join(','),
    Replicate_Ignore_Table: f.ignoreTable.join(','),
    Replicate_Wild_Do_Table: f.wildDoTable.join(','),
    Replicate_Wild_Ignore_Table: f.wildIgnoreTable.join(','),
    Last_Errno: sql.lastError?.errno ?? 0,
    Last_Error: sql.lastError?.message ?? '',
    Skip_Counter: sql.skipCounter,
    Exec_Master_Log_Pos: sql.execMasterLogPos,
    Relay_Log_Space: i.relaySpace,
    Until_Condition: sql.until ? 'Master' : 'None',
    Until_Log_File: sql.until?.file ?? '',
    Until_Log_Pos: sql.until?.pos ?? 0,
    Master_SSL_Allowed: ssl && ssl.mode !== 'DISABLED' ? 'Yes' : 'No',
    Master_SSL_CA_File: ssl?.ca ?? '',
    Master_SSL_CA_Path: '',
    Master_SSL_Cert: ssl?.cert ?? '',
    Master_SSL_Cipher: ssl?.cipher ?? '',
    Master_SSL_Key: ssl?.key ?? '',
    Seconds_Behind_Master: secondsBehindMaster(io, sql, now),
    Master_SSL_Verify_Server_Cert: ssl?.mode === 'VERIFY_IDENTITY' ? 'Yes' : 'No',
    Last_IO_Errno: io.lastError?.errno ?? 0,
    Last_IO_Error: io.lastError?.message ?? '',
    Last_SQL_Errno: sql.lastError?.errno ?? 0,
    Last_SQL_Error: sql.lastError?.message ?? '',
    Replicate_Ignore_Server_Ids: '',
    Master_Server_Id: io.master?.serverId ?? i.masterServerId ?? 0,
    Master_UUID: io.master?.uuid ?? i.masterUuid ?? '',
    Master_Info_File: 'state.sqlite3 (master_info)',
    SQL_Delay: 0,
    SQL_Remaining_Delay: null,
    Slave_SQL_Running_State: sql.state,
    Master_Retry_Count: 0,
    Master_Bind: '',
    Last_IO_Error_Timestamp: io.lastError?.at ?? '',
    Last_SQL_Error_Timestamp: sql.lastError?.at ?? '',
    Master_SSL_Crl: ssl?.crl ?? '',
    Master_SSL_Crlpath: '',
    Retrieved_Gtid_Set: isMysqlGtid ? io.gtidIoPos : '',
    Executed_Gtid_Set: isMysqlGtid ? sql.gtidSlavePos : '',
    Auto_Position: isMysqlGtid && c.useGtid !== 'No' ? 1 : 0,
    Using_Gtid: c.useGtid,
    Gtid_IO_Pos: io.gtidIoPos,
    Gtid_Slave_Pos: sql.gtidSlavePos,
    Replicate_Do_Domain_Ids: '',
    Replicate_Ignore_Domain_Ids: '',
    Parallel_Mode: 'none',
    Slave_DDL_Groups: sql.ddlGroups,
    Slave_Non_Transactional_Groups: sql.nonTransactionalGroups,
    Slave_Transactional_Groups: sql.transactionalGroups,
    Retried_transactions: sql.retriedTransactions,
    Max_relay_log_size: c.maxRelayLogSize,
    Executed_log_entries: sql.events,
    Slave_received_heartbeats: io.receivedHeartbeats,
    Slave_heartbeat_period: c.heartbeatPeriod,
    Master_last_event_time: iso(io.lastEventTime),
    Slave_last_event_time: iso(sql.lastMasterTimestamp),
    Target_Host: c.target.host,
    Target_Port: c.target.port,
    Target_User: c.target.user,
    Target_Read_Only: sql.targetReadOnly === undefined ? '' : sql.targetReadOnly ? 'Yes' : 'No',
    Exec_Mode: c.execMode,
    Relay_Bytes_Behind: sql.relayBytesBehind,
    Apply_Rate_Transactions: Math.round(sql.rateTransactions * 10) / 10,
    Apply_Rate_Events: Math.round(sql.rateEvents * 10) / 10,
    Relay_Log_Dir: i.relayDir,
    Updated_At: new Date(now).toISOString(),
  };
}

/** What `channel list` shows per channel. */
export interface ChannelListEntry {
  name: string;
  master: string;
  target: string;
  Slave_IO_Running: ChannelStatus['Slave_IO_Running'];
  Slave_SQL_Running: ChannelStatus['Slave_SQL_Running'];
  Seconds_Behind_Master: number | null;
  Last_IO_Errno: number;
  Last_SQL_Errno: number;
  /** Process running the channel (this one, or another: e.g. a foreground CLI), if any. */
  runningIn: 'this process' | `pid ${number}` | '';
}
