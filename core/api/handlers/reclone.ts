import { ReplicaDeskError } from '../../errors';
import type { JobRegistry } from '../../jobs';
import { ReplicationFilter } from '../../mysql/apply/filters';
import type { ChannelManager } from '../../mysql/channel/manager';
import type { MysqlEndpoint } from '../../mysql/client/endpoint';
import { mysql2Ssl } from '../../mysql/client/raw-session';
import { cloneMaster } from '../../setup/clone/clone';
import type { MySqlEndpoint } from '../../setup/endpoint';
import type { CloneProgress } from '../../setup/clone/progress';
import type { ApiHandlers } from '../methods';

/** What the re-copy job reports: the copy's own progress, then the steps around it. */
export type RecloneProgress = { step: 'stopping' | 'repointing' | 'starting' } | ({ step: 'copying' } & CloneProgress);

/**
 * channels.reclone: the remedy for a channel that cannot continue (1236: the binlogs it needs are purged; a
 * backup that drifted). The copy takes the channel's own accounts and filters, so what gets copied is
 * exactly what the channel replicates; the channel is then pointed at the copy's snapshot position, which
 * is what makes the copy and the replication that follows meet without a gap or an overlap.
 */
export function recloneHandlers(channels: ChannelManager, jobs: JobRegistry): Pick<ApiHandlers, 'channels.reclone'> {
  return {
    'channels.reclone': async ({ name, parallel }) => {
      const { config, master, target } = await channels.endpoints(name);
      if (config.filters.rewriteDb.length > 0) {
        throw new ReplicaDeskError(
          'RECLONE_REWRITE_DB',
          `Channel ${name} renames databases (replicate-rewrite-db), which the initial copy cannot do yet. Copy the databases by hand under their new names, then reset the channel to the position of that copy.`,
          { channel: name },
        );
      }
      const jobTarget = { kind: 'channel' as const, name };
      const busy = jobs.runningFor(jobTarget);
      if (busy) throw new ReplicaDeskError('JOB_ALREADY_RUNNING', `Channel ${name} is already being copied again (job ${busy.id}).`, { job: busy.id });
      // The copy connects with mysql2 options: TLS files are read now, so a missing CA fails before anything stops.
      const forCopy = (e: MysqlEndpoint): MySqlEndpoint => {
        const { ssl, ...rest } = e;
        const converted = ssl ? mysql2Ssl(ssl) : undefined;
        return { ...rest, ...(converted ? { ssl: converted } : {}) };
      };
      const [source, copyTarget] = [forCopy(master), forCopy(target)];
      const filter = new ReplicationFilter(config.filters);
      // Databases the channel can write to, then the table rules for each table, as the SQL thread judges them.
      const include = (db: string, table?: string) => (table === undefined ? filter.schemaMayPass(db) : filter.rowsOk(db, table));
      return jobs.start<RecloneProgress, unknown>(
        'reclone',
        `Fresh copy for channel ${name}`,
        async (report, signal) => {
          report({ step: 'stopping' });
          await channels.stop(name, 'both');
          const result = await cloneMaster(
            {
              source,
              target: copyTarget,
              include,
              ...(config.filters.doDb.length ? { databases: config.filters.doDb } : {}),
              ...(parallel ? { parallel } : {}),
              replace: true,
            },
            (p) => report({ step: 'copying', ...p }),
            signal,
          );
          report({ step: 'repointing' });
          const useGtid = config.start.kind === 'gtid' && result.gtidPos !== '';
          await channels.update(name, { start: useGtid ? { kind: 'gtid', gtid: result.gtidPos } : { kind: 'file', file: result.binlogFile, pos: result.binlogPos } });
          await channels.reset(name, { all: true });
          report({ step: 'starting' });
          await channels.start(name, 'both');
          return result;
        },
        { target: jobTarget },
      );
    },
  };
}
