import { EventEmitter } from 'node:events';
import { ReplicaDeskError } from '../../errors';
import { ChecksumAlg, EventFlag, EventType } from '../binlog/constants';
import { describeEndpoint, type MysqlEndpoint } from '../client/endpoint';
import { serverErrorOf } from '../client/raw-session';
import { GtidPosition } from '../gtid/gtid-position';
import { checksumLength, eventChecksumOk, fdeChecksumAlg, parseRotate } from '../relay/relay-format';
import type { IoCheckpoint, RelayLogSet, SourcePosition } from '../relay/relay-log-set';
import { RelayWriter } from '../relay/relay-writer';
import { TransactionBoundaryTracker } from '../relay/transaction-boundary';
import { BinlogDumpStream, type EventSegment } from './dump-stream';
import { connectToMaster, FATAL_IO_ERRNOS, type DumpStart, type MasterIdentity } from './source-connection';

/** Slave_IO_State values (MySQL's words). */
export const IoState = {
  CONNECTING: 'Connecting to master',
  WAITING_EVENT: 'Waiting for master to send event',
  QUEUEING: 'Queueing master event to the relay log',
  WAIT_RECONNECT_REGISTRATION: 'Waiting to reconnect after a failed registration on master',
  WAIT_RECONNECT_DUMP: 'Waiting to reconnect after a failed binlog dump request',
  RECONNECT_DUMP: 'Reconnecting after a failed binlog dump request',
  WAIT_RECONNECT_READ: 'Waiting to reconnect after a failed master event read',
  RECONNECT_READ: 'Reconnecting after a failed master event read',
  WAIT_SPACE: 'Waiting for the slave SQL thread to free enough relay log space',
  EXITING: 'Waiting for slave mutex on exit',
} as const;

export interface IoThreadOptions {
  channel: string;
  master: MysqlEndpoint;
  serverId: number;
  replicaUuid: string;
  useGtid: boolean;
  connectRetrySec: number;
  heartbeatPeriodSec: number;
  netTimeoutSec: number;
  maxRelayLogSize: number;
  relayLogSpaceLimit: number;
  relay: RelayLogSet;
  /**
   * Check each event's CRC32 on arrival (MySQL's I/O thread does). Off by default: the SQL thread checks
   * every event again when it reads the relay log, and a bad one there triggers relay-log recovery, which
   * fetches it again; checking twice costs a third of the I/O thread's CPU.
   */
  verifyChecksums?: boolean;
  /** Persists a durable checkpoint (master.info); resolves when it is safely stored. */
  saveCheckpoint: (cp: IoCheckpoint) => Promise<void>;
  onMasterIdentity?: (id: MasterIdentity) => void;
}

export interface IoError {
  errno: number;
  message: string;
  at: string;
}

export interface IoThreadStatus {
  running: 'Yes' | 'No' | 'Connecting';
  state: string;
  masterLogFile: string;
  readMasterLogPos: number;
  gtidIoPos: string;
  lastError: IoError | undefined;
  receivedHeartbeats: number;
  lastHeartbeatAt: string | undefined;
  master: MasterIdentity | undefined;
  eventsReceived: number;
  bytesReceived: number;
  /** Source timestamp of the last event received. */
  lastEventTime: number;
}

// Local copies: read per event, and module bindings compiled to getters cost there.
const CRC32: number = ChecksumAlg.CRC32;
const FDE: number = EventType.FORMAT_DESCRIPTION_EVENT;
const ROTATE: number = EventType.ROTATE_EVENT;
const HEARTBEAT: number = EventType.HEARTBEAT_LOG_EVENT;
const HEARTBEAT_V2: number = EventType.HEARTBEAT_LOG_EVENT_V2;
const ARTIFICIAL: number = EventFlag.ARTIFICIAL;

/** Pause the socket when this much received data waits to be processed, resume below half. */
const INBOX_HIGH_WATER = 4 * 1024 * 1024;
/** Start a flush early when this much is queued for the relay file. */
const FLUSH_EARLY_BYTES = 2 * 1024 * 1024;
/** Stop reading while this much waits for the disk (a slow disk must not grow memory without bound). */
const WRITE_HIGH_WATER = 8 * 1024 * 1024;

type StreamEnd = ReplicaDeskError | undefined;

