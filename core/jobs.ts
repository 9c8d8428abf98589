import { randomUUID } from 'node:crypto';
import type { JobState } from './api/types';
import { ReplicaDeskError, toErrorInfo } from './errors';

const KEEP_FINISHED = 50;
const PROGRESS_INTERVAL_MS = 250;

/**
 * Long-running work started from the API (an initial copy, a node recovery): each gets an id, progress is
 * pushed as events (at most a few per second, so a fast copy cannot flood the UI), and it can be cancelled.
 */
export class JobRegistry {
  private readonly jobs = new Map<string, { state: JobState; abort: AbortController }>();

  constructor(private readonly onChange: (job: JobState) => void) {}

  start<P, R>(kind: string, title: string, run: (report: (progress: P) => void, signal: AbortSignal) => Promise<R>, opts: { target?: JobState['target'] } = {}): JobState {
    const abort = new AbortController();
    const state: JobState = {
      id: randomUUID(),
      kind,
      title,
      status: 'running',
      startedAt: new Date().toISOString(),
      endedAt: null,
      progress: null,
      result: null,
      error: null,
      ...(opts.target ? { target: opts.target } : {}),
    };
    this.jobs.set(state.id, { state, abort });
    let lastPush = 0;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const report = (progress: P) => {
      state.progress = progress as unknown;
      const now = Date.now();
      if (now - lastPush >= PROGRESS_INTERVAL_MS) {
        lastPush = now;
        this.onChange({ ...state });
      } else if (!pending) {
        pending = setTimeout(() => {
          pending = undefined;
          lastPush = Date.now();
          if (state.status === 'running') this.onChange({ ...state });
        }, PROGRESS_INTERVAL_MS);
      }
    };
    this.onChange({ ...state });
    void run(report, abort.signal).then(
      (result) => this.finish(state, 'succeeded', result, null),
      (err: unknown) => this.finish(state, abort.signal.aborted ? 'cancelled' : 'failed', null, err),
    ).finally(() => pending && clearTimeout(pending));
    return { ...state };
  }

  private finish(state: JobState, status: JobState['status'], result: unknown, err: unknown): void {
    state.status = status;
    state.endedAt = new Date().toISOString();
    state.result = result ?? null;
    state.error = err ? toErrorInfo(err) : null;
    this.onChange({ ...state });
    const finished = [...this.jobs.values()].filter((j) => j.state.status !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(j.state.id);
  }

  /** A running job on the same target (one recovery of a node, one re-copy of a channel at a time). */
  runningFor(target: NonNullable<JobState['target']>): JobState | undefined {
    for (const j of this.jobs.values()) {
      const t = j.state.target;
      if (j.state.status === 'running' && t && t.kind === target.kind && t.name === target.name && t.nodeId === target.nodeId) return { ...j.state };
    }
    return undefined;
  }

  list(): JobState[] {
    return [...this.jobs.values()].map((j) => ({ ...j.state }));
  }

  cancel(id: string): JobState {
    const job = this.jobs.get(id);
    if (!job) throw new ReplicaDeskError('JOB_NOT_FOUND', `There is no job ${id}.`);
    job.abort.abort();
    return { ...job.state };
  }

  /** Cancels everything still running and waits (bounded) for it to settle; used at shutdown. */
  async cancelAll(timeoutMs = 10_000): Promise<void> {
    const running = [...this.jobs.values()].filter((j) => j.state.status === 'running');
    for (const j of running) j.abort.abort();
    const deadline = Date.now() + timeoutMs;
    while (running.some((j) => j.state.status === 'running') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
}
