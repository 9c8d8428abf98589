/**
 * Online recovery of a detached node, without pgpool's scripts and without waiting for clients to leave:
 *
 *  1. With writes held for an instant (no client inside a transaction), every database on the main node
 *     exports a snapshot, and from that moment every unit the sessions queue for the other nodes is also
 *     recorded for the recovering node, in order (in memory, then in a private temporary file past a limit,
 *     so a long copy under heavy writes does not grow the process without bound).
 *  2. Writes resume. Roles are copied (pg_dumpall --globals-only), then each database is re-created on the
 *     node and filled with pg_dump --snapshot | pg_restore: exactly the data the recording starts after.
 *  3. The recording is replayed on the node, one connection per client session (with that session's
 *     settings and prepared statements), in the order the main node applied it, while clients keep writing.
 *  4. When little is left, writes are held again for the final catch-up only; the node's replay
 *     connections become the sessions' connections, and the node is up.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { ReplicaDeskError } from '../errors';
import type { UserSecret } from '../config/pgpool/pool-passwd';
import { BackendConnection } from './backend/connection';
import { UnitSink, slotsFor } from './backend/unit-sink';
import { type RecoveryEvent, nowIso } from './node-status';
import type { BackendNodeOptions } from './options';
import type { FanoutProxy } from './proxy';
import { RecoveryLog } from './recovery-log';
import type { FanoutSession, QueuedUnit } from './session';
import { quoteIdent, sqlLiteral } from './sql/catalog';


function findTool(name: string, dir?: string): string {
  const candidates = [dir && path.join(dir, name), `/usr/lib/postgresql/15/bin/${name}`, `/usr/bin/${name}`].filter(Boolean) as string[];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new ReplicaDeskError('RECOVERY_TOOL_MISSING', `${name} was not found (looked in ${candidates.join(', ')}). Install the PostgreSQL client tools.`);
}

interface Creds {
  user: string;
  password?: string;
}

function pgEnv(c: Creds): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: '10' };
  if (c.password !== undefined) env.PGPASSWORD = c.password;
  else delete env.PGPASSWORD;
  return env;
}

function connArgs(n: BackendNodeOptions, c: Creds): string[] {
  return ['-h', n.host || 'localhost', '-p', String(n.port), '-U', c.user];
}

/** Runs `from | to` (pg_dump into pg_restore); rejects with the tools' own messages. */
function pipe(from: [string, string[]], to: [string, string[]], fromEnv: NodeJS.ProcessEnv, toEnv: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const a = spawn(from[0], from[1], { env: fromEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const b = spawn(to[0], to[1], { env: toEnv, stdio: ['pipe', 'ignore', 'pipe'] });
    let errA = '';
    let errB = '';
    a.stderr.on('data', (d) => (errA += d));
    b.stderr.on('data', (d) => (errB += d));
    a.stdout.pipe(b.stdin);
    b.stdin.on('error', () => undefined);
    let codes = 0;
    const results: (number | null)[] = [];
    const done = (code: number | null) => {
      results.push(code);
      if (++codes < 2) return;
      if (results.every((x) => x === 0)) resolve();
      else reject(new Error(`${path.basename(from[0])}: ${errA.trim() || 'ok'}; ${path.basename(to[0])}: ${errB.trim() || 'ok'}`));
    };
    a.on('close', done);
    b.on('close', done);
    a.on('error', reject);
    b.on('error', reject);
  });
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(cmd)} failed: ${err.trim()}`))));
    p.stdin.end(input ?? '');
  });
}

export interface RecoveryOptions {
  /** Replay backlog (units) small enough to finish with writes held. */
  finalBacklog?: number;
  /** Bytes of recorded writes kept in memory before the rest waits in a temporary file (default 64 MiB). */
  memoryLimit?: number;
  onProgress?: (e: RecoveryEvent) => void;
}

export class NodeRecovery {
  private readonly log: RecoveryLog<FanoutSession>;
  private readonly replayConns = new Map<FanoutSession, BackendConnection | null>();
  private readonly initialState = new Map<FanoutSession, Buffer[]>();
  private snapshots: { db: string; client: pg.Client; snapshot: string }[] = [];

  constructor(
    private readonly proxy: FanoutProxy,
    private readonly nodeId: number,
    private readonly opts: RecoveryOptions = {},
  ) {
    this.log = new RecoveryLog(opts.memoryLimit);
  }

  private emit(phase: RecoveryEvent['phase'], message: string, extra: Partial<RecoveryEvent> = {}): void {
    const e: RecoveryEvent = { type: 'recovery', nodeId: this.nodeId, phase, message, at: nowIso(), ...extra };
    this.proxy.emitEvent(e);
    this.opts.onProgress?.(e);
  }

  private creds(): Creds {
    const o = this.proxy.options;
    const user = o.recoveryUser || o.nodes[0]?.healthCheck.user || 'postgres';
    if (o.recoveryPassword) return { user, password: o.recoveryPassword };
    let secret: UserSecret | undefined;
    try {
      secret = o.passwords.lookup(user);
    } catch {
      secret = undefined;
    }
    return { user, password: secret?.password };
  }

  private async client(node: BackendNodeOptions, database: string): Promise<pg.Client> {
    const c = this.creds();
    const client = new pg.Client({ host: node.host || 'localhost', port: node.port, user: c.user, password: c.password, database, application_name: 'replicadesk recovery' });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  async run(): Promise<void> {
    const proxy = this.proxy;
    const id = this.nodeId;
    const target = proxy.nodeOptions(id);
    if (proxy.nodeStatus(id) === 'up') throw new ReplicaDeskError('RECOVERY_NODE_UP', `Node ${id} is up; detach it before recovering it.`, { node: id });
    if (proxy.nodeStatus(id) === 'recovering') throw new ReplicaDeskError('RECOVERY_RUNNING', `Node ${id} is already being recovered.`, { node: id });
    const mainId = proxy.mainNodeId();
    if (mainId === undefined) throw new ReplicaDeskError('RECOVERY_NO_MAIN', 'No node is up to recover from.');
    const main = proxy.nodeOptions(mainId);
    const pgDump = findTool('pg_dump', proxy.options.pgBinDir);
    const pgRestore = findTool('pg_restore', proxy.options.pgBinDir);
    const pgDumpall = findTool('pg_dumpall', proxy.options.pgBinDir);
    const psql = findTool('psql', proxy.options.pgBinDir);
    const creds = this.creds();
    await proxy.setNodeStatus(id, 'recovering', `online recovery from node ${mainId}`);
    this.emit('start', `Recovering node ${id} from node ${mainId}.`);
    try {
      // The node must answer before we hold anyone's writes.
      (await this.client(target, 'template1')).end();

      // 1. Consistent starting point.
      await proxy.withWritesPaused(async () => {
        const admin = await this.client(main, 'postgres');
        const dbs = (await admin.query(`SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname`)).rows.map((r) => r.datname as string);
        await admin.end();
        for (const db of dbs) {
          const c = await this.client(main, db);
          await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
          const snapshot = (await c.query('SELECT pg_catalog.pg_export_snapshot() AS s')).rows[0].s as string;
          this.snapshots.push({ db, client: c, snapshot });
        }
        for (const s of proxy.liveSessions()) this.initialState.set(s, s.sessionState());
        proxy.recoveryRecorder = {
          unit: (session, unit) => this.log.push({ session, unit }),
          ended: (session) => this.log.push({ session, ended: true }),
        };
      });
      this.emit('snapshot', `Snapshot taken on node ${mainId} for ${this.snapshots.length} database(s); clients carry on.`);

      // 2. Roles, then every database as of the snapshot.
      const globals = await run(pgDumpall, [...connArgs(main, creds), '--globals-only', '--no-tablespaces'], pgEnv(creds));
      // Existing roles make CREATE ROLE fail; ALTER ROLE right after still brings them in line.
      await run(psql, [...connArgs(target, creds), '-X', '-q', '-d', 'template1', '-v', 'ON_ERROR_STOP=0'], pgEnv(creds), globals).catch(() => undefined);
      const tadmin = await this.client(target, 'template1');
      const mainDbs = new Set(this.snapshots.map((s) => s.db));
      const existing = (await tadmin.query(`SELECT datname FROM pg_catalog.pg_database WHERE NOT datistemplate`)).rows.map((r) => r.datname as string);
      for (const db of existing) if (!mainDbs.has(db)) await tadmin.query(`DROP DATABASE ${quoteIdent(db)} WITH (FORCE)`);
      let done = 0;
      for (const s of this.snapshots) {
        const info = (
          await s.client.query(
            `SELECT pg_catalog.pg_encoding_to_char(encoding) AS enc, datcollate, datctype, pg_catalog.pg_get_userbyid(datdba) AS owner FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()`,
          )
        ).rows[0];
        await tadmin.query(`DROP DATABASE IF EXISTS ${quoteIdent(s.db)} WITH (FORCE)`);
        await tadmin.query(
          `CREATE DATABASE ${quoteIdent(s.db)} TEMPLATE template0 ENCODING ${sqlLiteral(info.enc)} LC_COLLATE ${sqlLiteral(info.datcollate)} LC_CTYPE ${sqlLiteral(info.datctype)} OWNER ${quoteIdent(info.owner)}`,
        );
        await pipe(
          [pgDump, [...connArgs(main, creds), '-d', s.db, `--snapshot=${s.snapshot}`, '-Fc']],
          [pgRestore, [...connArgs(target, creds), '-d', s.db, '--exit-on-error', '--single-transaction']],
          pgEnv(creds),
          pgEnv(creds),
        );
        done++;
        this.emit('copy', `Database ${s.db} copied (${done}/${this.snapshots.length}).`, { database: s.db, progress: done / this.snapshots.length });
      }
      await tadmin.end();
      for (const s of this.snapshots) await s.client.end().catch(() => undefined);
      this.snapshots = [];

      // 3. Replay what happened since the snapshot, while clients keep writing.
      const finalBacklog = this.opts.finalBacklog ?? 50;
      for (let round = 0; round < 1000 && this.log.pending > finalBacklog; round++) {
        const onDisk = this.log.spilledBytes ? ` (${(this.log.spilledBytes / 1048576).toFixed(1)} MiB of them waited in a temporary file)` : '';
        this.emit('catch-up', `Replaying ${this.log.pending} statement(s) written since the snapshot${onDisk}.`, { backlog: this.log.pending, spilledBytes: this.log.spilledBytes });
        await this.replay(target);
      }

      // 4. Final catch-up with writes held; then the node takes part in every session.
      this.emit('pause', `Holding writes for the final catch-up (${this.log.pending} statement(s)).`, { backlog: this.log.pending, spilledBytes: this.log.spilledBytes });
      await proxy.withWritesPaused(async () => {
        await this.replay(target);
        proxy.recoveryRecorder = undefined;
        const ready = new Map<FanoutSession, BackendConnection>();
        for (const [s, c] of this.replayConns) if (c && !s.isClosed) ready.set(s, c);
        await proxy.joinSessions(id, ready);
        await proxy.setNodeStatus(id, 'up', 'online recovery finished');
      });
      this.log.close();
      this.emit('attached', `Node ${id} is recovered and attached.`);
    } catch (err) {
      proxy.recoveryRecorder = undefined;
      for (const s of this.snapshots) await s.client.end().catch(() => undefined);
      for (const c of this.replayConns.values()) c?.close();
      this.log.close();
      await proxy.setNodeStatus(id, 'down', `recovery failed: ${(err as Error).message}`);
      this.emit('failed', `Recovery of node ${id} failed: ${(err as Error).message}`);
      throw err instanceof ReplicaDeskError ? err : new ReplicaDeskError('RECOVERY_FAILED', `Recovery of node ${id} failed: ${(err as Error).message}`, { node: id }, { cause: err });
    }
  }

  /** Replays everything recorded so far, in order. */
  private async replay(target: BackendNodeOptions): Promise<void> {
    for (let r = this.log.next(); r; r = this.log.next()) {
      if (r.ended) {
        this.replayConns.get(r.session)?.close();
        this.replayConns.set(r.session, null);
        continue;
      }
      let conn = this.replayConns.get(r.session);
      if (conn === null) continue;
      if (!conn) {
        const s = r.session;
        conn = await BackendConnection.connect(target, { user: s.user, database: s.database, params: s.startupParams, secret: s.secret, connectTimeoutMs: target.connectTimeoutMs });
        this.replayConns.set(s, conn);
        const initial = this.initialState.get(s);
        if (initial?.length) await this.send(conn, { bufs: [...initial, SYNC_MSG], slots: slotsOf([...initial, SYNC_MSG]), expected: null, label: 'session state' });
      }
      await this.send(conn, r.unit!);
    }
  }

  private async send(conn: BackendConnection, unit: QueuedUnit): Promise<void> {
    const sink = new UnitSink(unit.slots, { dropNotices: true });
    conn.expect(sink);
    conn.sendMany(unit.bufs);
    await sink.done;
    if (sink.failed) throw new Error(`the node failed during the catch-up: ${sink.failed.message}`);
    if (unit.expected && (unit.expected.length !== sink.outcomes.length || unit.expected.some((o, i) => o !== sink.outcomes[i]))) {
      throw new Error(`the node answered ${sink.outcomes.join(', ')} where the main node answered ${unit.expected.join(', ')} for: ${unit.label.slice(0, 200)}`);
    }
  }
}

const SYNC_MSG = serialize.sync();

function slotsOf(bufs: Buffer[]): Uint8Array {
  return slotsFor(bufs.map((b) => b[0]!));
}
