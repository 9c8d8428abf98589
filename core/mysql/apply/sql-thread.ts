import { EventEmitter } from 'node:events';
import type mysql from 'mysql2/promise';
import { ReplicaDeskError } from '../../errors';
import { EventFlag, EventType } from '../binlog/constants';
import { decodeEvent, DecoderState } from '../binlog/decode-event';
import type { BinlogEvent, QueryEvent, RowsEvent, TableMapEvent } from '../binlog/events';
import type { Row, UpdatedRow } from '../binlog/types';
import type { ChannelConfig } from '../channel/config';
import { ApplierConnection } from '../client/applier-connection';
import { describeEndpoint, type MysqlEndpoint } from '../client/endpoint';
import { connectMysql, serverErrorOf } from '../client/raw-session';
import { GtidPosition } from '../gtid/gtid-position';
import type { RelayLogSet, SourcePosition } from '../relay/relay-log-set';
import { RelayReader, type RelayEvent } from '../relay/relay-reader';
import { ReplicationFilter } from './filters';
import { ensurePositionTable, positionUpdateSql, readPosition, type AppliedPosition } from './position-table';
import { DDL_ALREADY_DONE_ERRNOS, groupKeyword, isDml, queryContextStatements, type ContextEvent } from './query-context';
import { NetChanges, NOT_NETTABLE } from './net-changes';
import { bitmapPositions, buildRowStatements, type RowsBatch } from './row-statements';
import { ApplyFailure, CONNECTION_ERRNOS, StatementPipeline, TRANSIENT_ERRNOS, type StatementInfo } from './statement-pipeline';
import { rewriteDatabaseStatement, statementTables } from './statement-tables';
import { hintsFor, TargetTableCache, type TargetTable } from './target-table';

/** Slave_SQL_Running_State values (MySQL's words where MySQL has them). */
export const SqlState = {
  READING: 'Reading event from the relay log',
  WAITING: 'Slave has read all relay log; waiting for more updates',
  CONNECTING: 'Connecting to the target',
  RECONNECTING: 'Waiting to reconnect to the target after a failed write',
  EXECUTING: 'Executing event',
  COMMITTING: 'Committing',
  EXITING: 'Waiting for slave mutex on exit',
} as const;

/** Net changes held before they are written out even though the target transaction goes on. */
const NET_MAX_ROWS = 20_000;
const NET_MAX_BYTES = 8 * 1024 * 1024;

/** The session the applier writes rows in: values arrive exact, so no server-side reinterpretation. */
const ROW_SQL_MODE = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,ALLOW_INVALID_DATES,NO_ENGINE_SUBSTITUTION';

export interface SqlError {
  errno: number;
  message: string;
  at: string;
}

export interface SqlThreadOptions {
  channel: string;
  config: ChannelConfig;
  target: MysqlEndpoint;
  relay: RelayLogSet;
  /** Where to start when the target has no position row for this channel (from relay-log.info). */
  start: AppliedPosition;
  skipCounter: number;
  until?: SourcePosition;
  /** Persists relay-log.info (SQLite); called after each commit, latest wins. */
  saveRelayLogInfo: (p: AppliedPosition) => Promise<void>;
  /** The applied position the target reports, before any event is applied (for reconciliation). */
  onTargetPosition?: (p: AppliedPosition | undefined) => void;
}

export interface SqlThreadStatus {
  running: 'Yes' | 'No';
  state: string;
  relayLogFile: string;
  relayLogPos: number;
  relayMasterLogFile: string;
  execMasterLogPos: number;
  gtidSlavePos: string;
  lastError: SqlError | undefined;
  skipCounter: number;
  until: SourcePosition | undefined;
  /** Source timestamp of the transaction being applied; 0 when idle (Seconds_Behind_Master then 0). */
  lastMasterTimestamp: number;
  idle: boolean;
  relayBytesBehind: number;
  transactions: number;
  ddlGroups: number;
  transactionalGroups: number;
  nonTransactionalGroups: number;
  events: number;
  rows: number;
  retriedTransactions: number;
  targetReadOnly: boolean | undefined;
  /** Applied per second over the last few seconds. */
  rateTransactions: number;
  rateEvents: number;
}

interface Group {
  gtid?: string;
  /** MariaDB standalone GTID (a single statement, no BEGIN). */
  standalone: boolean;
  /** MySQL GTID seen, BEGIN not (yet): the next QUERY is either BEGIN or a standalone statement. */
  mysqlPending: boolean;
  hasStatement: boolean;
  timestamp: number;
}

/** Asks the loop to replay from the last commit, one source transaction per target transaction. */
class ReplaySingly extends Error {}

class StopRequested extends Error {}

/**
 * The SQL thread: reads the relay log, decodes events (binlog/ decoder), filters them, and applies each
 * source transaction atomically to the target, with the applied position written in the same target
 * transaction. While behind it puts many source transactions in one target transaction and streams the
 * statements without waiting (see StatementPipeline); when caught up, each transaction commits on its own.
 *
 * Errors: a statement error stops only this thread, with Last_SQL_Errno / Last_SQL_Error naming the event
 * and the statement. If the failing target transaction held several source transactions, they are first
 * replayed one by one, so everything before the failing one is committed and the position is exact. A lost
 * target connection is not an apply error: the thread reconnects every connect_retry seconds, re-reads the
 * position from the target (which wins), and continues from there.
 */
export class SqlThread extends EventEmitter<{ status: []; 'sql-error': [SqlError]; stopped: [SqlError | undefined]; committed: [AppliedPosition]; 'relay-recovery': [AppliedPosition, string]; warning: [string] }> {
  private running = false;
  private state = '';
  private lastError: SqlError | undefined;
  private stopRequested = false;
  private abort = new AbortController();
  private loop: Promise<void> | undefined;

  private conn: ApplierConnection | undefined;
  private meta: mysql.Connection | undefined;
  private pipeline: StatementPipeline | undefined;
  private readonly tables: TargetTableCache;
  private readonly filter: ReplicationFilter;
  private collations = new Map<number, string>();
  private canSetPseudoThreadId = false;
  private maxQueryBytes = 1 << 20;
  private targetIsMariaDb = true;
  private targetReadOnly: boolean | undefined;

