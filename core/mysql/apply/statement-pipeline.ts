import { ReplicaDeskError } from '../../errors';
import type { ApplierConnection } from '../client/applier-connection';
import type { QueryOutcome } from '../protocol/query-responses';

/** What one statement is, for checking its reply and for the error message if it fails. */
export interface StatementInfo {
  /** Rows it must match (STRICT UPDATE/DELETE); null: no check. */
  expect: number | null;
  /** "Write_rows on db.t", "Query", ...: MySQL's way of naming the event in errors. */
  what: string;
  /** Where the event is, e.g. "binlog.000012, end_log_pos 4711" (filled when known). */
  where: string;
  /** Error numbers that count as success for this statement. */
  tolerate?: ReadonlySet<number>;
  /** The statement carries net changes of several transactions (a failure is replayed without them). */
  net?: boolean;
}

/** A statement failed on the target (or matched the wrong number of rows). */
export class ApplyFailure extends Error {
  constructor(
    readonly errno: number,
    message: string,
    readonly info: StatementInfo,
    readonly sql: string,
  ) {
    super(message);
    this.name = 'ApplyFailure';
  }
}

/** Connection-level errors: the statement did not fail, the link did; retry after reconnecting. */
export const CONNECTION_ERRNOS = new Set([2002, 2003, 2006, 2013, 2055, 1053, 1927, 1152, 1184]);
/** Errors MySQL's replica retries a transaction for (slave_transaction_retries). */
export const TRANSIENT_ERRNOS = new Set([1205, 1213, 1158, 1159, 1160, 1161]);

const SEP = Buffer.from(';');

/**
 * Packs statements into multi-statement COM_QUERY packets and keeps them flowing to the target without
 * waiting for replies; checks each reply (errors and row counts) as it comes back. `sync()` waits for all
 * replies and throws the first failure: callers sync before COMMIT, so a transaction with a failed or
 * mismatched statement is never committed.
 */
export class StatementPipeline {
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private infos: StatementInfo[] = [];
  private sqlText: (string | Buffer)[] = [];
  private inFlight: Promise<void>[] = [];
  private failure: ApplyFailure | ReplicaDeskError | undefined;
  /** A commit in progress: later sends wait for it. */
  private gate: Promise<void> | undefined;

  constructor(
    private readonly conn: ApplierConnection,
    private readonly maxQueryBytes: number,
    private readonly maxInFlight = 8,
    /** Bytes of queries allowed on the wire unanswered: bounds memory whatever the query sizes. */
    private readonly maxInFlightBytes = 6 * 1024 * 1024,
  ) {}

  get failed(): ApplyFailure | ReplicaDeskError | undefined {
    return this.failure;
  }

  get bufferedBytes(): number {
    return this.partsBytes;
  }

  /** Queues one statement; sends the packet when it is full (and waits if too much is in flight). */
  async add(sql: string | Buffer, info: StatementInfo): Promise<void> {
    const b = typeof sql === 'string' ? Buffer.from(sql, 'utf8') : sql;
    if (this.partsBytes > 0 && this.partsBytes + b.length + 1 > this.maxQueryBytes) await this.send();
    if (this.parts.length > 0) {
      this.parts.push(SEP);
      this.partsBytes += 1;
    }
    this.parts.push(b);
    this.partsBytes += b.length;
    this.infos.push(info);
    this.sqlText.push(sql);
    if (this.partsBytes >= this.maxQueryBytes) await this.send();
  }

  /** Sends what is queued as one COM_QUERY, after any commit in progress (see commit()). */
  async send(): Promise<void> {
    while (this.gate) await this.gate;
    if (this.failure) throw this.failure;
    this.sendQueued();
    while (this.inFlight.length > this.maxInFlight || (this.inFlight.length > 1 && this.conn.pendingBytes > this.maxInFlightBytes)) await this.inFlight.shift();
  }

