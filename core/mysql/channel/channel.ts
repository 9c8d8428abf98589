import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { Severity } from '../../api/types';
import { ReplicaDeskError } from '../../errors';
import type { AppliedPosition } from '../apply/position-table';
import { SqlThread } from '../apply/sql-thread';
import type { MysqlEndpoint } from '../client/endpoint';
import { RelayLogSet, type IoCheckpoint } from '../relay/relay-log-set';
import { IoThread, type IoThreadStatus } from '../source/io-thread';
import type { ChannelConfig } from './config';
import { ChannelLock } from './channel-lock';
import type { ChannelStateRepo } from './state-repo';
import { buildStatus, type ChannelStatus } from './status';

export type ThreadSelector = 'io' | 'sql' | 'both';

export interface ChannelHistoryEntry {
  kind: string;
  severity: Severity;
  message: string;
  detail?: Record<string, unknown>;
}

const IDLE_IO: IoThreadStatus = {
  running: 'No',
  state: '',
  masterLogFile: '',
  readMasterLogPos: 0,
  gtidIoPos: '',
  lastError: undefined,
  receivedHeartbeats: 0,
  lastHeartbeatAt: undefined,
  master: undefined,
  eventsReceived: 0,
  bytesReceived: 0,
  lastEventTime: 0,
};

/**
 * One replica channel: its relay log, I/O thread and SQL thread, recovery at start, and its status.
 * Threads start and stop independently (START/STOP SLAVE IO_THREAD / SQL_THREAD). The relay-log folder is
 * `<dataDir>/relay/<channel>/`, locked while the channel runs so two processes never share it.
 */
export class Channel extends EventEmitter<{ status: [ChannelStatus]; history: [ChannelHistoryEntry] }> {
  readonly relay: RelayLogSet;
  private io: IoThread | undefined;
  private sql: SqlThread | undefined;
  private lastIo: IoThreadStatus = IDLE_IO;
  private lastSqlStatus: ReturnType<SqlThread['status']> | undefined;
  private readonly lock: ChannelLock;
  private initialized = false;
  private statusTimer: NodeJS.Timeout | undefined;
  private statusQueued = false;
  private masterIdentity: { serverId: number | null; uuid: string | null } = { serverId: null, uuid: null };
  private recovering: Promise<void> | undefined;
  private readonly replicaUuid: string;
  private lastIoErrno = 0;

  constructor(
    private config: ChannelConfig,
    private readonly passwords: { master: string; target: string },
    private readonly repo: ChannelStateRepo,
    dataDir: string,
  ) {
    super();
    this.relay = new RelayLogSet(path.join(dataDir, 'relay', config.name), `${config.name}-relay-bin`);
    this.lock = new ChannelLock(path.join(dataDir, 'relay', config.name, `${config.name}.lock`));
    // A stable per-channel uuid: the master kills an older dump thread with the same one (a zombie).
    this.replicaUuid = uuidFrom(`${config.name}:${config.serverId}`);
  }

  get name(): string {
    return this.config.name;
  }

  get ioRunning(): boolean {
    return this.io?.isRunning ?? false;
  }

  get sqlRunning(): boolean {
    return this.sql?.isRunning ?? false;
  }

  get running(): boolean {
    return this.ioRunning || this.sqlRunning;
  }

  private endpoint(side: 'master' | 'target'): MysqlEndpoint {
    return { ...this.config[side], password: this.passwords[side] };
  }

  private record(kind: string, severity: Severity, message: string, detail?: Record<string, unknown>): void {
    this.emit('history', detail ? { kind, severity, message, detail } : { kind, severity, message });
  }

