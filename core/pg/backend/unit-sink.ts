/**
 * The responses to one request unit (a simple Query, or extended-protocol messages up to Sync/Flush) on one
 * backend: knows when the unit is complete by counting the replies its messages call for, optionally relays
 * them to the client, and records what each statement did (command tags, errors) so nodes can be compared.
 */
import { BE, commandTag, decodeDataRow, decodeFields } from '../protocol/backend-framer';
import { FE } from '../protocol/frontend-parser';
import { type BackendConnection, type ByteOut, DONE, FORWARD, type ResponseSink } from './connection';

// Slots: the reply that completes each sent message.
export const SLOT_READY = 1; // Query, Sync, FunctionCall → ReadyForQuery
const SLOT_PARSE = 2; // → ParseComplete
const SLOT_BIND = 3; // → BindComplete
const SLOT_CLOSE = 4; // → CloseComplete
const SLOT_DESCRIBE = 5; // → RowDescription | NoData
const SLOT_EXECUTE = 6; // → CommandComplete | EmptyQueryResponse | PortalSuspended

/** The reply slots of a sequence of frontend messages (by type byte). */
export function slotsFor(types: readonly number[]): Uint8Array {
  const out: number[] = [];
  for (const t of types) {
    switch (t) {
      case FE.Query:
      case FE.Sync:
      case FE.FunctionCall:
        out.push(SLOT_READY);
        break;
      case FE.Parse:
        out.push(SLOT_PARSE);
        break;
      case FE.Bind:
        out.push(SLOT_BIND);
        break;
      case FE.Close:
        out.push(SLOT_CLOSE);
        break;
      case FE.Describe:
        out.push(SLOT_DESCRIBE);
        break;
      case FE.Execute:
        out.push(SLOT_EXECUTE);
        break;
      default:
      // Flush, CopyData/Done/Fail: no reply of their own.
    }
  }
  return Uint8Array.from(out);
}

export const ONE_READY = Uint8Array.of(SLOT_READY);

export interface UnitOptions {
  /** Relay replies to this client. */
  out?: ByteOut | null;
  /** Keep the final ReadyForQuery back (the session sends its own after finishing the unit). */
  holdReady?: boolean;
  /** Decode DataRows (internal queries). */
  collectRows?: boolean;
  /** Called when the server starts COPY FROM STDIN (CopyInResponse). */
  onCopyIn?: () => void;
  /** Drop NoticeResponses instead of relaying them (internal requests). */
  dropNotices?: boolean;
  /**
   * Keep relayed messages back (up to HOLD_LIMIT bytes) so the session sends them with its own
   * ReadyForQuery in one write. COPY FROM STDIN and large results are relayed as they come.
   */
  hold?: boolean;
}

/** Bytes a holding sink keeps before it relays them after all. */
const HOLD_LIMIT = 64 * 1024;

export class UnitSink implements ResponseSink {
  readonly out: ByteOut | null;
  /** Per statement: its command tag, "EMPTY", "SUSPENDED", or "ERROR <sqlstate>". */
  readonly outcomes: string[] = [];
  error: Record<string, string> | undefined;
  rows: (string | null)[][] | undefined;
  /** Transaction status from the final ReadyForQuery (if the unit had one). */
  status: 'I' | 'T' | 'E' | undefined;
  failed: Error | undefined;
  complete = false;
  /** Messages relayed (so a failing node is known to have told the client something). */
  relayed = 0;
  private idx = 0;
  /** Messages held back (views of the received chunks, which are never reused), or null when relaying. */
  private held: Buffer[] | null;
  private heldBytes = 0;
  private resolveDone: (() => void) | undefined;
  private donePromise: Promise<void> | undefined;
  /** Called once on completion or failure (before the promise resolves). */
  onDone: ((sink: UnitSink) => void) | undefined;

  constructor(
    private readonly slots: Uint8Array,
    private readonly opts: UnitOptions = {},
  ) {
    this.out = opts.out ?? null;
    this.held = opts.hold && this.out ? [] : null;
    if (opts.collectRows) this.rows = [];
  }