  private sendQueued(): void {
    if (this.parts.length === 0) return;
    const body = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsBytes);
    const infos = this.infos;
    const texts = this.sqlText;
    this.parts = [];
    this.partsBytes = 0;
    this.infos = [];
    this.sqlText = [];
    this.write(body, infos, texts);
  }

  private write(body: Buffer, infos: StatementInfo[], texts: (string | Buffer)[]): void {
    const p = this.conn.query(body).then(
      (o) => this.check(o, infos, texts),
      (err: unknown) => {
        if (!this.failure) this.failure = err instanceof ReplicaDeskError ? err : new ReplicaDeskError('TARGET_CONNECTION_LOST', String(err), { errno: 2013 });
      },
    );
    this.inFlight.push(p);
  }

  /** Sends everything, waits for every reply, throws the first failure. */
  async sync(): Promise<void> {
    await this.send();
    const all = this.inFlight;
    this.inFlight = [];
    await Promise.all(all);
    if (this.failure) throw this.failure;
  }

  /**
   * Ends a transaction without making the caller wait for the server: sends what is queued, and once
   * every reply so far has checked out, sends `finish` (position update + COMMIT) as one packet. The
   * returned promise settles when that packet's replies are in. Statements added meanwhile are held back
   * until then, so nothing of the next transaction can reach the server before this COMMIT is known to
   * have succeeded, and a transaction with a failed or mismatched statement is never committed.
   */
  commit(finish: { sql: string; info: StatementInfo }[]): Promise<void> {
    const prior = this.gate;
    const run = (async () => {
      if (prior) await prior;
      if (this.failure) throw this.failure;
      this.sendQueued();
      const data = this.inFlight;
      this.inFlight = [];
      await Promise.all(data);
      if (this.failure) throw this.failure;
      const bodies = finish.map((f) => Buffer.from(f.sql, 'utf8'));
      const joined: Buffer[] = [];
      bodies.forEach((b, i) => (i > 0 ? joined.push(SEP, b) : joined.push(b)));
      this.write(Buffer.concat(joined), finish.map((f) => f.info), finish.map((f) => f.sql));
      const mine = this.inFlight;
      this.inFlight = [];
      await Promise.all(mine);
      if (this.failure) throw this.failure;
    })();
    const gate: Promise<void> = run.then(
      () => undefined,
      () => undefined,
    );
    this.gate = gate;
    void gate.then(() => {
      if (this.gate === gate) this.gate = undefined;
    });
    return run;
  }

  /** Waits for a commit in progress (if any) to settle. */
  async settled(): Promise<void> {
    while (this.gate) await this.gate;
  }

  /** Drops the failure state (after ROLLBACK) so the pipeline can be used again. */
  reset(): void {
    this.gate = undefined;
    this.inFlight = [];
    this.parts = [];
    this.partsBytes = 0;
    this.infos = [];
    this.sqlText = [];
    this.failure = undefined;
  }

  private check(o: QueryOutcome, infos: StatementInfo[], texts: (string | Buffer)[]): void {
    if (this.failure) return;
    const n = o.error ? o.error.statementIndex : infos.length;
    for (let i = 0; i < n && i < o.results.length; i++) {
      const info = infos[i]!;
      if (info.expect !== null && o.results[i]!.affectedRows !== info.expect) {
        this.failure = new ApplyFailure(
          1032,
          `Could not execute ${info.what}; Can't find record (${o.results[i]!.affectedRows} of ${info.expect} rows matched), Error_code: 1032; handler error HA_ERR_KEY_NOT_FOUND; the event's master log ${info.where}`,
          info,
          excerpt(texts[i]!),
        );
        return;
      }
    }
    if (o.error) {
      const info = infos[o.error.statementIndex];
      if (!info) {
        this.failure = new ApplyFailure(o.error.errno, o.error.message, { expect: null, what: 'statement', where: '' }, '');
        return;
      }
      if (info.tolerate?.has(o.error.errno)) {
        // Tolerated (e.g. a DDL that already ran): the rest of this packet did not run, which is only
        // safe because tolerated statements are sent last in their packet.
        return;
      }
      const advice =
        o.error.errno === 1153 || o.error.errno === 1301
          ? ' A replicated row is larger than the target accepts in one statement: raise max_allowed_packet on the target (SET GLOBAL max_allowed_packet = 1073741824, and in its my.cnf), then start the SQL thread again.'
          : '';
      this.failure = new ApplyFailure(
        o.error.errno,
        `Error '${o.error.message}' on ${info.what}. Error_code: ${o.error.errno}; the event's master log ${info.where}; statement: ${excerpt(texts[o.error.statementIndex]!)}${advice}`,
        info,
        excerpt(texts[o.error.statementIndex]!),
      );
    }
  }
}

function excerpt(sql: string | Buffer): string {
  const s = typeof sql === 'string' ? sql : sql.toString('utf8');
  return s.length > 200 ? s.slice(0, 200) + '…' : s;
}
