/**
 * The writes an online recovery records while it copies the main node, kept in order until they are
 * replayed on the recovering node. Copying a large database under steady writes can record more than
 * memory should hold, so past `memoryLimit` bytes the entries go to a private file (0600, in a 0700
 * directory, removed at the end) and come back from it in the same order. Reading drains memory first:
 * once spilling starts, every newer entry goes to the file until the file is read to its end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { QueuedUnit } from './session';

export interface RecordedEntry<S> {
  session: S;
  unit?: QueuedUnit;
  ended?: boolean;
}

const WRITE_BATCH = 1 << 20;
const READ_CHUNK = 1 << 20;

export class RecoveryLog<S> {
  private mem: (RecordedEntry<S> | undefined)[] = [];
  private memHead = 0;
  private memBytes = 0;
  private spilling = false;
  private dir: string | undefined;
  private fd: number | undefined;
  /** Encoded entries not yet written to the file. */
  private unwritten: Buffer[] = [];
  private unwrittenBytes = 0;
  private fileEnd = 0;
  private readPos = 0;
  /** Bytes read from the file but not yet decoded. */
  private readBuf = Buffer.alloc(0);
  private readonly sessions: S[] = [];
  private readonly sessionNo = new Map<S, number>();
  private pushed = 0;
  private taken = 0;
  /** Bytes that went through the file in all, for progress reports. */
  spilledBytes = 0;

  constructor(
    private readonly memoryLimit = 64 << 20,
    private readonly tmpRoot = os.tmpdir(),
  ) {}

  /** Entries recorded but not yet taken. */
  get pending(): number {
    return this.pushed - this.taken;
  }

  push(e: RecordedEntry<S>): void {
    this.pushed++;
    if (!this.spilling) {
      this.mem.push(e);
      this.memBytes += sizeOf(e);
      if (this.memBytes > this.memoryLimit) this.spilling = true;
      return;
    }
    const frame = this.encode(e);
    this.unwritten.push(frame);
    this.unwrittenBytes += frame.length;
    this.spilledBytes += frame.length;
    if (this.unwrittenBytes >= WRITE_BATCH) this.writeOut();
  }

  /** The oldest entry not yet taken, or undefined when everything recorded has been taken. */
  next(): RecordedEntry<S> | undefined {
    if (this.memHead < this.mem.length) {
      const e = this.mem[this.memHead]!;
      this.mem[this.memHead++] = undefined;
      this.memBytes -= sizeOf(e);
      if (this.memHead > 4096 && this.memHead * 2 > this.mem.length) {
        this.mem = this.mem.slice(this.memHead);
        this.memHead = 0;
      }
      this.taken++;
      return e;
    }
    if (!this.spilling) return undefined;
    const e = this.readFrame();
    if (e) {
      this.taken++;
      return e;
    }
    // File read to its end and nothing newer: back to memory, with an empty file.
    this.spilling = false;
    this.mem = [];
    this.memHead = 0;
    if (this.fd !== undefined) fs.ftruncateSync(this.fd, 0);
    this.fileEnd = this.readPos = 0;
    return undefined;
  }

  /** Removes the file; the log is unusable afterwards. */
  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.mem = [];
    this.unwritten = [];
  }

  private file(): number {
    if (this.fd === undefined) {
      this.dir = fs.mkdtempSync(path.join(this.tmpRoot, 'replicadesk-recovery-'));
      fs.chmodSync(this.dir, 0o700);
      this.fd = fs.openSync(path.join(this.dir, 'backlog'), 'w+', 0o600);
    }
    return this.fd;
  }

  private writeOut(): void {
    if (!this.unwritten.length) return;
    const fd = this.file();
    const buf = this.unwritten.length === 1 ? this.unwritten[0]! : Buffer.concat(this.unwritten, this.unwrittenBytes);
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off, this.fileEnd + off);
    this.fileEnd += buf.length;
    this.unwritten = [];
    this.unwrittenBytes = 0;
  }

  private readFrame(): RecordedEntry<S> | undefined {
    for (;;) {
      if (this.readBuf.length >= 4) {
        const len = this.readBuf.readUInt32LE(0);
        if (this.readBuf.length >= len) {
          const frame = this.readBuf.subarray(0, len);
          this.readBuf = this.readBuf.subarray(len);
          return this.decode(frame);
        }
      }
      if (this.readPos >= this.fileEnd) {
        if (!this.unwritten.length) return undefined;
        this.writeOut();
      }
      const want = Math.max(READ_CHUNK, this.readBuf.length >= 4 ? this.readBuf.readUInt32LE(0) : 0);
      const chunk = Buffer.allocUnsafe(Math.min(want, this.fileEnd - this.readPos));
      const n = fs.readSync(this.fd!, chunk, 0, chunk.length, this.readPos);
      this.readPos += n;
      this.readBuf = this.readBuf.length ? Buffer.concat([this.readBuf, chunk.subarray(0, n)]) : chunk.subarray(0, n);
    }
  }

  /**
   * Frame: u32 length, u32 session number, u8 ended, u32 slots length + slots, u32 JSON length + JSON
   * (expected outcomes and label), u32 buffer count, then each buffer as u32 length + bytes.
   */
  private encode(e: RecordedEntry<S>): Buffer {
    let no = this.sessionNo.get(e.session);
    if (no === undefined) {
      no = this.sessions.length;
      this.sessions.push(e.session);
      this.sessionNo.set(e.session, no);
    }
    const u = e.unit;
    const meta = Buffer.from(u ? JSON.stringify({ expected: u.expected, label: u.label }) : '', 'utf8');
    const slots = u ? Buffer.from(u.slots.buffer, u.slots.byteOffset, u.slots.byteLength) : Buffer.alloc(0);
    const bufs = u?.bufs ?? [];
    const len = 4 + 4 + 1 + 4 + slots.length + 4 + meta.length + 4 + bufs.reduce((a, b) => a + 4 + b.length, 0);
    const out = Buffer.allocUnsafe(len);
    let o = out.writeUInt32LE(len, 0);
    o = out.writeUInt32LE(no, o);
    o = out.writeUInt8(e.ended ? 1 : 0, o);
    o = out.writeUInt32LE(slots.length, o);
    o += slots.copy(out, o);
    o = out.writeUInt32LE(meta.length, o);
    o += meta.copy(out, o);
    o = out.writeUInt32LE(bufs.length, o);
    for (const b of bufs) {
      o = out.writeUInt32LE(b.length, o);
      o += b.copy(out, o);
    }
    return out;
  }

  private decode(frame: Buffer): RecordedEntry<S> {
    let o = 4;
    const session = this.sessions[frame.readUInt32LE(o)]!;
    o += 4;
    const ended = frame.readUInt8(o++) === 1;
    if (ended) return { session, ended: true };
    const slotsLen = frame.readUInt32LE(o);
    o += 4;
    const slots = new Uint8Array(frame.subarray(o, o + slotsLen));
    o += slotsLen;
    const metaLen = frame.readUInt32LE(o);
    o += 4;
    const meta = JSON.parse(frame.toString('utf8', o, o + metaLen)) as { expected: string[] | null; label: string };
    o += metaLen;
    const count = frame.readUInt32LE(o);
    o += 4;
    const bufs: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const n = frame.readUInt32LE(o);
      o += 4;
      bufs.push(Buffer.from(frame.subarray(o, o + n)));
      o += n;
    }
    return { session, unit: { bufs, slots, expected: meta.expected, label: meta.label } };
  }
}

function sizeOf(e: RecordedEntry<unknown>): number {
  let n = 64;
  if (e.unit) for (const b of e.unit.bufs) n += b.length + 16;
  return n;
}
