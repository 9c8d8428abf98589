import fs from 'node:fs';
import { ReplicaDeskError } from '../../errors';
import { BINLOG_MAGIC, EVENT_HEADER_LENGTH } from '../binlog/constants';
import type { RelayLogSet, RelayPosition } from './relay-log-set';

/** One event read from the relay log: its bytes and where it sits. */
export interface RelayEvent {
  raw: Buffer;
  file: string;
  /** Offset of its first byte in the file. */
  pos: number;
  /** Offset just after it. */
  end: number;
  /** True for the format description replayed when reading starts mid-file (not a new event). */
  replayed?: boolean;
}

const CHUNK = 1024 * 1024;
const MAX_EVENT = (1 << 30) + (1 << 20);

/**
 * The SQL thread's view of the relay log: reads events in order from a starting position, following the
 * I/O thread. It reads only up to the last checkpoint the I/O thread has published (durable bytes, whole
 * transactions), moves to the next file when one is finished, and waits when it has read everything.
 */
export class RelayReader {
  private fh: fs.promises.FileHandle | undefined;
  private file: string;
  private pos: number;
  private needFde: boolean;

  constructor(
    private readonly set: RelayLogSet,
    start: RelayPosition,
  ) {
    this.file = start.file;
    this.pos = Math.max(start.pos, BINLOG_MAGIC.length);
    this.needFde = start.pos > BINLOG_MAGIC.length;
  }

  /** Position after the last event returned. */
  get position(): RelayPosition {
    return { file: this.file, pos: this.pos };
  }

  /** End of what may be read in the current file right now (published checkpoint, or the whole file). */
  private limit(): { end: number; final: boolean } {
    const cp = this.set.published;
    if (!cp) return { end: this.pos, final: false };
    if (cp.relay.file === this.file) return { end: cp.relay.pos, final: false };
    if (this.set.compare(this.file, cp.relay.file) < 0) return { end: this.set.sizeOf(this.file), final: true };
    return { end: this.pos, final: false };
  }

  /** True when more events can be read without waiting for the I/O thread. */
  hasMore(): boolean {
    const l = this.limit();
    if (this.pos < l.end) return true;
    return l.final && this.set.next(this.file) !== undefined;
  }

  /** Bytes published but not yet read, over every file (for Relay_Log_Space-style "behind" figures). */
  bytesBehind(): number {
    const cp = this.set.published;
    if (!cp) return 0;
    let n = 0;
    let f: string | undefined = this.file;
    let first = true;
    while (f) {
      const end = f === cp.relay.file ? cp.relay.pos : this.set.sizeOf(f);
      n += Math.max(0, end - (first ? this.pos : 0));
      if (f === cp.relay.file) break;
      first = false;
      f = this.set.next(f);
    }
    return n;
  }

  /**
   * The next events (one read's worth), waiting for the I/O thread when everything published has been
   * read. Resolves to [] when `signal` aborts.
   */
  async next(signal: AbortSignal): Promise<RelayEvent[]> {
    for (;;) {
      if (signal.aborted) return [];
      if (!this.set.has(this.file)) {
        throw new ReplicaDeskError('RELAY_MISSING', `The relay log file ${this.file} is missing (${this.set.dir}).`, { errno: 1594, file: this.file });
      }
      if (this.needFde) {
        this.needFde = false;
        const fde = await this.readFde();
        return [fde];
      }
      const l = this.limit();
      if (this.pos < l.end) {
        this.set.setReaderWaiting(false);
        return this.readChunk(l.end);
      }
      if (l.final) {
        const next = this.set.next(this.file);
        if (next) {
          await this.closeFile();
          this.file = next;
          this.pos = BINLOG_MAGIC.length;
          continue;
        }
      }
      this.set.setReaderWaiting(true);
      await this.set.waitForPublish(signal);
    }
  }

  private async open(): Promise<fs.promises.FileHandle> {
    if (!this.fh) {
      this.fh = await fs.promises.open(this.set.pathOf(this.file), 'r');
      const magic = Buffer.alloc(4);
      await this.fh.read(magic, 0, 4, 0);
      if (!magic.equals(BINLOG_MAGIC)) throw this.corrupt(0, 'the file does not start with the binlog magic');
    }
    return this.fh;
  }

  private async readFde(): Promise<RelayEvent> {
    const fh = await this.open();
    const head = Buffer.alloc(EVENT_HEADER_LENGTH);
    await fh.read(head, 0, EVENT_HEADER_LENGTH, BINLOG_MAGIC.length);
    const size = head.readUInt32LE(9);
    if (head[4] !== 15 || size < EVENT_HEADER_LENGTH || size > 64 * 1024) throw this.corrupt(BINLOG_MAGIC.length, 'the file does not start with a format description event');
    const raw = Buffer.alloc(size);
    await fh.read(raw, 0, size, BINLOG_MAGIC.length);
    return { raw, file: this.file, pos: BINLOG_MAGIC.length, end: BINLOG_MAGIC.length + size, replayed: true };
  }

  private async readChunk(end: number): Promise<RelayEvent[]> {
    const fh = await this.open();
    const want = Math.min(CHUNK, end - this.pos);
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await fh.read(buf, 0, want, this.pos);
    const out: RelayEvent[] = [];
    let off = 0;
    while (bytesRead - off >= EVENT_HEADER_LENGTH) {
      const size = buf.readUInt32LE(off + 9);
      if (size < EVENT_HEADER_LENGTH || size > MAX_EVENT || this.pos + off + size > end) throw this.corrupt(this.pos + off, `an event claims ${size} bytes`);
      if (off + size > bytesRead) break;
      const at = this.pos + off;
      out.push({ raw: buf.subarray(off, off + size), file: this.file, pos: at, end: at + size });
      off += size;
    }
    if (out.length === 0) {
      // One event larger than the chunk: read it whole.
      const size = bytesRead >= EVENT_HEADER_LENGTH ? buf.readUInt32LE(9) : 0;
      if (size < EVENT_HEADER_LENGTH || this.pos + size > end) throw this.corrupt(this.pos, `an event claims ${size} bytes`);
      const raw = Buffer.allocUnsafe(size);
      const r = await fh.read(raw, 0, size, this.pos);
      if (r.bytesRead !== size) throw this.corrupt(this.pos, 'the file is shorter than the event');
      out.push({ raw, file: this.file, pos: this.pos, end: this.pos + size });
      off = size;
    }
    this.pos += off;
    return out;
  }

  private corrupt(at: number, why: string): ReplicaDeskError {
    return new ReplicaDeskError(
      'RELAY_CORRUPT',
      `Relay log read failure: Could not parse relay log event entry at ${this.file}:${at} (${why}). The relay log is damaged; it will be fetched again from the master.`,
      { errno: 1594, file: this.file, pos: at },
    );
  }

  async closeFile(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
  }
}
