import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { ReplicaDeskError } from '../../errors';

/** A place in the relay log: file base name (e.g. "office-relay-bin.000003") and byte offset in it. */
export interface RelayPosition {
  file: string;
  pos: number;
}

/** A place in the source's binary log. */
export interface SourcePosition {
  file: string;
  pos: number;
}

/**
 * A point the I/O thread has made durable: everything in the relay log up to `relay` is on disk (fsynced)
 * and is whole source transactions; `source` is where the source's binlog continues after it; `gtid` the
 * GTID state after it (MariaDB gtid_io_pos style "d-s-n,..." or MySQL's retrieved set), or '' without GTIDs.
 */
export interface IoCheckpoint {
  relay: RelayPosition;
  source: SourcePosition;
  gtid: string;
  /** Source timestamp (seconds) of the last event written before this point; 0 when unknown. */
  lastEventTime: number;
}

const SEQUENCE_DIGITS = 6;

/**
 * The relay-log files of one channel and their index, in the channel's folder:
 * `<channel>-relay-bin.NNNNNN` and `<channel>-relay-bin.index` (one "./file" line per file, as MySQL
 * writes it). Also the rendezvous between the I/O thread (which publishes durable checkpoints) and the
 * SQL thread (which reads up to the last published one and tells what it no longer needs).
 */
export class RelayLogSet extends EventEmitter<{ published: [IoCheckpoint]; purged: []; reset: []; 'reader-waiting': [] }> {
  private names: string[] = [];
  private sizes = new Map<string, number>();
  private lastPublished: IoCheckpoint | undefined;

  constructor(
    readonly dir: string,
    readonly baseName: string,
  ) {
    super();
    this.setMaxListeners(50);
  }

  get indexFile(): string {
    return path.join(this.dir, `${this.baseName}.index`);
  }

  pathOf(file: string): string {
    return path.join(this.dir, file);
  }

