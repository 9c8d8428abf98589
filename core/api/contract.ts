/**
 * The one service contract. The Electron preload and the headless HTTP/WebSocket server both expose exactly
 * this; the renderer programs against `ReplicaDeskApi` and never knows which transport it has.
 */
import type { CnfProblem, OptionRef } from '../config/mycnf/tree';
import type { MyCnfEdit } from '../config/mycnf/edit';
import type { WrittenFile } from '../config/mycnf/write';
import type { MasterSetupOutcome, MasterSetupPlan } from '../setup/master-setup';
import type { CheckResult } from '../setup/preflight/types';
import type { ChannelStatus } from '../mysql/channel/status';
import type { ReplicationFilters } from '../mysql/channel/config';
import type { BinlogListing, ChannelNeed, PurgeOutcome } from '../setup/purge';
import type { ConfDiagnostic } from '../config/pgpool/settings';
import type { PoolNodeRow } from '../pg/node-status';
import type { PgpoolEdit, PgpoolNeeds } from '../config/pgpool/edit';
import type { PoolHbaEdit } from '../config/pgpool/hba-edit';
import type { PgpoolProblem } from '../config/pgpool/validate';
import type { NewPgpoolSetup } from '../config/pgpool/new-setup';

/** A pgpool.conf or pool_hba.conf edit as previewed: the diff, what it breaks, and what it needs. */
export interface PgpoolPlanView {
  diff: string;
  problems: (PgpoolProblem & { introduced: boolean })[];
  needs: PgpoolNeeds | 'none' | 'reload';
}
import type { BackendCheck, ChannelMetricSample, ChannelSummary, FanoutSummary, HistoryEntry, JobState, MySqlEndpointInput, ServiceInfo, SettingKey, Severity } from './types';

/** The master setup plan as it crosses the API (the my.cnf tree object stays in the service). */
export type MasterPlanView = Omit<MasterSetupPlan, 'mycnfTree' | 'mycnfPlan'>;

export interface MyCnfView {
  root: string;
  files: { file: string; lines: number; text: string; includedFrom?: { file: string; line: number } }[];
  options: OptionRef[];
  problems: CnfProblem[];
}

export interface MyCnfPlanView {
  diff: string;
  warnings: string[];
  changes: { file: string; diff: string }[];
}

export type Empty = Record<string, never>;

export interface ApiMethods {
  'service.info': { kind: 'query'; params: Empty; result: ServiceInfo };
  'channels.list': { kind: 'query'; params: Empty; result: ChannelSummary[] };
  'fanouts.list': { kind: 'query'; params: Empty; result: FanoutSummary[] };
  'history.list': {
    kind: 'query';
    params: { limit?: number; beforeId?: number; source?: string; severity?: Severity };
    result: HistoryEntry[];
  };

