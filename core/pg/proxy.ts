/**
 * FanoutProxy: the pgpool-II native-replication replacement. Listens for PostgreSQL clients, keeps the
 * state of each backend node (up / down / recovering, persisted through a NodeStatusStore), pools backend
 * connections per user/database, runs health checks, and emits events on every node change.
 *
 *   const proxy = new FanoutProxy(options, { store });
 *   proxy.on('event', (e) => ...);      // node-status, mismatch, recovery, warning
 *   await proxy.start();
 *   proxy.nodes();                      // SHOW POOL_NODES rows
 *   await proxy.detach(1); await proxy.recover(1); await proxy.attach(1);
 *   await proxy.stop();
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { serialize } from 'pg-protocol';
import { ReplicaDeskError } from '../errors';
import type { UserSecret } from '../config/pgpool/pool-passwd';
import { BackendConnection, BackendLoginError, type BackendLogin } from './backend/connection';
import { ONE_READY, UnitSink } from './backend/unit-sink';
import { ClientConnection, type ClientHost } from './client-connection';
import { HealthChecker } from './health-check';
import { NodeRecovery, type RecoveryOptions } from './recovery';
import {
  type FanoutEvent,
  type MismatchEvent,
  type NodeStatus,
  type NodeStatusStore,
  type PoolNodeRow,
  type RecoveryEvent,
  MemoryNodeStatusStore,
  nowIso,
} from './node-status';
import type { BackendNodeOptions, FanoutOptions } from './options';
import { backendKeyData, type ErrorFields, parameterStatus, readyForQuery } from './protocol/server-messages';
import { FanoutSession, type ClientPort, type QueuedUnit, type SessionContext } from './session';
import { CatalogCache } from './sql/catalog';
import { StatementClassifier, loadSqlParser } from './sql/classify';

interface NodeState {
  opts: BackendNodeOptions;
  status: NodeStatus;
  lastChange: string;
  selectCount: number;
  /** What the last connection attempt or health check saw. */
  pgStatus: 'up' | 'down' | 'unknown';
}

interface PooledSet {
  conns: Map<number, BackendConnection>;
  params: Map<string, string>;
  since: number;
}

/** Parameters a client sees at startup that come from the server. */
const REPORTED = ['application_name', 'client_encoding', 'DateStyle', 'default_transaction_read_only', 'in_hot_standby', 'integer_datetimes', 'IntervalStyle', 'is_superuser', 'server_encoding', 'server_version', 'session_authorization', 'standard_conforming_strings', 'TimeZone'];

export interface FanoutProxyDeps {
  store?: NodeStatusStore;
}

export class FanoutProxy extends EventEmitter<{ event: [FanoutEvent] }> implements SessionContext, ClientHost {
  readonly classifier = new StatementClassifier();
  readonly catalog = new CatalogCache();
  private readonly nodeStates = new Map<number, NodeState>();
  private readonly sessions = new Set<FanoutSession>();
  private readonly byCancelKey = new Map<number, FanoutSession>();
  private readonly pool = new Map<string, PooledSet[]>();
  private readonly servers: net.Server[] = [];
  private readonly store: NodeStatusStore;
  private health: HealthChecker | undefined;
  private slotsInUse = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private started = false;
  /** Units replayed on other nodes are also given to this (during an online recovery), and session ends. */
  recoveryRecorder: { unit(session: FanoutSession, unit: QueuedUnit): void; ended(session: FanoutSession): void } | undefined;
  /** Writers wait here while a recovery or attach holds the cluster still. */
  private gate: { promise: Promise<void>; open: () => void } | undefined;
  readonly tlsContext: tls.SecureContext | undefined;

  constructor(
    readonly options: FanoutOptions,
    deps: FanoutProxyDeps = {},
  ) {
    super();
    this.store = deps.store ?? new MemoryNodeStatusStore();
    for (const n of options.nodes) this.nodeStates.set(n.id, { opts: n, status: 'up', lastChange: nowIso(), selectCount: 0, pgStatus: 'unknown' });
    this.tlsContext = options.tls ? tls.createSecureContext({ cert: options.tls.cert, key: options.tls.key }) : undefined;
  }

  get authConfig() {
    return { enablePoolHba: this.options.enablePoolHba, hba: this.options.hba, passwords: this.options.passwords, allowClearTextFrontendAuth: this.options.allowClearTextFrontendAuth };
  }

  get authenticationTimeout(): number {
    return this.options.authenticationTimeout;
  }

