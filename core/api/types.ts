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
  /** The service host's platform (process.platform): editors propose that system's usual file paths. */
  platform: string;
}

/**
 * User preferences the service keeps for every window and the tray (e.g. the language chosen in the
 * window, which the tray menu and notifications follow). Keys are listed in SETTING_KEYS.
 */
export type SettingKey = 'ui.lang' | 'ui.lagAlertSeconds' | 'ui.notifications';

/** One sample of a channel's progress, taken by the service every few seconds (the dashboard's chart). */
export interface ChannelMetricSample {
  at: string;
  /** Seconds_Behind_Master at that moment (null: SQL thread not running or nothing known). */
  secondsBehindMaster: number | null;
  /** Relay log bytes fetched but not yet applied. */
  bytesBehind: number;
  /** Events applied per second since the previous sample. */
  eventsPerSecond: number;
  /** Transactions applied per second since the previous sample. */
  transactionsPerSecond: number;
  ioRunning: boolean;
  sqlRunning: boolean;
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
  /** What the job works on, so every window (and the CLI) can show it on the right card. */
  target?: { kind: 'channel' | 'fanout'; name: string; nodeId?: number };
}

/** A MySQL/MariaDB address and account as a wizard sends it. */
export interface MySqlEndpointInput {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** One backend of a pgpool.conf as `fanouts.check` found it. */
export interface BackendCheck {
  nodeId: number;
  hostname: string;
  port: number;
  weight: number;
  /** The server answered on its port. */
  reachable: boolean;
  /** ok: logged in; refused: the server answered but refused the account (see message, sqlState); untested: unreachable. */
  login: 'ok' | 'refused' | 'untested';
  user: string;
  serverVersion: string | null;
  message: string;
  sqlState?: string | null;
  ms: number;
}
