import { ReplicaDeskError } from '../../errors';
import type { FanoutManager } from '../../fanout/fanout-manager';
import type { JobRegistry } from '../../jobs';
import type { RecoveryEvent } from '../../pg/node-status';
import type { ApiHandlers } from '../methods';

type FanoutMethods =
  | 'fanouts.list'
  | 'fanouts.create'
  | 'fanouts.start'
  | 'fanouts.stop'
  | 'fanouts.delete'
  | 'fanouts.nodes'
  | 'fanouts.attach'
  | 'fanouts.detach'
  | 'fanouts.recover';

/** API handlers over the fan-out manager (pgpool's PCP attach/detach/recovery, SHOW POOL_NODES). */
export function fanoutHandlers(fanouts: FanoutManager, jobs: JobRegistry): Pick<ApiHandlers, FanoutMethods> {
  return {
    'fanouts.list': () => fanouts.list(),
    'fanouts.create': (p) => fanouts.create(p),
    'fanouts.start': ({ name }) => fanouts.start(name),
    'fanouts.stop': ({ name }) => fanouts.stop(name),
    'fanouts.delete': async ({ name }) => {
      await fanouts.delete(name);
      return fanouts.list();
    },
    'fanouts.nodes': async ({ name }) => fanouts.nodes(name),
    'fanouts.attach': ({ name, nodeId }) => fanouts.attach(name, nodeId),
    'fanouts.detach': ({ name, nodeId }) => fanouts.detach(name, nodeId),
    'fanouts.recover': async ({ name, nodeId }) => {
      fanouts.nodes(name); // fails now, not inside the job, when the fan-out is not running
      const target = { kind: 'fanout' as const, name, nodeId };
      const busy = jobs.runningFor(target);
      if (busy) throw new ReplicaDeskError('JOB_ALREADY_RUNNING', `Node ${nodeId} of ${name} is already being recovered (job ${busy.id}). Wait for it to finish or cancel it.`, { job: busy.id });
      return jobs.start<RecoveryEvent, unknown>('recovery', `Recover node ${nodeId} of ${name}`, (report) => fanouts.recover(name, nodeId, report), { target });
    },
  };
}