  /** The messages held back so far (the sink keeps holding what comes later). */
  takeHeld(): Buffer[] {
    const h = this.held;
    if (!h || h.length === 0) return [];
    this.held = [];
    this.heldBytes = 0;
    return h;
  }

  /** FORWARD, or 0 when the message is held back. */
  private relay(conn: BackendConnection, type: number, buf: Buffer, start: number, end: number): number {
    this.relayed++;
    const h = this.held;
    if (!h) return FORWARD;
    if (type === BE.CopyInResponse || this.heldBytes + end - start > HOLD_LIMIT) {
      // The client must see CopyInResponse now (it sends the data only then); big results stream.
      this.held = null;
      conn.flushForward();
      if (h.length) this.out!.write(h.length === 1 ? h[0]! : Buffer.concat(h));
      return FORWARD;
    }
    h.push(buf.subarray(start, end));
    this.heldBytes += end - start;
    return 0;
  }

  /** Resolves when complete or failed (never rejects). */
  get done(): Promise<void> {
    if (this.complete) return Promise.resolve();
    this.donePromise ??= new Promise<void>((r) => (this.resolveDone = r));
    return this.donePromise;
  }

  private finish(): void {
    this.complete = true;
    this.onDone?.(this);
    this.resolveDone?.();
  }

  message(_conn: BackendConnection, type: number, buf: Buffer, start: number, end: number): number {
    const slot = this.slots[this.idx];
    let ends = false;
    switch (type) {
      case BE.ReadyForQuery:
        this.status = String.fromCharCode(buf[start + 5]!) as 'I' | 'T' | 'E';
        // After an error the server skipped to the Sync; drop the slots in between.
        while (this.idx < this.slots.length && this.slots[this.idx] !== SLOT_READY) this.idx++;
        ends = true;
        break;
      case BE.ParseComplete:
        ends = slot === SLOT_PARSE;
        break;
      case BE.BindComplete:
        ends = slot === SLOT_BIND;
        break;
      case BE.CloseComplete:
        ends = slot === SLOT_CLOSE;
        break;
      case BE.RowDescription:
      case BE.NoData:
        ends = slot === SLOT_DESCRIBE;
        break;
      case BE.CommandComplete:
        this.outcomes.push(commandTag(buf, start, end));
        ends = slot === SLOT_EXECUTE;
        break;
      case BE.EmptyQueryResponse:
        this.outcomes.push('EMPTY');
        ends = slot === SLOT_EXECUTE;
        break;
      case BE.PortalSuspended:
        this.outcomes.push('SUSPENDED');
        ends = slot === SLOT_EXECUTE;
        break;
      case BE.ErrorResponse: {
        const f = decodeFields(buf, start, end);
        this.outcomes.push(`ERROR ${f.C ?? ''}`);
        this.error ??= f;
        if (slot !== SLOT_READY) {
          // Extended protocol: everything up to Sync is skipped by the server.
          while (this.idx < this.slots.length && this.slots[this.idx] !== SLOT_READY) this.idx++;
          if (this.idx >= this.slots.length) {
            this.finish();
            return this.out ? this.relay(_conn, type, buf, start, end) | DONE : DONE;
          }
        }
        break;
      }
      case BE.DataRow:
        if (this.rows) this.rows.push(decodeDataRow(buf, start));
        break;
      case BE.CopyInResponse:
        this.opts.onCopyIn?.();
        break;
      case BE.NoticeResponse:
        if (this.opts.dropNotices || !this.out) return 0;
        break;
      default:
    }
    let r = 0;
    if (this.out && !(type === BE.ReadyForQuery && this.opts.holdReady && this.idx === this.slots.length - 1)) r = this.relay(_conn, type, buf, start, end);
    if (ends) {
      this.idx++;
      if (this.idx >= this.slots.length) {
        this.finish();
        r |= DONE;
      }
    }
    return r;
  }

  fail(_conn: BackendConnection, err: Error): void {
    if (this.complete) return;
    this.failed = err;
    this.finish();
  }
}