/**
 * The I/O thread: connects to the master, asks for the binlog from the last durable checkpoint, writes
 * events verbatim into the relay log, and publishes a checkpoint after each batch is fsynced and its
 * position saved. Reconnects after a lost link (at once, then every connect_retry seconds) until stopped;
 * stops on errors MySQL treats as fatal (1236 binlog gone, 1593 same server id).
 */
export class IoThread extends EventEmitter<{ status: []; 'io-error': [IoError]; stopped: [IoError | undefined]; checkpoint: [IoCheckpoint] }> {
  private running: IoThreadStatus['running'] = 'No';
  private state = '';
  private lastError: IoError | undefined;
  private heartbeats = 0;
  private lastHeartbeatAt: string | undefined;
  private identity: MasterIdentity | undefined;
  private eventsReceived = 0;
  private bytesReceived = 0;

  private stopRequested = false;
  private loop: Promise<void> | undefined;
  private sleepAbort: AbortController | undefined;
  private stream: BinlogDumpStream | undefined;

  // Stream processing state (one connection at a time).
  private readonly writer: RelayWriter;
  private readonly tracker = new TransactionBoundaryTracker(0);
  private alg: number = ChecksumAlg.UNDEF;
  private currentFde: Buffer | undefined;
  private fileStarted = false;
  private source: SourcePosition;
  private gtid: GtidPosition;
  private lastEventTime: number;
  private inbox: EventSegment[][] = [];
  private inboxBytes = 0;
  private draining: Promise<void> | undefined;
  private streamError: ReplicaDeskError | undefined;
  private forceRotate = false;

  // Flush pipeline.
  private writerLock: Promise<unknown> = Promise.resolve();
  private flushing: Promise<void> | undefined;
  private flushAgain = false;
  private lastSaved: IoCheckpoint | undefined;

  constructor(
    private readonly o: IoThreadOptions,
    resume: { source: SourcePosition; gtid: string; lastEventTime: number },
  ) {
    super();
    this.writer = new RelayWriter(o.relay);
    this.source = { ...resume.source };
    this.gtid = new GtidPosition(resume.gtid);
    this.lastEventTime = resume.lastEventTime;
  }

  status(): IoThreadStatus {
    return {
      running: this.running,
      state: this.state,
      masterLogFile: this.source.file,
      readMasterLogPos: this.source.pos,
      gtidIoPos: this.gtid.toString(),
      lastError: this.lastError,
      receivedHeartbeats: this.heartbeats,
      lastHeartbeatAt: this.lastHeartbeatAt,
      master: this.identity,
      eventsReceived: this.eventsReceived,
      bytesReceived: this.bytesReceived,
      lastEventTime: this.lastEventTime,
    };
  }

  get isRunning(): boolean {
    return this.running !== 'No';
  }

  start(): void {
    if (this.loop) return;
    this.stopRequested = false;
    this.lastError = undefined;
    this.running = 'Connecting';
    this.loop = this.run().finally(() => {
      this.loop = undefined;
    });
  }