  /**
   * Takes the channel's lock and brings the relay log to its last recorded checkpoint: bytes after it
   * (a torn tail, or whole transactions written but never recorded) are cut; files after it are removed.
   */
  async init(): Promise<void> {
    if (this.initialized) return;
    await this.lock.acquire(this.config.name);
    await this.relay.load();
    const mi = await this.repo.getMasterInfo(this.name);
    if (mi.masterServerId !== null) this.masterIdentity = { serverId: mi.masterServerId, uuid: mi.masterUuid };
    if (mi.relayLogFile && this.relay.has(mi.relayLogFile)) {
      if (this.relay.sizeOf(mi.relayLogFile) !== mi.relayLogEnd) {
        this.record('relay.truncated', 'info', `Relay log ${mi.relayLogFile} cut back from ${this.relay.sizeOf(mi.relayLogFile)} to ${mi.relayLogEnd} bytes (the last recorded whole transaction).`);
        await this.relay.truncate(mi.relayLogFile, mi.relayLogEnd);
      }
      const removed = await this.relay.removeAfter(mi.relayLogFile);
      if (removed.length) this.record('relay.truncated', 'info', `Removed relay log files written after the last recorded position: ${removed.join(', ')}.`);
      this.relay.setPublished({
        relay: { file: mi.relayLogFile, pos: mi.relayLogEnd },
        source: { file: mi.masterLogFile, pos: mi.readMasterLogPos },
        gtid: mi.gtidIoPos,
        lastEventTime: mi.lastEventTime,
      });
    } else if (mi.relayLogFile || this.relay.files().length > 0) {
      // master.info and the relay folder disagree (files lost or foreign): fetch again from what is applied.
      const rli = await this.repo.getRelayLogInfo(this.name);
      await this.recoverRelayTo(
        { relayFile: rli.relayLogFile, relayPos: rli.relayLogPos, sourceFile: rli.relayMasterLogFile, sourcePos: rli.execMasterLogPos, gtid: rli.gtidSlavePos, lastEventTime: 0, ddlInProgress: false },
        `the relay log does not match master.info (${mi.relayLogFile || 'no file recorded'})`,
      );
    }
    this.initialized = true;
  }

  /** START SLAVE [IO_THREAD | SQL_THREAD] [UNTIL MASTER_LOG_FILE/POS]. */
  async start(which: ThreadSelector = 'both', opts: { until?: { file: string; pos: number }; skipCounter?: number } = {}): Promise<void> {
    await this.init();
    if ((which === 'io' || which === 'both') && !this.ioRunning) await this.startIo();
    if ((which === 'sql' || which === 'both') && !this.sqlRunning) await this.startSql(opts);
    this.startStatusTimer();
    this.queueStatus();
  }

  private async startIo(): Promise<void> {
    const mi = await this.repo.getMasterInfo(this.name);
    const c = this.config;
    const io = new IoThread(
      {
        channel: c.name,
        master: this.endpoint('master'),
        serverId: c.serverId,
        replicaUuid: this.replicaUuid,
        useGtid: c.useGtid !== 'No',
        connectRetrySec: c.connectRetry,
        heartbeatPeriodSec: c.heartbeatPeriod,
        netTimeoutSec: c.netTimeout,
        maxRelayLogSize: c.maxRelayLogSize,
        relayLogSpaceLimit: c.relayLogSpaceLimit,
        relay: this.relay,
        saveCheckpoint: (cp: IoCheckpoint) => this.repo.saveIoCheckpoint(this.name, cp),
        onMasterIdentity: (id) => {
          this.masterIdentity = { serverId: id.serverId, uuid: id.uuid };
          void this.repo.saveMasterIdentity(this.name, id.serverId, id.uuid).catch(() => undefined);
        },
      },
      { source: { file: mi.masterLogFile, pos: mi.readMasterLogPos }, gtid: mi.gtidIoPos, lastEventTime: mi.lastEventTime },
    );
    this.io = io;
    io.on('status', () => this.queueStatus());
    io.on('io-error', (e) => {
      if (e.errno !== this.lastIoErrno) this.record('io.error', 'error', `I/O thread: ${e.message}`, { errno: e.errno });
      this.lastIoErrno = e.errno;
    });
    io.on('stopped', (fatal) => {
      this.lastIo = io.status();
      if (fatal) this.record('io.stopped', 'error', `The I/O thread stopped: ${fatal.message}`, { errno: fatal.errno });
      this.queueStatus();
    });
    let connectedOnce = false;
    io.on('status', () => {
      if (io.status().running === 'Yes' && !connectedOnce) {
        connectedOnce = true;
        this.lastIoErrno = 0;
        this.record('io.connected', 'info', `Connected to master ${c.master.host}:${c.master.port}; reading ${io.status().masterLogFile}:${io.status().readMasterLogPos}.`);
      } else if (io.status().running !== 'Yes') connectedOnce = false;
    });
    io.start();
  }

