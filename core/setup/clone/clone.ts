/**
 * One-click initial copy of a master into the backup server, without stopping the office: N sessions in one
 * consistent snapshot (see snapshot.ts) read the tables in parallel and stream them, in batches, into the
 * target; then routines, views, triggers and events follow. The result is the binlog position the snapshot
 * corresponds to: a replica channel started there continues exactly where the copy ends.
 */
import type { Readable } from 'node:stream';
import type mysql from 'mysql2/promise';
import { ReplicaDeskError } from '../../errors';
import { type MySqlEndpoint, connectEndpoint, describeEndpoint, qid } from '../endpoint';
import { type ServerVersion, atLeast, parseServerVersion } from '../flavor';
import { SYSTEM_SCHEMAS } from '../preflight/facts';
import { type CloneProgress, ProgressTracker } from './progress';
import { addKeysSql, comparableDefinition, type DeferredKeys, deferrableKeys, dropKeysSql } from './deferred-keys';
import { LoadDataRefused, loadTable } from './load-data';
import { encodeRow, insertPrefix, valueBytes } from './rows';
import { type IncludeFn, type SchemaObject, type SourceSchema, type TableInfo, readSchema, withoutDefiner } from './schema';
import { type SnapshotMethod, openSnapshots } from './snapshot';
import { hardClose, release } from './session';
import { type WorkItem, orderWork, partsFor, rangeBoundaries, rangeItems } from './work-plan';

export interface CloneOptions {
  /** Master account: SELECT, SHOW VIEW, TRIGGER, EVENT on the copied databases; RELOAD helps (parallel on a busy master). */
  source: MySqlEndpoint;
  /** Backup server account that may create databases. */
  target: MySqlEndpoint;
  /** Databases to copy; default all but the system ones. */
  databases?: string[];
  /** The channel's filters (replicate-do-db etc. as a predicate): false leaves a database (table undefined) or table out. */
  include?: IncludeFn;
  /** Parallel streams; default 4. */
  parallel?: number;
  /** Drop a database that already exists on the target instead of refusing. */
  replace?: boolean;
  /** How to make the parallel snapshots agree; default auto (lock-free first, brief read lock if the master is busy). */
  snapshot?: 'auto' | SnapshotMethod;
  /** Upper bound for one INSERT statement when the target refuses LOAD DATA LOCAL; default 4 MiB (and below the target's max_allowed_packet). */
  batchBytes?: number;
  /**
   * Write the copy into the target's own binary log too; default false. The backup's binary log then holds
   * only what replication applies after the copy: no GTIDs of the backup's own server id (on MySQL with
   * GTIDs those would be "errant transactions"), and no gigabytes of copy that its own replicas, if any,
   * could not use without the same starting point anyway. Turn it on when the backup's binary log must
   * be able to rebuild it from nothing.
   */
  targetBinlog?: boolean;
  /** How rows reach the target: LOAD DATA LOCAL INFILE (default "auto": unless the target refuses it) or INSERT statements. */
  method?: 'auto' | 'insert';
  /** Build plain secondary indexes of InnoDB tables after their rows (default true; much less work for the target). */
  deferIndexes?: boolean;
  /** Tables at least this big (bytes, the server's estimate) and bigger than a stream's share are read in primary-key ranges by several streams; default 64 MiB. */
  splitTableBytes?: number;
}

/** Everything a replica channel needs to start right after the copy. */
export interface CloneResult {
  /** Master binlog file and position of the snapshot (CHANGE MASTER TO MASTER_LOG_FILE / MASTER_LOG_POS). */
  binlogFile: string;
  binlogPos: number;
  /** MariaDB: the GTID position (gtid_binlog_pos style, for MASTER_USE_GTID=slave_pos after SET GLOBAL gtid_slave_pos). MySQL: gtid_executed. "" if none. */
  gtidPos: string;
  snapshotMethod: SnapshotMethod;
  databases: string[];
  /** Databases that existed on the target and were dropped first (replace: true). */
  replaced: string[];
  tables: number;
  rows: number;
  bytes: number;
  objects: { views: number; routines: number; triggers: number; events: number };
  /** How the rows went in: LOAD DATA LOCAL INFILE, or INSERT statements (the target refused LOAD DATA LOCAL, or asked for). */
  rowsMethod: 'load-data' | 'insert';
  /** Tables whose plain secondary indexes were built after their rows (deferred-keys.ts). */
  indexesBuiltAfterData: number;
  /** Big tables read in primary-key ranges by several streams at once (work-plan.ts). */
  rangedTables: number;
  /** Objects not copied, with why (e.g. a sequence, a routine whose body the account may not read). */
  skipped: { schema: string; name: string; reason: string }[];
  warnings: string[];
  durationMs: number;
}

