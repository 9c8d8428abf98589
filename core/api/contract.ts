/**
 * The one service contract. The Electron preload and the headless HTTP/WebSocket server both expose exactly
 * this; the renderer programs against `ReplicaDeskApi` and never knows which transport it has.
 */
import type { CnfProblem, OptionRef } from '../config/mycnf/tree';
import type { MyCnfEdit } from '../config/mycnf/edit';
import type { WrittenFile } from '../config/mycnf/write';
import type { MasterSetupOutcome, MasterSetupPlan } from '../setup/master-setup';
import type { CheckResult } from '../setup/preflight/types';
import type { BinlogListing, ChannelNeed, PurgeOutcome } from '../setup/purge';
import type { ChannelSummary, FanoutSummary, HistoryEntry, JobState, MySqlEndpointInput, ServiceInfo, Severity } from './types';

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
  'mycnf.read': { kind: 'query'; params: { path: string }; result: MyCnfView };
  'mycnf.plan': { kind: 'query'; params: { path: string; edits: MyCnfEdit[] }; result: MyCnfPlanView };
  /** Writes atomically, each changed file backed up first. */
  'mycnf.apply': { kind: 'command'; params: { path: string; edits: MyCnfEdit[] }; result: { written: WrittenFile[]; diff: string } };
  /** Starts an initial copy as a job ("clone"); follow it with job events, cancel with jobs.cancel. */
  'clone.start': {
    kind: 'command';
    params: { source: MySqlEndpointInput; target: MySqlEndpointInput; databases?: string[]; parallel?: number; replace?: boolean };
    result: JobState;
  };
  'purge.list': { kind: 'query'; params: { master: MySqlEndpointInput; needs?: ChannelNeed[] }; result: BinlogListing };
  'purge.run': { kind: 'command'; params: { master: MySqlEndpointInput; needs?: ChannelNeed[]; purgeTo: string }; result: PurgeOutcome };
  'jobs.list': { kind: 'query'; params: Empty; result: JobState[] };
  'jobs.cancel': { kind: 'command'; params: { id: string }; result: JobState };
}

export type ApiMethod = keyof ApiMethods;
export type ApiParams<M extends ApiMethod> = ApiMethods[M]['params'];
export type ApiResult<M extends ApiMethod> = ApiMethods[M]['result'];

/** Pushed to every subscriber as things happen. */
export type ApiEvent =
  | { type: 'history'; entry: HistoryEntry }
  | { type: 'channels'; channels: ChannelSummary[] }
  | { type: 'fanouts'; fanouts: FanoutSummary[] }
  | { type: 'job'; job: JobState }
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