  // Positions.
  private committed: AppliedPosition;
  private pendingEnd: AppliedPosition;
  private cursorRelay = { file: '', pos: 0 };
  private cursorSource: SourcePosition = { file: '', pos: 0 };
  private gtid: GtidPosition;
  private lastEventTime = 0;

  // Per-run state.
  private reader: RelayReader | undefined;
  private dstate: DecoderState | undefined;
  private tableIds = new Map<number, TargetTable | null>();
  private group: Group | undefined;
  private contextEvents: ContextEvent[] = [];
  private annotate = '';
  private targetOpen = false;
  private groupsInTarget = 0;
  private bytesInTarget = 0;
  private commitRequested = false;
  private pendingRows: (RowsBatch & { sig: string; bytes: number; what: string; where: string }) | undefined;
  private net = new NetChanges();
  private netWhere = '';
  private rowSessionDirty = true;
  private fkChecks = true;
  private uniqueChecks = true;
  private singleUntil: { file: string; pos: number } | undefined;
  private ddlReplay = false;
  private skipLeft: number;
  private skippingGroup = false;
  private until: SourcePosition | undefined;
  private untilReached = false;
  private transientRetries = 0;
  private idle = false;
  private lastMasterTimestamp = 0;

  // Counters.
  private counters = { transactions: 0, ddl: 0, transactional: 0, nonTransactional: 0, events: 0, rows: 0, retried: 0 };
  private rateSamples: { t: number; trx: number; ev: number }[] = [];

  private saving: Promise<void> = Promise.resolve();
  private purging: Promise<void> = Promise.resolve();

  constructor(private readonly o: SqlThreadOptions) {
    super();
    this.filter = new ReplicationFilter(o.config.filters);
    this.tables = new TargetTableCache(() => this.meta!);
    this.committed = { ...o.start };
    this.pendingEnd = { ...o.start };
    this.gtid = new GtidPosition(o.start.gtid);
    this.skipLeft = o.skipCounter;
    this.until = o.until;
  }

  get isRunning(): boolean {
    return this.running;
  }

  status(): SqlThreadStatus {
    const now = Date.now();
    const old = this.rateSamples.find((s) => now - s.t <= 10_000) ?? this.rateSamples[this.rateSamples.length - 1];
    const dt = old ? (now - old.t) / 1000 : 0;
    return {
      running: this.running ? 'Yes' : 'No',
      state: this.state,
      relayLogFile: this.committed.relayFile,
      relayLogPos: this.committed.relayPos,
      relayMasterLogFile: this.committed.sourceFile,
      execMasterLogPos: this.committed.sourcePos,
      gtidSlavePos: this.committed.gtid,
      lastError: this.lastError,
      skipCounter: this.skipLeft,
      until: this.until,
      lastMasterTimestamp: this.idle ? 0 : this.lastMasterTimestamp,
      idle: this.idle,
      relayBytesBehind: this.reader?.bytesBehind() ?? 0,
      transactions: this.counters.transactions,
      ddlGroups: this.counters.ddl,
      transactionalGroups: this.counters.transactional,
      nonTransactionalGroups: this.counters.nonTransactional,
      events: this.counters.events,
      rows: this.counters.rows,
      retriedTransactions: this.counters.retried,
      targetReadOnly: this.targetReadOnly,
      rateTransactions: old && dt > 0.5 ? (this.counters.transactions - old.trx) / dt : 0,
      rateEvents: old && dt > 0.5 ? (this.counters.events - old.ev) / dt : 0,
    };
  }

  /** The last position known committed in the target. */
  get appliedPosition(): AppliedPosition {
    return { ...this.committed };
  }

  start(): void {
    if (this.loop) return;
    this.stopRequested = false;
    this.abort = new AbortController();
    this.lastError = undefined;
    this.running = true;
    this.emit('status');
    this.loop = this.run().finally(() => (this.loop = undefined));
  }