type Row = Record<string, unknown>;
async function q(c: mysql.Connection, sql: string, params: unknown[] = []): Promise<Row[]> {
  const [r] = await c.query(sql, params);
  return r as Row[];
}

function aborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new ReplicaDeskError('CLONE_CANCELLED', 'The copy was cancelled.');
}

async function targetSession(target: MySqlEndpoint, version: ServerVersion | undefined, binlog: boolean, warnings: string[]): Promise<mysql.Connection> {
  const c = await connectEndpoint(target, { multipleStatements: false });
  // Exact values: no strict-mode rejection of zero dates, 0 kept in AUTO_INCREMENT columns, UTC timestamps.
  // Foreign keys off: tables arrive in any order, and the master enforced them already. unique_checks
  // stays on: with both off InnoDB switches to its buffered bulk insert, which cost the target more CPU
  // than it saved (measured on sysbench tables, MariaDB 10.11), and the unique keys are what would notice a
  // row the target does not store.
  await c.query("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION', foreign_key_checks = 0");
  if (version?.flavor === 'mariadb') await c.query('SET SESSION check_constraint_checks = 0').catch(() => undefined);
  if (!binlog) {
    await c.query('SET SESSION sql_log_bin = 0').catch((err: Error) => {
      if (!warnings.some((w) => w.startsWith('sql_log_bin'))) warnings.push(`sql_log_bin could not be turned off on the target (${err.message}); the copy also goes into its binary log.`);
    });
  }
  return c;
}

async function runDdl(c: mysql.Connection, schema: string, create: string, sqlMode: string | undefined, warnings: string[], what: string): Promise<void> {
  await c.query(`USE ${qid(schema)}`);
  if (sqlMode !== undefined) await c.query('SET SESSION sql_mode = ?', [sqlMode]);
  try {
    await c.query(create);
  } catch (err) {
    const e = err as { code?: string; message: string };
    // The definer's account may not exist here, or we may not be allowed to name another definer.
    if (/DEFINER|ACCESS_DENIED|SPECIFIC_ACCESS|NO_SUCH_USER|ER_MALFORMED_DEFINER/i.test(`${e.code} ${e.message}`) && /DEFINER/i.test(create)) {
      await c.query(withoutDefiner(create));
      warnings.push(`${what} was created with the target account as definer (${e.message}).`);
    } else throw err;
  } finally {
    if (sqlMode !== undefined) await c.query("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'");
  }
}

/** The fallback for targets that refuse LOAD DATA LOCAL: rows decoded by mysql2 and written as INSERTs. */
async function insertTable(
  src: mysql.Connection,
  dst: mysql.Connection,
  t: TableInfo,
  batchBytes: number,
  maxPacket: number,
  tracker: ProgressTracker,
  signal: AbortSignal | undefined,
  where?: string,
): Promise<{ rows: number; bytes: number }> {
  if (!t.columns.length) return { rows: 0, bytes: 0 };
  const prefix = insertPrefix(t.schema, t.name, t.columns);
  const sql = `SELECT ${t.columns.map((c) => c.select).join(', ')} FROM ${qid(t.schema)}.${qid(t.name)}${where ? ` WHERE ${where}` : ''}`;
  const raw = (src as unknown as { connection: NodeJS.EventEmitter & { query(o: object): { stream(o: object): Readable } } }).connection;
  const stream = raw.query({ sql, rowsAsArray: true }).stream({ highWaterMark: 2000 });
  // A session killed on the master (or a dropped network) while the stream is paused by backpressure is
  // not always reported through the stream; the connection's own events are.
  const lost = (err?: Error) => stream.destroy(err ?? new Error('the connection to the master was closed'));
  raw.once('error', lost);
  raw.once('end', lost);
  let rows = 0;
  let bytes = 0;
  let parts: string[] = [];
  let size = prefix.length;
  let inflight: Promise<unknown> | undefined;
  const flush = async () => {
    if (!parts.length) return;
    const stmt = prefix + parts.join(',');
    parts = [];
    size = prefix.length;
    if (inflight) await inflight;
    if (stmt.length > maxPacket) {
      throw new ReplicaDeskError('CLONE_ROW_TOO_BIG', `A row of ${t.schema}.${t.name} is larger than the target's max_allowed_packet (${maxPacket} bytes). Raise max_allowed_packet on the backup server and copy again.`, { table: `${t.schema}.${t.name}` });
    }
    // One statement in flight while the next batch is read and encoded.
    inflight = dst.query(stmt);
    inflight.catch(() => undefined);
  };
  // Autocommit batches: one transaction per table (InnoDB's bulk insert) cost the target twice the CPU.
  try {
    for await (const row of stream as AsyncIterable<unknown[]>) {
      const enc = encodeRow(row, t.columns);
      let b = 0;
      for (const v of row) b += valueBytes(v);
      if (size + enc.length + 1 > batchBytes && parts.length) {
        await flush();
        aborted(signal);
      }
      parts.push(enc);
      size += enc.length + 1;
      rows++;
      bytes += b;
      tracker.p.rowsDone++;
      tracker.p.bytesDone += b;
      if ((rows & 1023) === 0) tracker.flush();
    }
    await flush();
    if (inflight) await inflight;
  } catch (err) {
    stream.destroy();
    throw err;
  } finally {
    raw.off('error', lost);
    raw.off('end', lost);
  }
  return { rows, bytes };
}