  /** STOP SLAVE IO_THREAD: ends the stream, keeps whole transactions, cuts half of one. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.sleepAbort?.abort();
    this.stream?.close();
    await this.loop;
  }

  private setState(s: string): void {
    if (s === this.state) return;
    this.state = s;
    this.emit('status');
  }

  private setError(errno: number, message: string): void {
    this.lastError = { errno, message, at: new Date().toISOString() };
    this.emit('io-error', this.lastError);
    this.emit('status');
  }

  private async run(): Promise<void> {
    let failures = 0;
    let lastFailure: 'connect' | 'register' | 'read' | undefined;
    let fatal: IoError | undefined;
    try {
      while (!this.stopRequested) {
        if (failures > 0) {
          // MySQL retries a lost read at once, then every connect_retry; connect failures wait first.
          if (lastFailure !== 'read' || failures > 1) {
            this.setState(lastFailure === 'register' ? IoState.WAIT_RECONNECT_REGISTRATION : lastFailure === 'read' ? IoState.WAIT_RECONNECT_READ : IoState.CONNECTING);
            await this.sleep(this.o.connectRetrySec * 1000);
            if (this.stopRequested) break;
          }
          this.setState(lastFailure === 'read' ? IoState.RECONNECT_READ : IoState.CONNECTING);
        }
        this.running = 'Connecting';
        this.emit('status');
        let connected;
        try {
          connected = await connectToMaster(
            {
              endpoint: this.o.master,
              serverId: this.o.serverId,
              heartbeatPeriodSec: this.o.heartbeatPeriodSec,
              replicaUuid: this.o.replicaUuid,
              onState: (s) => this.setState(s),
            },
            this.dumpStart(),
          );
        } catch (err) {
          const e = serverErrorOf(err);
          const stage = (err as ReplicaDeskError).details?.stage === 'register' ? 'register' : 'connect';
          if (FATAL_IO_ERRNOS.has(e.errno) || (err as ReplicaDeskError).code === 'SOURCE_NO_BINLOG') {
            fatal = { errno: e.errno, message: e.message, at: new Date().toISOString() };
            break;
          }
          failures++;
          lastFailure = stage;
          this.setError(
            e.errno,
            `error ${stage === 'register' ? 'registering on' : 'connecting to'} master ${describeEndpoint(this.o.master)} - retry-time: ${this.o.connectRetrySec}  maximum-retries: 0  message: ${e.message}`,
          );
          continue;
        }
        this.identity = connected.identity;
        this.o.onMasterIdentity?.(connected.identity);
        const end = await this.streamFrom(connected);
        if (this.stopRequested) break;
        if (end && FATAL_IO_ERRNOS.has(Number(end.details?.errno))) {
          fatal = { errno: Number(end.details?.errno), message: explainFatal(end), at: new Date().toISOString() };
          break;
        }
        failures = 1;
        lastFailure = 'read';
        const e = end ? serverErrorOf(end) : { errno: 2013, message: 'the master ended the binlog stream' };
        this.setError(e.errno, `error reconnecting to master ${describeEndpoint(this.o.master)} - retry-time: ${this.o.connectRetrySec}  maximum-retries: 0  message: ${e.message}`);
      }
    } finally {
      this.setState(IoState.EXITING);
      await this.finishFile().catch(() => undefined);
      if (fatal) {
        this.lastError = fatal;
        this.emit('io-error', fatal);
      }
      this.running = 'No';
      this.state = '';
      this.emit('status');
      this.emit('stopped', fatal);
    }
  }

  private dumpStart(): DumpStart {
    if (this.o.useGtid && !this.gtid.empty) return { kind: 'gtid', gtid: this.gtid.toString() };
    return { kind: 'file', file: this.source.file, pos: this.source.pos };
  }

  private sleep(ms: number): Promise<void> {
    this.sleepAbort = new AbortController();
    const signal = this.sleepAbort.signal;
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }

  /** Runs one dump until it ends; returns why it ended. Leaves the relay file at a whole-transaction end. */
  private async streamFrom(c: Awaited<ReturnType<typeof connectToMaster>>): Promise<StreamEnd> {
    this.fileStarted = false;
    this.tracker.reset();
    this.streamError = undefined;
    // Events before the first FDE (the artificial ROTATE) carry the checksum @master_binlog_checksum asked for.
    this.alg = /crc32/i.test(c.identity.binlogChecksum) ? ChecksumAlg.CRC32 : ChecksumAlg.OFF;
    let resolveEnd!: (e: StreamEnd) => void;
    const ended = new Promise<StreamEnd>((r) => (resolveEnd = r));
    const stream = new BinlogDumpStream(
      c.session,
      {
        onEvents: (segments, count, bytes) => this.enqueue(segments, count, bytes),
        onEnd: (err) => resolveEnd(err),
      },
      this.o.netTimeoutSec * 1000,
    );
    this.stream = stream;
    stream.start(c.dumpCommand);
    this.running = 'Yes';
    this.lastError = undefined;
    this.setState(IoState.WAITING_EVENT);
    this.emit('status');
    let end = await Promise.race([ended, this.failure()]);
    stream.close();
    // Events received before the end are good: finish writing them, then cut any half transaction.
    while (this.draining) await this.draining;
    if (this.streamError) end = this.streamError;
    this.inbox = [];
    this.inboxBytes = 0;
    await this.finishFile();
    this.stream = undefined;
    return end;
  }

  /** Resolves when processing hits an error (corrupt event, disk full) so the stream can be dropped. */
  private failurePromise: Promise<StreamEnd> | undefined;
  private failureResolve: ((e: StreamEnd) => void) | undefined;
  private failure(): Promise<StreamEnd> {
    this.failurePromise = new Promise((r) => (this.failureResolve = r));
    return this.failurePromise;
  }

  private fail(err: ReplicaDeskError): void {
    if (!this.streamError) this.streamError = err;
    this.failureResolve?.(err);
  }

