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

const HEADER: number = EVENT_HEADER_LENGTH;
const T = {
  GTID_EVENT: EventType.GTID_EVENT as number,
  GTID_LOG_EVENT: EventType.GTID_LOG_EVENT as number,
  GTID_TAGGED_LOG_EVENT: EventType.GTID_TAGGED_LOG_EVENT as number,
  ANONYMOUS_GTID_LOG_EVENT: EventType.ANONYMOUS_GTID_LOG_EVENT as number,
  QUERY_EVENT: EventType.QUERY_EVENT as number,
  QUERY_COMPRESSED_EVENT: EventType.QUERY_COMPRESSED_EVENT as number,
  XID_EVENT: EventType.XID_EVENT as number,
  XA_PREPARE_LOG_EVENT: EventType.XA_PREPARE_LOG_EVENT as number,
  TRANSACTION_PAYLOAD_EVENT: EventType.TRANSACTION_PAYLOAD_EVENT as number,
};

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

/** A GTID as read from the event, turned into text only when someone asks. */
class LazyGtid implements GtidSeen {
  private text: string | undefined;
  constructor(
    readonly domain: number | undefined,
    private readonly make: () => string,
  ) {}
  get gtid(): string {
    return (this.text ??= this.make());
  }
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

  /** Feeds one event (`ev[start, end)`); returns true when the stream is at a group boundary just after it. */
  observe(ev: Buffer, start = 0, end = ev.length): boolean {
    const type = ev[start + 4]!;
    switch (type) {
      case T.GTID_EVENT: {
        const body = start + HEADER;
        const seqLo = ev.readUInt32LE(body);
        const seqHi = ev.readUInt32LE(body + 4);
        const domain = ev.readUInt32LE(body + 8);
        const server = ev.readUInt32LE(start + 5);
        const flags2 = ev[body + 12]!;
        this.pending = new LazyGtid(domain, () => `${domain}-${server}-${seqHi === 0 ? seqLo : (BigInt(seqHi) << 32n) + BigInt(seqLo)}`);
        this.state = flags2 & MARIADB_FL_STANDALONE ? 'standalone' : 'transaction';
        return false;
      }
      case T.GTID_LOG_EVENT:
      case T.GTID_TAGGED_LOG_EVENT: {
        if (type === T.GTID_LOG_EVENT) {
          const body = start + HEADER;
          const sid = ev.toString('hex', body + 1, body + 17);
          const gno = ev.readBigInt64LE(body + 17);
          this.pending = new LazyGtid(undefined, () => `${sid.slice(0, 8)}-${sid.slice(8, 12)}-${sid.slice(12, 16)}-${sid.slice(16, 20)}-${sid.slice(20)}:${gno}`);
        } else {
          this.pending = undefined;
        }
        this.state = 'after-mysql-gtid';
        return false;
      }
      case T.ANONYMOUS_GTID_LOG_EVENT:
        this.pending = undefined;
        this.state = 'after-mysql-gtid';
        return false;
      case T.QUERY_EVENT:
      case T.QUERY_COMPRESSED_EVENT: {
        const word = type === T.QUERY_EVENT ? this.queryWord(ev, start, end) : '';
        if (word === 'BEGIN' || word === 'XA START') {
          this.state = 'transaction';
          return false;
        }
        if (word === 'COMMIT' || word === 'ROLLBACK') return this.complete();
        if (this.state === 'transaction') return false;
        return this.complete();
      }
      case T.XID_EVENT:
      case T.XA_PREPARE_LOG_EVENT:
        return this.complete();
      case T.TRANSACTION_PAYLOAD_EVENT:
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
  private queryWord(ev: Buffer, evStart: number, evEnd: number): string {
    const post = evStart + HEADER;
    const dbLen = ev[post + 8]!;
    const statusLen = ev.readUInt16LE(post + 11);
    const start = post + QUERY_POST_HEADER + statusLen + dbLen + 1;
    const len = evEnd - this.crcLength - start;
    // Only short texts can be group markers; "XA START ..." is longer but starts with X.
    if (len < 5 || (len > 8 && ev[start] !== 0x58 && ev[start] !== 0x78)) return '';
    const text = ev.toString('latin1', start, start + Math.min(len, 40)).trim().toUpperCase();
    if (text === 'BEGIN' || text === 'COMMIT' || text === 'ROLLBACK') return text;
    if (text.startsWith('XA START')) return 'XA START';
    return '';
  }
}