  /** STOP SLAVE SQL_THREAD: finishes (or rolls back) the current target transaction and stops. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.abort.abort();
    await this.loop;
  }

  private setState(s: string): void {
    if (s === this.state) return;
    this.state = s;
    this.emit('status');
  }

  private setError(errno: number, message: string): SqlError {
    this.lastError = { errno, message, at: new Date().toISOString() };
    this.emit('sql-error', this.lastError);
    this.emit('status');
    return this.lastError;
  }

  private async run(): Promise<void> {
    let fatal: SqlError | undefined;
    let connectFailures = 0;
    try {
      while (!this.stopRequested) {
        try {
          if (!this.conn?.alive) {
            this.setState(connectFailures > 0 ? SqlState.RECONNECTING : SqlState.CONNECTING);
            await this.connect();
            connectFailures = 0;
            if (this.lastError && CONNECTION_ERRNOS.has(this.lastError.errno)) this.lastError = undefined;
          }
          await this.applyLoop();
          break;
        } catch (caught) {
          let err = caught;
          if (this.stopRequested && (err instanceof StopRequested || !(err instanceof ApplyFailure))) break;
          // A commit still running in the background settles first: it may succeed (the position moves)
          // or be the failure itself.
          await this.committing?.catch(() => undefined);
          if (this.asyncFailure && !this.failedCommit) {
            this.failedCommit = this.asyncFailure;
            this.asyncFailure = undefined;
          }
          const failed = this.failedCommit;
          this.failedCommit = undefined;
          if (failed && failed.err !== err && !(err instanceof ReplaySingly)) err = failed.err;
          // Source transactions in the target transaction that fails (the open one counts too).
          const groups = failed ? failed.groups : this.groupsInTarget + (this.group && this.groupDirty ? 1 : 0);
          if (failed) this.failurePoint = failed.at;
          await this.rollback();
          if (err instanceof ReplaySingly) {
            this.singleUntil = { ...this.failurePoint };
            continue;
          }
          if (err instanceof ApplyFailure) {
            if ((groups > 1 || err.info.net) && !this.singleUntil) {
              this.singleUntil = { ...this.failurePoint };
              continue;
            }
            if (TRANSIENT_ERRNOS.has(err.errno) && this.transientRetries < 10) {
              this.transientRetries++;
              this.counters.retried++;
              await this.sleep(1000 * this.transientRetries);
              continue;
            }
            fatal = this.setError(err.errno, err.message);
            break;
          }
          const e = err as ReplicaDeskError;
          const errno = Number(e.details?.errno ?? serverErrorOf(err).errno);
          if (e.code === 'RELAY_CORRUPT' || e.code === 'RELAY_MISSING' || e.code?.startsWith('BINLOG_')) {
            const msg = `Relay log read failure: ${e.message}`;
            fatal = this.setError(1594, msg);
            this.emit('relay-recovery', this.appliedPosition, msg);
            break;
          }
          if (CONNECTION_ERRNOS.has(errno) || e.code === 'TARGET_CONNECTION_LOST' || this.isNetworkError(err)) {
            connectFailures++;
            this.closeConnections();
            this.setError(errno || 2013, `error connecting to the target ${describeEndpoint(this.o.target)} - retry-time: ${this.o.config.connectRetry}  message: ${e.message ?? String(err)}`);
            this.setState(SqlState.RECONNECTING);
            await this.sleep(connectFailures === 1 ? 1000 : this.o.config.connectRetry * 1000);
            continue;
          }
          fatal = this.setError(errno || 1593, (err as Error).message ?? String(err));
          break;
        }
      }
    } finally {
      this.setState(SqlState.EXITING);
      await this.rollback().catch(() => undefined);
      this.closeConnections();
      await this.reader?.closeFile().catch(() => undefined);
      await this.saving;
      await this.purging;
      this.running = false;
      this.state = '';
      if (this.untilReached) this.emit('warning', `Slave SQL thread stopped because it reached its UNTIL position ${this.until?.file}:${this.until?.pos}.`);
      this.emit('status');
      this.emit('stopped', fatal);
    }
  }

  private isNetworkError(err: unknown): boolean {
    const code = (err as { code?: string }).code ?? '';
    return ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'PROTOCOL_CONNECTION_LOST', 'EHOSTUNREACH', 'ER_CON_COUNT_ERROR'].includes(code);
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.abort.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      // The listener goes when the timer fires: the signal lives as long as the thread, retries must not pile up on it.
      const onAbort = () => (clearTimeout(t), resolve());
      const t = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private closeConnections(): void {
    this.conn?.close();
    this.conn = undefined;
    this.pipeline = undefined;
    const m = this.meta;
    this.meta = undefined;
    m?.end().catch(() => m.destroy());
    this.targetOpen = false;
  }

  /** Opens the metadata and applier connections, checks the target, and reconciles the position. */
  private async connect(): Promise<void> {
    const cfg = this.o.config;
    this.meta = await connectMysql(this.o.target);
    const meta = this.meta;
    const [vars] = await meta.query('SELECT @@version AS v, @@global.read_only AS ro, @@max_allowed_packet AS map, CURRENT_USER() AS u');
    const v = (vars as Record<string, unknown>[])[0]!;
    this.targetIsMariaDb = /mariadb/i.test(String(v.v));
    this.maxQueryBytes = Math.max(64 * 1024, Math.min(2 << 20, Math.floor(Number(v.map) / 2)));
    this.targetReadOnly = String(v.ro) === '1' || String(v.ro).toUpperCase() === 'ON';
    if (this.targetReadOnly) {
      const [grants] = await meta.query('SHOW GRANTS');
      const text = (grants as Record<string, string>[]).map((r) => Object.values(r)[0]).join('\n');
      if (!/ALL PRIVILEGES|SUPER|READ_ONLY ADMIN/i.test(text)) {
        throw new ApplyFailure(
          1290,
          `The target is read-only (read_only=ON) and ${String(v.u)} may not write to it. Grant it READ_ONLY ADMIN (MariaDB) or SUPER, or use a user that has it.`,
          { expect: null, what: 'connection check', where: '' },
          '',
        );
      }
    } else {
      this.emit('warning', 'The target accepts writes from anyone (read_only=OFF). Set read_only=ON there so nothing but this replica changes the backup.');
    }
    const [colls] = await meta.query('SELECT ID, COLLATION_NAME FROM information_schema.COLLATIONS');
    this.collations = new Map((colls as { ID: number | string; COLLATION_NAME: string }[]).map((r) => [Number(r.ID), r.COLLATION_NAME]));
    await ensurePositionTable(meta, cfg.stateDatabase);
    let fromTarget = await readPosition(meta, cfg.stateDatabase, this.o.channel);
    if (fromTarget && cfg.channelId && fromTarget.channelId && fromTarget.channelId !== cfg.channelId) {
      // A row left by an earlier channel of the same name (deleted and created again): not ours.
      this.emit('warning', `The target's position row for ${this.o.channel} was written by an earlier channel of that name; it is ignored and will be replaced.`);
      fromTarget = undefined;
    }
    this.o.onTargetPosition?.(fromTarget);
    if (fromTarget) {
      // The target wins: it holds the position written in the same transaction as the data. Relay
      // coordinates only cache where that source position sits in our files; ours are newer after a
      // relay-log recovery, so they are kept when both name the same source position.
      const sameSource = fromTarget.sourceFile === this.committed.sourceFile && fromTarget.sourcePos === this.committed.sourcePos;
      const keepOurs = sameSource && (this.o.relay.has(this.committed.relayFile) || !this.o.relay.has(fromTarget.relayFile));
      if (!keepOurs) {
        this.committed = { ...fromTarget, ddlInProgress: false };
        this.pendingEnd = { ...this.committed };
        this.gtid = new GtidPosition(fromTarget.gtid);
      }
    }
    this.ddlReplay = fromTarget?.ddlInProgress ?? false;

    // Quiet nights must not cost a reconnect: the server's idle timeout would close both connections.
    await meta.query('SET SESSION wait_timeout = 31536000').catch(() => undefined);
    const setup = ['SET NAMES utf8mb4', "SET SESSION time_zone = '+00:00'", `SET SESSION sql_mode = '${ROW_SQL_MODE}'`, 'SET SESSION wait_timeout = 31536000'];
    const probe = async (sql: string) => meta.query(sql).then(() => true, () => false);
    this.canSetPseudoThreadId = await probe('SET @@session.pseudo_thread_id = CONNECTION_ID()');
    if (this.canSetPseudoThreadId) setup.push('SET @@session.pseudo_thread_id = CONNECTION_ID()');
    if (!cfg.logSlaveUpdates) {
      if (await probe('SET SESSION sql_log_bin = 0')) setup.push('SET SESSION sql_log_bin = 0');
      else this.emit('warning', 'The target user may not SET sql_log_bin, so replicated changes also go to the target\'s binary log (as with log_slave_updates=ON).');
    }
    if (this.targetIsMariaDb && (await probe('SET SESSION check_constraint_checks = 0'))) setup.push('SET SESSION check_constraint_checks = 0');
    this.conn = await ApplierConnection.open(this.o.target, setup);
    this.pipeline = new StatementPipeline(this.conn, this.maxQueryBytes);
    this.rowSessionDirty = false;
    this.fkChecks = true;
    this.uniqueChecks = true;
    this.tables.clear();
  }

