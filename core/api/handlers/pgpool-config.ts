import fs from 'node:fs';
import { applyPgpoolPlan, loadPgpoolConf, planPgpoolEdits } from '../../config/pgpool/edit';
import { applyPoolHbaPlan, planPoolHbaEdits } from '../../config/pgpool/hba-edit';
import { PoolHbaDocument } from '../../config/pgpool/pool-hba';
import { validatePgpoolDocument } from '../../config/pgpool/validate';
import { ReplicaDeskError } from '../../errors';
import type { ApiHandlers } from '../methods';

type PgpoolMethods = 'pgpool.read' | 'pgpool.plan' | 'pgpool.apply' | 'poolHba.plan' | 'poolHba.apply';

function loadHba(path: string): PoolHbaDocument {
  if (!fs.existsSync(path)) throw new ReplicaDeskError('POOL_HBA_NOT_FOUND', `There is no file ${path}.`, { path });
  return PoolHbaDocument.parse(fs.readFileSync(path, 'utf8'), path);
}

/** API handlers over the pgpool.conf / pool_hba.conf editor (core/config/pgpool). */
export function pgpoolConfigHandlers(): Pick<ApiHandlers, PgpoolMethods> {
  return {
    'pgpool.read': async ({ path }) => {
      const doc = loadPgpoolConf(path);
      return { text: doc.toString(), problems: validatePgpoolDocument(doc) };
    },
    'pgpool.plan': async ({ path, edits }) => {
      const plan = planPgpoolEdits(loadPgpoolConf(path), edits);
      return { diff: plan.diff, problems: plan.problems, needs: plan.needs };
    },
    'pgpool.apply': async ({ path, edits }) => {
      const plan = planPgpoolEdits(loadPgpoolConf(path), edits);
      const written = await applyPgpoolPlan(plan);
      return { diff: plan.diff, problems: plan.problems, needs: plan.needs, written: written ?? null };
    },
    'poolHba.plan': async ({ path, edits }) => {
      const plan = planPoolHbaEdits(loadHba(path), edits);
      return { diff: plan.diff, problems: plan.problems, needs: plan.needs };
    },
    'poolHba.apply': async ({ path, edits }) => {
      const plan = planPoolHbaEdits(loadHba(path), edits);
      const written = await applyPoolHbaPlan(plan);
      return { diff: plan.diff, problems: plan.problems, needs: plan.needs, written: written ?? null };
    },
  };
}