  private async startSql(opts: { until?: { file: string; pos: number }; skipCounter?: number }): Promise<void> {
    const rli = await this.repo.getRelayLogInfo(this.name);
    const start: AppliedPosition = {
      relayFile: rli.relayLogFile,
      relayPos: rli.relayLogPos,
      sourceFile: rli.relayMasterLogFile,
      sourcePos: rli.execMasterLogPos,
      gtid: rli.gtidSlavePos,
      lastEventTime: 0,
      ddlInProgress: false,
    };
    const sql = new SqlThread({
      channel: this.name,
      config: this.config,
      target: this.endpoint('target'),
      relay: this.relay,
      start,
      skipCounter: opts.skipCounter ?? 0,
      ...(opts.until ? { until: opts.until } : {}),
      saveRelayLogInfo: (p) =>
        this.repo.saveRelayLogInfo(this.name, {
          relayLogFile: p.relayFile,
          relayLogPos: p.relayPos,
          relayMasterLogFile: p.sourceFile,
          execMasterLogPos: p.sourcePos,
          gtidSlavePos: p.gtid,
        }),
    });
    this.sql = sql;
    sql.on('status', () => this.queueStatus());
    sql.on('sql-error', (e) => this.record('sql.error', 'error', `SQL thread: ${e.message}`, { errno: e.errno }));
    sql.on('warning', (w) => this.record('sql.warning', 'warning', w));
    sql.on('stopped', (fatal) => {
      this.lastSqlStatus = sql.status();
      if (fatal) this.record('sql.stopped', 'error', `The SQL thread stopped: ${fatal.message}`, { errno: fatal.errno });
      this.queueStatus();
    });
    sql.on('relay-recovery', (applied, why) => {
      this.recovering = this.recoverRelay(applied, why).catch((err: Error) => {
        this.record('relay.recovery-failed', 'error', `Relay-log recovery failed: ${err.message}`);
      });
    });
    sql.start();
  }

  /** The relay log is damaged: discard it and fetch again from the applied position, then restart. */
  private async recoverRelay(applied: AppliedPosition, why: string): Promise<void> {
    const ioWasRunning = this.ioRunning;
    await this.sql?.stop();
    await this.io?.stop();
    await this.recoverRelayTo(applied, why);
    if (ioWasRunning) await this.startIo();
    await this.startSql({});
    this.queueStatus();
  }

  private async recoverRelayTo(applied: AppliedPosition, why: string): Promise<void> {
    await this.relay.removeAll();
    await this.repo.resetIo(this.name, { file: applied.sourceFile, pos: applied.sourcePos || 4 }, applied.gtid);
    await this.repo.saveRelayLogInfo(this.name, {
      relayLogFile: applied.sourceFile || applied.gtid ? this.relay.nextFileName() : '',
      relayLogPos: 4,
      relayMasterLogFile: applied.sourceFile,
      execMasterLogPos: applied.sourcePos,
      gtidSlavePos: applied.gtid,
    });
    this.record(
      'relay.recovered',
      'warning',
      `Relay-log recovery: ${why}. The relay log was discarded; it is fetched again from the master at ${applied.sourceFile}:${applied.sourcePos}${applied.gtid ? ` (GTID ${applied.gtid})` : ''}.`,
    );
  }

  /** STOP SLAVE [IO_THREAD | SQL_THREAD]: whole transactions kept, nothing half-applied. */
  async stop(which: ThreadSelector = 'both'): Promise<void> {
    await this.recovering;
    if (which === 'sql' || which === 'both') await this.sql?.stop();
    if (which === 'io' || which === 'both') await this.io?.stop();
    this.queueStatus();
    if (!this.running) {
      this.stopStatusTimer();
      this.emit('status', this.status());
    }
  }

  /** Stops everything and releases the relay folder (when the process or service shuts down). */
  async close(): Promise<void> {
    await this.stop('both');
    await this.lock.release();
    this.initialized = false;
  }