  private async rollback(): Promise<void> {
    if (this.conn?.alive && (this.targetOpen || this.pipeline?.failed)) {
      this.pipeline?.reset();
      await this.conn.query('ROLLBACK').catch(() => undefined);
    }
    this.pipeline?.reset();
    this.targetOpen = false;
    this.groupsInTarget = 0;
    this.bytesInTarget = 0;
    this.pendingRows = undefined;
    this.net = new NetChanges();
    this.groupDirty = false;
    this.committing = undefined;
    this.commitHadNet = false;
  }

  private failurePoint = { file: '', pos: 0 };
  private readonly warnedTriggers = new Set<string>();
  private wakeup: AbortController | undefined;
  /** The commit running in the background, if any. */
  private committing: Promise<void> | undefined;
  /** A background commit failed: the error and what that target transaction held. */
  private asyncFailure: { err: unknown; groups: number; net: boolean; at: { file: string; pos: number } } | undefined;
  private failedCommit: { err: unknown; groups: number; net: boolean; at: { file: string; pos: number } } | undefined;
  /** The open target transaction holds net-change statements. */
  private commitHadNet = false;
  /** The open source transaction has put statements into the target transaction. */
  private groupDirty = false;

  // ---------------------------------------------------------------- the apply loop

  /** Applies from the last committed position until stopped (returns) or an error (throws). */
  private async applyLoop(): Promise<void> {
    await this.reader?.closeFile();
    const start = this.committed;
    if (!start.relayFile || !this.o.relay.has(start.relayFile)) {
      const first = this.o.relay.files()[0];
      // A relay file that is about to be created (after a relay-log recovery) is simply waited for.
      const upcoming = start.relayFile !== '' && start.relayFile === this.o.relay.nextFileName();
      if (start.relayFile && !upcoming && this.o.relay.files().length > 0) {
        // The position names a relay file we no longer have: the relay log must be fetched again.
        throw new ReplicaDeskError('RELAY_MISSING', `The applied position names relay log ${start.relayFile}, which is gone.`, { errno: 1594 });
      }
      if (!first || upcoming) {
        this.setState(SqlState.WAITING);
        this.idle = true;
        await this.waitForRelay(upcoming ? start.relayFile : undefined);
        if (this.stopRequested) throw new StopRequested();
        return this.applyLoop();
      }
      this.reader = new RelayReader(this.o.relay, { file: first!, pos: 4 });
      this.cursorRelay = { file: first!, pos: 4 };
    } else {
      this.reader = new RelayReader(this.o.relay, { file: start.relayFile, pos: start.relayPos });
      this.cursorRelay = { file: start.relayFile, pos: start.relayPos };
    }
    this.cursorSource = { file: start.sourceFile, pos: start.sourcePos };
    this.gtid = new GtidPosition(start.gtid);
    this.lastEventTime = start.lastEventTime;
    this.pendingEnd = { ...start };
    this.dstate = new DecoderState({ verifyChecksums: true, tableHints: (db, table) => this.hints(db, table) });
    this.tableIds.clear();
    this.group = undefined;
    this.contextEvents = [];
    this.targetOpen = false;
    this.groupsInTarget = 0;
    this.bytesInTarget = 0;
    this.pendingRows = undefined;
    this.net = new NetChanges();
    this.skippingGroup = false;

    const reader = this.reader;
    for (;;) {
      if (this.stopRequested) {
        await this.commitIfOpen();
        await this.committing;
        this.throwAsyncFailure();
        return;
      }
      this.throwAsyncFailure();
      this.setState(SqlState.READING);
      // Waiting for the relay log must also end when a background commit fails (nothing else would wake us).
      // Not AbortSignal.any([this.abort.signal, …]): in Node 20 every call leaves a WeakRef in the long-lived
      // signal's dependants until that signal aborts (about 60 bytes per read, for as long as the channel runs).
      const wakeup = new AbortController();
      this.wakeup = wakeup;
      const stop = () => wakeup.abort();
      if (this.abort.signal.aborted) wakeup.abort();
      else this.abort.signal.addEventListener('abort', stop, { once: true });
      let batch: Awaited<ReturnType<typeof reader.next>>;
      try {
        batch = await reader.next(wakeup.signal);
      } finally {
        this.abort.signal.removeEventListener('abort', stop);
      }
      if (batch.length === 0) continue;
      this.idle = false;
      for (let i = 0; i < batch.length; i++) {
        await this.handle(batch[i]!);
        if (this.untilReached) {
          this.stopRequested = true;
          await this.commitIfOpen();
          await this.committing;
          this.throwAsyncFailure();
          return;
        }
        if (this.commitRequested || (this.singleUntil && !this.group)) await this.commitIfOpen();
      }
      if (!reader.hasMore()) {
        // Caught up: make everything applied durable now, then wait.
        await this.commitIfOpen();
        this.idle = true;
        this.lastMasterTimestamp = 0;
        this.setState(SqlState.WAITING);
        this.sampleRate();
      }
    }
  }