  private enqueue(segments: EventSegment[], count: number, bytes: number): void {
    if (this.streamError) return;
    this.inbox.push(segments);
    this.inboxBytes += bytes;
    this.eventsReceived += count;
    this.bytesReceived += bytes;
    if (this.inboxBytes > INBOX_HIGH_WATER) this.stream?.pause();
    if (!this.draining) {
      this.draining = this.drain().finally(() => {
        this.draining = undefined;
      });
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.inbox.length > 0 && !this.streamError) {
        await this.waitForSpace();
        const batch = this.inbox.shift()!;
        if (this.state !== IoState.QUEUEING) this.setState(IoState.QUEUEING);
        for (const seg of batch) {
          const { buf, offs } = seg;
          for (let i = 0; i < offs.length; i += 2) {
            const start = offs[i]!;
            const end = offs[i + 1]!;
            this.inboxBytes -= end - start;
            const p = this.processEvent(buf, start, end);
            if (p) await p;
            if (this.streamError) return;
          }
        }
        if (this.writer.queuedBytes >= FLUSH_EARLY_BYTES) this.requestFlush();
        while (this.writer.queuedBytes >= WRITE_HIGH_WATER && this.flushing && !this.streamError) {
          this.stream?.pause();
          await this.flushing;
          this.requestFlush();
        }
        if (this.inboxBytes < INBOX_HIGH_WATER / 2) this.stream?.resume();
      }
    } catch (err) {
      this.fail(err instanceof ReplicaDeskError ? err : new ReplicaDeskError('RELAY_WRITE_FAILED', `Cannot write the relay log: ${(err as Error).message}`, { errno: 1595 }));
      return;
    }
    if (this.state === IoState.QUEUEING) this.setState(IoState.WAITING_EVENT);
    this.requestFlush();
  }

  /** relay_log_space_limit: wait until the SQL thread has purged enough, unless it is waiting on us. */
  private async waitForSpace(): Promise<void> {
    const limit = this.o.relayLogSpaceLimit;
    if (limit <= 0) return;
    while (!this.stopRequested && !this.streamError && this.o.relay.space() > limit) {
      if (this.o.relay.readerWaiting) {
        // Deadlock avoidance: the SQL thread can only free space once this file is finished.
        this.forceRotate = true;
        return;
      }
      this.stream?.pause();
      this.setState(IoState.WAIT_SPACE);
      await new Promise<void>((resolve) => {
        const done = () => {
          this.o.relay.off('purged', done);
          this.o.relay.off('reader-waiting', done);
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(done, 1000);
        this.o.relay.on('purged', done);
        this.o.relay.on('reader-waiting', done);
      });
    }
    this.stream?.resume();
  }

  /** Handles one event `buf[start, end)`; returns a promise only when it must wait (new relay file). */
  private processEvent(buf: Buffer, start: number, end: number): Promise<void> | undefined {
    const type = buf[start + 4]!;
    if (this.o.verifyChecksums && this.alg === CRC32 && type !== FDE && !eventChecksumOk(buf, this.alg, start, end)) {
      this.fail(
        new ReplicaDeskError(
          'SOURCE_EVENT_CHECKSUM',
          `Replication event checksum verification failed while reading from network (event at ${this.source.file}:${this.source.pos}). The event will be read again.`,
          { errno: 1743 },
        ),
      );
      return undefined;
    }
    if (type === HEARTBEAT || type === HEARTBEAT_V2) {
      this.heartbeats++;
      this.lastHeartbeatAt = new Date().toISOString();
      return undefined;
    }
    const logPos = buf.readUInt32LE(start + 13);
    const flags = buf.readUInt16LE(start + 17);
    if (type === FDE) return this.onFde(Buffer.from(buf.subarray(start, end)), logPos);
    if (!this.fileStarted) {
      if (type === ROTATE) {
        // The artificial ROTATE that opens every dump names the file the master is sending from.
        const r = parseRotate(buf.subarray(start, end), this.alg);
        this.source = { file: r.file, pos: r.position };
        return undefined;
      }
      this.fail(new ReplicaDeskError('SOURCE_PROTOCOL_ERROR', `The master sent event type ${type} before its format description event.`, { errno: 2027 }));
      return undefined;
    }
    if (type === ROTATE) {
      const r = parseRotate(buf.subarray(start, end), this.alg);
      if (logPos === 0 || flags & ARTIFICIAL) {
        // Mid-stream, an artificial ROTATE means the master moved to its next file (after a restart the
        // old file ends with STOP, not ROTATE). Keep it in the relay log: the SQL thread follows it.
        if (r.file !== this.source.file) {
          this.writer.append(buf, start, end);
          this.tracker.observe(buf, start, end);
          this.source = { file: r.file, pos: r.position };
          if (!this.tracker.inGroup) this.writer.markBoundary(this.source, this.gtid.snapshot(), this.lastEventTime);
          return undefined;
        }
        this.source = { file: r.file, pos: r.position };
        return undefined;
      }
      // A real ROTATE ends the master's file: keep it (it is a real event), then follow it.
      this.writer.append(buf, start, end);
      this.tracker.observe(buf, start, end);
      this.source = { file: r.file, pos: r.position };
      this.writer.markBoundary(this.source, this.gtid.snapshot(), this.lastEventTime);
      return undefined;
    }
    this.writer.append(buf, start, end);
    if (logPos !== 0 && !(flags & ARTIFICIAL)) this.source.pos = logPos;
    const ts = buf.readUInt32LE(start);
    if (ts !== 0) this.lastEventTime = ts;
    const before = this.tracker.lastCompleted;
    if (this.tracker.observe(buf, start, end)) {
      const done = this.tracker.lastCompleted;
      if (done !== before && done) this.gtid.addSeen(done);
      this.writer.markBoundary(this.source, this.gtid.snapshot(), this.lastEventTime);
      if (this.forceRotate || this.writer.position >= this.o.maxRelayLogSize) return this.rotate();
    }
    return undefined;
  }

  private onFde(ev: Buffer, logPos: number): Promise<void> | undefined {
    this.alg = fdeChecksumAlg(ev);
    this.tracker.setChecksumLength(checksumLength(this.alg));
    this.currentFde = ev;
    if (logPos !== 0) this.source.pos = logPos;
    if (!this.fileStarted) {
      // First FDE of this connection: it opens a new relay file (one per I/O connection, like MySQL).
      this.fileStarted = true;
      return this.locked(async () => {
        const cp = await this.writer.startFile(this.currentFde!, this.source, this.o.serverId, this.gtid.toString(), this.lastEventTime);
        await this.persist(cp);
      });
    }
    this.writer.append(ev);
    if (!this.tracker.inGroup) this.writer.markBoundary(this.source, this.gtid.snapshot(), this.lastEventTime);
    return undefined;
  }

  /** max_relay_log_size reached at a transaction boundary: close this file, continue in a new one. */
  private async rotate(): Promise<void> {
    this.forceRotate = false;
    await this.locked(async () => {
      const cp = await this.writer.flush();
      if (cp) await this.persist(cp);
      const start = await this.writer.startFile(this.currentFde!, this.source, this.o.serverId, this.gtid.toString(), this.lastEventTime);
      await this.persist(start);
    });
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.writerLock.then(fn);
    this.writerLock = next.catch(() => undefined);
    return next;
  }

  private async persist(cp: IoCheckpoint): Promise<void> {
    if (this.lastSaved === cp) return;
    await this.o.saveCheckpoint(cp);
    this.lastSaved = cp;
    this.o.relay.publish(cp);
    this.emit('checkpoint', cp);
  }

  private requestFlush(): void {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = (async () => {
      do {
        this.flushAgain = false;
        try {
          await this.locked(async () => {
            const cp = await this.writer.flush();
            if (cp) await this.persist(cp);
          });
        } catch (err) {
          this.fail(new ReplicaDeskError('RELAY_WRITE_FAILED', `Cannot write the relay log: ${(err as Error).message}`, { errno: 1595 }));
          return;
        }
      } while (this.flushAgain);
    })().finally(() => {
      this.flushing = undefined;
    });
  }

  /** Makes every whole transaction durable and cuts the rest, at the end of a connection or on stop. */
  private async finishFile(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.locked(async () => {
      const cp = await this.writer.flush();
      if (cp) await this.persist(cp);
      await this.writer.closeFile();
    });
    const d = this.writer.lastDurable;
    if (d) {
      this.source = { ...d.source };
      this.gtid = new GtidPosition(d.gtid);
      this.lastEventTime = d.lastEventTime;
    }
  }
}

function explainFatal(err: ReplicaDeskError): string {
  const errno = Number(err.details?.errno);
  if (errno === 1236) {
    return `${err.message}. The master no longer has the binary log this channel needs (it was purged, or the position does not exist). Nothing more can be replicated from here: make a fresh copy of the data (re-clone) and create the channel again from the new position.`;
  }
  return err.message;
}
