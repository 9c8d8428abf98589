import fs from 'node:fs';
import path from 'node:path';
import { applyPgpoolPlan, loadPgpoolConf, planPgpoolEdits } from '../../config/pgpool/edit';
import { applyPoolHbaPlan, planPoolHbaEdits } from '../../config/pgpool/hba-edit';
import { renderNewSetup } from '../../config/pgpool/new-setup';
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

/**
 * pgpool.create: the fan-out wizard's "new setup" path. Writes pgpool.conf, pool_hba.conf, pool_passwd (AES
 * entries) and the key file into a folder that has no pgpool.conf yet (never over a user's files). Secrets
 * files are 0600. Returns the paths fanouts.create takes.
 */
export function pgpoolCreateHandler(): Pick<ApiHandlers, 'pgpool.create'> {
  return {
    'pgpool.create': async ({ dir, setup }) => {
      const files = renderNewSetup(setup);
      const configPath = path.join(dir, 'pgpool.conf');
      const hbaPath = path.join(dir, 'pool_hba.conf');
      const passwdPath = path.join(dir, 'pool_passwd');
      const keyFile = path.join(dir, 'pgpoolkey');
      for (const f of [configPath, hbaPath, passwdPath, keyFile]) {
        if (fs.existsSync(f)) throw new ReplicaDeskError('PGPOOL_SETUP_EXISTS', `${f} already exists. Import that setup instead, or choose an empty folder.`, { path: f });
      }
      await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
      // wx: if another process created a file meanwhile, fail instead of overwriting it.
      const written: string[] = [];
      try {
        for (const [file, text, mode] of [
          [keyFile, files.poolKey, 0o600],
          [passwdPath, files.poolPasswd, 0o600],
          [hbaPath, files.poolHba, 0o644],
          [configPath, files.pgpoolConf, 0o644],
        ] as const) {
          await fs.promises.writeFile(file, text, { flag: 'wx', mode });
          written.push(file);
        }
      } catch (err) {
        for (const f of written) await fs.promises.rm(f, { force: true });
        throw err;
      }
      return { configPath, keyFile, files: written };
    },
  };
}