  private async waitForRelay(file?: string): Promise<void> {
    while (!this.stopRequested && (file ? !this.o.relay.has(file) : this.o.relay.files().length === 0)) await this.o.relay.waitForPublish(this.abort.signal);
  }

  private hints(db: string, table: string) {
    const t = this.tables.get(this.filter.rewriteDb(db), table);
    return t ? hintsFor(t) : undefined;
  }

  private where(logPos: number): string {
    return `${this.cursorSource.file}, end_log_pos ${logPos}`;
  }

  /** One relay event: decode, apply, advance the cursor. */
  private async handle(e: RelayEvent): Promise<void> {
    this.throwAsyncFailure();
    const dstate = this.dstate!;
    if (e.replayed) {
      decodeEvent(e.raw, e.pos, dstate);
      return;
    }
    if (e.raw[4] === EventType.TABLE_MAP_EVENT) await this.prepareTableMap(e.raw);
    let ev = decodeEvent(e.raw, e.pos, dstate);
    if (ev.kind === 'transaction_payload') {
      // The inner TABLE_MAPs were decoded with the payload: load their tables, then decode again with hints.
      let loaded = false;
      for (const inner of ev.events) if (inner.kind === 'table_map') loaded = (await this.prepareTableMap(inner.raw)) || loaded;
      if (loaded) ev = decodeEvent(e.raw, e.pos, dstate);
    }
    this.failurePoint = { file: e.file, pos: e.pos };
    this.counters.events++;
    await this.apply(ev);
    // Advance the cursor past this event.
    this.cursorRelay = { file: e.file, pos: e.end };
    if (ev.kind === 'rotate') {
      this.cursorSource = { file: ev.nextFile, pos: ev.nextPosition };
    } else if (ev.logPos !== 0 && !(ev.flags & EventFlag.ARTIFICIAL)) {
      this.cursorSource = { file: this.cursorSource.file, pos: ev.logPos };
    }
    if (ev.timestamp) this.lastEventTime = ev.timestamp;
    if (!this.group) this.pendingEnd = this.snapshot();
    if (this.until && !this.group && this.reachedUntil()) this.untilReached = true;
    if (this.singleUntil && !this.group && this.o.relay.compare(this.cursorRelay.file, this.singleUntil.file) >= 0 && (this.cursorRelay.file !== this.singleUntil.file || this.cursorRelay.pos > this.singleUntil.pos)) {
      this.singleUntil = undefined;
    }
  }

  private reachedUntil(): boolean {
    const u = this.until!;
    const cur = this.cursorSource;
    const seq = (f: string) => Number(/\.(\d+)$/.exec(f)?.[1] ?? 0);
    if (cur.file === u.file) return cur.pos >= u.pos;
    return seq(cur.file) > seq(u.file);
  }

  private snapshot(): AppliedPosition {
    return {
      relayFile: this.cursorRelay.file,
      relayPos: this.cursorRelay.pos,
      sourceFile: this.cursorSource.file,
      sourcePos: this.cursorSource.pos,
      gtid: this.gtid.toString(),
      lastEventTime: this.lastEventTime,
      ddlInProgress: false,
    };
  }

  /** Loads the target table behind a TABLE_MAP before the decoder reads it (it needs signedness hints). */
  private async prepareTableMap(raw: Buffer): Promise<boolean> {
    // Post-header: table id (6) + flags (2); body: db len, db, NUL, table len, table, NUL.
    let off = 19 + 8;
    const dbLen = raw[off]!;
    const db = raw.toString('utf8', off + 1, off + 1 + dbLen);
    off += 1 + dbLen + 1;
    const tLen = raw[off]!;
    const table = raw.toString('utf8', off + 1, off + 1 + tLen);
    const tdb = this.filter.rewriteDb(db);
    if (db === this.o.config.stateDatabase || !this.filter.rowsOk(tdb, table)) return false;
    if (this.tables.has(tdb, table)) return false;
    const t = await this.tables.load(tdb, table);
    if (t?.hasTriggers && !this.warnedTriggers.has(`${tdb}.${table}`)) {
      this.warnedTriggers.add(`${tdb}.${table}`);
      this.emit(
        'warning',
        `Table ${tdb}.${table} has triggers on the target. They fire when ReplicaDesk writes replicated rows (MySQL's own replica does not fire them for row events), so their effects may be applied twice. Drop the triggers on the backup server.`,
      );
    }
    return true;
  }

  private async apply(ev: BinlogEvent): Promise<void> {
    if (this.skipLeft > 0 || this.skippingGroup) {
      this.skip(ev);
      return;
    }
    switch (ev.kind) {
      case 'mariadb_gtid':
        this.beginGroup({ gtid: ev.gtid, standalone: ev.standalone, mysqlPending: false, hasStatement: false, timestamp: ev.timestamp });
        return;
      case 'gtid':
        this.beginGroup({ ...(ev.anonymous ? {} : { gtid: ev.gtid }), standalone: false, mysqlPending: true, hasStatement: false, timestamp: ev.timestamp });
        return;
      case 'query':
        return this.onQuery(ev);
      case 'table_map':
        return this.onTableMap(ev);
      case 'rows':
        return this.onRows(ev);
      case 'xid':
        return this.endGroup(true);
      case 'intvar':
      case 'rand':
      case 'user_var':
        this.contextEvents.push(ev);
        return;
      case 'annotate_rows':
      case 'rows_query':
        this.annotate = ev.query;
        return;
      case 'transaction_payload':
        for (const inner of ev.events) await this.apply(inner);
        if (this.group) await this.endGroup(true);
        return;
      case 'incident':
        throw new ApplyFailure(1590, `The incident ${ev.incident} occurred on the master. Message: ${ev.message}`, this.info('Incident event', ev.logPos, null), '');
      case 'xa_prepare':
        throw new ApplyFailure(1398, 'XA transactions in the binary log are not supported by ReplicaDesk.', this.info('XA_prepare event', ev.logPos, null), '');
      case 'start_encryption':
        throw new ApplyFailure(1594, 'The master encrypts its binary log (encrypt_binlog); ReplicaDesk cannot read encrypted events.', this.info('Start_encryption event', ev.logPos, null), '');
      case 'other':
        if ([EventType.BEGIN_LOAD_QUERY_EVENT, EventType.EXECUTE_LOAD_QUERY_EVENT, EventType.APPEND_BLOCK_EVENT, EventType.LOAD_EVENT, EventType.NEW_LOAD_EVENT].includes(ev.typeCode as never)) {
          throw new ApplyFailure(1594, 'LOAD DATA logged in statement format is not supported; use binlog_format=ROW on the master.', this.info(ev.typeName, ev.logPos, null), '');
        }
        return;
      default:
        return;
    }
  }