  /** Reads the index; files listed but missing are dropped, relay files present but unlisted are added. */
  async load(): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const listed = new Set<string>();
    try {
      for (const line of (await fs.promises.readFile(this.indexFile, 'utf8')).split('\n')) {
        const name = path.basename(line.trim());
        if (name) listed.add(name);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const pattern = new RegExp(`^${escapeRegExp(this.baseName)}\\.\\d{${SEQUENCE_DIGITS},}$`);
    const present = (await fs.promises.readdir(this.dir)).filter((n) => pattern.test(n));
    const all = new Set([...listed].filter((n) => present.includes(n)).concat(present));
    this.names = [...all].sort((a, b) => sequenceOf(a) - sequenceOf(b));
    try {
      this.nextSequenceFloor = Number((await fs.promises.readFile(this.floorFile, 'utf8')).trim()) || 0;
    } catch {
      this.nextSequenceFloor = 0;
    }
    this.sizes.clear();
    for (const n of this.names) this.sizes.set(n, (await fs.promises.stat(this.pathOf(n))).size);
    await this.writeIndex();
  }

  files(): readonly string[] {
    return this.names;
  }

  last(): string | undefined {
    return this.names[this.names.length - 1];
  }

  has(file: string): boolean {
    return this.sizes.has(file);
  }

  sizeOf(file: string): number {
    return this.sizes.get(file) ?? 0;
  }

  /** Relay_Log_Space: total bytes of all relay files. */
  space(): number {
    let n = 0;
    for (const s of this.sizes.values()) n += s;
    return n;
  }

  /** The writer reports a file's current length after each flush. */
  noteSize(file: string, size: number): void {
    if (this.sizes.has(file)) this.sizes.set(file, size);
  }

  /** The file after `file` in the index, if any. */
  next(file: string): string | undefined {
    const i = this.names.indexOf(file);
    return i >= 0 ? this.names[i + 1] : undefined;
  }

  /** 1-based place of the file in the index, for "is A before B". */
  compare(a: string, b: string): number {
    return sequenceOf(a) - sequenceOf(b);
  }

  /** The name the next created file will have. */
  nextFileName(): string {
    const last = this.last();
    const seq = Math.max(last ? sequenceOf(last) : 0, this.nextSequenceFloor) + 1;
    return `${this.baseName}.${String(seq).padStart(SEQUENCE_DIGITS, '0')}`;
  }

  /** Creates the next file with `header` already durable in it; returns its name. */
  async createFile(header: Buffer): Promise<string> {
    const name = this.nextFileName();
    const fh = await fs.promises.open(this.pathOf(name), 'wx', 0o600);
    try {
      await fh.writeFile(header);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    this.names.push(name);
    this.sizes.set(name, header.length);
    await this.writeIndex();
    return name;
  }

  /** Cuts `file` back to `pos` bytes (a torn or unrecorded tail) and makes that durable. */
  async truncate(file: string, pos: number): Promise<void> {
    const fh = await fs.promises.open(this.pathOf(file), 'r+');
    try {
      await fh.truncate(pos);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    this.sizes.set(file, pos);
  }

  /** Deletes the files after `file` (relay content beyond the last recorded checkpoint). */
  async removeAfter(file: string): Promise<string[]> {
    const i = this.names.indexOf(file);
    if (i < 0) return [];
    const gone = this.names.slice(i + 1);
    await this.removeFiles(gone);
    return gone;
  }

  /** relay_log_purge: deletes every file before `file` (the SQL thread has committed past them). */
  async purgeBefore(file: string): Promise<string[]> {
    const i = this.names.indexOf(file);
    if (i <= 0) return [];
    const gone = this.names.slice(0, i);
    await this.removeFiles(gone);
    this.emit('purged');
    return gone;
  }

  /** RESET SLAVE / relay-log recovery: deletes every relay file. Numbering continues from the last one. */
  async removeAll(): Promise<void> {
    const keepSeq = this.last();
    // Numbering continues so a stale position (say in the target's position table) naming an old file can
    // never match a new file; the floor is kept on disk because the index is empty after this.
    if (keepSeq) {
      this.nextSequenceFloor = Math.max(this.nextSequenceFloor, sequenceOf(keepSeq));
      await fs.promises.writeFile(this.floorFile, `${this.nextSequenceFloor}\n`, { mode: 0o600 });
    }
    await this.removeFiles([...this.names]);
    this.lastPublished = undefined;
    this.emit('reset');
    this.emit('purged');
  }

  private nextSequenceFloor = 0;

  private get floorFile(): string {
    return path.join(this.dir, `${this.baseName}.floor`);
  }

  private async removeFiles(gone: string[]): Promise<void> {
    for (const n of gone) {
      await fs.promises.rm(this.pathOf(n), { force: true });
      this.sizes.delete(n);
    }
    this.names = this.names.filter((n) => !gone.includes(n));
    await this.writeIndex();
  }

  /** Index rewritten atomically (temp file + rename) so a crash leaves the old or the new list, never half. */
  private async writeIndex(): Promise<void> {
    const tmp = `${this.indexFile}.tmp`;
    await fs.promises.writeFile(tmp, this.names.map((n) => `./${n}\n`).join(''), { mode: 0o600 });
    await fs.promises.rename(tmp, this.indexFile);
  }

  // ---- I/O → SQL rendezvous ----

  /** The last durable checkpoint the I/O thread has published (what readers may read up to). */
  get published(): IoCheckpoint | undefined {
    return this.lastPublished;
  }

  publish(cp: IoCheckpoint): void {
    this.lastPublished = cp;
    this.emit('published', cp);
  }

  /**
   * True while the SQL thread has read everything published and waits for more. The I/O thread then
   * ignores relay_log_space_limit until it has rotated (MySQL's ignore_log_space_limit), since the SQL
   * thread can only free space by finishing the current file.
   */
  get readerWaiting(): boolean {
    return this.waitingReader;
  }

  setReaderWaiting(waiting: boolean): void {
    if (waiting === this.waitingReader) return;
    this.waitingReader = waiting;
    if (waiting) this.emit('reader-waiting');
  }

  private waitingReader = false;

  /** Sets the starting checkpoint after recovery without waking readers. */
  setPublished(cp: IoCheckpoint | undefined): void {
    this.lastPublished = cp;
  }

  /** Resolves at the next publish, reset, or when `signal` aborts. */
  waitForPublish(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.off('published', done);
        this.off('reset', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.once('published', done);
      this.once('reset', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

}

export function sequenceOf(name: string): number {
  const m = /\.(\d+)$/.exec(name);
  if (!m) throw new ReplicaDeskError('RELAY_BAD_NAME', `"${name}" is not a relay-log file name (expected NAME.NNNNNN).`, { name });
  return Number(m[1]);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
