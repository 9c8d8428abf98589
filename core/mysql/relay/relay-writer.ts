import fs from 'node:fs';
import type { IoCheckpoint, RelayLogSet } from './relay-log-set';
import { buildRelayFileHeader } from './relay-format';

interface PendingCheckpoint {
  file: string;
  pos: number;
  sourceFile: string;
  sourcePos: number;
  gtid: string | { readonly gtid: string };
  lastEventTime: number;
}

/** Size of the buffers events are gathered in before a write. */
const STAGING_BYTES = 1 << 20;

/**
 * Appends received events to the current relay file. Appends are queued in memory and written with one
 * writev + fdatasync per flush (fsync batching), so durability costs one sync per batch, not per event.
 * A checkpoint becomes durable only when the flush that covers it returns: callers persist the read
 * position after that, never before.
 */
export class RelayWriter {
  private fh: fs.promises.FileHandle | undefined;
  private fileName = '';
  /** Bytes of the current file already written (not necessarily synced). */
  private written = 0;
  /** Logical length of the current file: written + being written + queued. */
  private appended = 0;
  /** Filled staging buffers waiting to be written, then the one being filled. */
  private queue: Buffer[] = [];
  private staging: Buffer | undefined;
  private stagingUsed = 0;
  private queued = 0;
  /** Checkpoint at the end of the queued bytes, when the queue ends on a transaction boundary. */
  private pendingCheckpoint: PendingCheckpoint | undefined;
  /** The last checkpoint whose bytes are durable. */
  private durable: IoCheckpoint | undefined;

  constructor(private readonly set: RelayLogSet) {}

  get currentFile(): string {
    return this.fileName;
  }

  /** Length of the current file including bytes still queued. */
  get position(): number {
    return this.appended;
  }

  get queuedBytes(): number {
    return this.queued;
  }

  get lastDurable(): IoCheckpoint | undefined {
    return this.durable;
  }

  /**
   * Closes the current file (if any) and starts a new one whose header names the source position the next
   * event starts at. Returns the checkpoint at the end of the header (durable: createFile syncs it).
   */
  async startFile(fde: Buffer, source: { file: string; pos: number }, serverId: number, gtid: string, lastEventTime: number): Promise<IoCheckpoint> {
    await this.closeFile();
    const header = buildRelayFileHeader(fde, source.file, source.pos, serverId);
    this.fileName = await this.set.createFile(header);
    this.fh = await fs.promises.open(this.set.pathOf(this.fileName), 'r+');
    this.written = header.length;
    this.appended = header.length;
    const cp: IoCheckpoint = { relay: { file: this.fileName, pos: header.length }, source: { ...source }, gtid, lastEventTime };
    this.durable = cp;
    this.pendingCheckpoint = undefined;
    return cp;
  }

  /**
   * Queues one event. Its bytes are copied into a large staging buffer: the event is usually a view into
   * a socket chunk, and keeping thousands of views alive would pin every chunk and cost one writev entry
   * each; one memcpy is far cheaper than either.
   */
  append(buf: Buffer, start = 0, end = buf.length): void {
    const n = end - start;
    if (n >= STAGING_BYTES / 4) {
      this.sealStaging();
      this.queue.push(Buffer.from(buf.subarray(start, end)));
    } else {
      if (!this.staging || this.stagingUsed + n > this.staging.length) {
        this.sealStaging();
        this.staging = Buffer.allocUnsafe(STAGING_BYTES);
      }
      // TypedArray.set is a plain memmove; Buffer.copy's argument checks cost more than the copy here.
      this.staging.set(buf.subarray(start, end), this.stagingUsed);
      this.stagingUsed += n;
    }
    this.queued += n;
    this.appended += n;
  }

  private sealStaging(): void {
    if (this.staging && this.stagingUsed > 0) this.queue.push(this.staging.subarray(0, this.stagingUsed));
    this.staging = undefined;
    this.stagingUsed = 0;
  }

  /**
   * Marks the end of the queued bytes as a transaction boundary with this source position. Called once per
   * transaction, so the GTID may be given unformatted (formatted only if this boundary becomes durable).
   */
  markBoundary(source: { file: string; pos: number }, gtid: string | { readonly gtid: string }, lastEventTime: number): void {
    this.pendingCheckpoint = { file: this.fileName, pos: this.appended, sourceFile: source.file, sourcePos: source.pos, gtid, lastEventTime };
  }

  /**
   * Writes and syncs what is queued. Returns the newest checkpoint now durable (unchanged when the queue
   * held only part of a transaction).
   */
  async flush(): Promise<IoCheckpoint | undefined> {
    if (!this.fh) return this.durable;
    const cp = this.pendingCheckpoint;
    if (this.queued > 0) {
      this.sealStaging();
      const bufs = this.queue;
      const len = this.queued;
      const at = this.appended - len;
      this.queue = [];
      this.queued = 0;
      await writeAllAt(this.fh, bufs, at);
      this.written = at + len;
    }
    await this.fh.datasync();
    this.set.noteSize(this.fileName, this.written);
    if (cp && cp === this.pendingCheckpoint) this.pendingCheckpoint = undefined;
    if (cp && cp.pos <= this.written) {
      this.durable = {
        relay: { file: cp.file, pos: cp.pos },
        source: { file: cp.sourceFile, pos: cp.sourcePos },
        gtid: typeof cp.gtid === 'string' ? cp.gtid : cp.gtid.gtid,
        lastEventTime: cp.lastEventTime,
      };
    }
    return this.durable;
  }

  /**
   * Stops writing: drops bytes past the last durable boundary (half a transaction), so the file ends
   * exactly at a checkpoint. Used on stop and before a reconnect.
   */
  async closeFile(): Promise<void> {
    const fh = this.fh;
    if (!fh) return;
    this.fh = undefined;
    this.queue = [];
    this.staging = undefined;
    this.stagingUsed = 0;
    this.queued = 0;
    this.appended = this.written;
    this.pendingCheckpoint = undefined;
    const keep = this.durable && this.durable.relay.file === this.fileName ? this.durable.relay.pos : this.written;
    try {
      if (keep < this.written) {
        await fh.truncate(keep);
        await fh.datasync();
        this.written = keep;
        this.appended = keep;
      }
    } finally {
      await fh.close();
    }
    this.set.noteSize(this.fileName, this.written);
  }
}

async function writeAllAt(fh: fs.promises.FileHandle, bufs: Buffer[], position: number): Promise<void> {
  let pos = position;
  let i = 0;
  // writev may write less than asked (and takes at most IOV_MAX buffers per call in some libuv versions).
  while (i < bufs.length) {
    const slice = bufs.slice(i, i + 512);
    let total = 0;
    for (const b of slice) total += b.length;
    const { bytesWritten } = await fh.writev(slice, pos);
    pos += bytesWritten;
    if (bytesWritten === total) {
      i += slice.length;
      continue;
    }
    // Partial write: skip whole buffers written, keep the rest of the one cut in the middle.
    let left = bytesWritten;
    while (left > 0 && left >= bufs[i]!.length) left -= bufs[i++]!.length;
    if (left > 0) {
      bufs[i] = bufs[i]!.subarray(left);
    }
  }
}