  private info(what: string, logPos: number, expect: number | null): StatementInfo {
    return { expect, what, where: this.where(logPos) };
  }

  /**
   * sql_slave_skip_counter: each event skipped counts one; when the count runs out inside an event group,
   * the rest of that group is skipped too (so SET ... = 1 skips exactly one transaction).
   */
  private skip(ev: BinlogEvent): void {
    const artificial = ev.logPos === 0 || (ev.flags & EventFlag.ARTIFICIAL) !== 0;
    if (ev.kind === 'format_description' || (ev.kind === 'rotate' && artificial)) return;
    const kw = ev.kind === 'query' ? groupKeyword(ev.query) : undefined;
    if (ev.kind === 'mariadb_gtid') {
      this.skipGroup = ev.standalone ? 'standalone' : 'trx';
      this.skipGtid = ev.gtid;
    } else if (ev.kind === 'gtid') {
      this.skipGroup = 'mysql';
      this.skipGtid = ev.anonymous ? undefined : ev.gtid;
    } else if (kw === 'BEGIN') {
      this.skipGroup = 'trx';
    }
    let ends = false;
    if (this.skipGroup && kw !== 'BEGIN' && ev.kind !== 'mariadb_gtid' && ev.kind !== 'gtid') {
      if (this.skipGroup === 'trx') ends = ev.kind === 'xid' || ev.kind === 'xa_prepare' || kw === 'COMMIT' || kw === 'ROLLBACK';
      else ends = ev.kind === 'query' || ev.kind === 'transaction_payload';
    }
    if (this.skipLeft > 0) this.skipLeft--;
    if (ends) {
      if (this.skipGtid) this.gtid.add(this.skipGtid);
      this.skipGroup = undefined;
      this.skipGtid = undefined;
      this.counters.transactions++;
    }
    this.skippingGroup = this.skipLeft === 0 && this.skipGroup !== undefined;
  }
  private skipGroup: 'trx' | 'standalone' | 'mysql' | undefined;
  private skipGtid: string | undefined;

  private beginGroup(g: Group): void {
    this.group = g;
    this.groupDirty = false;
    this.lastMasterTimestamp = g.timestamp;
    this.contextEvents = [];
  }

  private async ensureTargetTrx(): Promise<void> {
    if (this.group) this.groupDirty = true;
    if (this.targetOpen) return;
    await this.pipeline!.add('BEGIN', { expect: null, what: 'BEGIN', where: '' });
    this.targetOpen = true;
    this.groupsInTarget = 0;
    this.bytesInTarget = 0;
  }

  private async endGroup(transactional: boolean): Promise<void> {
    const g = this.group;
    if (g?.gtid) this.gtid.add(g.gtid);
    this.group = undefined;
    this.groupDirty = false;
    this.contextEvents = [];
    this.counters.transactions++;
    if (transactional) this.counters.transactional++;
    else this.counters.nonTransactional++;
    if (this.targetOpen) {
      this.groupsInTarget++;
      const cfg = this.o.config;
      if (this.groupsInTarget >= cfg.maxGroupTransactions || this.bytesInTarget >= cfg.maxGroupBytes || this.singleUntil) this.commitRequested = true;
    }
  }

  private async onQuery(ev: QueryEvent): Promise<void> {
    const kw = groupKeyword(ev.query);
    if (kw === 'BEGIN') {
      if (!this.group) this.beginGroup({ standalone: false, mysqlPending: false, hasStatement: false, timestamp: ev.timestamp });
      else this.group.mysqlPending = false;
      return;
    }
    if (kw === 'COMMIT') return this.endGroup(true);
    if (kw === 'ROLLBACK') {
      if (this.groupsInTarget > 0) throw new ReplaySingly('ROLLBACK of one source transaction inside a grouped target transaction');
      await this.flushRows();
      if (this.targetOpen) {
        await this.pipeline!.sync();
        await this.pipeline!.add('ROLLBACK', this.info('Query (ROLLBACK)', ev.logPos, null));
        await this.pipeline!.sync();
        this.targetOpen = false;
      }
      await this.endGroup(false);
      this.commitRequested = true;
      return;
    }
    if (kw === 'XA') throw new ApplyFailure(1398, 'XA transactions in the binary log are not supported by ReplicaDesk.', this.info('Query', ev.logPos, null), ev.query);

    const standalone = !this.group || this.group.standalone || this.group.mysqlPending;
    const db = this.filter.rewriteDb(ev.schema);
    const tables = statementTables(ev.query, db);
    const ours = ev.schema === this.o.config.stateDatabase || tables.some((t) => t.db === this.o.config.stateDatabase);
    const allowed = !ours && this.filter.statementOk(db, tables);
    const dml = isDml(ev.query);
    if (!dml) this.tables.clear();
    if (standalone) {
      // DDL (or an autocommitted statement): whatever is pending commits first, so this runs alone.
      await this.commitIfOpen();
      if (allowed) {
        if (!dml) {
          if (db !== ev.schema) {
            const renamed = rewriteDatabaseStatement(ev.query, ev.schema, db);
            if (renamed !== undefined) ev = { ...ev, query: renamed, queryBytes: Buffer.from(renamed, 'utf8') };
          }
          await this.runDdl(ev, db);
          this.counters.ddl++;
        } else {
          await this.ensureTargetTrx();
          await this.runStatement(ev, db, null);
        }
      }
      if (!this.group) this.beginGroup({ standalone: true, mysqlPending: false, hasStatement: true, timestamp: ev.timestamp });
      await this.endGroup(false);
      this.commitRequested = true;
      return;
    }
    // A statement inside BEGIN ... COMMIT (statement-based DML).
    if (!allowed) return;
    if (this.groupsInTarget > 0 && !this.group!.hasStatement) {
      // Keep statement-based groups alone in their target transaction: they may end in ROLLBACK.
      throw new ReplaySingly('statement-based transaction inside a grouped target transaction');
    }
    this.group!.hasStatement = true;
    await this.ensureTargetTrx();
    await this.runStatement(ev, db, null);
  }