  /**
   * Without `all`: discards the relay log and fetches again from the applied position (safe: nothing
   * applied is lost or repeated). With `all`: like RESET SLAVE ALL, also forgets the applied position
   * and starts over from the channel's configured start position.
   */
  async reset(all: boolean, targetConn?: { deletePosition: () => Promise<void> }): Promise<void> {
    if (this.running) throw new ReplicaDeskError('CHANNEL_RUNNING', `Channel ${this.name} is running; stop it first (replicadesk channel stop ${this.name}).`, { channel: this.name });
    await this.init();
    if (all) {
      const s = this.config.start;
      await targetConn?.deletePosition();
      await this.relay.removeAll();
      await this.repo.resetIo(this.name, s.kind === 'file' ? { file: s.file, pos: s.pos } : { file: '', pos: 4 }, s.kind === 'gtid' ? s.gtid : '');
      await this.repo.saveRelayLogInfo(this.name, {
        relayLogFile: '',
        relayLogPos: 0,
        relayMasterLogFile: s.kind === 'file' ? s.file : '',
        execMasterLogPos: s.kind === 'file' ? s.pos : 0,
        gtidSlavePos: s.kind === 'gtid' ? s.gtid : '',
      });
      this.record('channel.reset', 'warning', `Channel ${this.name} was reset: positions forgotten, relay log deleted; it starts again from its configured start position.`);
      return;
    }
    const rli = await this.repo.getRelayLogInfo(this.name);
    await this.recoverRelayTo(
      { relayFile: rli.relayLogFile, relayPos: rli.relayLogPos, sourceFile: rli.relayMasterLogFile, sourcePos: rli.execMasterLogPos, gtid: rli.gtidSlavePos, lastEventTime: 0, ddlInProgress: false },
      'reset requested',
    );
  }

  status(): ChannelStatus {
    const io = this.io ? this.io.status() : this.lastIo;
    const sqlStatus = this.sql ? this.sql.status() : this.lastSqlStatus ?? idleSql();
    return buildStatus({
      config: this.config,
      io,
      sql: sqlStatus,
      relaySpace: this.relay.space(),
      relayDir: this.relay.dir,
      masterServerId: this.masterIdentity.serverId,
      masterUuid: this.masterIdentity.uuid,
    });
  }

  /** Status before any thread ran in this process: positions from the state store. */
  async storedStatus(): Promise<ChannelStatus> {
    const mi = await this.repo.getMasterInfo(this.name);
    const rli = await this.repo.getRelayLogInfo(this.name);
    const io = this.io ? this.io.status() : { ...this.lastIo, masterLogFile: mi.masterLogFile, readMasterLogPos: mi.readMasterLogPos, gtidIoPos: mi.gtidIoPos };
    const sql = this.sql
      ? this.sql.status()
      : { ...(this.lastSqlStatus ?? idleSql()), relayLogFile: rli.relayLogFile, relayLogPos: rli.relayLogPos, relayMasterLogFile: rli.relayMasterLogFile, execMasterLogPos: rli.execMasterLogPos, gtidSlavePos: rli.gtidSlavePos };
    if (!this.initialized) await this.relay.load().catch(() => undefined);
    return buildStatus({
      config: this.config,
      io,
      sql,
      relaySpace: this.relay.space(),
      relayDir: this.relay.dir,
      masterServerId: mi.masterServerId,
      masterUuid: mi.masterUuid,
    });
  }

  private queueStatus(): void {
    if (this.statusQueued) return;
    this.statusQueued = true;
    setTimeout(() => {
      this.statusQueued = false;
      this.emit('status', this.status());
    }, 100).unref();
  }

  private startStatusTimer(): void {
    if (this.statusTimer) return;
    this.statusTimer = setInterval(() => this.emit('status', this.status()), 1000);
    this.statusTimer.unref();
  }

  private stopStatusTimer(): void {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = undefined;
  }
}

function idleSql(): ReturnType<SqlThread['status']> {
  return {
    running: 'No',
    state: '',
    relayLogFile: '',
    relayLogPos: 0,
    relayMasterLogFile: '',
    execMasterLogPos: 0,
    gtidSlavePos: '',
    lastError: undefined,
    skipCounter: 0,
    until: undefined,
    lastMasterTimestamp: 0,
    idle: true,
    relayBytesBehind: 0,
    transactions: 0,
    ddlGroups: 0,
    transactionalGroups: 0,
    nonTransactionalGroups: 0,
    events: 0,
    rows: 0,
    retriedTransactions: 0,
    targetReadOnly: undefined,
    rateTransactions: 0,
    rateEvents: 0,
  };
}

function uuidFrom(seed: string): string {
  const h = crypto.createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
