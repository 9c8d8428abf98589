/**
 * One client's session behind the proxy: routes every request unit to the backends with pgpool's
 * native-replication guarantees.
 *
 *  - Reads (provably read-only) go to one node, chosen by weight per session (or per statement); inside a
 *    transaction that has written, to the main node.
 *  - Everything else runs on the main node first. Only when the main node has finished it (holding its row
 *    and sequence locks) is it queued for the other nodes, which therefore apply conflicting writes in the
 *    main node's order. The queue is flushed when the session must wait for the others anyway (COMMIT,
 *    ROLLBACK, the end of an autocommit write) or before a read is sent to that node; outside a transaction
 *    it is flushed at once. COMMIT/ROLLBACK reach the other nodes first and the main node last.
 *  - Autocommit writes run inside a transaction the session opens on the main node, so its locks are held
 *    until the other nodes have applied the write.
 *  - Each node's command tags are compared with the main node's; on a difference the configured policy
 *    detaches the node or rolls the transaction back everywhere.
 *  - now()/CURRENT_* (and time DEFAULTs, and SQL-level PREPAREd statements through an extra parameter)
 *    reach the other nodes as the main node's timestamp; nextval() is ordered by per-sequence advisory locks
 *    on the main node, including sequences drawn by the triggers and user functions a write runs.
 */
import { serialize } from 'pg-protocol';
import type { BackendConnection, ByteOut } from './backend/connection';
import { ONE_READY, UnitSink, type UnitOptions, slotsFor } from './backend/unit-sink';
import type { MismatchEvent, PoolNodeRow } from './node-status';
import type { FanoutOptions } from './options';
import { FE, MalformedMessage, bindNames, decodeExecute, decodeParse, decodeTarget, queryTextRange } from './protocol/frontend-parser';
import { commandComplete, dataRowText, errorResponse, noticeResponse, readyForQuery, rowDescriptionText } from './protocol/server-messages';
import { type CatalogCache, type TableCatalog, parseTableFacts, parseVolatility, qualifiedName, sequenceLockSql, tableFactsSql, volatilitySql } from './sql/catalog';
import type { Classified, RelName, StatementClassifier, StmtKind } from './sql/classify';
import { type Tokens, cloneTokens } from './sql/lexer';
import { FETCH_MAIN_TIMESTAMP, copyForOthers, executeForOthers, executeWithArg, needsTimestamp, prepareForOthers, rewriteForOthers } from './sql/rewrite';
import { NO_TRIGGERS, type RoutineFacts, analyzeFunctions, analyzeTriggers, functionFactsSql, triggerFactsSql } from './sql/trigger-facts';

export interface ClientPort extends ByteOut {
  write(buf: Buffer): void;
  writeMany(bufs: readonly Buffer[]): void;
  /** Ends the client connection (after pending writes). */
  close(): void;
}

export interface SessionContext {
  readonly options: FanoutOptions;
  readonly classifier: StatementClassifier;
  readonly catalog: CatalogCache;
  /** Ids of nodes that are up, ascending; the first is the main node. */
  upNodes(): number[];
  pickLoadBalanceNode(): number;
  countSelect(node: number): void;
  /** A connection to `node` failed. True when the node was detached (the session carries on without it). */
  backendFailed(node: number, err: Error): boolean;
  /** Tells the service once (per key and proxy run) about writes whose values will differ between nodes. */
  warnOnce(key: string, message: string): void;
  /** Reports a result difference; returns what happened to the node. */
  mismatch(e: Omit<MismatchEvent, 'type' | 'at' | 'action'>, detach: boolean): MismatchEvent['action'];
  poolNodes(lbNode: number): PoolNodeRow[];
  /** The session ended; its backend connections are handed back (to be reset and pooled, or closed). */
  sessionEnded(session: FanoutSession, conns: Map<number, BackendConnection>, reusable: boolean): void;
  /** Units replayed on the other nodes, for a node being recovered (undefined when none is). */
  recordForRecovery?(session: FanoutSession, unit: QueuedUnit): void;
  /** Set while a recovery or attach holds the cluster still: idle sessions wait before their next unit. */
  readonly writesPaused: Promise<void> | undefined;
}

/** The savepoint our own catalog questions run under inside a client's transaction (main node only). */
const INTERNAL_SAVEPOINT = 'replicadesk_internal';

interface Prepared {
  name: string;
  info: Classified;
  tokens: Tokens;
  /** SQL text as a latin1 string (bytes). */
  text: string;
  raw: Buffer;
  paramTypes: number[];
}

export interface QueuedUnit {
  bufs: Buffer[];
  slots: Uint8Array;
  /** The main node's outcomes to compare with, or null to not compare. */
  expected: string[] | null;
  label: string;
}

class NodeQueue {
  units: QueuedUnit[] = [];
  bytes = 0;
  last: UnitSink | null = null;
  /** The sink sent before `last` (COMMIT waits for the statements before it, sent in the same write). */
  beforeLast: UnitSink | null = null;
}

/** The other nodes' copy of a unit: where COPY data goes, and what they should answer given the main node's answer. */
type OthersBufs = Buffer[] & { copyAt?: number; expectFor?: (main: string[]) => string[] };

interface BatchMsg {
  type: number;
  raw: Buffer;
}

const q = (sql: string) => serialize.query(sql);
const BEGIN = q('BEGIN');
const COMMIT = q('COMMIT');
const ROLLBACK = q('ROLLBACK');
const SYNC = serialize.sync();
const BIND_COMPLETE = Buffer.from([0x32, 0, 0, 0, 4]);
const NO_DATA = Buffer.from([0x6e, 0, 0, 0, 4]);
/** Makes a node fail its transaction the way the main node's did (pgpool does the same for deadlocks). */
const FORCE_ERROR = q(`DO $rd$BEGIN RAISE EXCEPTION 'ReplicaDesk: this statement failed on the main node'; END$rd$`);
/** Errors that are not a property of the statement: replaying it elsewhere would likely succeed. */
const NONDETERMINISTIC_ERRORS = new Set(['40P01', '40001', '57014', '55P03', '25P02', '57P01', '57P02', '57P03', '08006', '08003']);

const MAX_DEFERRED_BYTES = 1 << 20;
/** Adaptive flushing: queued units or bytes that make a batch worth a write to an idle node before COMMIT. */
const ADAPTIVE_BATCH_UNITS = 8;
const ADAPTIVE_BATCH_BYTES = 32 * 1024;
/** handle() result: a unit is running and will resume the session itself. */
const IN_FLIGHT = Symbol('in flight');