  private contextFor(ev: QueryEvent, db: string): string[] {
    // CREATE/DROP DATABASE events carry the database they create as their default database: no USE.
    const dbStatement = /^\s*(CREATE|DROP|ALTER)\s+(DATABASE|SCHEMA)\b/i.test(ev.query);
    return queryContextStatements(ev, this.contextEvents, {
      database: dbStatement ? '' : db,
      targetIsMariaDb: this.targetIsMariaDb,
      sourceIsMariaDb: this.dstate?.mariadb ?? true,
      canSetPseudoThreadId: this.canSetPseudoThreadId,
      collationName: (id) => this.collations.get(id),
    });
  }

  /** A statement with its session context, in one packet (the statement last). */
  private async runStatement(ev: QueryEvent, db: string, tolerate: ReadonlySet<number> | null): Promise<void> {
    await this.materialize();
    await this.flushRows();
    const p = this.pipeline!;
    await p.send();
    for (const s of this.contextFor(ev, db)) await p.add(s, this.info('Query (session setup)', ev.logPos, null));
    const info = this.info('Query', ev.logPos, null);
    if (tolerate) info.tolerate = tolerate;
    if (ev.errorCode !== 0) info.tolerate = new Set([...(info.tolerate ?? []), ev.errorCode]);
    await p.add(ev.queryBytes, info);
    await p.send();
    this.contextEvents = [];
    this.rowSessionDirty = true;
    this.bytesInTarget += ev.eventSize;
  }

  /**
   * DDL is not transactional: record "DDL in progress" with the position before it, run it, and let the
   * caller commit the position after it. After a crash in between, the DDL runs again and errors meaning
   * "already done" are accepted (once).
   */
  private async runDdl(ev: QueryEvent, db: string): Promise<void> {
    const p = this.pipeline!;
    await p.add(positionUpdateSql(this.o.config.stateDatabase, this.o.channel, this.o.config.channelId ?? '', { ...this.pendingEnd, ddlInProgress: true }), this.info('position update', ev.logPos, null));
    await p.sync();
    const tolerate = this.ddlReplay ? DDL_ALREADY_DONE_ERRNOS : null;
    this.ddlReplay = false;
    this.setState(SqlState.EXECUTING);
    await this.runStatement(ev, db, tolerate);
    await p.sync();
  }

  private onTableMap(ev: TableMapEvent): void {
    const db = this.filter.rewriteDb(ev.schema);
    if (ev.schema === this.o.config.stateDatabase || !this.filter.rowsOk(db, ev.table)) {
      this.tableIds.set(ev.tableId, null);
      return;
    }
    const t = this.tables.get(db, ev.table);
    if (!t) {
      throw new ApplyFailure(1146, `Error executing row event: 'Table '${db}.${ev.table}' doesn't exist' on the target; the event's master log ${this.where(ev.logPos)}`, this.info('Table_map event', ev.logPos, null), '');
    }
    this.tableIds.set(ev.tableId, t);
  }

  private async onRows(ev: RowsEvent): Promise<void> {
    const t = this.tableIds.get(ev.tableId);
    if (t === null) return;
    if (t === undefined) {
      throw new ApplyFailure(1594, `A rows event for table id ${ev.tableId} has no TABLE_MAP before it (relay log damaged?)`, this.info(ev.typeName, ev.logPos, null), '');
    }
    if (this.group?.mysqlPending) this.group.mysqlPending = false;
    await this.ensureTargetTrx();
    const fk = (ev.rowsFlags & 2) === 0;
    const uq = (ev.rowsFlags & 4) === 0;
    let rows: Row[] | UpdatedRow[];
    try {
      rows = ev.rows;
    } catch (err) {
      throw new ApplyFailure(1594, `Could not decode ${ev.typeName} on table ${t.db}.${t.table}: ${(err as Error).message}`, this.info(ev.typeName, ev.logPos, null), '');
    }
    const present = bitmapPositions(ev.columnsPresent, ev.columnCount);
    const presentAfter = ev.columnsPresentAfter ? bitmapPositions(ev.columnsPresentAfter, ev.columnCount) : present;
    const full = ev.columnCount === t.columns.length && present.length === ev.columnCount && presentAfter.length === ev.columnCount;
    if (t.nettable && full && !ev.partial && this.netAllowed()) {
      // Earlier events on this table still queued one by one go first: per-key order must hold.
      if (this.pendingRows?.table === t) await this.flushRows();
      if (this.net.add(t, ev.rowsKind, rows, ev.eventSize) !== NOT_NETTABLE) {
        this.counters.rows += rows.length;
        this.bytesInTarget += ev.eventSize;
        this.netWhere = this.where(ev.logPos);
        if (this.net.size >= NET_MAX_ROWS || this.net.bytes >= NET_MAX_BYTES) await this.materialize();
        return;
      }
      // The history of some row does not add up (drift on the target?): apply this event as it is.
    }
    if (this.net.has(t)) await this.materialize(t);
    await this.ensureRowSession(fk, uq, ev.logPos);
    const sig = `${ev.rowsKind}|${present.join(',')}|${presentAfter.join(',')}|${fk ? 1 : 0}${uq ? 1 : 0}`;
    const p = this.pendingRows;
    this.counters.rows += rows.length;
    this.bytesInTarget += ev.eventSize;
    if (p && p.table === t && p.sig === sig) {
      const dst = p.rows as unknown[];
      for (const r of rows) dst.push(r);
      p.bytes += ev.eventSize;
      p.where = this.where(ev.logPos);
      if (p.bytes >= 256 * 1024) await this.flushRows();
      return;
    }
    await this.flushRows();
    const kindName = ev.rowsKind === 'write' ? 'Write_rows' : ev.rowsKind === 'update' ? 'Update_rows' : 'Delete_rows';
    this.pendingRows = {
      table: t,
      kind: ev.rowsKind,
      present,
      presentAfter,
      rows: rows.slice() as Row[] | UpdatedRow[],
      sig,
      bytes: ev.eventSize,
      what: `${kindName}${ev.version === 1 ? '_v1' : ''} event on table ${t.db}.${t.table}${this.annotate ? ` (from the statement: ${this.annotate.length > 120 ? this.annotate.slice(0, 120) + '…' : this.annotate})` : ''}`,
      where: this.where(ev.logPos),
    };
  }