  /** Where clients connect (the first listen address). */
  get address(): { host: string; port: number } {
    const a = this.servers[0]?.address();
    if (a && typeof a === 'object') return { host: a.address, port: a.port };
    return { host: this.options.listenAddresses[0] ?? '127.0.0.1', port: this.options.port };
  }

  async start(): Promise<void> {
    if (this.started) return;
    await loadSqlParser();
    const saved = await this.store.load();
    for (const [id, s] of saved) {
      const st = this.nodeStates.get(id);
      // A node left down or half-recovered stays down until attached or recovered again (like pgpool_status).
      if (st) {
        st.status = s.status === 'up' ? 'up' : 'down';
        st.lastChange = s.lastChange;
        this.upCache = undefined;
      }
    }
    for (const host of this.options.listenAddresses) {
      const server = net.createServer((socket) => new ClientConnection(this, socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) =>
          reject(
            err.code === 'EADDRINUSE'
              ? new ReplicaDeskError('FANOUT_PORT_IN_USE', `Port ${this.options.port} on ${host} is already in use (is pgpool or another ReplicaDesk running?). Change "port" in the configuration.`, { host, port: this.options.port })
              : err,
          ),
        );
        server.listen({ host, port: this.options.port }, () => resolve());
      });
      this.servers.push(server);
    }
    this.health = new HealthChecker(this);
    this.health.start();
    this.started = true;
  }

  async stop(): Promise<void> {
    this.health?.stop();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.servers.length = 0;
    for (const s of [...this.sessions]) s.clientGone();
    for (const sets of this.pool.values()) for (const set of sets) for (const c of set.conns.values()) c.close();
    this.pool.clear();
    this.gate?.open();
    this.started = false;
  }

  // ---- node state ----------------------------------------------------------------------------------

  upNodes(): number[] {
    if (!this.upCache) {
      const out: number[] = [];
      for (const [id, s] of this.nodeStates) if (s.status === 'up') out.push(id);
      this.upCache = out.sort((a, b) => a - b);
    }
    return this.upCache;
  }

  private upCache: number[] | undefined;

  nodeOptions(id: number): BackendNodeOptions {
    const s = this.nodeStates.get(id);
    if (!s) throw new ReplicaDeskError('FANOUT_NO_SUCH_NODE', `There is no node ${id}; the configured nodes are ${[...this.nodeStates.keys()].join(', ')}.`, { node: id });
    return s.opts;
  }

  nodeStatus(id: number): NodeStatus {
    this.nodeOptions(id);
    return this.nodeStates.get(id)!.status;
  }

  mainNodeId(): number | undefined {
    return this.upNodes()[0];
  }

  /** SHOW POOL_NODES. `lbNode` marks a session's load-balance node (API callers have none). */
  nodes(lbNode = -1): PoolNodeRow[] {
    return this.poolNodes(lbNode);
  }

  poolNodes(lbNode: number): PoolNodeRow[] {
    const main = this.mainNodeId();
    const up = this.upNodes();
    const total = up.reduce((a, id) => a + this.nodeStates.get(id)!.opts.weight, 0);
    return [...this.nodeStates.values()]
      .sort((a, b) => a.opts.id - b.opts.id)
      .map((s) => {
        const role = s.opts.id === main ? 'main' : 'replica';
        return {
          node_id: s.opts.id,
          hostname: s.opts.host,
          port: s.opts.port,
          status: s.status,
          pg_status: s.pgStatus === 'unknown' ? (s.status === 'up' ? 'up' : 'unknown') : s.pgStatus,
          lb_weight: total > 0 && s.status === 'up' ? s.opts.weight / total : 0,
          role,
          pg_role: role,
          select_cnt: s.selectCount,
          load_balance_node: s.opts.id === lbNode,
          replication_delay: 0,
          replication_state: '',
          replication_sync_state: '',
          last_status_change: s.lastChange.replace('T', ' ').slice(0, 19),
        };
      });
  }

  pickLoadBalanceNode(): number {
    const up = this.upNodes();
    let total = 0;
    for (const id of up) total += this.nodeStates.get(id)!.opts.weight;
    if (total <= 0) return up[0] ?? 0;
    let r = Math.random() * total;
    for (const id of up) {
      r -= this.nodeStates.get(id)!.opts.weight;
      if (r < 0) return id;
    }
    return up[up.length - 1]!;
  }

  countSelect(node: number): void {
    const s = this.nodeStates.get(node);
    if (s) s.selectCount++;
  }

  setPgStatus(node: number, pg: 'up' | 'down'): void {
    const s = this.nodeStates.get(node);
    if (s) s.pgStatus = pg;
  }

  emitEvent(e: FanoutEvent): void {
    this.emit('event', e);
  }

  /** Sets and records a node's status (recovery uses it; detach/attach/health checks go through their own methods). */
  setNodeStatus(id: number, status: NodeStatus, reason: string): Promise<void> {
    return this.setStatus(id, status, reason);
  }

  /**
   * Online recovery: re-syncs a detached node from the main node while clients keep working, pausing writes
   * only for the final catch-up, then attaches it. Progress comes as 'recovery' events (and onProgress).
   * `tuning` is for tests (a tiny memory limit sends the recorded writes through the temporary file).
   */
  async recover(id: number, onProgress?: (e: RecoveryEvent) => void, tuning: Pick<RecoveryOptions, 'memoryLimit' | 'finalBacklog'> = {}): Promise<void> {
    this.nodeOptions(id);
    await new NodeRecovery(this, id, { ...tuning, onProgress }).run();
  }

  private async setStatus(id: number, status: NodeStatus, reason: string): Promise<void> {
    const s = this.nodeStates.get(id)!;
    if (s.status === status) return;
    const previous = s.status;
    s.status = status;
    this.upCache = undefined;
    s.lastChange = nowIso();
    this.emitEvent({ type: 'node-status', nodeId: id, previous, status, reason, at: s.lastChange });
    try {
      await this.store.save(id, { status, lastChange: s.lastChange, reason });
    } catch (err) {
      this.emitEvent({ type: 'warning', nodeId: id, message: `The status of node ${id} could not be saved: ${(err as Error).message}`, at: nowIso() });
    }
  }

  /** Takes a node out of service (degenerate): sessions carry on with the others. */
  async detach(id: number, reason = 'detached by the administrator'): Promise<void> {
    const st = this.nodeStates.get(id);
    if (!st) this.nodeOptions(id);
    if (st!.status === 'down') return;
    if (this.upNodes().length === 1 && st!.status === 'up') {
      throw new ReplicaDeskError('FANOUT_LAST_NODE', `Node ${id} is the only node still up; detaching it would stop all clients.`, { node: id });
    }
    this.degenerate(id, reason);
  }

  /** Immediate, synchronous part of a detach: status, sessions, pool. */
  private degenerate(id: number, reason: string): void {
    const st = this.nodeStates.get(id)!;
    if (st.status === 'down') return;
    void this.setStatus(id, 'down', reason);
    st.pgStatus = 'down';
    for (const s of this.sessions) s.dropNode(id);
    for (const sets of this.pool.values()) {
      for (const set of sets) {
        set.conns.get(id)?.close();
        set.conns.delete(id);
      }
    }
  }

  /** pgpool's attach: the node is assumed to hold the same data; it rejoins every session at a quiet moment. */
  async attach(id: number): Promise<void> {
    const st = this.nodeStates.get(id);
    if (!st) this.nodeOptions(id);
    if (st!.status === 'up') return;
    await this.withWritesPaused(async () => {
      await this.joinSessions(id);
      await this.setStatus(id, 'up', 'attached');
      st!.pgStatus = 'up';
    });
  }

  /**
   * Opens a connection to `id` for every live session (with the session's state replayed on it) and adds
   * it. `ready` may supply already-prepared connections (the recovery's replay connections).
   */
  async joinSessions(id: number, ready = new Map<FanoutSession, BackendConnection>()): Promise<void> {
    const opts = this.nodeOptions(id);
    await Promise.all(
      [...this.sessions].map(async (s) => {
        if (s.isClosed) return;
        let conn = ready.get(s);
        if (!conn) {
          try {
            conn = await BackendConnection.connect(opts, this.loginFor(s.user, s.database, s.startupParams, s.secret, opts));
          } catch (err) {
            this.emitEvent({ type: 'warning', nodeId: id, message: `Session of "${s.user}" on "${s.database}" could not reach node ${id}: ${(err as Error).message}`, at: nowIso() });
            return;
          }
          s.addNode(conn);
        } else s.adoptNode(conn);
      }),
    );
    for (const [s, c] of ready) if (s.isClosed) c.close();
  }

  // ---- write gate (recovery's final catch-up, attach) ----------------------------------------------

  get writesPaused(): Promise<void> | undefined {
    return this.gate?.promise;
  }

  /** Waits until no session is inside a transaction or a unit, holds new units back, runs fn, releases. */
  async withWritesPaused<T>(fn: () => Promise<T>, timeoutMs = this.options.recoveryTimeout * 1000): Promise<T> {
    if (this.gate) await this.gate.promise;
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    this.gate = { promise, open };
    try {
      const deadline = Date.now() + (timeoutMs || 90000);
      while ([...this.sessions].some((s) => !s.quiet)) {
        if (Date.now() > deadline) throw new ReplicaDeskError('FANOUT_NOT_QUIET', `Some clients stayed inside a transaction for more than ${Math.round((timeoutMs || 90000) / 1000)} s (recovery_timeout); try again when they are idle.`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return await fn();
    } finally {
      this.gate = undefined;
      open();
    }
  }

  // ---- sessions (SessionContext) -------------------------------------------------------------------

  backendFailed(node: number, err: Error): boolean {
    const st = this.nodeStates.get(node);
    if (!st) return false;
    if (st.status !== 'up') return true;
    if (!this.options.failoverOnBackendError || !st.opts.allowFailover) return false;
    if (this.upNodes().length === 1) return false;
    this.degenerate(node, `the connection failed: ${err.message}`);
    return true;
  }

  mismatch(e: Omit<MismatchEvent, 'type' | 'at' | 'action'>, detach: boolean): MismatchEvent['action'] {
    let action: MismatchEvent['action'] = 'aborted';
    if (detach) {
      const st = this.nodeStates.get(e.nodeId);
      if (st && st.status === 'up' && st.opts.allowFailover && this.upNodes().length > 1 && e.nodeId !== this.mainNodeId()) {
        this.degenerate(e.nodeId, `its results differed from the main node's (${e.kind === 'kind' ? 'kind mismatch' : 'affected rows mismatch'})`);
        action = 'detached';
      } else action = 'reported';
    }
    this.emitEvent({ type: 'mismatch', ...e, action, at: nowIso() });
    return action;
  }

  private readonly warnedAbout = new Set<string>();

  /**
   * Tells the service (history, dashboard, notifications) once per proxy run about something that makes the
   * nodes' data differ that only the client was told about; bounded, since keys come from client input.
   */
  warnOnce(key: string, message: string): void {
    if (this.warnedAbout.has(key) || this.warnedAbout.size >= 1000) return;
    this.warnedAbout.add(key);
    this.emitEvent({ type: 'warning', message, at: nowIso() });
  }

  recordForRecovery(session: FanoutSession, unit: QueuedUnit): void {
    this.recoveryRecorder?.unit(session, unit);
  }

  sessionEnded(session: FanoutSession, conns: Map<number, BackendConnection>, reusable: boolean): void {
    this.sessions.delete(session);
    this.byCancelKey.delete(session.cancelKey.pid);
    this.recoveryRecorder?.ended(session);
    const key = session.poolKey;
    if (!reusable || !this.options.connectionCache || this.options.maxPool === 0) {
      for (const c of conns.values()) c.close();
      return;
    }
    void this.resetAndPool(key, conns, session.backendParams);
  }

  private async resetAndPool(key: string, conns: Map<number, BackendConnection>, params: Map<string, string>): Promise<void> {
    const sinks: UnitSink[] = [];
    for (const c of conns.values()) {
      c.onBroken = null;
      c.onUnsolicited = null;
      for (const sql of this.options.resetQueryList) {
        const s = new UnitSink(ONE_READY, { dropNotices: true });
        c.expect(s);
        c.send(serialize.query(sql));
        sinks.push(s);
      }
    }
    await Promise.all(sinks.map((s) => s.done));
    const up = new Set(this.upNodes());
    const healthy = sinks.every((s) => !s.failed) && [...conns.values()].every((c) => !c.broken && c.status === 'I' && up.has(c.node));
    const sets = this.pool.get(key) ?? [];
    if (!healthy || sets.length >= Math.max(this.options.maxPool, 1) * 8 || !this.started) {
      for (const c of conns.values()) c.close();
      return;
    }
    sets.push({ conns, params, since: Date.now() });
    this.pool.set(key, sets);
  }

  private takePooled(key: string): PooledSet | undefined {
    const sets = this.pool.get(key);
    const life = this.options.connectionLifeTime * 1000;
    while (sets && sets.length) {
      const set = sets.pop()!;
      const stale = life > 0 && Date.now() - set.since > life;
      if (stale || [...set.conns.values()].some((c) => c.broken)) {
        for (const c of set.conns.values()) c.close();
        continue;
      }
      return set;
    }
    return undefined;
  }

  loginFor(user: string, database: string, params: Map<string, string>, secret: UserSecret | undefined, node: BackendNodeOptions): BackendLogin {
    return { user, database, params, secret, connectTimeoutMs: node.connectTimeoutMs };
  }

  // ---- clients (ClientHost) ------------------------------------------------------------------------

  acquireSlot(): Promise<() => void> {
    const grant = (): (() => void) => {
      this.slotsInUse++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        this.slotsInUse--;
        this.slotWaiters.shift()?.();
      };
    };
    if (this.slotsInUse < this.options.maxClients) return Promise.resolve(grant());
    return new Promise((resolve) => this.slotWaiters.push(() => resolve(grant())));
  }

  cancel(pid: number, secret: number): void {
    const s = this.byCancelKey.get(pid);
    if (s && s.cancelKey.secret === secret) s.cancel();
  }

  async openSession(port: ClientPort, user: string, database: string, params: Map<string, string>, secret: UserSecret | undefined): Promise<FanoutSession | ErrorFields> {
    const key = [user, database, ...[...params].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`)].join('\u0000');
    let conns: Map<number, BackendConnection>;
    let serverParams: Map<string, string>;
    const pooled = this.takePooled(key);
    const up = this.upNodes();
    if (up.length === 0) return { severity: 'FATAL', code: '08006', message: 'Every PostgreSQL node behind this ReplicaDesk fan-out is down. Recover or attach a node.' };
    try {
      conns = pooled?.conns ?? new Map();
      for (const [id, c] of conns) if (!up.includes(id)) {
        c.close();
        conns.delete(id);
      }
      const missing = up.filter((id) => !conns.has(id));
      const opened = await Promise.allSettled(missing.map((id) => BackendConnection.connect(this.nodeOptions(id), this.loginFor(user, database, params, secret, this.nodeOptions(id)))));
      let loginError: BackendLoginError | undefined;
      opened.forEach((r, i) => {
        const id = missing[i]!;
        if (r.status === 'fulfilled') {
          conns.set(id, r.value);
          this.setPgStatus(id, 'up');
        } else if (r.reason instanceof BackendLoginError) loginError ??= r.reason;
        else {
          this.setPgStatus(id, 'down');
          if (!this.backendFailed(id, r.reason as Error)) loginError ??= new BackendLoginError({ S: 'FATAL', C: '08006', M: `node ${id} is unreachable and may not be detached: ${(r.reason as Error).message}` }, id);
        }
      });
      if (loginError) {
        for (const c of conns.values()) c.close();
        const f = loginError.fields;
        return { severity: 'FATAL', code: f.C ?? '28000', message: f.M ?? 'login refused', detail: f.D };
      }
      for (const [id, c] of conns) if (!this.upNodes().includes(id)) {
        c.close();
        conns.delete(id);
      }
      if (conns.size === 0) return { severity: 'FATAL', code: '08006', message: 'No PostgreSQL node behind this ReplicaDesk fan-out could be reached.' };
      const mainConn = conns.get(Math.min(...conns.keys()))!;
      serverParams = pooled?.params ?? new Map(mainConn.params);
      // Every node must interpret times alike (our timestamp literals are cast in the session time zone).
      const tz = mainConn.params.get('TimeZone');
      for (const c of conns.values()) {
        if (c !== mainConn && tz && c.params.get('TimeZone') !== tz) {
          const s = new UnitSink(ONE_READY, { dropNotices: true });
          c.expect(s);
          c.send(serialize.query(`SET TimeZone = '${tz.replace(/'/g, "''")}'`));
        }
      }
    } catch (err) {
      return { severity: 'FATAL', code: 'XX000', message: `ReplicaDesk could not open the backends: ${(err as Error).message}` };
    }
    const session = new FanoutSession(this, port, user, database, conns);
    session.poolKey = key;
    session.backendParams = serverParams;
    session.startupParams = params;
    session.secret = secret;
    this.sessions.add(session);
    this.byCancelKey.set(session.cancelKey.pid, session);
    const out: Buffer[] = [];
    for (const name of REPORTED) {
      const v = serverParams.get(name);
      if (v !== undefined) out.push(parameterStatus(name, v));
    }
    out.push(backendKeyData(session.cancelKey.pid, session.cancelKey.secret), readyForQuery('I'));
    port.writeMany(out);
    return session;
  }

  /** Sessions currently open (for tests and the service). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  liveSessions(): FanoutSession[] {
    return [...this.sessions];
  }
}
