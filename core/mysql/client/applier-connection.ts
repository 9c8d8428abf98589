import { ReplicaDeskError } from '../../errors';
import type { MysqlEndpoint } from './endpoint';
import { openRawSession, type RawSession } from './raw-session';
import { encodePacket, PacketReader } from '../protocol/packets';
import { CLIENT_DEPRECATE_EOF, QueryResponseReader, type QueryOutcome } from '../protocol/query-responses';
import { Command } from '../protocol/replication-commands';

/**
 * The SQL thread's connection to the target: multi-statement COM_QUERY sent without waiting for earlier
 * replies (pipelining), replies matched in order. A MySQL server executes one connection's commands one at
 * a time in the order received, so pipelining changes nothing but the round trips we wait for. Queries are
 * raw bytes, so a statement logged in any character set is sent exactly as the master logged it.
 */
export class ApplierConnection {
  private readonly reader = new PacketReader();
  private readonly responses: QueryResponseReader;
  private readonly waiting: { resolve: (o: QueryOutcome) => void; reject: (e: Error) => void }[] = [];
  private dead: ReplicaDeskError | undefined;
  private inFlightBytes = 0;

  private constructor(private readonly session: RawSession) {
    this.responses = new QueryResponseReader((session.capabilities & CLIENT_DEPRECATE_EOF) !== 0);
    session.socket.setNoDelay(true);
    session.socket.on('data', (chunk: Buffer) => this.reader.push(chunk, (p) => this.onPacket(p)));
    session.socket.on('error', (err: Error) => this.fail(`connection to the target failed: ${err.message}`));
    session.socket.on('close', () => this.fail('the target closed the connection'));
  }

  /** Connects with mysql2 (auth, TLS), runs the session setup, then drives the socket directly. */
  static async open(ep: MysqlEndpoint, setup: string[]): Promise<ApplierConnection> {
    const session = await openRawSession(ep, setup, { multipleStatements: true });
    return new ApplierConnection(session);
  }

  get serverVersion(): string {
    return this.session.serverVersion;
  }

  get isMariaDb(): boolean {
    return this.session.isMariaDb;
  }

  get connectionId(): number {
    return this.session.connectionId;
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Bytes of queries sent whose replies have not all arrived. */
  get pendingBytes(): number {
    return this.inFlightBytes;
  }

  get pendingQueries(): number {
    return this.waiting.length;
  }

  /**
   * Sends one COM_QUERY (one or more statements separated by ';') and resolves with its outcome. A server
   * error is an outcome (`error` set), not a rejection; only a dead connection rejects.
   */
  query(sql: string | Buffer): Promise<QueryOutcome> {
    if (this.dead) return Promise.reject(this.dead);
    const body = typeof sql === 'string' ? Buffer.from(sql, 'utf8') : sql;
    const payload = Buffer.allocUnsafe(1 + body.length);
    payload[0] = Command.COM_QUERY;
    body.copy(payload, 1);
    const size = payload.length;
    this.inFlightBytes += size;
    const p = new Promise<QueryOutcome>((resolve, reject) =>
      this.waiting.push({
        resolve: (o) => {
          this.inFlightBytes -= size;
          resolve(o);
        },
        reject,
      }),
    );
    for (const b of encodePacket(payload, 0).buffers) this.session.socket.write(b);
    return p;
  }

  /** Waits until every query sent so far has its reply. */
  async drain(): Promise<void> {
    const last = this.waiting[this.waiting.length - 1];
    if (!last) return;
    await new Promise<void>((resolve, reject) => {
      const prev = last.resolve;
      const prevReject = last.reject;
      last.resolve = (o) => (prev(o), resolve());
      last.reject = (e) => (prevReject(e), reject(e));
    });
  }

  private onPacket(p: Buffer): void {
    const outcome = this.responses.push(p);
    if (!outcome) return;
    const w = this.waiting.shift();
    w?.resolve(outcome);
  }

  private fail(message: string): void {
    if (this.dead) return;
    this.dead = new ReplicaDeskError('TARGET_CONNECTION_LOST', `Lost connection to the target: ${message}.`, { errno: 2013 });
    for (const w of this.waiting.splice(0)) w.reject(this.dead);
  }

  close(): void {
    if (!this.dead) {
      try {
        this.session.socket.write(encodePacket(Buffer.from([Command.COM_QUIT]), 0).buffers[0]!);
      } catch {
        /* closing anyway */
      }
    }
    this.fail('closed by the replica');
    this.session.socket.destroy();
  }
}