function sameOutcomes(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The command word of a tag ("INSERT 0 3" → "INSERT"), to tell a row-count difference from a kind difference. */
function commandWords(o: readonly string[]): string {
  return o.map((t) => (t.startsWith('ERROR') ? t : t.replace(/[\s\d]+$/, ''))).join('|');
}

let nextSessionId = 1;

export class FanoutSession {
  readonly id = nextSessionId++;
  /** Our BackendKeyData for this client (cancel requests find the session by it). */
  readonly cancelKey: { pid: number; secret: number };
  private main: number;
  private lb: number;
  private tx: 'I' | 'T' | 'E' = 'I';
  private txWrote = false;
  private txSerializable = false;
  private txTimestamp: string | undefined;
  /** Set when nodes disagreed inside the transaction and the policy is to abort: COMMIT rolls back. */
  private poisoned: string | undefined;
  /** Inside the transaction the session opened for an autocommit write (a mismatch can still be undone). */
  private implicitTx = false;
  private readonly queues = new Map<number, NodeQueue>();
  private readonly statements = new Map<string, Prepared>();
  private readonly portals = new Map<string, { stmt: Prepared | undefined; node: number | 'all' }>();
  private readonly sqlPrepared = new Map<string, Classified>();
  /**
   * SQL-level prepared statements the other nodes prepared with one more parameter, the main node's time;
   * `mainAt` is the node that prepared the original (a node that became main later has the other form).
   */
  private readonly sqlPreparedTime = new Map<string, { param: number; mainAt: number }>();
  /** Session-level SET/PREPARE/LISTEN statements, replayed on a node that joins this session. */
  private readonly sessionScript: Buffer[] = [];
  /** The other nodes' unnamed statement was replaced by one of our rewrites. */
  private othersUnnamedDirty = false;
  private inbox: BatchMsg[] = [];
  private batch: BatchMsg[] = [];
  private running = false;
  private closed = false;
  private copy: { bufs: Buffer[]; unsent: Buffer[]; done: boolean; scheduled: boolean } | null = null;
  private idleTimer: NodeJS.Timeout | undefined;
  private atGate = false;
  private holding: UnitSink | undefined;
  /** Where the client's current request is running, for its cancel requests (not the others' earlier replay). */
  private serving: number | 'others' | null = null;
  /** Pool key, server parameters, startup parameters and credentials this session's backends were opened with. */
  poolKey = '';
  backendParams = new Map<string, string>();
  startupParams = new Map<string, string>();
  secret: import('../config/pgpool/pool-passwd').UserSecret | undefined;

  constructor(
    private readonly ctx: SessionContext,
    private readonly client: ClientPort,
    readonly user: string,
    readonly database: string,
    private readonly conns: Map<number, BackendConnection>,
  ) {
    this.nodesChanged();
    const up = this.liveNodes();
    this.main = up[0]!;
    this.lb = this.pickLb();
    this.cancelKey = { pid: (process.pid * 1000 + this.id) & 0x7fffffff, secret: (Math.random() * 0x7fffffff) | 0 };
    for (const c of conns.values()) this.watch(c);
    this.armIdle();
  }

  /** Node ids this session has a live connection to, ascending (the first is the main node). */
  liveNodes(): number[] {
    return this.live;
  }

  private live: number[] = [];

  private nodesChanged(): void {
    this.live = [...this.conns.keys()].sort((a, b) => a - b);
  }

  get mainNode(): number {
    return this.main;
  }

  get loadBalanceNode(): number {
    return this.lb;
  }

  get inTransaction(): boolean {
    return this.tx !== 'I';
  }

  /** Outside any transaction and not running a unit (or held at the write gate). */
  get quiet(): boolean {
    return this.closed || (this.tx === 'I' && (this.atGate || !this.running));
  }

  private pickLb(): number {
    const up = this.liveNodes();
    const want = this.ctx.pickLoadBalanceNode();
    return up.includes(want) ? want : this.main;
  }

  private watch(c: BackendConnection): void {
    c.onBroken = (conn, err) => {
      if (this.closed || this.conns.get(conn.node) !== conn) return;
      if (!this.ctx.backendFailed(conn.node, err)) this.fatal('08006', `The connection to PostgreSQL node ${conn.node} failed (${err.message}) and the node may not be detached (backend_flag or failover_on_backend_error).`);
    };
    c.onUnsolicited = (conn, type, buf, start, end) => {
      // NOTIFY deliveries and notices while idle come from the main node only; the others' would be duplicates.
      if (conn.node === this.main && (type === 0x41 || type === 0x4e)) this.client.write(Buffer.from(buf.subarray(start, end)));
      if (type === 0x45) conn.destroy(new Error(`node ${conn.node} ended the connection`));
    };
  }

  // ---- node set changes (called by the proxy) -------------------------------------------------------

  /** The node was detached: forget it; a new main node takes over if it was the main. */
  dropNode(node: number): void {
    const c = this.conns.get(node);
    this.conns.delete(node);
    this.queues.delete(node);
    this.nodesChanged();
    c?.destroy();
    const up = this.liveNodes();
    if (up.length === 0) {
      this.fatal('08006', 'Every PostgreSQL node of this ReplicaDesk fan-out is down.');
      return;
    }
    if (node === this.main) this.main = up[0]!;
    if (node === this.lb || !up.includes(this.lb)) this.lb = this.pickLb();
  }

  /** A node joined (attach/recovery): it gets this session's state and then takes part like the others. */
  addNode(conn: BackendConnection): void {
    this.conns.set(conn.node, conn);
    this.nodesChanged();
    this.watch(conn);
    const bufs = [...this.sessionScript];
    for (const p of this.statements.values()) if (p.name !== '') bufs.push(p.raw);
    if (bufs.length) this.enqueue(conn.node, { bufs: [...bufs, SYNC], slots: slotsFor([...bufs.map((b) => b[0]!), FE.Sync]), expected: null, label: 'session state' });
    if (this.tx === 'I') this.flushAll();
  }

  /** A connection that already has this session's state (a recovery replay connection) joins. */
  adoptNode(conn: BackendConnection): void {
    this.conns.set(conn.node, conn);
    this.nodesChanged();
    this.watch(conn);
  }

  sessionState(): Buffer[] {
    const bufs = [...this.sessionScript];
    for (const p of this.statements.values()) if (p.name !== '') bufs.push(p.raw);
    return bufs;
  }

  // ---- client input ------------------------------------------------------------------------------

  receive(type: number, raw: Buffer): void {
    if (this.closed) return;
    this.armIdle();
    if (this.copy && !this.copy.done && (type === FE.CopyData || type === FE.CopyDone || type === FE.CopyFail)) {
      const c = this.copy;
      appendView(c.bufs, raw);
      appendView(c.unsent, raw);
      if (type !== FE.CopyData) c.done = true;
      if (!c.scheduled) {
        // One write per received chunk, not per row: COPY sends a message per line.
        c.scheduled = true;
        process.nextTick(() => {
          c.scheduled = false;
          const conn = this.conns.get(this.main);
          conn?.sendMany(c.unsent.splice(0));
        });
      }
      return;
    }
    this.inbox.push({ type, raw });
    if (!this.running) this.pump();
  }

  /** The client sent something malformed or closed the connection. */
  clientGone(): void {
    if (this.closed) return;
    this.end(true);
  }

  private armIdle(): void {
    const limit = this.ctx.options.clientIdleLimit;
    if (!limit) return;
    if (this.idleTimer) this.idleTimer.refresh();
    else {
      this.idleTimer = setTimeout(() => this.fatal('57P01', `The client was idle for ${limit} seconds (client_idle_limit) and was disconnected.`), limit * 1000);
      this.idleTimer.unref();
    }
  }

  /**
   * Runs queued client messages one unit at a time. Plain reads complete through callbacks (no promise per
   * query); everything else is awaited.
   */
  private pump(): void {
    if (this.running) return;
    this.running = true;
    try {
      while (this.inbox.length && !this.closed) {
        if (this.tx === 'I' && this.ctx.writesPaused) {
          void this.waitAtGate();
          return;
        }
        const m = this.inbox.shift()!;
        const r = this.handle(m.type, m.raw);
        if (r === IN_FLIGHT) return;
        if (r) {
          r.then(this.resume, this.crash);
          return;
        }
      }
    } catch (err) {
      this.crash(err);
    }
    this.running = false;
  }

  private readonly resume = (): void => {
    this.running = false;
    if (this.inbox.length && !this.closed) this.pump();
  };

  private readonly crash = (err: unknown): void => {
    this.running = false;
    if (err instanceof MalformedMessage) this.fatal('08P01', `invalid message from the client: ${err.message}`);
    else this.fatal('XX000', `ReplicaDesk internal error: ${(err as Error).message}`);
  };

  private async waitAtGate(): Promise<void> {
    this.atGate = true;
    while (this.ctx.writesPaused) await this.ctx.writesPaused;
    this.atGate = false;
    this.resume();
  }

  private handle(type: number, raw: Buffer): Promise<void> | typeof IN_FLIGHT | undefined {
    switch (type) {
      case FE.Query:
        if (this.batch.length) this.batch = []; // PostgreSQL would have complained; the Query starts afresh
        return this.simpleQuery(raw);
      case FE.Parse:
      case FE.Bind:
      case FE.Describe:
      case FE.Execute:
      case FE.Close:
        this.batch.push({ type, raw });
        return undefined;
      case FE.Sync:
        this.batch.push({ type, raw });
        return this.runBatch();
      case FE.Flush:
        if (this.batch.length) {
          this.batch.push({ type, raw });
          return this.runBatch();
        }
        return undefined;
      case FE.FunctionCall:
        return this.write([raw], ONE_READY, undefined, 'function call', () => [raw]);
      case FE.Terminate:
        this.end(false);
        return undefined;
      case FE.CopyData:
      case FE.CopyDone:
      case FE.CopyFail:
        return undefined; // after a failed COPY the client may still be sending; PostgreSQL ignores these too
      default:
        this.fatal('08P01', `unexpected message type "${String.fromCharCode(type)}" from the client`);
        return undefined;
    }
  }

  // ---- simple query -------------------------------------------------------------------------------

  private simpleQuery(raw: Buffer): Promise<void> | typeof IN_FLIGHT {
    const [s, e] = queryTextRange(raw);
    const classified = this.ctx.classifier.classifyBytes(raw, s, e, true);
    const info = classified.info;
    const quick = this.quickKind(info);
    if (quick === 'read' || quick === 'empty') return this.readFast(raw, info);
    return this.simpleQuerySlow(raw, s, e, info, cloneTokens(classified.tokens), quick);
  }

  private async simpleQuerySlow(raw: Buffer, s: number, e: number, info: Classified, tokens: Tokens, quick: StmtKind | undefined): Promise<void> {
    const text = raw.toString('latin1', s, e);
    const kind = quick ?? (await this.effectiveKind(info));
    const label = text;
    switch (kind) {
      case 'read':
      case 'empty':
        return this.read([raw], ONE_READY, info);
      case 'show-pool-nodes':
        return this.showPoolNodes();
      case 'tx':
        return this.txControl([raw], ONE_READY, info, label);
      case 'session':
        if (info.sqlPrepare && info.statements === 1 && info.sqlPrepare.inner.kind === 'write') return this.sqlPrepare(raw, text, tokens, info, label);
        return this.sessionCommand([raw], ONE_READY, info, label, raw);
      default:
        if (info.sqlExecute !== undefined && info.statements === 1 && this.sqlPrepared.has(info.sqlExecute)) return this.sqlExecute(raw, text, tokens, info, label);
        return this.write([raw], ONE_READY, info, label, (ts, table) => {
          const staged = info.copyIn ? copyForOthers(text, tokens, info, ts, table) : undefined;
          if (staged) {
            const out: OthersBufs = [...staged.before.map(q), q(Buffer.from(staged.copy, 'latin1').toString('utf8')), ...staged.after.map(q)];
            out.copyAt = staged.before.length + 1;
            out.expectFor = (main) => {
              const rows = /^COPY (\d+)$/.exec(main[0] ?? '')?.[1] ?? '?';
              return ['CREATE TABLE AS', ...main, `INSERT 0 ${rows}`, 'DROP TABLE'];
            };
            return out;
          }
          const r = rewriteForOthers(text, tokens, info, ts, table);
          this.warnNotDeterministic(r.problems);
          return [r.text === text ? raw : q(Buffer.from(r.text, 'latin1').toString('utf8'))];
        });
    }
  }

  /** The effective kind when no catalog lookup is needed (the common case), else undefined. */
  private quickKind(info: Classified): StmtKind | undefined {
    if (info.sqlExecute !== undefined || (info.kind === 'read' && info.unknownFunctions.length)) return undefined;
    if (info.kind === 'read' && (this.ctx.options.replicateSelect || info.forceReplicate)) return 'write';
    return info.kind;
  }

  /** read/write decided with the catalog (function volatility) and the configuration. */
  private async effectiveKind(info: Classified): Promise<StmtKind> {
    let kind = info.kind;
    if (info.sqlExecute !== undefined) {
      const inner = this.sqlPrepared.get(info.sqlExecute);
      kind = inner ? inner.kind : 'write';
      if (inner && kind === 'read' && inner.unknownFunctions.length) kind = await this.functionsKind(inner.unknownFunctions);
    } else if (kind === 'read' && info.unknownFunctions.length) kind = await this.functionsKind(info.unknownFunctions);
    if (kind === 'read' && (this.ctx.options.replicateSelect || info.forceReplicate)) kind = 'write';
    return kind;
  }

  private async functionsKind(names: string[]): Promise<StmtKind> {
    const o = this.ctx.options;
    const bare = (n: string) => n.slice(n.indexOf('.') + 1);
    if (o.writeFunctions.length || o.readOnlyFunctions.length) {
      if (names.some((n) => o.writeFunctions.some((r) => r.test(bare(n))))) return 'write';
      if (o.readOnlyFunctions.length && names.some((n) => !o.readOnlyFunctions.some((r) => r.test(bare(n))))) return 'write';
      return 'read';
    }
    const missing = names.filter((n) => this.ctx.catalog.functionWrites(this.database, n) === undefined);
    if (missing.length && this.tx !== 'E') {
      const rows = await this.internalQuery(volatilitySql(missing));
      if (rows) this.ctx.catalog.setFunctions(this.database, parseVolatility(missing, rows));
      else return 'write';
    }
    return names.some((n) => this.ctx.catalog.functionWrites(this.database, n) !== false) ? 'write' : 'read';
  }

  // ---- extended protocol ---------------------------------------------------------------------------

  private async runBatch(): Promise<void> {
    const msgs = this.batch;
    this.batch = [];
    const executes: { stmt: Prepared | undefined; portalNode: number | 'all' | undefined }[] = [];
    let hasParseOrClose = false;
    let unnamedParsedHere = false;
    const batchPortals = new Map<string, Prepared | undefined>();
    for (const m of msgs) {
      switch (m.type) {
        case FE.Parse: {
          const p = decodeParse(m.raw);
          const { info, tokens } = this.ctx.classifier.classifyBytes(m.raw, p.textStart, p.textEnd);
          const stmt: Prepared = { name: p.name, info, tokens, text: m.raw.toString('latin1', p.textStart, p.textEnd), raw: m.raw, paramTypes: p.paramTypes };
          this.statements.set(p.name, stmt);
          if (p.name === '') unnamedParsedHere = true;
          hasParseOrClose = true;
          break;
        }
        case FE.Bind: {
          const b = bindNames(m.raw);
          batchPortals.set(b.portal, this.statements.get(b.statement));
          break;
        }
        case FE.Execute: {
          const { portal } = decodeExecute(m.raw);
          if (batchPortals.has(portal)) executes.push({ stmt: batchPortals.get(portal), portalNode: undefined });
          else {
            const known = this.portals.get(portal);
            executes.push({ stmt: known?.stmt, portalNode: known?.node });
          }
          break;
        }
        case FE.Close: {
          decodeTarget(m.raw);
          hasParseOrClose = true;
          break;
        }
        case FE.Describe:
          decodeTarget(m.raw);
          break;
        default:
      }
    }
    const slots = slotsFor(msgs.map((m) => m.type));
    const bufs = msgs.map((m) => m.raw);
    const label = executes.map((x) => x.stmt?.text ?? '(unknown statement)').join('; ') || 'Parse/Describe';

    let kind: StmtKind = 'read';
    const kinds: StmtKind[] = [];
    for (const x of executes) {
      const k = x.stmt ? (this.quickKind(x.stmt.info) ?? (await this.effectiveKind(x.stmt.info))) : 'write';
      kinds.push(k === 'show-pool-nodes' || k === 'empty' ? 'read' : k);
    }
    if (executes.length === 0) kind = 'session';
    else if (kinds.every((k) => k === 'read')) kind = 'read';
    else if (kinds.length === 1) kind = kinds[0]!;
    else kind = kinds.includes('tx') ? 'write' : kinds.includes('write') ? 'write' : kinds.includes('session') ? 'session' : 'write';

    const pinned = executes.find((x) => typeof x.portalNode === 'number')?.portalNode as number | undefined;
    let servedBy: number | 'all';
    if (kind === 'read') {
      const node = pinned !== undefined && this.conns.has(pinned) ? pinned : this.readNode(executes[0]?.stmt?.info);
      servedBy = node;
      // The other nodes need the statements too (a later write may use them), but not the execution.
      if (hasParseOrClose) {
        const meta = msgs.filter((m) => m.type === FE.Parse || m.type === FE.Close);
        this.broadcast({ bufs: [...meta.map((m) => m.raw), SYNC], slots: slotsFor([...meta.map((m) => m.type), FE.Sync]), expected: null, label: 'Parse' }, node);
        if (unnamedParsedHere) this.othersUnnamedDirty = false;
      }
      await this.read(bufs, slots, executes[0]?.stmt?.info, node);
    } else {
      servedBy = 'all';
      const info = executes.length === 1 ? executes[0]!.stmt?.info : undefined;
      const synced = msgs[msgs.length - 1]!.type === FE.Sync;
      if (!synced) {
        // Flush without Sync: the client waits for replies without ReadyForQuery, so no transaction of our own.
        await this.mainThenOthers(bufs, slots, label, (ts, table) => this.othersBatch(msgs, ts, table));
        this.afterUnit();
      } else if (kind === 'tx' && info) await this.txControl(bufs, slots, info, label);
      else if (kind === 'session') await this.sessionCommand(bufs, slots, info, label);
      else await this.write(bufs, slots, info, label, (ts, table) => this.othersBatch(msgs, ts, table));
    }
    for (const [portal, stmt] of batchPortals) this.portals.set(portal, { stmt, node: servedBy });
    for (const m of msgs) {
      if (m.type !== FE.Close) continue;
      const t = decodeTarget(m.raw);
      if (t.kind === 'S') this.statements.delete(t.name);
      else this.portals.delete(t.name);
    }
  }

  /** The other nodes' copy of an extended batch: statements that need the main node's time get a rewritten unnamed statement. */
  private othersBatch(msgs: BatchMsg[], ts: string | undefined, table: TableCatalog | undefined): Buffer[] {
    const out: Buffer[] = [];
    let unnamedFresh = false;
    for (const m of msgs) {
      if (m.type === FE.Parse) {
        if (decodeParse(m.raw).name === '') {
          unnamedFresh = true;
          this.othersUnnamedDirty = false;
        }
        out.push(m.raw);
        continue;
      }
      if (m.type !== FE.Bind) {
        out.push(m.raw);
        continue;
      }
      const b = bindNames(m.raw);
      const stmt = this.statements.get(b.statement);
      if (stmt && needsTimestamp(stmt.info, table) && ts !== undefined) {
        const r = rewriteForOthers(stmt.text, stmt.tokens, stmt.info, ts, table);
        this.warnNotDeterministic(r.problems);
        out.push(serialize.parse({ name: '', text: Buffer.from(r.text, 'latin1').toString('utf8'), types: stmt.paramTypes }));
        out.push(rebindToUnnamed(m.raw, b.portal, b.restStart));
        this.othersUnnamedDirty = true;
        unnamedFresh = false;
        continue;
      }
      if (b.statement === '' && this.othersUnnamedDirty && !unnamedFresh && stmt) {
        out.push(stmt.raw);
        this.othersUnnamedDirty = false;
      }
      out.push(m.raw);
    }
    return out;
  }

  /** Parts of a write that each node will compute for itself (told to the client, like PostgreSQL's own warnings). */
  private warnNotDeterministic(problems: string[]): void {
    if (!problems.length) return;
    this.ctx.warnOnce(`${this.database}\u0000p ${problems.join('; ')}`, `In database ${this.database}: ${problems.join('; ')}; the copies may differ.`);
    this.sendClient(noticeResponse({ code: '01000', message: `ReplicaDesk: ${problems.join('; ')}; the nodes may store different values`, hint: 'Give the value explicitly in the statement.' }));
  }

  // ---- routing primitives --------------------------------------------------------------------------

  private readNode(info: Classified | undefined): number {
    const o = this.ctx.options;
    if (!o.loadBalance || info?.noLoadBalance || (this.tx !== 'I' && (this.txWrote || this.txSerializable))) return this.main;
    if (o.statementLevelLoadBalance) {
      const n = this.ctx.pickLoadBalanceNode();
      return this.conns.has(n) ? n : this.main;
    }
    if (!this.conns.has(this.lb)) this.lb = this.pickLb();
    return this.lb;
  }

  private enqueue(node: number, unit: QueuedUnit): void {
    let qu = this.queues.get(node);
    if (!qu) this.queues.set(node, (qu = new NodeQueue()));
    qu.units.push(unit);
    for (const b of unit.bufs) qu.bytes += b.length;
  }

  private enqueueOthers(unit: QueuedUnit): void {
    this.broadcast(unit, this.main);
  }

  /** Queues a unit for every node except one (and for a node being recovered, which never serves anything). */
  private broadcast(unit: QueuedUnit, except: number): void {
    for (const n of this.liveNodes()) if (n !== except) this.enqueue(n, unit);
    this.ctx.recordForRecovery?.(this, unit);
  }

  /**
   * Sends a node's queued units (and then `extra`, with its sinks) in one system call; returns the sink of
   * the last queued unit sent to it (queued earlier or now).
   */
  private flush(node: number, extra?: readonly Buffer[], extraSinks?: readonly UnitSink[]): UnitSink | null {
    const qu = this.queues.get(node);
    const conn = this.conns.get(node);
    if (!conn) return null;
    if (!qu || qu.units.length === 0) {
      if (extra) {
        for (const s of extraSinks!) conn.expect(s);
        conn.sendMany(extra);
      }
      return qu?.last && !qu.last.complete ? qu.last : null;
    }
    const units = qu.units;
    qu.units = [];
    qu.bytes = 0;
    const out: Buffer[] = [];
    for (const u of units) {
      const sink = new UnitSink(u.slots, { dropNotices: true });
      if (u.expected) {
        const expected = u.expected;
        const label = u.label;
        sink.onDone = (s) => {
          if (!s.failed && !sameOutcomes(expected, s.outcomes)) this.onMismatch(node, label, expected, s.outcomes);
        };
      }
      conn.expect(sink);
      for (const b of u.bufs) out.push(b);
      qu.beforeLast = qu.last;
      qu.last = sink;
    }
    if (extra) {
      for (const s of extraSinks!) conn.expect(s);
      for (const b of extra) out.push(b);
    }
    conn.sendMany(out);
    return qu.last;
  }

  private flushAll(): void {
    for (const n of this.liveNodes()) this.flush(n);
  }

  /** Flushes every other node and waits until each has answered everything sent so far. */
  private async waitOthers(): Promise<void> {
    this.serving = 'others';
    const waits: Promise<void>[] = [];
    for (const n of this.liveNodes()) {
      if (n === this.main) continue;
      const last = this.flush(n);
      if (last && !last.complete) waits.push(last.done);
    }
    if (waits.length) await Promise.all(waits);
  }

  /** Sends to one node after its queued units, pairing each sink with the requests before it in order. */
  private sendTo(node: number, bufs: Buffer[], sinks: UnitSink[]): void {
    this.serving = node;
    if (!this.conns.has(node)) {
      const err = new Error(`node ${node} is not available`);
      for (const s of sinks) queueMicrotask(() => s.fail(null as never, err));
      return;
    }
    this.flush(node, bufs, sinks);
  }

  /**
   * A query of our own on the main node; rows as text, or undefined if it failed. Inside the client's
   * transaction it runs under a savepoint: a failed catalog question must not abort the client's work.
   */
  private async internalQuery(sql: string): Promise<(string | null)[][] | undefined> {
    const guarded = this.tx === 'T';
    const sink = new UnitSink(ONE_READY, { collectRows: true, dropNotices: true });
    this.sendTo(this.main, [q(guarded ? `SAVEPOINT ${INTERNAL_SAVEPOINT}; ${sql}; RELEASE SAVEPOINT ${INTERNAL_SAVEPOINT}` : sql)], [sink]);
    await sink.done;
    if (sink.failed) return undefined;
    if (sink.error) {
      if (guarded) {
        const undo = new UnitSink(ONE_READY, { dropNotices: true });
        this.sendTo(this.main, [q(`ROLLBACK TO SAVEPOINT ${INTERNAL_SAVEPOINT}; RELEASE SAVEPOINT ${INTERNAL_SAVEPOINT}`)], [undo]);
        await undo.done;
      }
      this.ctx.warnOnce(
        `${this.database}\u0000q ${sql.slice(0, 60)}`,
        `In database ${this.database}, a catalog question ReplicaDesk asks the main node failed (${sink.error.M ?? sink.error.C ?? 'error'}); writes that need its answer (sequence order, time values) may differ between the copies.`,
      );
      return undefined;
    }
    return sink.rows;
  }

  private setTx(status: 'I' | 'T' | 'E' | undefined): void {
    if (!status) return;
    if (status === 'I') {
      this.txWrote = false;
      this.txSerializable = false;
      this.txTimestamp = undefined;
      this.poisoned = undefined;
    }
    this.tx = status;
  }

  private afterUnit(): void {
    this.serving = null;
    if (this.tx === 'I' || this.ctx.options.othersFlush === 'eager') return this.flushAll();
    const adaptive = this.ctx.options.othersFlush === 'adaptive';
    for (const [n, qu] of this.queues) {
      if (qu.units.length === 0) continue;
      // Adaptive: short transactions reach the other nodes in one write at COMMIT (each write wakes a
      // server process: on a small, busy machine those wake-ups cost more than the overlap saves). Once a
      // transaction has a batch worth sending, a node with nothing in flight gets it now, so long
      // transactions are applied alongside the main node and COMMIT does not wait for all of it.
      if (qu.bytes > MAX_DEFERRED_BYTES || (adaptive && (qu.units.length >= ADAPTIVE_BATCH_UNITS || qu.bytes >= ADAPTIVE_BATCH_BYTES) && this.conns.get(n)?.pending === 0)) this.flush(n);
    }
  }

  private sendClient(...bufs: Buffer[]): void {
    // What the current unit's holding sink kept back goes first, in the same write.
    const held = this.holding?.takeHeld();
    this.client.writeMany(held?.length ? [...held, ...bufs] : bufs);
  }

  /** A sink relaying to the client with `hold`: sendClient() sends what it held back before anything else. */
  private holdingSink(slots: Uint8Array, opts: UnitOptions): UnitSink {
    const sink = new UnitSink(slots, { ...opts, out: this.client, hold: true });
    this.holding = sink;
    return sink;
  }

  /** The unit's node broke: detach it (if allowed) and tell the client its statement failed. */
  private unitFailed(node: number, err: Error, relayed: boolean): void {
    const detached = this.ctx.backendFailed(node, err);
    if (!detached || this.closed) return;
    void relayed;
    this.sendClient(
      errorResponse({ code: '08006', message: `PostgreSQL node ${node} failed during this statement and was detached; the statement did not complete. The other nodes carry on: retry it.`, detail: err.message }),
    );
    if (this.tx !== 'I') {
      // The transaction's work on the failed node is lost: fail it everywhere so the client rolls back.
      this.broadcast({ bufs: [FORCE_ERROR], slots: ONE_READY, expected: null, label: 'fail transaction' }, -1);
      this.sendClient(readyForQuery('E'));
      this.tx = 'E';
    } else this.sendClient(readyForQuery('I'));
  }

  // ---- reads ---------------------------------------------------------------------------------------

  private async read(bufs: Buffer[], slots: Uint8Array, info: Classified | undefined, forced?: number): Promise<void> {
    const node = forced ?? this.readNode(info);
    const before = this.tx;
    this.ctx.countSelect(node);
    const sink = new UnitSink(slots, { out: this.client });
    this.sendTo(node, bufs, [sink]);
    await sink.done;
    await this.finishRead(sink, node, before, bufs, slots, info);
  }

  /** A simple-protocol read without promises: the sink's completion resumes the session. */
  private readFast(raw: Buffer, info: Classified): typeof IN_FLIGHT {
    const node = this.readNode(info);
    const before = this.tx;
    this.ctx.countSelect(node);
    const sink = new UnitSink(ONE_READY, { out: this.client });
    // Resume after the current chunk's relayed bytes have been written (they are flushed at its end).
    sink.onDone = () =>
      queueMicrotask(() => {
        try {
          const r = this.finishRead(sink, node, before, [raw], ONE_READY, info);
          if (r) r.then(this.resume, this.crash);
          else this.resume();
        } catch (err) {
          this.crash(err);
        }
      });
    this.sendTo(node, [raw], [sink]);
    return IN_FLIGHT;
  }

  private finishRead(sink: UnitSink, node: number, before: 'I' | 'T' | 'E', bufs: Buffer[], slots: Uint8Array, info: Classified | undefined): Promise<void> | undefined {
    if (sink.failed) {
      if (sink.relayed === 0 && node !== this.main && !this.closed && this.ctx.backendFailed(node, sink.failed) && this.conns.size) {
        // Nothing reached the client yet: serve the read from the main node instead.
        return this.read(bufs, slots, info, this.main);
      }
      this.unitFailed(node, sink.failed, sink.relayed > 0);
      return undefined;
    }
    this.setTx(sink.status);
    if (before === 'T' && this.tx === 'E') {
      // A read failed inside the transaction: the other nodes must fail it too, or a later COMMIT would commit there.
      this.broadcast({ bufs: [FORCE_ERROR], slots: ONE_READY, expected: null, label: 'mirror failed read' }, node);
    }
    this.afterUnit();
    return undefined;
  }

  private showPoolNodes(): void {
    const rows = this.ctx.poolNodes(this.lb);
    const cols = ['node_id', 'hostname', 'port', 'status', 'pg_status', 'lb_weight', 'role', 'pg_role', 'select_cnt', 'load_balance_node', 'replication_delay', 'replication_state', 'replication_sync_state', 'last_status_change'];
    const out: Buffer[] = [rowDescriptionText(cols)];
    for (const r of rows) {
      out.push(
        dataRowText([
          String(r.node_id), r.hostname, String(r.port), r.status, r.pg_status, r.lb_weight.toFixed(6), r.role, r.pg_role, String(r.select_cnt),
          String(r.load_balance_node), String(r.replication_delay), r.replication_state, r.replication_sync_state, r.last_status_change,
        ]),
      );
    }
    out.push(commandComplete(`SELECT ${rows.length}`), readyForQuery(this.tx));
    this.sendClient(...out);
  }

  // ---- transaction control and session commands ----------------------------------------------------

  /** Main node first (relayed to the client), then the same request queued for the others. */
  private async mainThenOthers(
    bufs: Buffer[],
    slots: Uint8Array,
    label: string,
    others?: (ts: string | undefined, table: TableCatalog | undefined) => Buffer[],
  ): Promise<UnitSink | undefined> {
    const sink = new UnitSink(slots, { out: this.client });
    this.sendTo(this.main, bufs, [sink]);
    await sink.done;
    if (sink.failed) {
      this.unitFailed(this.main, sink.failed, sink.relayed > 0);
      return undefined;
    }
    const b = others ? others(this.txTimestamp, undefined) : bufs;
    this.enqueueOthers({ bufs: b, slots: b === bufs ? slots : slotsFor(b.map((x) => x[0]!)), expected: this.expectedFrom(sink), label });
    this.setTx(sink.status);
    return sink;
  }

  private expectedFrom(sink: UnitSink): string[] | null {
    // A cancel or deadlock on the main node is not the statement's fault: do not expect the same elsewhere.
    return sink.outcomes.some((o) => NONDETERMINISTIC_ERRORS.has(o.slice(6))) ? null : [...sink.outcomes];
  }

  /**
   * What unqualified table names resolve to for this session, as a catalog cache scope: shared by the
   * sessions of one user with the same startup options until the session changes its search_path
   * (SET/RESET, set_config, DISCARD) or creates temporary objects (pg_temp comes first in the path).
   */
  private get pathScope(): string {
    if (this.privatePath) return this.privatePath;
    this.sharedPath ??= `${this.user}\u0000${this.startupParams.get('options') ?? ''}\u0000${this.startupParams.get('search_path') ?? ''}`;
    return this.sharedPath;
  }

  private sharedPath: string | undefined;
  private privatePath: string | undefined;
  private pathChanges = 0;

  /**
   * After a statement that may change how names resolve, this session's cached table facts are its own:
   * anything naming search_path (SET, RESET, set_config), temporary objects created by DDL, and DISCARD or
   * RESET ALL among session commands. (Ordinary writes are not scanned for "temp": a column of that name
   * would cost a catalog query per statement.)
   */
  private notePathChange(text: string, kind: 'write' | 'ddl' | 'session'): void {
    const changes =
      /search_path/i.test(text) || (kind === 'ddl' && /\btemp(?:orary)?\b|pg_temp/i.test(text)) || (kind === 'session' && /\bdiscard\b|\breset\s+all\b/i.test(text));
    if (changes) this.privatePath = `session ${this.id}.${++this.pathChanges}`;
  }

  /**
   * PREPARE of a writing statement: the other nodes' copy takes the main node's time as an extra parameter
   * when the statement (or a time DEFAULT it leaves out) reads the clock; see prepareForOthers.
   */
  private async sqlPrepare(raw: Buffer, text: string, tokens: Tokens, info: Classified, label: string): Promise<void> {
    const { name, inner } = info.sqlPrepare!;
    let others: Buffer[] | undefined;
    let param: number | undefined;
    if (this.tx !== 'E' && (inner.timeSites.length || inner.insert || inner.updateDefaults)) {
      const det = await this.determinism({ ...inner, writeTargets: [], calledFunctions: [] });
      if (needsTimestamp(inner, det.table)) {
        const r = prepareForOthers(text, tokens, info, det.table);
        if ('reason' in r) this.warnNotDeterministic([`the prepared statement ${name} reads the clock, and ${r.reason}`]);
        else {
          this.warnNotDeterministic(r.problems);
          others = [q(Buffer.from(r.text, 'latin1').toString('utf8'))];
          param = r.param;
        }
      }
    }
    const sink = await this.mainThenOthers([raw], ONE_READY, label, others && (() => others));
    if (sink && !sink.error) {
      this.sqlPrepared.set(name, inner);
      if (param !== undefined) this.sqlPreparedTime.set(name, { param, mainAt: this.main });
      else this.sqlPreparedTime.delete(name);
      if (this.tx === 'I' && this.sessionScript.length < 1000) this.sessionScript.push(...(others ?? [raw]));
    }
    this.afterUnit();
  }

  /**
   * EXECUTE of a SQL-level prepared write: ordered and made deterministic as the prepared statement itself
   * would be (sequence locks, triggers), and given the main node's time where its PREPARE took it.
   */
  private async sqlExecute(raw: Buffer, text: string, tokens: Tokens, info: Classified, label: string): Promise<void> {
    const name = info.sqlExecute!;
    const inner = this.sqlPrepared.get(name)!;
    const timed = this.sqlPreparedTime.get(name);
    const as: Classified = { ...inner, timeSites: timed ? inner.timeSites : [], sqlExecute: name, statements: 1, rewriteBroken: false };
    // After a failover the main node may be one that holds the other nodes' form: it takes its own time.
    const mainBuf = timed && timed.mainAt !== this.main ? q(Buffer.from(executeWithArg(text, tokens, 'pg_catalog.now()'), 'latin1').toString('utf8')) : raw;
    return this.write([mainBuf], ONE_READY, as, label, (ts, table) => {
      if (timed && ts) return [q(Buffer.from(executeForOthers(text, tokens, ts), 'latin1').toString('utf8'))];
      if (timed) this.warnNotDeterministic([`the main node timestamp for ${name} is unknown`]);
      else if (needsTimestamp(inner, table)) this.warnNotDeterministic([`the prepared statement ${name} reads the clock on each node`]);
      return [raw];
    });
  }

  private async sessionCommand(bufs: Buffer[], slots: Uint8Array, info: Classified | undefined, label: string, simple?: Buffer): Promise<void> {
    if (info?.noTxBlock && this.tx === 'I') {
      await this.write(bufs, slots, info, label, () => bufs);
      return;
    }
    const sink = await this.mainThenOthers(bufs, slots, label);
    this.notePathChange(label, 'session');
    if (sink && !sink.error && info) {
      if (info.sqlPrepare) {
        this.sqlPrepared.set(info.sqlPrepare.name, info.sqlPrepare.inner);
        this.sqlPreparedTime.delete(info.sqlPrepare.name);
      }
      if (info.serializable && this.tx !== 'I') this.txSerializable = true;
      if (simple && this.tx === 'I' && this.sessionScript.length < 1000) this.sessionScript.push(simple);
    }
    this.afterUnit();
  }

  private async txControl(bufs: Buffer[], slots: Uint8Array, info: Classified, label: string): Promise<void> {
    switch (info.tx) {
      case 'begin': {
        if (this.tx === 'I') {
          const synth = this.beginReply(bufs, info);
          if (synth) {
            // BEGIN cannot fail outside a transaction: answer it now and let it travel with the next
            // statement to each node (one round trip less per transaction).
            this.broadcast({ bufs, slots, expected: ['BEGIN'], label }, -1);
            this.tx = 'T';
            this.txWrote = false;
            this.txSerializable = info.serializable;
            this.poisoned = undefined;
            this.txTimestamp = undefined;
            this.sendClient(synth);
            return;
          }
        }
        const wasIdle = this.tx === 'I';
        const sink = await this.mainThenOthers(bufs, slots, label);
        if (sink && wasIdle && this.tx !== 'I') {
          this.txWrote = false;
          this.txSerializable = info.serializable;
          this.poisoned = undefined;
          this.txTimestamp = undefined;
        }
        break;
      }
      case 'commit':
      case 'prepare':
        await this.finishTx(bufs, slots, label, true);
        break;
      case 'rollback':
        await this.finishTx(bufs, slots, label, false);
        break;
      case 'commit-prepared':
      case 'rollback-prepared':
        await this.write(bufs, slots, info, label, () => bufs);
        return;
      default:
        await this.mainThenOthers(bufs, slots, label);
    }
    this.afterUnit();
  }

  /**
   * Compare the other nodes' results before they commit (one more round trip to them per transaction), so
   * that even a row-count difference can be rolled back. Without it a difference in the kind of result (one
   * node failing) is still rolled back everywhere, because a failed transaction cannot commit; a row-count
   * difference detaches the node.
   */
  private get verifyFirst(): boolean {
    const o = this.ctx.options;
    // failover_if_affected_tuples_mismatch = off: a row-count difference aborts the transaction instead of
    // detaching the node, which is only possible while the other nodes have not committed yet.
    return o.verifyBeforeCommit || !o.detachOnRowCountMismatch;
  }

  /**
   * The replies the server would give to a BEGIN unit (simple Query, or Bind/Describe/Execute/Sync of a known
   * prepared BEGIN), or undefined when we cannot be sure of them.
   */
  private beginReply(bufs: Buffer[], info: Classified): Buffer | undefined {
    if (info.statements !== 1) return undefined;
    const parts: Buffer[] = [];
    for (const b of bufs) {
      switch (b[0]) {
        case FE.Query: {
          const [s, e] = queryTextRange(b);
          const word = /^\s*(\w+)/.exec(b.toString('latin1', s, Math.min(e, s + 64)))?.[1]?.toUpperCase();
          if (word !== 'BEGIN' && word !== 'START') return undefined;
          parts.push(commandComplete(word === 'BEGIN' ? 'BEGIN' : 'START TRANSACTION'), readyForQuery('T'));
          break;
        }
        case FE.Bind:
          if (!this.statements.has(bindNames(b).statement)) return undefined;
          parts.push(BIND_COMPLETE);
          break;
        case FE.Describe:
          if (decodeTarget(b).kind === 'S') return undefined;
          parts.push(NO_DATA);
          break;
        case FE.Execute: {
          const stmt = this.portalStatement(decodeExecute(b).portal, bufs);
          const word = stmt ? /^\s*(\w+)/.exec(stmt.text)?.[1]?.toUpperCase() : undefined;
          if (word !== 'BEGIN' && word !== 'START') return undefined;
          parts.push(commandComplete(word === 'BEGIN' ? 'BEGIN' : 'START TRANSACTION'));
          break;
        }
        case FE.Sync:
          parts.push(readyForQuery('T'));
          break;
        default:
          return undefined;
      }
    }
    return Buffer.concat(parts);
  }

  private portalStatement(portal: string, bufs: Buffer[]): Prepared | undefined {
    for (const b of bufs) if (b[0] === FE.Bind && bindNames(b).portal === portal) return this.statements.get(bindNames(b).statement);
    return this.portals.get(portal)?.stmt;
  }

  /** COMMIT/ROLLBACK (or PREPARE TRANSACTION): the other nodes first, the main node last. */
  private async finishTx(bufs: Buffer[], slots: Uint8Array, label: string, commit: boolean): Promise<void> {
    if (this.tx === 'I') {
      await this.mainThenOthers(bufs, slots, label);
      return;
    }
    const twoPhase = commit && this.tx === 'T' && this.verifyFirst;
    if (twoPhase) await this.waitOthers(); // everything before COMMIT applied and compared
    if (commit && this.poisoned) return this.abortEverywhere(this.poisoned);
    const mainWillCommit = commit && this.tx === 'T';
    if (!mainWillCommit) {
      // ROLLBACK (or COMMIT of a failed transaction): the others entirely first, so that sequence values
      // their statements drew are drawn before the main node's locks go.
      this.enqueueOthers({ bufs, slots, expected: null, label });
      await this.waitOthers();
      const sink = new UnitSink(slots, { out: this.client });
      this.sendTo(this.main, bufs, [sink]);
      await sink.done;
      if (sink.failed) return this.unitFailed(this.main, sink.failed, sink.relayed > 0);
      this.setTx(sink.status);
      return;
    }
    // COMMIT: the others get it first. The main node may commit as soon as the others have executed every
    // statement of the transaction (they then hold the same row locks, so a conflicting transaction still
    // reaches them after this one); their own COMMIT runs meanwhile. The client hears back once all have.
    this.enqueueOthers({ bufs, slots, expected: null, label });
    // One write per node: the statements still queued, then COMMIT.
    const commits = this.othersLastUnits();
    this.serving = 'others';
    const pending: Promise<void>[] = [];
    for (const { node, sink: cs } of commits) {
      const before = cs ? this.queues.get(node)?.beforeLast : null;
      if (before && !before.complete) pending.push(before.done);
    }
    if (pending.length) await Promise.all(pending);
    if (this.poisoned) return this.abortEverywhere(this.poisoned);
    const sink = this.holdingSink(slots, { holdReady: true });
    this.sendTo(this.main, bufs, [sink]);
    await Promise.all([sink.done, ...commits.filter((u) => u.sink && !u.sink.complete).map((u) => u.sink!.done)]);
    for (const { node, sink: cs } of commits) {
      if (!cs || cs.failed || !this.conns.has(node)) continue;
      const tag = cs.outcomes[cs.outcomes.length - 1] ?? '';
      // Failing at COMMIT itself (deferred constraint, serialization) after the main node committed: the
      // node no longer matches, whatever the policy.
      if (tag !== 'COMMIT' && tag !== 'PREPARE TRANSACTION') this.onMismatch(node, label, ['COMMIT'], cs.outcomes, false);
    }
    if (sink.failed) return this.unitFailed(this.main, sink.failed, sink.relayed > 0);
    this.setTx(sink.status);
    this.sendClient(readyForQuery(this.tx));
  }

  /** Sinks the other nodes will use for the units queued so far (after flushing them). */
  private othersLastUnits(): { node: number; sink: UnitSink | null }[] {
    const out: { node: number; sink: UnitSink | null }[] = [];
    for (const n of this.liveNodes()) if (n !== this.main) out.push({ node: n, sink: this.flush(n) });
    return out;
  }

  /** Nodes disagreed and the policy is to abort: roll back on every node and tell the client. */
  private async abortEverywhere(reason: string): Promise<void> {
    this.enqueueOthers({ bufs: [ROLLBACK], slots: ONE_READY, expected: null, label: 'ROLLBACK' });
    await this.waitOthers();
    const sink = new UnitSink(ONE_READY, { dropNotices: true });
    this.sendTo(this.main, [ROLLBACK], [sink]);
    await sink.done;
    this.setTx('I');
    this.sendClient(
      errorResponse({ code: 'XX000', message: 'ReplicaDesk rolled this transaction back on every node because the nodes gave different results', detail: reason, hint: 'No node kept any of its changes. See the ReplicaDesk history for the statement.' }),
      readyForQuery('I'),
    );
  }

  private onMismatch(node: number, label: string, expected: string[], got: string[], undoable?: boolean): void {
    const kind: MismatchEvent['kind'] = commandWords(expected) === commandWords(got) ? 'affected-rows' : 'kind';
    const o = this.ctx.options;
    const detach = kind === 'kind' ? o.detachOnKindMismatch : o.detachOnRowCountMismatch;
    const safe = /password|secret|encrypted/i.test(label) ? label.replace(/'(?:[^']|'')*'/g, "'***'") : label;
    const stmt = safe.length > 200 ? safe.slice(0, 200) + '…' : safe;
    // A failed statement keeps its transaction from committing, so that difference can still be undone
    // everywhere; a different row count can only if the others have not committed yet (verifyFirst).
    // Otherwise the node keeps a different result, so it goes.
    const canAbort = undoable ?? ((this.tx !== 'I' || this.implicitTx) && (kind === 'kind' || this.verifyFirst));
    const action = this.ctx.mismatch({ nodeId: node, statement: stmt, main: expected, node: got, kind }, detach || !canAbort);
    if (action !== 'detached') this.poisoned = `node ${node} answered ${got.join(', ') || '(nothing)'} where the main node answered ${expected.join(', ')} for: ${stmt}`;
  }

  // ---- writes --------------------------------------------------------------------------------------

  /**
   * A writing unit. `others` builds the other nodes' copy once the main node is done (with the main node's
   * timestamp and the table's catalog facts when the statement needs them).
   */
  private async write(
    bufs: Buffer[],
    slots: Uint8Array,
    info: Classified | undefined,
    label: string,
    others: (ts: string | undefined, table: TableCatalog | undefined) => Buffer[],
  ): Promise<void> {
    if (this.tx === 'E') {
      // In a failed transaction the main node refuses it; so do the others (they failed the same way).
      const sink = new UnitSink(slots, { out: this.client });
      this.sendTo(this.main, bufs, [sink]);
      await sink.done;
      if (sink.failed) return this.unitFailed(this.main, sink.failed, sink.relayed > 0);
      this.setTx(sink.status);
      return this.afterUnit();
    }
    const inTx = this.tx === 'T';
    const noWrap = !inTx && (info?.noTxBlock || info?.txInMulti);
    const det = info ? await this.determinism(info) : { table: undefined, lockSql: undefined, needTs: false, usesSequences: false };
    const wrap = !inTx && !noWrap;

    const pre: Buffer[] = [];
    const internal: UnitSink[] = [];
    if (wrap) {
      pre.push(BEGIN);
      internal.push(new UnitSink(ONE_READY, { dropNotices: true }));
    }
    if (det.lockSql) {
      pre.push(q(det.lockSql));
      internal.push(new UnitSink(ONE_READY, { dropNotices: true }));
    }
    const mainOpts: UnitOptions = {
      out: this.client,
      holdReady: wrap || !!noWrap,
      onCopyIn: () => {
        this.copy = { bufs: [], unsent: [], done: false, scheduled: false };
      },
    };
    // The session answers ReadyForQuery itself later: the replies go with it in one write.
    const mainSink = mainOpts.holdReady ? this.holdingSink(slots, mainOpts) : new UnitSink(slots, mainOpts);
    // COPY FROM STDIN takes the next messages as data: ask for the timestamp after it instead.
    const wantTs = det.needTs && (!inTx || !this.txTimestamp) && !noWrap && !info?.copyIn;
    const tsSink = wantTs ? new UnitSink(ONE_READY, { collectRows: true, dropNotices: true }) : undefined;
    const post = tsSink ? [q(FETCH_MAIN_TIMESTAMP)] : [];
    this.sendTo(this.main, [...pre, ...bufs, ...post], [...internal, mainSink, ...(tsSink ? [tsSink] : [])]);
    await mainSink.done;
    if (tsSink) await tsSink.done;
    const copied = this.copy;
    this.copy = null;
    if (mainSink.failed) return this.unitFailed(this.main, mainSink.failed, mainSink.relayed > 0);
    if (internal.some((s) => s.error) && !mainSink.error) {
      // Our BEGIN or lock failed (it should not): treat as a failure of the statement.
      this.ctx.mismatch({ nodeId: this.main, statement: label, main: ['internal step failed'], node: internal.flatMap((s) => s.outcomes), kind: 'kind' }, false);
    }
    if (tsSink?.rows?.[0]?.[0]) this.txTimestamp = tsSink.rows[0][0];
    else if (det.needTs && info?.copyIn && !mainSink.error && !noWrap && (!inTx || !this.txTimestamp)) {
      this.txTimestamp = (await this.internalQuery(FETCH_MAIN_TIMESTAMP))?.[0]?.[0] ?? undefined;
    }
    if (info?.ddl) this.ctx.catalog.invalidate(this.database);
    if (info?.ddl || label.length < 4096) this.notePathChange(label, info?.ddl ? 'ddl' : 'write');
    const ts = this.txTimestamp;
    const buildOthers = (): OthersBufs => {
      const b = others(ts, det.table) as OthersBufs;
      if (copied) {
        // COPY FROM STDIN: the data the client streamed to the main node follows the COPY statement.
        const at = b.copyAt ?? (b.length && b[b.length - 1]![0] === FE.Sync ? b.length - 1 : b.length);
        const tail = b.splice(at);
        for (const x of copied.bufs) b.push(x);
        for (const x of tail) b.push(x);
      }
      return b;
    };
    const expectOf = (b: OthersBufs, main: string[] | null) => (main && b.expectFor ? b.expectFor(main) : main);
    const othersSlots = (b: Buffer[]) => (b.length === bufs.length && b.every((x, i) => x === bufs[i]) ? slots : slotsFor(b.map((x) => x[0]!)));
    const mainOk = !mainSink.error;
    const expected = this.expectedFrom(mainSink);

    if (noWrap) {
      // Cannot run in a transaction block (or has its own BEGIN/COMMIT): it already committed on the main node.
      if (mainOk || info?.txInMulti) {
        const b = buildOthers();
        this.enqueueOthers({ bufs: b, slots: othersSlots(b), expected: expectOf(b, expected), label });
        await this.waitOthers();
      }
      this.setTx(mainSink.status);
      // Only now may the client go on (and, say, connect to the database it just created).
      this.sendClient(readyForQuery(this.tx));
      return this.afterUnit();
    }

    if (inTx) {
      if (mainOk) {
        this.txWrote = true;
        const b = buildOthers();
        this.enqueueOthers({ bufs: b, slots: othersSlots(b), expected: expectOf(b, expected), label });
      } else {
        // Deterministic failure: the others fail the same statement the same way (and advance sequences
        // alike); the forced error makes sure their transaction fails even if the statement did not.
        if (expected) {
          const b = buildOthers();
          this.enqueueOthers({ bufs: b, slots: othersSlots(b), expected, label });
        }
        this.enqueueOthers({ bufs: [FORCE_ERROR], slots: ONE_READY, expected: null, label: 'fail transaction' });
      }
      this.setTx(mainSink.status);
      return this.afterUnit();
    }

    // Autocommit write inside our own transaction on the main node.
    if (!mainOk) {
      if (det.usesSequences && expected) {
        const b = buildOthers();
        this.enqueueOthers({ bufs: b, slots: othersSlots(b), expected, label });
        await this.waitOthers();
      }
      await this.internalOnMain(ROLLBACK);
      this.setTx('I');
      this.sendClient(readyForQuery('I'));
      return this.afterUnit();
    }
    const b = buildOthers();
    const twoPhase = this.verifyFirst;
    if (twoPhase) this.enqueueOthers({ bufs: [BEGIN], slots: ONE_READY, expected: ['BEGIN'], label: 'BEGIN' });
    this.enqueueOthers({ bufs: b, slots: othersSlots(b), expected: expectOf(b, expected), label });
    this.implicitTx = true; // the main node has not committed: a failing node can still be matched by a rollback
    try {
      await this.waitOthers();
      if (this.poisoned) return await this.abortEverywhere(this.poisoned);
    } finally {
      this.implicitTx = false;
    }
    // The others have executed the statement (and hold its locks) and their results matched: they commit
    // now, the main node right after them in the same turn, and the client hears back once all have. A
    // node failing its COMMIT now can no longer be matched by the main node, so it is detached.
    let othersCommit: { node: number; sink: UnitSink | null }[] = [];
    if (twoPhase) {
      this.enqueueOthers({ bufs: [COMMIT], slots: ONE_READY, expected: ['COMMIT'], label: 'COMMIT' });
      othersCommit = this.othersLastUnits();
    }
    const commit = new UnitSink(ONE_READY, { dropNotices: true });
    this.sendTo(this.main, [COMMIT], [commit]);
    await commit.done;
    for (const { sink: cs } of othersCommit) if (cs && !cs.complete) await cs.done;
    if (commit.failed) return this.unitFailed(this.main, commit.failed, true);
    this.setTx('I');
    if (commit.error) {
      this.sendClient(errorResponse({ code: commit.error.C ?? 'XX000', message: commit.error.M ?? 'COMMIT failed', detail: commit.error.D }));
    }
    this.sendClient(readyForQuery('I'));
    this.afterUnit();
  }

  private async internalOnMain(buf: Buffer): Promise<UnitSink> {
    const sink = new UnitSink(ONE_READY, { dropNotices: true });
    this.sendTo(this.main, [buf], [sink]);
    await sink.done;
    return sink;
  }

  /** Catalog facts, sequence locks and whether the main node's timestamp is needed for this statement. */
  private async determinism(info: Classified): Promise<{ table: TableCatalog | undefined; lockSql: string | undefined; needTs: boolean; usesSequences: boolean }> {
    if (info.volatileCalls.length) {
      this.ctx.warnOnce(
        `${this.database}\u0000v ${info.volatileCalls.join(',')}`,
        `In database ${this.database}, writes use ${info.volatileCalls.map((f) => `${f}()`).join(', ')}, which gives a different value on each node: rows written with it differ between the copies.`,
      );
      this.sendClient(
        noticeResponse({
          code: '01000',
          message: `ReplicaDesk: ${info.volatileCalls.join(', ')}() gives a different value on each PostgreSQL node; rows written with it will differ between the nodes`,
          hint: 'Compute the value in the application and pass it as a parameter.',
        }),
      );
    }
    const rel: RelName | undefined = info.insert?.relation ?? info.updateDefaults?.relation ?? info.copyFrom;
    let table: TableCatalog | undefined;
    if (rel) {
      table = this.ctx.catalog.table(this.database, rel, this.pathScope);
      if (!table) {
        const rows = await this.internalQuery(tableFactsSql(rel));
        if (rows) {
          table = parseTableFacts(rows);
          this.ctx.catalog.setTable(this.database, rel, this.pathScope, table);
        }
      }
    }
    const oids: number[] = [];
    if (table) {
      if (info.insert) {
        const ins = info.insert;
        const given = new Set(ins.cols ?? table.columns.slice(0, ins.rowWidths[0] ?? 0).map((c) => c.name));
        const defaulted = new Set(ins.defaults.map((d) => (ins.cols ?? table!.columns.map((c) => c.name))[d.pos]));
        for (const c of table.columns) if (c.sequences.length && (!given.has(c.name) || defaulted.has(c.name) || ins.fromSelect)) oids.push(...c.sequences);
      } else if (info.updateDefaults) {
        const cols = new Set(info.updateDefaults.sites.map((s) => s.col));
        for (const c of table.columns) if (cols.has(c.name)) oids.push(...c.sequences);
      } else if (info.copyFrom) for (const c of table.columns) oids.push(...c.sequences);
    }
    // A SELECT is written only when it calls functions that are not known to be read-only: those are the ones.
    const funcs = info.kind === 'read' ? info.unknownFunctions : info.calledFunctions;
    // Per write on the hot path: tables already known to have no triggers need no walk (and no await).
    const walk = funcs.length > 0 || info.writeTargets.some((rel) => this.ctx.catalog.tableTriggers(this.database, rel, this.pathScope) !== NO_TRIGGERS);
    const trig = walk ? await this.routineEffects(info.writeTargets, funcs) : undefined;
    if (trig) oids.push(...trig.oids);
    const names = trig?.sequences.length ? [...info.sequences, ...trig.sequences] : info.sequences;
    const usesSequences = oids.length > 0 || names.length > 0 || info.dynamicNextval;
    const lockSql = this.ctx.options.insertLock ? sequenceLockSql(oids, names) : undefined;
    if (info.dynamicNextval) {
      this.sendClient(noticeResponse({ code: '01000', message: 'ReplicaDesk: nextval() with a computed sequence name cannot be ordered across nodes; ids may differ', hint: "Call nextval('sequence_name') with a literal name." }));
    }
    return { table, lockSql, needTs: needsTimestamp(info, table), usesSequences };
  }

  /**
   * What the triggers fired by writing these tables and the user's functions the statement calls do,
   * following what they write and call in turn (an audit trigger inserting into a SERIAL log table draws
   * from its sequence). Returns the sequences to lock; tells the client, once per table or function and
   * session, about effects that will differ between the nodes.
   */
  private async routineEffects(targets: RelName[], functions: string[]): Promise<{ oids: number[]; sequences: string[] }> {
    const oids: number[] = [];
    const sequences: string[] = [];
    const seen = new Set<string>();
    let tables: RelName[] = targets;
    let funcs: string[] = functions;
    for (let depth = 0; depth < 4 && (tables.length || funcs.length); depth++) {
      const found: RoutineFacts[] = [];
      for (const rel of tables) {
        const key = `t ${rel.schema ?? ''}.${rel.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        let facts = this.ctx.catalog.tableTriggers(this.database, rel, this.pathScope);
        if (!facts) {
          const rows = await this.internalQuery(triggerFactsSql(rel));
          if (!rows) continue;
          facts = analyzeTriggers(rows);
          this.ctx.catalog.setTableTriggers(this.database, rel, this.pathScope, facts);
        }
        if (facts === NO_TRIGGERS) continue;
        this.warnRoutines(key, `triggers on ${qualifiedName(rel)} run`, facts);
        found.push(facts);
      }
      const wanted = funcs.filter((f) => !seen.has(`f ${f}`));
      for (const f of wanted) seen.add(`f ${f}`);
      const missing = wanted.filter((f) => !this.ctx.catalog.routine(this.database, f, this.pathScope));
      if (missing.length) {
        const major = parseInt(this.conns.get(this.main)?.params.get('server_version') ?? '', 10) || 0;
        const rows = await this.internalQuery(functionFactsSql(missing, major));
        if (rows) {
          for (const f of missing) {
            const dot = f.indexOf('.');
            const mine = rows.filter((r) => (dot >= 0 ? r[0] === f : r[2] === f));
            this.ctx.catalog.setRoutine(this.database, f, this.pathScope, analyzeFunctions(mine));
          }
        }
      }
      for (const f of wanted) {
        const facts = this.ctx.catalog.routine(this.database, f, this.pathScope);
        if (!facts || facts === NO_TRIGGERS) continue;
        this.warnRoutines(`f ${f}`, `the function ${f}() runs`, facts);
        found.push(facts);
      }
      const nextTables: RelName[] = [];
      const nextFuncs: string[] = [];
      for (const facts of found) {
        sequences.push(...facts.sequences);
        nextFuncs.push(...facts.calls);
        for (const w of facts.writes) {
          // An INSERT inside a trigger or function usually leaves SERIAL/IDENTITY columns to their DEFAULT.
          let table = this.ctx.catalog.table(this.database, w, this.pathScope);
          if (!table) {
            const rows = await this.internalQuery(tableFactsSql(w));
            if (rows) this.ctx.catalog.setTable(this.database, w, this.pathScope, (table = parseTableFacts(rows)));
          }
          for (const c of table?.columns ?? []) oids.push(...c.sequences);
          nextTables.push(w);
        }
      }
      tables = nextTables;
      funcs = nextFuncs;
    }
    return { oids, sequences };
  }

  private readonly routineWarned = new Set<string>();

  private warnRoutines(key: string, what: string, facts: RoutineFacts): void {
    const lines = [
      ...facts.time.map((t) => `${t} reads the clock`),
      ...facts.volatile.map((t) => `${t} differs per node`),
      ...facts.unreadable.map((t) => `${t}, so ReplicaDesk cannot check it`),
    ];
    if (!lines.length || this.routineWarned.has(key)) return;
    this.routineWarned.add(key);
    this.ctx.warnOnce(`${this.database}\u0000${key}`, `In database ${this.database}, ${what} on each node with that node's own values, so the copies may differ: ${lines.join('; ')}.`);
    this.sendClient(
      noticeResponse({
        code: '01000',
        message: `ReplicaDesk: ${what} on each PostgreSQL node with that node's own values; rows written with them may differ between the nodes: ${lines.join('; ')}`,
        hint: 'Let the application supply the value (for example the time) in the statement itself, where ReplicaDesk makes it the same on every node.',
      }),
    );
  }

  // ---- ending --------------------------------------------------------------------------------------

  /** Cancels whatever the session is running, on every node that is busy with it. */
  cancel(): void {
    if (this.serving === 'others') {
      for (const [n, c] of this.conns) if (n !== this.main && c.pending > 0) void c.cancel();
    } else if (this.serving !== null) this.conns.get(this.serving)?.cancel();
  }

  private fatal(code: string, message: string): void {
    if (this.closed) return;
    this.sendClient(errorResponse({ severity: 'FATAL', code, message }));
    this.end(true);
  }

  private end(abrupt: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.flushAll();
    this.client.close();
    const reusable = !abrupt && this.copy === null;
    this.ctx.sessionEnded(this, this.conns, reusable);
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

/** Appends a message, merging it with the previous one when they are adjacent in the same received chunk. */
function appendView(list: Buffer[], raw: Buffer): void {
  const last = list[list.length - 1];
  if (last && last.buffer === raw.buffer && last.byteOffset + last.length === raw.byteOffset) {
    list[list.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + raw.length);
  } else list.push(raw);
}

/** The same Bind, but naming the unnamed statement (our rewritten copy) instead of the client's. */
function rebindToUnnamed(raw: Buffer, portal: string, restStart: number): Buffer {
  const portalBytes = Buffer.from(portal + '\0', 'utf8');
  const rest = raw.subarray(restStart);
  const out = Buffer.allocUnsafe(5 + portalBytes.length + 1 + rest.length);
  out[0] = FE.Bind;
  out.writeInt32BE(out.length - 1, 1);
  portalBytes.copy(out, 5);
  out[5 + portalBytes.length] = 0;
  rest.copy(out, 6 + portalBytes.length);
  return out;
}
