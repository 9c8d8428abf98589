/**
 * N source sessions that all see the master at the same binlog position, so several tables can be read in
 * parallel and the result still matches one instant.
 *
 * MariaDB binds START TRANSACTION WITH CONSISTENT SNAPSHOT to the binlog: each snapshot reports the binlog
 * position it corresponds to (binlog_snapshot_file/pos). Snapshots that report the same position see the
 * same committed transactions, so we open N at once and keep them when the positions agree, with no lock at
 * all. On a busy server they may keep disagreeing; then a brief FLUSH TABLES WITH READ LOCK makes them agree
 * (needs RELOAD), the same as MySQL, whose snapshots carry no position, always needs.
 */
import type mysql from 'mysql2/promise';
import { ReplicaDeskError } from '../../errors';
import { type MySqlEndpoint, connectEndpoint } from '../endpoint';
import type { ServerVersion } from '../flavor';

export interface BinlogPosition {
  file: string;
  pos: number;
  /** MariaDB: BINLOG_GTID_POS(file, pos), the gtid_slave_pos to start from. MySQL: gtid_executed at the snapshot. "" when none. */
  gtid: string;
}

export type SnapshotMethod = 'lock-free' | 'read-lock' | 'single';

export interface SnapshotSet {
  conns: mysql.Connection[];
  position: BinlogPosition;
  method: SnapshotMethod;
}

type Row = Record<string, unknown>;

async function q(c: mysql.Connection, sql: string, params: unknown[] = []): Promise<Row[]> {
  const [r] = await c.query(sql, params);
  return r as Row[];
}

async function openSession(source: MySqlEndpoint): Promise<mysql.Connection> {
  const c = await connectEndpoint(source, { jsonStrings: true });
  // Reading pauses while the target is busy; the server must not give up on a slow reader.
  await c.query('SET SESSION net_write_timeout = 3600, net_read_timeout = 3600, wait_timeout = 86400');
  await c.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  return c;
}

async function snapshotPos(c: mysql.Connection): Promise<{ file: string; pos: number }> {
  const r = await q(c, "SHOW STATUS LIKE 'binlog_snapshot_%'");
  const m = Object.fromEntries(r.map((x) => [String(x.Variable_name).toLowerCase(), String(x.Value)]));
  return { file: m.binlog_snapshot_file ?? '', pos: Number(m.binlog_snapshot_position ?? 0) };
}

async function masterStatus(c: mysql.Connection): Promise<{ file: string; pos: number; gtidExecuted: string }> {
  let r: Row[];
  try {
    r = await q(c, 'SHOW MASTER STATUS');
  } catch {
    r = await q(c, 'SHOW BINARY LOG STATUS');
  }
  if (!r[0]) throw new ReplicaDeskError('CLONE_NO_BINLOG', 'The master has no binary log (log-bin is off): a copy could not be followed by replication. Turn the binary log on first (see the pre-flight checks).');
  return { file: String(r[0].File), pos: Number(r[0].Position), gtidExecuted: String(r[0].Executed_Gtid_Set ?? '') };
}

async function mariadbGtid(c: mysql.Connection, file: string, pos: number): Promise<string> {
  const r = await q(c, 'SELECT BINLOG_GTID_POS(?, ?) AS g', [file, pos]);
  return r[0]?.g == null ? '' : String(r[0].g);
}

async function closeAll(conns: mysql.Connection[]): Promise<void> {
  await Promise.all(conns.map((c) => c.end().catch(() => c.destroy())));
}

/** Opens `n` sessions in one consistent snapshot; `prefer` forces a method (tests, or a server where locks are unwelcome). */
export async function openSnapshots(source: MySqlEndpoint, version: ServerVersion, n: number, prefer: 'auto' | SnapshotMethod = 'auto', attempts = 6): Promise<SnapshotSet> {
  const conns: mysql.Connection[] = [];
  try {
    for (let i = 0; i < n; i++) conns.push(await openSession(source));
    if (version.flavor === 'mariadb' && prefer !== 'read-lock') {
      const count = prefer === 'single' ? 1 : n;
      if (count < n) await closeAll(conns.splice(count));
      for (let a = 0; a < attempts; a++) {
        await Promise.all(conns.map((c) => c.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY')));
        const positions = await Promise.all(conns.map(snapshotPos));
        if (!positions[0]!.file) {
          await Promise.all(conns.map((c) => c.query('ROLLBACK')));
          await masterStatus(conns[0]!); // throws the clear "no binary log" error
        }
        if (positions.every((p) => p.file === positions[0]!.file && p.pos === positions[0]!.pos)) {
          const { file, pos } = positions[0]!;
          return { conns, position: { file, pos, gtid: await mariadbGtid(conns[0]!, file, pos) }, method: count === 1 ? 'single' : 'lock-free' };
        }
        await Promise.all(conns.map((c) => c.query('ROLLBACK')));
      }
      if (prefer === 'lock-free') throw new ReplicaDeskError('CLONE_SNAPSHOT_BUSY', `The master is too busy to open ${n} matching snapshots without a lock; try again, or allow the brief read lock.`);
    }
    // Read lock: writes pause for the moment it takes to open the snapshots (milliseconds), as in the
    // seed's FLUSH TABLES WITH READ LOCK; SHOW MASTER STATUS; … UNLOCK TABLES, but without the copy inside.
    const ctl = await connectEndpoint(source);
    try {
      await ctl.query('SET SESSION lock_wait_timeout = 30');
      try {
        await ctl.query('FLUSH TABLES WITH READ LOCK');
      } catch (err) {
        const e = err as { code?: string; message: string };
        if (version.flavor === 'mariadb' && /ACCESS_DENIED|SPECIFIC_ACCESS/.test(e.code ?? '')) {
          await closeAll(conns.splice(0));
          return openSnapshots(source, version, 1, 'single');
        }
        throw new ReplicaDeskError('CLONE_LOCK_FAILED', `FLUSH TABLES WITH READ LOCK failed on the master: ${e.message}. The copy account needs the RELOAD privilege (and no long-running query may hold tables for 30 s).`, { code: e.code });
      }
      try {
        await Promise.all(conns.map((c) => c.query('START TRANSACTION WITH CONSISTENT SNAPSHOT')));
        const st = await masterStatus(ctl);
        const gtid = version.flavor === 'mariadb' ? await mariadbGtid(ctl, st.file, st.pos) : String((await q(ctl, 'SELECT @@GLOBAL.gtid_executed AS g'))[0]?.g ?? st.gtidExecuted);
        return { conns, position: { file: st.file, pos: st.pos, gtid }, method: conns.length === 1 ? 'single' : 'read-lock' };
      } finally {
        await ctl.query('UNLOCK TABLES').catch(() => undefined);
      }
    } finally {
      await ctl.end().catch(() => ctl.destroy());
    }
  } catch (err) {
    await closeAll(conns);
    throw err;
  }
}
