import type { ApiParams, MyCnfPlanView, MyCnfView, ReplicaDeskApi } from '../../../core/api/contract';
import type { JobState, MySqlEndpointInput } from '../../../core/api/types';
import { lines, type EndpointForm, type FilterForm, type StartForm } from '../model/forms';
import type { PgpoolEditOp } from '../model/pgpool';
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
}

export function endpoint(e: EndpointForm): MySqlEndpointInput {
  return { host: e.host.trim(), port: Number(e.port), user: e.user.trim(), password: e.password };
}

/** The replicate-* filters as the channel engine takes them (one entry per line in the form). */
export function channelFilters(f: FilterForm) {
  return {
    doDb: lines(f.replicateDoDb),
    ignoreDb: lines(f.replicateIgnoreDb),
    doTable: lines(f.replicateDoTable),
    ignoreTable: lines(f.replicateIgnoreTable),
    wildDoTable: lines(f.replicateWildDoTable),
    wildIgnoreTable: lines(f.replicateWildIgnoreTable),
  };
}

/**
 * Waits for a job to end, reporting its progress; resolves with its result, rejects with its error. Follows
 * job events, and asks jobs.list now and then in case an event was missed (a reconnecting event stream).
 */
export function followJob(api: ReplicaDeskApi, job: JobState, onProgress: (progress: unknown) => void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let done = false;
    const settle = (j: JobState) => {
      if (done || j.id !== job.id) return;
      if (j.progress !== null && j.progress !== undefined) onProgress(j.progress);
      if (j.status === 'running') return;
      done = true;
      off();
      clearInterval(timer);
      if (j.status === 'succeeded') resolve(j.result);
      else reject(Object.assign(new Error(j.error?.message ?? `The job ended: ${j.status}.`), { code: j.error?.code ?? 'JOB_' + j.status.toUpperCase() }));
    };
    const off = api.onEvent((e) => {
      if (e.type === 'job') settle(e.job);
    });
    const timer = setInterval(() => {
      void api.call('jobs.list', {}).then((all) => all.forEach(settle), () => undefined);
    }, 5000);
    settle(job);
  });
}

export function setupOps(api: ReplicaDeskApi): SetupOps {
  return {
    createChannel: async (input, onProgress) => {
      const master = endpoint(input.master);
      const target = endpoint(input.target);
      const filters = channelFilters(input.filters);
      let start: { file: string; pos: number } | { gtid: string };
      if (input.start.mode === 'clone') {
        // The first copy, then replication from exactly the snapshot's position: nothing missed, nothing twice.
        const job = await api.call('clone.start', { source: master, target, ...(filters.doDb.length ? { databases: filters.doDb } : {}) });
        const result = (await followJob(api, job, (p) => onProgress(p as CloneProgress))) as { binlogFile: string; binlogPos: number };
        start = { file: result.binlogFile, pos: result.binlogPos };
      } else if (input.start.mode === 'position') start = { file: input.start.file.trim(), pos: Number(input.start.pos) };
      else start = { gtid: input.start.gtid.trim() };
      await api.call('channels.create', { name: input.name, master, target, start, filters });
      await api.call('channels.start', { name: input.name });
    },
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

/** The fan-out wizard and the pgpool.conf editor: the user's own pgpool.conf, read, edited and run. */
export function pgpoolOps(api: ReplicaDeskApi) {
  return {
    read: (path: string) => api.call('pgpool.read', { path }),
    plan: (path: string, edits: PgpoolEditOp[]) => api.call('pgpool.plan', { path, edits }),
    apply: (path: string, edits: PgpoolEditOp[]) => api.call('pgpool.apply', { path, edits }),
    createFanout: (name: string, configPath: string, keyFile?: string) => api.call('fanouts.create', { name, configPath, ...(keyFile ? { keyFile } : {}) }),
    startFanout: (name: string) => api.call('fanouts.start', { name }),
    /** One login per backend of the file (health_check_user), nothing started. */
    checkBackends: (configPath: string, keyFile?: string) => api.call('fanouts.check', { configPath, ...(keyFile ? { keyFile } : {}) }),
    /** A new pgpool.conf, pool_hba.conf and pool_passwd (AES, with its 0600 key file) in a folder. */
    createSetup: (params: ApiParams<'pgpool.create'>) => api.call('pgpool.create', params),
  };
}
