/**
 * Tells, event by event, whether the stream is between two source transactions (event groups). The I/O
 * thread persists its read position, rotates relay files and cuts torn tails only at such points, so a
 * relay file never starts or ends inside a transaction and a resumed dump never repeats half of one.
 *
 * Only a few bytes of a few event types are looked at (GTID flags, QUERY text BEGIN/COMMIT/ROLLBACK), so
 * this runs at network speed without decoding rows. Group rules, per server family:
 * - MariaDB GTID event: starts a group. With FL_STANDALONE the group is the next statement (DDL); otherwise
 *   it is an implicit BEGIN and the group ends at XID, or a QUERY COMMIT/ROLLBACK, or XA PREPARE.
 * - MySQL GTID / ANONYMOUS_GTID: the next QUERY is either BEGIN (group until XID/COMMIT) or a DDL (group
 *   of one); a TRANSACTION_PAYLOAD holds a whole compressed transaction.
 * - No GTIDs (old servers): QUERY BEGIN ... XID/COMMIT, or a single autocommitted statement.
 */
import { EVENT_HEADER_LENGTH, EventType } from '../binlog/constants';

/** MariaDB GTID event flags2 bit: the group is a single statement without BEGIN/COMMIT. */
const MARIADB_FL_STANDALONE = 0x01;
/** QUERY_EVENT post-header: thread id 4, exec time 4, db len 1, error code 2, status vars len 2. */
const QUERY_POST_HEADER = 13;

type State = 'idle' | 'transaction' | 'standalone' | 'after-mysql-gtid';

export interface GtidSeen {
  /** MariaDB: "domain-server-seq"; MySQL: "uuid:gno". */
  gtid: string;
  domain?: number;
}

export class TransactionBoundaryTracker {
  private state: State = 'idle';
  private pending: GtidSeen | undefined;
  /** The GTID of the last whole group, if the source uses GTIDs. */
  lastCompleted: GtidSeen | undefined;

  constructor(private crcLength: number) {}

  setChecksumLength(n: number): void {
    this.crcLength = n;
  }

  get inGroup(): boolean {
    return this.state !== 'idle';
  }

  /** Forget any half-seen group (after a reconnect the source resends from the last boundary). */
  reset(): void {
    this.state = 'idle';
    this.pending = undefined;
  }

  /** Feeds one event; returns true when the stream is at a group boundary just after it. */
  observe(ev: Buffer): boolean {
    const type = ev[4]!;
    switch (type) {
      case EventType.GTID_EVENT: {
        const body = EVENT_HEADER_LENGTH;
        const seq = ev.readBigUInt64LE(body);
        const domain = ev.readUInt32LE(body + 8);
        const flags2 = ev[body + 12]!;
        this.pending = { gtid: `${domain}-${ev.readUInt32LE(5)}-${seq}`, domain };
        this.state = flags2 & MARIADB_FL_STANDALONE ? 'standalone' : 'transaction';
        return false;
      }
      case EventType.GTID_LOG_EVENT:
      case EventType.GTID_TAGGED_LOG_EVENT: {
        if (type === EventType.GTID_LOG_EVENT) {
          const body = EVENT_HEADER_LENGTH;
          const sid = ev.toString('hex', body + 1, body + 17);
          const uuid = `${sid.slice(0, 8)}-${sid.slice(8, 12)}-${sid.slice(12, 16)}-${sid.slice(16, 20)}-${sid.slice(20)}`;
          this.pending = { gtid: `${uuid}:${ev.readBigInt64LE(body + 17)}` };
        } else {
          this.pending = undefined;
        }
        this.state = 'after-mysql-gtid';
        return false;
      }
      case EventType.ANONYMOUS_GTID_LOG_EVENT:
        this.pending = undefined;
        this.state = 'after-mysql-gtid';
        return false;
      case EventType.QUERY_EVENT:
      case EventType.QUERY_COMPRESSED_EVENT: {
        const word = type === EventType.QUERY_EVENT ? this.queryWord(ev) : '';
        if (word === 'BEGIN' || word === 'XA START') {
          this.state = 'transaction';
          return false;
        }
        if (word === 'COMMIT' || word === 'ROLLBACK') return this.complete();
        if (this.state === 'transaction') return false;
        return this.complete();
      }
      case EventType.XID_EVENT:
      case EventType.XA_PREPARE_LOG_EVENT:
        return this.complete();
      case EventType.TRANSACTION_PAYLOAD_EVENT:
        return this.state === 'transaction' ? false : this.complete();
      default:
        return this.state === 'idle';
    }
  }

  private complete(): true {
    this.state = 'idle';
    if (this.pending) this.lastCompleted = this.pending;
    this.pending = undefined;
    return true;
  }

  /** The leading keyword of a QUERY event's text when it is one of the group markers, else ''. */
  private queryWord(ev: Buffer): string {
    const post = EVENT_HEADER_LENGTH;
    const dbLen = ev[post + 8]!;
    const statusLen = ev.readUInt16LE(post + 11);
    const start = post + QUERY_POST_HEADER + statusLen + dbLen + 1;
    const len = ev.length - this.crcLength - start;
    if (len < 5) return '';
    const text = ev.toString('latin1', start, start + Math.min(len, 40)).trim().toUpperCase();
    if (text === 'BEGIN' || text === 'COMMIT' || text === 'ROLLBACK') return text;
    if (text.startsWith('XA START')) return 'XA START';
    return '';
  }
}
