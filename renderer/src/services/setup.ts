import type { MyCnfPlanView, MyCnfView, ReplicaDeskApi } from '../../../core/api/contract';
import type { JobState, MySqlEndpointInput } from '../../../core/api/types';
import type { BackendForm, EndpointForm, FilterForm, StartForm } from '../model/forms';
import type { CloneProgress, MasterPlan, PreflightCheck } from '../model/preflight';

/**
 * The wizards' and editors' service operations. A member is wired when its method is in the API contract;
 * undefined ones are not there yet, and the screens say so plainly and stop before the step that needs
 * them. The compiler checks every call against core/api/contract.ts.
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

export interface MasterSetupInput {
  admin: EndpointForm;
  replicaHost: string;
  replicationUser: string;
}

export interface MasterOutcome {
  applied: string[];
  manual: { statement: string; error: string }[];
  restartNeeded: boolean;
}

export interface SetupOps {
  preflight?(input: NewChannel): Promise<PreflightCheck[]>;
  /** Creates and starts the channel; the initial copy's progress comes back through onProgress. */
  createChannel?(input: NewChannel, onProgress: (p: CloneProgress) => void): Promise<void>;
  masterPlan?(input: MasterSetupInput): Promise<MasterPlan & { user: { password?: string } }>;
  applyMasterPlan?(input: MasterSetupInput & { password?: string }): Promise<MasterOutcome>;
  importPgpoolConf?(text: string): Promise<{ backends: BackendForm[]; listenPort: string }>;
  checkBackends?(input: NewFanout): Promise<BackendCheck[]>;
  createFanout?(input: NewFanout): Promise<void>;
}

export function endpoint(e: EndpointForm): MySqlEndpointInput {
  return { host: e.host.trim(), port: Number(e.port), user: e.user.trim(), password: e.password };
}

export function setupOps(api: ReplicaDeskApi): SetupOps {
  return {
    preflight: (input) => api.call('setup.preflight', { master: endpoint(input.master), target: endpoint(input.target) }),
    masterPlan: (input) => api.call('setup.masterPlan', { admin: endpoint(input.admin), replicaHost: input.replicaHost, replicationUser: input.replicationUser, forCopy: true }),
    applyMasterPlan: async (input) => {
      const out = await api.call('setup.masterApply', {
        admin: endpoint(input.admin),
        replicaHost: input.replicaHost,
        replicationUser: input.replicationUser,
        forCopy: true,
        ...(input.password ? { password: input.password } : {}),
      });
      return { applied: out.applied, manual: out.manual, restartNeeded: out.restartNeeded };
    },
    // channels.create, fanouts.create, fan-out backend checks and pgpool.conf import are not in the contract yet.
  };
}

/** The my.cnf editor's operations (the config engine, through mycnf.*). pgpool.conf has none yet. */
export interface MyCnfEditOp {
  op: 'set' | 'add' | 'remove';
  group: string;
  key: string;
  value: string | null;
}

export interface ConfigOps {
  readMyCnf?(path: string): Promise<MyCnfView>;
  planMyCnf?(path: string, edits: MyCnfEditOp[]): Promise<MyCnfPlanView>;
  applyMyCnf?(path: string, edits: MyCnfEditOp[]): Promise<{ written: { file: string; realFile: string; backup?: string }[]; diff: string }>;
  readPgpool?(path: string): Promise<never>;
}

export function configOps(api: ReplicaDeskApi): ConfigOps {
  return {
    readMyCnf: (path) => api.call('mycnf.read', { path }),
    planMyCnf: (path, edits) => api.call('mycnf.plan', { path, edits }),
    applyMyCnf: (path, edits) => api.call('mycnf.apply', { path, edits }),
  };
}

/** Long-running jobs (an initial copy): cancel one. */
export function cancelJob(api: ReplicaDeskApi, id: string): Promise<JobState> {
  return api.call('jobs.cancel', { id });
}
