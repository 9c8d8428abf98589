import type { JobState } from '../../../core/api/types';
import type { NodeRecovery } from './pool-node';

/** How long a channel's card keeps saying how its last job (a fresh copy) ended. */
export const SHOW_ENDED_JOB_MS = 6 * 3600_000;

/** The latest job working on a channel (`jobs` newest first), while running or for a while after it ended. */
export function channelJob(jobs: readonly JobState[], name: string, now: number): JobState | undefined {
  return jobs.find((j) => j.target?.kind === 'channel' && j.target.name === name && (j.status === 'running' || (j.endedAt !== null && now - Date.parse(j.endedAt) < SHOW_ENDED_JOB_MS)));
}

/**
 * Each node's latest recovery in a fan-out, as its row shows it: jobs that name their target (started in any
 * window or the CLI), and jobs this window started (node id → job id) in case a service sends no target.
 */
export function nodeRecoveries(jobs: readonly JobState[], fanout: string, startedHere: ReadonlyMap<number, string> = new Map()): Map<number, NodeRecovery> {
  const latest = new Map<number, JobState>();
  for (const [nodeId, jobId] of startedHere) {
    const job = jobs.find((j) => j.id === jobId);
    if (job) latest.set(nodeId, job);
  }
  // Oldest first, so that the newest job of a node is the one kept.
  for (const j of [...jobs].sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
    if (j.kind === 'recovery' && j.target?.kind === 'fanout' && j.target.name === fanout && j.target.nodeId !== undefined) {
      const prev = latest.get(j.target.nodeId);
      if (!prev || prev.startedAt <= j.startedAt) latest.set(j.target.nodeId, j);
    }
  }
  const out = new Map<number, NodeRecovery>();
  for (const [nodeId, job] of latest) {
    const progress = (job.progress ?? { nodeId, phase: 'start' }) as NodeRecovery;
    out.set(nodeId, job.status === 'running' ? progress : { ...progress, phase: job.status === 'succeeded' ? 'attached' : 'failed' });
  }
  return out;
}
