import fs from 'node:fs';
import { MyCnfTree, applyPlan, planEdits } from '../../config/mycnf';
import { ReplicaDeskError } from '../../errors';
import type { JobRegistry } from '../../jobs';
import { cloneMaster } from '../../setup/clone/clone';
import type { CloneProgress } from '../../setup/clone/progress';
import { applyMasterSetup, planMasterSetup } from '../../setup/master-setup';
import { runPreflight } from '../../setup/preflight/run';
import { type ChannelNeed, listPurgeableBinlogs, purgeBinlogs } from '../../setup/purge';
import type { MasterPlanView, MyCnfView } from '../contract';
import type { ApiHandlers } from '../methods';

type SetupMethods = 'setup.preflight' | 'setup.masterPlan' | 'setup.masterApply' | 'mycnf.read' | 'mycnf.plan' | 'mycnf.apply' | 'clone.start' | 'purge.list' | 'purge.run';

async function loadMyCnf(path: string): Promise<MyCnfTree> {
  if (!fs.existsSync(path)) throw new ReplicaDeskError('MYCNF_NOT_FOUND', `There is no file ${path}. Check the path (Debian: /etc/mysql/my.cnf; Windows: C:\\ProgramData\\MySQL\\...\\my.ini).`, { path });
  return MyCnfTree.load(path);
}

/** API handlers over the setup engine (core/setup, core/config/mycnf). */
/** What the service's own channels from one master still need (they are not in the caller's list). */
export type OwnNeeds = (master: { host: string; port: number }) => Promise<ChannelNeed[]>;

export function setupHandlers(jobs: JobRegistry, ownNeeds: OwnNeeds = async () => []): Pick<ApiHandlers, SetupMethods> {
  return {
    'setup.preflight': ({ master, target, maxOfflineHours }) =>
      runPreflight(master, target, maxOfflineHours === undefined ? {} : { maxOfflineSeconds: maxOfflineHours * 3600 }),

    'setup.masterPlan': async (p) => {
      const { mycnfTree: _tree, mycnfPlan: _plan, ...view } = await planMasterSetup(p);
      return view satisfies MasterPlanView;
    },

    'setup.masterApply': async (p) => {
      const plan = await planMasterSetup(p);
      return applyMasterSetup(plan, p.admin);
    },

    'mycnf.read': async ({ path }) => {
      const tree = await loadMyCnf(path);
      const text = new Map(tree.files.map((f) => [f.path, Buffer.from(f.original).toString('utf8')]));
      const view: MyCnfView = {
        root: tree.root,
        files: tree.describe().map((d) => ({ ...d, text: text.get(d.file) ?? '' })),
        options: tree.options(),
        problems: tree.problems,
      };
      return view;
    },

    'mycnf.plan': async ({ path, edits }) => {
      const plan = planEdits(await loadMyCnf(path), edits);
      return { diff: plan.diff, warnings: plan.warnings, changes: plan.changes.map((c) => ({ file: c.file, diff: c.diff })) };
    },

    'mycnf.apply': async ({ path, edits }) => {
      const tree = await loadMyCnf(path);
      const plan = planEdits(tree, edits);
      const written = await applyPlan(tree, plan);
      return { written, diff: plan.diff };
    },

    'clone.start': async ({ source, target, databases, parallel, replace, method, targetBinlog }) =>
      jobs.start<CloneProgress, unknown>('clone', `Initial copy ${source.host}:${source.port} → ${target.host}:${target.port}`, (report, signal) =>
        cloneMaster(
          {
            source,
            target,
            ...(databases ? { databases } : {}),
            ...(parallel ? { parallel } : {}),
            ...(replace !== undefined ? { replace } : {}),
            ...(method ? { method } : {}),
            ...(targetBinlog !== undefined ? { targetBinlog } : {}),
          },
          report,
          signal,
        ),
      ),

    'purge.list': async ({ master, needs }) => listPurgeableBinlogs(master, [...(needs ?? []), ...(await ownNeeds(master))]),
    'purge.run': async ({ master, needs, purgeTo }) => purgeBinlogs(master, [...(needs ?? []), ...(await ownNeeds(master))], purgeTo),
  };
}