  // Replica channels (core/mysql/channel): CHANGE MASTER TO, START/STOP SLAVE, SHOW SLAVE STATUS.
  'channels.status': { kind: 'query'; params: { name: string }; result: ChannelStatus };
  /** CHANGE MASTER TO for a new channel; passwords are sealed before they are stored. */
  'channels.create': {
    kind: 'command';
    params: {
      name: string;
      master: MySqlEndpointInput;
      target: MySqlEndpointInput;
      /** Where replication starts: a master binlog file and position (e.g. from an initial copy), or a GTID position. */
      start: { file: string; pos: number } | { gtid: string };
      serverId?: number;
      connectRetry?: number;
      filters?: Partial<ReplicationFilters>;
      /** slave_exec_mode: IDEMPOTENT ignores duplicate-key and missing-row errors (an explicit choice). */
      execMode?: 'STRICT' | 'IDEMPOTENT';
      description?: string;
    };
    result: ChannelStatus;
  };
  /** The last hour of lag and apply-rate samples the service took (one every 10 s), oldest first. */
  'channels.metrics': { kind: 'query'; params: { name: string }; result: ChannelMetricSample[] };
  /**
   * "Make a fresh copy" for a channel that cannot go on (binlogs purged on the master, a drifted backup):
   * as one job, stop it, copy its databases again (replacing them on the target, the channel's filters
   * applied), point it at the new copy's binlog position and start it.
   */
  'channels.reclone': { kind: 'command'; params: { name: string; parallel?: number }; result: JobState };
  'channels.start': { kind: 'command'; params: { name: string; thread?: 'io' | 'sql' | 'both'; until?: { file: string; pos: number } }; result: ChannelStatus };
  'channels.stop': { kind: 'command'; params: { name: string; thread?: 'io' | 'sql' | 'both' }; result: ChannelStatus };
  /** SET GLOBAL sql_slave_skip_counter = count, used when the SQL thread next starts. */
  'channels.skip': { kind: 'command'; params: { name: string; count: number }; result: ChannelStatus };
  /** RESET SLAVE [ALL]: forget the relay log and positions (ALL also the target's applied-position row); the channel stays. */
  'channels.reset': { kind: 'command'; params: { name: string; all?: boolean }; result: ChannelSummary[] };
  /** Deletes a stopped channel: settings, sealed passwords, positions and relay logs. */
  'channels.delete': { kind: 'command'; params: { name: string }; result: ChannelSummary[] };
  'channels.startAll': { kind: 'command'; params: Empty; result: ChannelSummary[] };
  'channels.stopAll': { kind: 'command'; params: Empty; result: ChannelSummary[] };

  // PostgreSQL fan-out proxies (core/pg), each run from the user's own pgpool.conf.
  /** Defines a fan-out from an existing pgpool.conf (pool_hba.conf and pool_passwd beside it). */
  'fanouts.create': { kind: 'command'; params: { name: string; configPath: string; keyFile?: string }; result: { summary: FanoutSummary; diagnostics: ConfDiagnostic[] } };
  'fanouts.start': { kind: 'command'; params: { name: string }; result: FanoutSummary };
  'fanouts.stop': { kind: 'command'; params: { name: string }; result: FanoutSummary };
  'fanouts.delete': { kind: 'command'; params: { name: string }; result: FanoutSummary[] };
  /** SHOW POOL_NODES. */
  'fanouts.nodes': { kind: 'query'; params: { name: string }; result: PoolNodeRow[] };
  'fanouts.attach': { kind: 'command'; params: { name: string; nodeId: number }; result: PoolNodeRow[] };
  'fanouts.detach': { kind: 'command'; params: { name: string; nodeId: number }; result: PoolNodeRow[] };
  /** Online recovery of a detached node, as a job ("recovery"; progress: RecoveryEvent). */
  /** Logs in to each backend of a pgpool.conf (nothing is started): the wizard's "check each backend" step. */
  'fanouts.check': {
    kind: 'query';
    params: { configPath: string; keyFile?: string; user?: string; database?: string };
    result: { backends: BackendCheck[]; diagnostics: ConfDiagnostic[] };
  };
  'fanouts.recover': { kind: 'command'; params: { name: string; nodeId: number }; result: JobState };