  /** SETs the row session needs (after a statement changed it, or when the rows event's flags differ). */
  private async ensureRowSession(fk: boolean, uq: boolean, logPos: number): Promise<void> {
    if (!this.rowSessionDirty && fk === this.fkChecks && uq === this.uniqueChecks) return;
    await this.flushRows();
    const sets = [`@@session.foreign_key_checks=${fk ? 1 : 0}`, `@@session.unique_checks=${uq ? 1 : 0}`];
    if (this.rowSessionDirty) sets.unshift('NAMES utf8mb4', "@@session.time_zone='+00:00'", `@@session.sql_mode='${ROW_SQL_MODE}'`);
    if (this.rowSessionDirty && this.targetIsMariaDb) sets.push('@@session.check_constraint_checks=0');
    await this.pipeline!.add(`SET ${sets.join(', ')}`, this.info('session setup', logPos, null));
    this.fkChecks = fk;
    this.uniqueChecks = uq;
    this.rowSessionDirty = false;
  }

  /** Net changes are used unless a failed group is being replayed one transaction at a time. */
  private netAllowed(): boolean {
    return !this.singleUntil && this.o.config.netChanges !== false;
  }

  /** Turns the net changes held (all tables, or one) into statements, in the open target transaction. */
  private async materialize(only?: TargetTable): Promise<void> {
    if (this.net.size === 0) return;
    await this.flushRows();
    await this.ensureRowSession(this.fkChecks, this.uniqueChecks, 0);
    const stmts = this.net.drain({ idempotent: this.o.config.execMode === 'IDEMPOTENT', maxStatementBytes: Math.min(1 << 20, this.maxQueryBytes) }, only);
    const p = this.pipeline!;
    if (stmts.length) this.commitHadNet = true;
    for (const st of stmts) await p.add(st.sql, { expect: st.expect, what: `net row changes of several source transactions (up to ${this.netWhere})`, where: this.netWhere, net: true });
  }

  private async flushRows(): Promise<void> {
    const b = this.pendingRows;
    if (!b) return;
    this.pendingRows = undefined;
    const stmts = buildRowStatements(b, { idempotent: this.o.config.execMode === 'IDEMPOTENT', maxStatementBytes: Math.min(1 << 20, this.maxQueryBytes) });
    const p = this.pipeline!;
    for (const s of stmts) await p.add(s.sql, { expect: s.expect, what: b.what, where: b.where });
  }

  /** Commits the open target transaction (data + position), or records the position alone. */
  private async commitIfOpen(): Promise<void> {
    this.commitRequested = false;
    const p = this.pipeline;
    if (!p || !this.conn) return;
    if (this.group && this.groupDirty) return; // never commit half a source transaction
    await this.materialize();
    await this.flushRows();
    const pos = this.pendingEnd;
    const moved = pos.relayFile !== this.committed.relayFile || pos.relayPos !== this.committed.relayPos;
    if (!this.targetOpen && !moved) return;
    this.setState(SqlState.COMMITTING);
    // The commit runs while the next transaction is being prepared; its outcome is checked at the next
    // event (throwAsyncFailure) and before anything else is sent (the pipeline holds sends behind it).
    const finish = [{ sql: positionUpdateSql(this.o.config.stateDatabase, this.o.channel, this.o.config.channelId ?? '', pos), info: { expect: null, what: 'position update', where: '' } }];
    if (this.targetOpen) finish.push({ sql: 'COMMIT', info: { expect: null, what: 'COMMIT', where: '' } });
    const groups = this.groupsInTarget;
    const net = this.commitHadNet;
    const at = { ...this.failurePoint };
    const target = { ...pos };
    this.targetOpen = false;
    this.groupsInTarget = 0;
    this.bytesInTarget = 0;
    this.commitHadNet = false;
    this.committing = p.commit(finish).then(
      () => this.afterCommit(target),
      (err: unknown) => {
        if (!this.asyncFailure) this.asyncFailure = { err, groups, net, at };
        this.wakeup?.abort();
      },
    );
    if (this.singleUntil || this.stopRequested) {
      // Replaying one by one (exact errors) or stopping: wait for the outcome here.
      await this.committing;
      this.throwAsyncFailure();
    }
  }

  /** Bookkeeping once the target has confirmed a commit. */
  private afterCommit(pos: AppliedPosition): void {
    this.transientRetries = 0;
    const previousFile = this.committed.relayFile;
    this.committed = { ...pos };
    this.emit('committed', this.committed);
    const save = { ...pos };
    this.saving = this.saving.then(() => this.o.saveRelayLogInfo(save)).catch(() => undefined);
    if (previousFile !== pos.relayFile || this.o.relay.files()[0] !== pos.relayFile) {
      this.purging = this.purging.then(() => this.o.relay.purgeBefore(pos.relayFile)).then(() => undefined, () => undefined);
    }
    this.sampleRate();
  }

  /** Rethrows the failure of a commit that ran in the background, with what it covered. */
  private throwAsyncFailure(): void {
    const f = this.asyncFailure;
    if (!f) return;
    this.asyncFailure = undefined;
    this.failedCommit = f;
    throw f.err;
  }

  private sampleRate(): void {
    const now = Date.now();
    const last = this.rateSamples[this.rateSamples.length - 1];
    if (!last || now - last.t >= 1000) {
      this.rateSamples.push({ t: now, trx: this.counters.transactions, ev: this.counters.events });
      while (this.rateSamples.length > 0 && now - this.rateSamples[0]!.t > 15_000) this.rateSamples.shift();
    }
  }
}
