/** Progress of an initial copy, as events for the wizard. */
export type ClonePhase = 'snapshot' | 'schema' | 'data' | 'routines' | 'views' | 'triggers' | 'events' | 'cleanup' | 'done';

export interface CloneProgress {
  phase: ClonePhase;
  tablesTotal: number;
  tablesDone: number;
  /** Row and byte totals are the server's estimates (information_schema); the done counts are exact. */
  rowsTotal: number;
  rowsDone: number;
  bytesTotal: number;
  bytesDone: number;
  /** Tables being copied right now, "db.table". */
  current: string[];
  elapsedMs: number;
  /** Seconds left, estimated from the rate so far; null until there is a rate. */
  etaSeconds: number | null;
  message?: string;
}

export class ProgressTracker {
  private readonly started = Date.now();
  private lastEmit = 0;
  readonly p: CloneProgress;

  constructor(
    private readonly emit: ((p: CloneProgress) => void) | undefined,
    private readonly intervalMs = 250,
  ) {
    this.p = { phase: 'snapshot', tablesTotal: 0, tablesDone: 0, rowsTotal: 0, rowsDone: 0, bytesTotal: 0, bytesDone: 0, current: [], elapsedMs: 0, etaSeconds: null };
  }

  phase(phase: ClonePhase, message?: string): void {
    this.p.phase = phase;
    if (message === undefined) delete this.p.message;
    else this.p.message = message;
    this.flush(true);
  }

  /** Emits at most every intervalMs unless forced. */
  flush(force = false): void {
    const now = Date.now();
    if (!this.emit || (!force && now - this.lastEmit < this.intervalMs)) return;
    this.lastEmit = now;
    const p = this.p;
    p.elapsedMs = now - this.started;
    // The byte estimate is the better measure of work, but InnoDB's is rough; take the further of the two.
    const frac = Math.min(0.999, Math.max(p.rowsTotal ? p.rowsDone / p.rowsTotal : 0, p.bytesTotal ? p.bytesDone / p.bytesTotal : 0));
    p.etaSeconds = p.phase === 'data' && frac > 0.001 && p.elapsedMs > 500 ? Math.round((p.elapsedMs / frac - p.elapsedMs) / 1000) : p.phase === 'done' ? 0 : null;
    try {
      this.emit({ ...p, current: [...p.current] });
    } catch {
      /* a listener's failure must not break the copy */
    }
  }
}