  // Guided setup (core/setup): pre-flight checks, master preparation, my.cnf, initial copy, binlog purge.
  'setup.preflight': {
    kind: 'query';
    params: { master: MySqlEndpointInput; target: MySqlEndpointInput; maxOfflineHours?: number };
    result: CheckResult[];
  };
  'setup.masterPlan': {
    kind: 'query';
    params: { admin: MySqlEndpointInput; replicaHost: string; replicationUser?: string; retentionDays?: number; forCopy?: boolean };
    result: MasterPlanView;
  };
  /** Re-plans with the password shown in the plan and runs it with the admin account. */
  'setup.masterApply': {
    kind: 'command';
    params: { admin: MySqlEndpointInput; replicaHost: string; replicationUser?: string; password?: string; retentionDays?: number; forCopy?: boolean };
    result: MasterSetupOutcome;
  };
  /** pgpool.conf and pool_hba.conf editing: edits as operations, previewed, written atomically with a backup. */
  'pgpool.read': { kind: 'query'; params: { path: string }; result: { text: string; problems: PgpoolProblem[] } };
  /** A new pgpool setup (pgpool.conf, pool_hba.conf, pool_passwd with AES entries, key file) in an empty folder. */
  'pgpool.create': { kind: 'command'; params: { dir: string; setup: NewPgpoolSetup }; result: { configPath: string; keyFile: string; files: string[] } };
  'pgpool.plan': { kind: 'query'; params: { path: string; edits: PgpoolEdit[] }; result: PgpoolPlanView };
  'pgpool.apply': { kind: 'command'; params: { path: string; edits: PgpoolEdit[] }; result: PgpoolPlanView & { written: WrittenFile | null } };
  'poolHba.plan': { kind: 'query'; params: { path: string; edits: PoolHbaEdit[] }; result: PgpoolPlanView };
  'poolHba.apply': { kind: 'command'; params: { path: string; edits: PoolHbaEdit[] }; result: PgpoolPlanView & { written: WrittenFile | null } };
  'mycnf.read': { kind: 'query'; params: { path: string }; result: MyCnfView };
  'mycnf.plan': { kind: 'query'; params: { path: string; edits: MyCnfEdit[] }; result: MyCnfPlanView };
  /** Writes atomically, each changed file backed up first. */
  'mycnf.apply': { kind: 'command'; params: { path: string; edits: MyCnfEdit[] }; result: { written: WrittenFile[]; diff: string } };
  /** Starts an initial copy as a job ("clone"); follow it with job events, cancel with jobs.cancel. */
  'clone.start': {
    kind: 'command';
    params: {
      source: MySqlEndpointInput;
      target: MySqlEndpointInput;
      databases?: string[];
      parallel?: number;
      replace?: boolean;
      /** How rows go in: LOAD DATA LOCAL unless the target refuses it ("auto"), or INSERT statements. */
      method?: 'auto' | 'insert';
      /** Also write the copy into the backup's own binary log (default off). */
      targetBinlog?: boolean;
    };
    result: JobState;
  };
  /** The master's binary logs and which may go; the service adds what its own channels from that master still need. */
  'purge.list': { kind: 'query'; params: { master: MySqlEndpointInput; needs?: ChannelNeed[] }; result: BinlogListing };
  'purge.run': { kind: 'command'; params: { master: MySqlEndpointInput; needs?: ChannelNeed[]; purgeTo: string }; result: PurgeOutcome };
  'jobs.list': { kind: 'query'; params: Empty; result: JobState[] };
  'jobs.cancel': { kind: 'command'; params: { id: string }; result: JobState };
  'settings.get': { kind: 'query'; params: { key: SettingKey }; result: { key: SettingKey; value: string | null } };
  'settings.set': { kind: 'command'; params: { key: SettingKey; value: string }; result: { key: SettingKey; value: string } };
}

export type ApiMethod = keyof ApiMethods;
export type ApiParams<M extends ApiMethod> = ApiMethods[M]['params'];
export type ApiResult<M extends ApiMethod> = ApiMethods[M]['result'];

/** Pushed to every subscriber as things happen. */
export type ApiEvent =
  | { type: 'history'; entry: HistoryEntry }
  | { type: 'channels'; channels: ChannelSummary[] }
  | { type: 'channel.status'; name: string; status: ChannelStatus }
  | { type: 'fanouts'; fanouts: FanoutSummary[] }
  | { type: 'job'; job: JobState }
  | { type: 'settings'; key: SettingKey; value: string | null }
  | { type: 'service.stopping' };

export interface ReplicaDeskApi {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  /** Returns the function that unsubscribes. */
  onEvent(listener: (event: ApiEvent) => void): () => void;
}

/** Wire format of one call, the same over HTTP and Electron IPC. */
export interface ApiRequest {
  method: string;
  params?: unknown;
}

export type ApiResponse = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };
