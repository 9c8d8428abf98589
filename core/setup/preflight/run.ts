import type { MySqlEndpoint } from '../endpoint';
import { diskFact, gatherFacts, isLocalHost } from './facts';
import { evaluatePreflight } from './rules';
import { type CheckResult, type DiskFact, type OtherMaster, type PreflightFacts, isFailure } from './types';

export interface PreflightOptions {
  /** Account with more rights on the master to look at its tables (engines, collations, sizes); else the replication account. */
  masterAdmin?: MySqlEndpoint;
  /** Masters of the other channels into the same target. */
  otherMasters?: OtherMaster[];
  /** How long the backup PC may be off; default 7 days. */
  maxOfflineSeconds?: number;
  /** Folder on this PC where relay logs will live (free space is measured there). */
  relayLogDir?: string;
  /** Space to keep for relay logs; default 2 GiB. */
  relayHeadroomBytes?: number;
  /** The channel's filters: tables outside are left out of size and engine checks. */
  includeTable?: (schema: string, table: string) => boolean;
}

/**
 * Runs every pre-flight check for one master → backup channel. `master` is the replication account the
 * channel will use; `target` the backup server's account. Never throws for a server problem: each one is a
 * failed check with its explanation.
 */
export async function runPreflight(master: MySqlEndpoint, target: MySqlEndpoint, opts: PreflightOptions = {}): Promise<CheckResult[]> {
  const [m, t] = await Promise.all([
    gatherFacts(master, opts.masterAdmin ? { tablesVia: opts.masterAdmin } : {}),
    gatherFacts(target, { withCollations: true }),
  ]);
  const disks: DiskFact[] = [];
  if (opts.relayLogDir) {
    const d = await diskFact(opts.relayLogDir, 'relay-log');
    if (d) disks.push(d);
  }
  if (!isFailure(t) && (target.socketPath || isLocalHost(target.host)) && t.vars.datadir) {
    const d = await diskFact(t.vars.datadir, 'target-datadir');
    if (d) disks.push(d);
  }
  const facts: PreflightFacts = {
    master: m,
    target: t,
    otherMasters: opts.otherMasters ?? [],
    disks,
    maxOfflineSeconds: opts.maxOfflineSeconds ?? 7 * 86400,
    relayHeadroomBytes: opts.relayHeadroomBytes ?? 2 * 1024 ** 3,
  };
  if (opts.includeTable) facts.includeTable = opts.includeTable;
  return evaluatePreflight(facts);
}
