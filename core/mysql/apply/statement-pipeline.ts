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

  constructor(
    private readonly conn: ApplierConnection,
    private readonly maxQueryBytes: number,
    private readonly maxInFlight = 8,
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

  /** Sends what is queued as one COM_QUERY. */
  async send(): Promise<void> {
    if (this.parts.length === 0) return;
    const body = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsBytes);
    const infos = this.infos;
    const texts = this.sqlText;
    this.parts = [];
    this.partsBytes = 0;
    this.infos = [];
    this.sqlText = [];
    const p = this.conn.query(body).then(
      (o) => this.check(o, infos, texts),
      (err: unknown) => {
        if (!this.failure) this.failure = err instanceof ReplicaDeskError ? err : new ReplicaDeskError('TARGET_CONNECTION_LOST', String(err), { errno: 2013 });
      },
    );
    this.inFlight.push(p);
    while (this.inFlight.length > this.maxInFlight) await this.inFlight.shift();
  }

  /** Sends everything, waits for every reply, throws the first failure. */
  async sync(): Promise<void> {
    await this.send();
    const all = this.inFlight;
    this.inFlight = [];
    await Promise.all(all);
    if (this.failure) throw this.failure;
  }

  /** Drops the failure state (after ROLLBACK) so the pipeline can be used again. */
  reset(): void {
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
      this.failure = new ApplyFailure(
        o.error.errno,
        `Error '${o.error.message}' on ${info.what}. Error_code: ${o.error.errno}; the event's master log ${info.where}; statement: ${excerpt(texts[o.error.statementIndex]!)}`,
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
