import type { ReplicaDeskApi } from '../../../core/api/contract';
import type { BackendForm, EndpointForm, FilterForm, StartForm } from '../model/forms';
import type { CloneProgress, MasterPlan, PreflightCheck } from '../model/preflight';

/**
 * The wizards' service operations. Undefined members are not in the API contract yet; the wizards show
 * that plainly and stop before the step that needs them. Wire each one here when its method lands.
 */
export interface NewChannel {
  name: string;
  master: EndpointForm;
  target: EndpointForm;
  filters: FilterForm;
  start: StartForm;
}

export interface NewFanout {
  name: string;
  listenPort: string;
  backends: BackendForm[];
  user: string;
  password: string;
}

export interface BackendCheck {
  host: string;
  port: number;
  ok: boolean;
  message: string;
}

export interface SetupOps {
  preflight?(input: NewChannel): Promise<PreflightCheck[]>;
  /** Creates and starts the channel; the initial copy's progress comes back through onProgress. */
  createChannel?(input: NewChannel, onProgress: (p: CloneProgress) => void): Promise<void>;
  masterPlan?(input: { admin: EndpointForm; replicaHost: string; replicationUser: string }): Promise<MasterPlan>;
  applyMasterPlan?(input: { admin: EndpointForm; replicaHost: string; replicationUser: string }): Promise<MasterPlan>;
  importPgpoolConf?(text: string): Promise<{ backends: BackendForm[]; listenPort: string }>;
  checkBackends?(input: NewFanout): Promise<BackendCheck[]>;
  createFanout?(input: NewFanout): Promise<void>;
}

export function setupOps(api: ReplicaDeskApi): SetupOps {
  void api; // setup.preflight, channels.create, setup.masterPlan, fanouts.create ... are not in the contract yet
  return {};
}

/** The config editors' operations (my.cnf and pgpool.conf through the config engine). */
export interface ConfigOps {
  load?(kind: 'mycnf' | 'pgpool'): Promise<{ path: string; text: string }>;
  preview?(kind: 'mycnf' | 'pgpool', text: string): Promise<{ diff: string; problems: { line: number; message: string }[] }>;
  save?(kind: 'mycnf' | 'pgpool', text: string): Promise<{ backup: string }>;
}

export function configOps(api: ReplicaDeskApi): ConfigOps {
  void api; // config.* methods are not in the contract yet
  return {};
}