/**
 * Copies the master's databases into the target. On failure or cancellation the databases it created are
 * dropped again, and the error says exactly what was dropped and what (if anything) is left.
 */
export async function cloneMaster(opts: CloneOptions, onProgress?: (p: CloneProgress) => void, signal?: AbortSignal): Promise<CloneResult> {
  const started = Date.now();
  const tracker = new ProgressTracker(onProgress);
  const warnings: string[] = [];
  const created: string[] = [];
  const replaced: string[] = [];
  const open: mysql.Connection[] = [];
  const onAbort = () => {
    // Stops reads and loads at once: whatever waits on these sessions fails and the workers unwind.
    for (const c of open) hardClose(c);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let ctl: mysql.Connection | undefined;
  try {
    aborted(signal);
    tracker.phase('snapshot');
    const meta = await connectEndpoint(opts.source).catch((err: Error) => {
      throw new ReplicaDeskError('CLONE_CONNECT_FAILED', `Cannot connect to the master (${describeEndpoint(opts.source)}): ${err.message}`);
    });
    open.push(meta);
    ctl = await connectEndpoint(opts.target).catch((err: Error) => {
      throw new ReplicaDeskError('CLONE_CONNECT_FAILED', `Cannot connect to the backup server (${describeEndpoint(opts.target)}): ${err.message}`);
    });
    open.push(ctl);
    const sv = await q(meta, 'SELECT VERSION() AS v, @@version_comment AS c');
    const sourceVersion = parseServerVersion(String(sv[0]!.v), String(sv[0]!.c));
    const tv = await q(ctl, 'SELECT VERSION() AS v, @@version_comment AS c, @@max_allowed_packet AS p');
    const targetVersion = parseServerVersion(String(tv[0]!.v), String(tv[0]!.c));
    const maxPacket = Number(tv[0]!.p) - 1024;
    const batchBytes = Math.max(64 * 1024, Math.min(opts.batchBytes ?? 4 * 1024 * 1024, maxPacket));

    // Refuse before anything is locked or written when a database is already on the target.
    const include = opts.include ?? (() => true);
    const names = (await q(meta, 'SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA')).map((r) => String(r.s));
    const wanted = names.filter((d) => !SYSTEM_SCHEMAS.includes(d.toLowerCase()) && (!opts.databases || opts.databases.includes(d)) && include(d));
    const missing = (opts.databases ?? []).filter((d) => !names.includes(d));
    if (missing.length) throw new ReplicaDeskError('CLONE_NO_SUCH_DATABASE', `The master has no database named ${missing.join(', ')}.`, { missing });
    if (!wanted.length) throw new ReplicaDeskError('CLONE_NOTHING_TO_COPY', 'No database to copy: the master has none besides the system ones, or the filters exclude them all.');
    const existing = wanted.length ? (await q(ctl, `SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${wanted.map(() => '?').join(',')})`, wanted)).map((r) => String(r.s)) : [];
    if (existing.length && !opts.replace) {
      throw new ReplicaDeskError(
        'CLONE_TARGET_EXISTS',
        `The backup server already has ${existing.length === 1 ? 'a database' : 'databases'} named ${existing.join(', ')}. Nothing was changed. Copy again with "replace" to drop and recopy ${existing.length === 1 ? 'it' : 'them'}, or remove ${existing.length === 1 ? 'it' : 'them'} first.`,
        { existing },
      );
    }

    const n = Math.max(1, Math.min(opts.parallel ?? 4, 16));
    const snap = await openSnapshots(opts.source, sourceVersion, n, opts.snapshot ?? 'auto');
    open.push(...snap.conns);
    aborted(signal);
    const schema: SourceSchema = await readSchema(meta, { databases: wanted, include });
    for (const s of schema.skipped) warnings.push(`${s.schema}.${s.name} not copied: ${s.reason}.`);
    const p = tracker.p;
    p.tablesTotal = schema.tables.length;
    p.rowsTotal = schema.tables.reduce((s, t) => s + t.rowsEstimate, 0);
    p.bytesTotal = schema.tables.reduce((s, t) => s + t.bytesEstimate, 0);

    tracker.phase('schema');
    await ctl.query("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION', foreign_key_checks = 0");
    if (!opts.targetBinlog) await ctl.query('SET SESSION sql_log_bin = 0').catch(() => undefined);
    for (const d of schema.databases) {
      aborted(signal);
      if (existing.includes(d.name)) {
        await ctl.query(`DROP DATABASE ${qid(d.name)}`);
        replaced.push(d.name);
      }
      await ctl.query(d.create);
      created.push(d.name);
    }
    for (const t of schema.tables) {
      aborted(signal);
      const r = await q(meta, `SHOW CREATE TABLE ${qid(t.schema)}.${qid(t.name)}`);
      await ctl.query(`USE ${qid(t.schema)}`);
      await ctl.query(String(r[0]!['Create Table']));
    }
    // Secondary indexes after the data (deferred-keys.ts), except where a foreign key involves the table.
    const deferred = new Map<TableInfo, { keys: DeferredKeys; definition: string }>();
    if (opts.deferIndexes !== false && schema.tables.length) {
      const dbList = schema.databases.map((d) => d.name);
      const fk = new Set<string>();
      for (const r of await q(
        ctl,
        `SELECT CONSTRAINT_SCHEMA AS s, TABLE_NAME AS t, UNIQUE_CONSTRAINT_SCHEMA AS rs, REFERENCED_TABLE_NAME AS rt FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN (${dbList.map(() => '?').join(',')}) OR UNIQUE_CONSTRAINT_SCHEMA IN (${dbList.map(() => '?').join(',')})`,
        [...dbList, ...dbList],
      )) {
        fk.add(`${String(r.s)}\0${String(r.t)}`);
        fk.add(`${String(r.rs)}\0${String(r.rt)}`);
      }
      for (const t of schema.tables) {
        if (fk.has(`${t.schema}\0${t.name}`)) continue;
        aborted(signal);
        const definition = String((await q(ctl, `SHOW CREATE TABLE ${qid(t.schema)}.${qid(t.name)}`))[0]!['Create Table']);
        const keys = deferrableKeys(definition);
        if (!keys) continue;
        await ctl.query(dropKeysSql(t.schema, t.name, keys));
        deferred.set(t, { keys, definition });
      }
    }

    tracker.phase('data');
    // The pieces of work: whole tables, and big tables cut into primary-key ranges (work-plan.ts). The
    // ranges are found in the snapshot itself, so they cover exactly the rows the copy sees.
    const items: WorkItem[] = [];
    for (const [t, parts] of partsFor(schema.tables, { streams: n, minBytes: opts.splitTableBytes ?? 64 * 1024 * 1024 })) {
      let cut: WorkItem[] | undefined;
      if (parts > 1 && t.intPk) {
        const [mm] = (await snap.conns[0]!.query({ sql: `SELECT MIN(${qid(t.intPk)}) AS lo, MAX(${qid(t.intPk)}) AS hi FROM ${qid(t.schema)}.${qid(t.name)}`, supportBigNumbers: true, bigNumberStrings: true })) as unknown as [{ lo: unknown; hi: unknown }[]];
        const { lo, hi } = mm[0]!;
        if (lo !== null && hi !== null) {
          const bounds = rangeBoundaries(BigInt(String(lo)), BigInt(String(hi)), parts);
          if (bounds.length) cut = rangeItems(t, t.intPk, bounds);
        }
      }
      items.push(...(cut ?? [{ table: t, part: 1, parts: 1, bytes: t.bytesEstimate }]));
    }
    const queue = orderWork(items);
    const partsLeft = new Map<TableInfo, number>(items.map((w) => [w.table, w.parts]));
    const inFlight = new Map<TableInfo, number>();
    const rangedTables = new Set(items.filter((w) => w.parts > 1).map((w) => w.table)).size;
    for (const c of snap.conns) await c.query('SET SESSION character_set_results = binary');
    let rows = 0;
    let bytes = 0;
    let useLoadData = opts.method !== 'insert';
    let firstError: unknown;
    const progress = {
      rows: (n: number, b: number) => {
        p.rowsDone += n;
        p.bytesDone += b;
        tracker.flush();
      },
    };
    const copyOne = async (src: mysql.Connection, dst: mysql.Connection, w: WorkItem): Promise<{ rows: number; bytes: number }> => {
      const t = w.table;
      if (!t.columns.length) return { rows: 0, bytes: 0 };
      if (useLoadData) {
        try {
          const r = await loadTable(src, dst, t, progress, () => signal?.aborted === true || firstError !== undefined, w.where);
          if (r.warnings.length) warnings.push(`${t.schema}.${t.name}${w.parts > 1 ? ` (part ${w.part} of ${w.parts})` : ''}: the backup server reported: ${r.warnings.join('; ')}`);
          return r;
        } catch (err) {
          if (!(err instanceof LoadDataRefused)) throw err;
          if (useLoadData) warnings.push(`The backup server does not allow LOAD DATA LOCAL INFILE (${err.message}); rows were copied as INSERT statements, which is slower. Set local_infile=ON on it for faster copies.`);
          useLoadData = false;
        }
      }
      return insertTable(src, dst, t, batchBytes, maxPacket, tracker, signal, w.where);
    };
    /** After the last piece of a table: its deferred indexes, and the check that its definition is intact. */
    const finishTable = async (dst: mysql.Connection, t: TableInfo, label: string) => {
      const d = deferred.get(t);
      if (d) {
        await dst.query(addKeysSql(t.schema, t.name, d.keys));
        const now = String((await q(dst, `SHOW CREATE TABLE ${qid(t.schema)}.${qid(t.name)}`))[0]!['Create Table']);
        if (comparableDefinition(now) !== comparableDefinition(d.definition)) {
          throw new ReplicaDeskError('CLONE_DEFINITION_CHANGED', `The definition of ${label} on the backup server changed when its indexes were built after the data. Copy again with deferIndexes off.`, { table: label, expected: d.definition, got: now });
        }
      }
      p.tablesDone++;
    };
    const worker = async (src: mysql.Connection) => {
      const dst = await targetSession(opts.target, targetVersion, opts.targetBinlog === true, warnings);
      open.push(dst);
      try {
        for (let w = queue.shift(); w; w = queue.shift()) {
          aborted(signal);
          const t = w.table;
          const name = `${t.schema}.${t.name}`;
          // "db.table" once, however many of its ranges are being copied.
          if (!p.current.includes(name)) p.current.push(name);
          inFlight.set(t, (inFlight.get(t) ?? 0) + 1);
          tracker.flush(true);
          const r = await copyOne(src, dst, w);
          rows += r.rows;
          bytes += r.bytes;
          const left = partsLeft.get(t)! - 1;
          partsLeft.set(t, left);
          if (left === 0) await finishTable(dst, t, name);
          inFlight.set(t, inFlight.get(t)! - 1);
          if (inFlight.get(t) === 0) p.current.splice(p.current.indexOf(name), 1);
          tracker.flush(true);
        }
      } catch (err) {
        // The first failure is the cause: stop the others at once (their own errors would only be echoes).
        if (firstError === undefined) {
          firstError = err;
          queue.length = 0;
          for (const c of [...open]) if (c !== ctl && c !== meta) hardClose(c);
        }
        throw err;
      } finally {
        await release(dst);
        open.splice(open.indexOf(dst), 1);
      }
    };
    await Promise.allSettled(snap.conns.map(worker));
    if (firstError !== undefined) throw firstError;
    aborted(signal);
    // Release the snapshots as soon as the data is read: an open snapshot holds back the master's purge.
    for (const c of snap.conns) {
      await c.query('ROLLBACK').catch(() => undefined);
      await release(c);
      open.splice(open.indexOf(c), 1);
    }

    const createAll = async (objs: SchemaObject[], phase: 'routines' | 'views' | 'triggers' | 'events') => {
      tracker.phase(phase);
      for (const o of objs) {
        aborted(signal);
        await runDdl(ctl!, o.schema, o.create, o.sqlMode, warnings, `${o.kind} ${o.schema}.${o.name}`);
      }
    };
    await createAll(schema.routines, 'routines');
    // Views may use each other: create what can be created, and repeat while that makes progress.
    tracker.phase('views');
    let pending = [...schema.views];
    while (pending.length) {
      aborted(signal);
      const failedViews: { o: SchemaObject; err: Error }[] = [];
      for (const o of pending) {
        try {
          await runDdl(ctl, o.schema, o.create, undefined, warnings, `view ${o.schema}.${o.name}`);
        } catch (err) {
          failedViews.push({ o, err: err as Error });
        }
      }
      if (failedViews.length === pending.length) {
        const f = failedViews[0]!;
        throw new ReplicaDeskError('CLONE_VIEW_FAILED', `View ${f.o.schema}.${f.o.name} could not be created on the backup server: ${f.err.message}`, { view: `${f.o.schema}.${f.o.name}` });
      }
      pending = failedViews.map((f) => f.o);
    }
    // Triggers only now: created before the data, they would have fired for every copied row.
    await createAll(schema.triggers, 'triggers');
    await createAll(schema.events, 'events');
    // Events must not run on the backup (they would change it behind replication's back), as on a replica.
    const disable = targetVersion.flavor === 'mysql' && atLeast(targetVersion, 8, 0, 22) ? 'DISABLE ON REPLICA' : 'DISABLE ON SLAVE';
    for (const e of schema.events) await ctl.query(`ALTER EVENT ${qid(e.schema)}.${qid(e.name)} ${disable}`);

    tracker.phase('done');
    return {
      binlogFile: snap.position.file,
      binlogPos: snap.position.pos,
      gtidPos: snap.position.gtid,
      snapshotMethod: snap.method,
      databases: schema.databases.map((d) => d.name),
      replaced,
      tables: schema.tables.length,
      rows,
      bytes,
      objects: { views: schema.views.length, routines: schema.routines.length, triggers: schema.triggers.length, events: schema.events.length },
      rowsMethod: useLoadData ? 'load-data' : 'insert',
      indexesBuiltAfterData: deferred.size,
      rangedTables,
      skipped: schema.skipped,
      warnings,
      durationMs: Date.now() - started,
    };
  } catch (err) {
    const cancelled = signal?.aborted === true;
    tracker.phase('cleanup');
    for (const c of open) hardClose(c);
    open.length = 0;
    const dropped: string[] = [];
    const left: string[] = [];
    if (created.length) {
      const c = await connectEndpoint(opts.target).catch(() => undefined);
      for (const d of created) {
        try {
          if (!c) throw new Error('no connection');
          await c.query('SET SESSION sql_log_bin = 0').catch(() => undefined);
          await c.query(`DROP DATABASE IF EXISTS ${qid(d)}`);
          dropped.push(d);
        } catch {
          left.push(d);
        }
      }
      await c?.end().catch(() => undefined);
    }
    const cleanup =
      (dropped.length ? ` The partly copied ${dropped.length === 1 ? 'database' : 'databases'} ${dropped.join(', ')} ${dropped.length === 1 ? 'was' : 'were'} removed from the backup server.` : '') +
      (left.length ? ` Could NOT remove ${left.join(', ')} from the backup server: drop ${left.length === 1 ? 'it' : 'them'} by hand before copying again.` : '') +
      (replaced.length ? ` Note: ${replaced.join(', ')} had been replaced, so the backup server's previous copy of ${replaced.length === 1 ? 'it' : 'them'} is gone.` : '') +
      (!created.length ? ' Nothing was written to the backup server.' : '');
    const details = { dropped, left, replaced };
    if (cancelled) throw new ReplicaDeskError('CLONE_CANCELLED', `The copy was cancelled.${cleanup}`, details);
    if (err instanceof ReplicaDeskError) throw new ReplicaDeskError(err.code, err.message + (created.length ? cleanup : ''), { ...err.details, ...details }, { cause: err });
    throw new ReplicaDeskError('CLONE_FAILED', `The copy failed: ${(err as Error).message}.${cleanup}`, details, { cause: err });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    for (const c of open) await release(c);
  }
}
