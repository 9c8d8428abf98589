/**
 * Plain data that crosses the API boundary. No imports: the renderer type-checks against this file in a
 * browser configuration, so nothing here may pull in Node types.
 */
export type Severity = 'info' | 'warning' | 'error';

export interface HistoryEntry {
  id: number;
  at: string;
  source: string;
  kind: string;
  severity: Severity;
  message: string;
  detail: Record<string, unknown> | null;
}

export interface ErrorInfo {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface ServiceInfo {
  product: 'ReplicaDesk';
  version: string;
  /** "desktop" inside Electron, "headless" under `replicadesk serve`. */
  mode: 'desktop' | 'headless';
  dataDir: string;
  startedAt: string;
  schemaVersion: number;
  /** Where credentials are sealed, and whether that store is really encrypted. */
  secretStore: { kind: string; encrypted: boolean };
}

/**
 * One replica channel as the dashboard, tray and notifications list it (the full view is channels.status).
 * The service always fills every field; the optional ones are optional only so that older callers'
 * literals (tests of the tray logic) stay valid.
 */
export interface ChannelSummary {
  name: string;
  slaveIoRunning: 'Yes' | 'No' | 'Connecting';
  slaveSqlRunning: 'Yes' | 'No';
  /** user@host:port of the master and of the backup target. */
  master?: string;
  target?: string;
  /** Seconds_Behind_Master: null when the SQL thread is not running or nothing is known yet. */
  secondsBehindMaster?: number | null;
  /** Last_IO_Errno / Last_IO_Error, Last_SQL_Errno / Last_SQL_Error: 0 and '' when none. */
  lastIoErrno?: number;
  lastIoError?: string;
  lastSqlErrno?: number;
  lastSqlError?: string;
}

/** One fan-out proxy as the dashboard lists it (optional fields: see ChannelSummary; the service fills them). */
export interface FanoutSummary {
  name: string;
  running: boolean;
  nodes: number;
  /** The pgpool.conf it runs from. */
  configPath?: string;
  /** host:port clients connect to, while running. */
  listen?: string | null;
  /** Why it is not running, when it stopped without being asked to. */
  lastError?: string | null;
  poolNodes?: { nodeId: number; hostname: string; port: number; status: 'up' | 'down' | 'recovering' | 'waiting' | 'unused' | 'quarantine' }[];
}

/** Long-running work (an initial copy, a node recovery) as the UI follows it. */
export interface JobState {
  id: string;
  kind: string;
  title: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  startedAt: string;
  endedAt: string | null;
  /** Kind-specific progress (e.g. CloneProgress for "clone"). */
  progress: unknown;
  /** Kind-specific result (e.g. CloneResult for "clone"). */
  result: unknown;
  error: ErrorInfo | null;
}

/** A MySQL/MariaDB address and account as a wizard sends it. */
export interface MySqlEndpointInput {
  host: string;
  port: number;
  user: string;
  password: string;
}
