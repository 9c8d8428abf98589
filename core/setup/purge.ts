/**
 * Safe binary-log purge (the seed's PURGE MASTER LOGS by hand, without the guessing): list the master's
 * binary logs, mark the ones some channel still needs, and delete only the files older than the oldest
 * needed one, after the user confirmed exactly that boundary.
 */
import type mysql from 'mysql2/promise';
import { ReplicaDeskError } from '../errors';
import { type MySqlEndpoint, connectEndpoint } from './endpoint';
import { type Localized, localize } from './messages/localize';

/**
 * The oldest master position a channel still needs: the file of the last change applied to the target
 * (SHOW SLAVE STATUS's Relay_Master_Log_File / Exec_Master_Log_Pos), not what the I/O thread has fetched,
 * so that a lost relay log can always be fetched again.
 */
export interface ChannelNeed {
  channel: string;
  file: string;
  position?: number;
}

export type BinlogStatus = 'purgeable' | 'needed' | 'current' | 'kept';

export interface BinlogFileInfo {
  name: string;
  size: number;
  status: BinlogStatus;
  /** Channels whose position is in this file. */
  neededBy: string[];
  explanation: Localized;
}

export interface BinlogListing {
  files: BinlogFileInfo[];
  currentFile: string;
  /** `PURGE BINARY LOGS TO` this file deletes exactly the purgeable ones; null when none is purgeable. */
  purgeTo: string | null;
  purgeable: string[];
  purgeableBytes: number;
  totalBytes: number;
  /** Channels that need a file the master no longer has: they need a new initial copy; nothing is purged. */
  broken: ChannelNeed[];
  /** Replicas other than ReplicaDesk's channels may be connected (Binlog Dump threads): their needs are unknown. */
  dumpThreads: number;
}

type Row = Record<string, unknown>;

/** Pure: classifies `files` (oldest first, as SHOW BINARY LOGS lists them) against the channels' needs. */
export function classifyBinlogs(files: { name: string; size: number }[], currentFile: string, needs: ChannelNeed[], dumpThreads = 0): BinlogListing {
  const index = new Map(files.map((f, i) => [f.name, i]));
  const broken = needs.filter((n) => !index.has(n.file));
  const currentIdx = index.get(currentFile) ?? files.length - 1;
  const neededIdx = needs.filter((n) => index.has(n.file)).map((n) => Math.min(index.get(n.file)!, currentIdx));
  const bound = broken.length ? 0 : Math.min(currentIdx, ...neededIdx);
  const out: BinlogFileInfo[] = files.map((f, i) => {
    const neededBy = needs.filter((n) => n.file === f.name).map((n) => n.channel);
    let status: BinlogStatus;
    let explanation: Localized;
    if (i === currentIdx) {
      status = 'current';
      explanation = localize('purge.current', {});
    } else if (neededBy.length) {
      status = 'needed';
      explanation = localize('purge.needed', { channels: neededBy.join(', ') });
    } else if (i < bound) {
      status = 'purgeable';
      explanation = localize('purge.purgeable', {});
    } else {
      status = 'kept';
      explanation = localize('purge.keptAfter', {});
    }
    return { name: f.name, size: f.size, status, neededBy, explanation };
  });
  const purgeable = out.filter((f) => f.status === 'purgeable').map((f) => f.name);
  return {
    files: out,
    currentFile,
    purgeTo: purgeable.length ? files[bound]!.name : null,
    purgeable,
    purgeableBytes: out.filter((f) => f.status === 'purgeable').reduce((s, f) => s + f.size, 0),
    totalBytes: files.reduce((s, f) => s + f.size, 0),
    broken,
    dumpThreads,
  };
}

async function readListing(c: mysql.Connection, needs: ChannelNeed[]): Promise<BinlogListing> {
  let files: Row[];
  try {
    [files] = (await c.query('SHOW BINARY LOGS')) as unknown as [Row[]];
  } catch (err) {
    const e = err as { code?: string; message: string };
    if (e.code === 'ER_NO_BINARY_LOGGING') throw new ReplicaDeskError('PURGE_NO_BINLOG', 'The master has no binary log (log-bin is off), so there is nothing to purge.');
    throw new ReplicaDeskError('PURGE_LIST_FAILED', `SHOW BINARY LOGS failed on the master: ${e.message}. The account needs BINLOG MONITOR (MariaDB) or REPLICATION CLIENT (MySQL).`);
  }
  // SHOW MASTER STATUS was renamed SHOW BINARY LOG STATUS in MySQL 8.2 (the old name is gone in 8.4).
  let status: Row[] = [];
  try {
    [status] = (await c.query('SHOW MASTER STATUS')) as unknown as [Row[]];
  } catch {
    [status] = (await c.query('SHOW BINARY LOG STATUS')) as unknown as [Row[]];
  }
  const [procs] = (await c.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")) as unknown as [Row[]];
  const list = files.map((r) => ({ name: String(r.Log_name), size: Number(r.File_size) }));
  return classifyBinlogs(list, String(status[0]?.File ?? list[list.length - 1]?.name ?? ''), needs, Number(procs[0]?.n ?? 0));
}

/** Lists the master's binary logs and which of them may go. Changes nothing. */
export async function listPurgeableBinlogs(master: MySqlEndpoint, needs: ChannelNeed[]): Promise<BinlogListing> {
  const c = await connectEndpoint(master);
  try {
    return await readListing(c, needs);
  } finally {
    await c.end().catch(() => undefined);
  }
}

export interface PurgeOutcome {
  purgedTo: string;
  deleted: string[];
  freedBytes: number;
  remaining: string[];
  /** Files that should have gone but the server kept (e.g. MariaDB's binlog checkpoint has not passed them yet), with its reason. */
  kept: { name: string; reason: string }[];
}

/**
 * Deletes the binary logs before `confirmedPurgeTo`, which must be the `purgeTo` the user was shown (or an
 * older file). The listing is read again first: if the safe boundary moved back meanwhile (a channel needs
 * an older file than when the user confirmed), nothing is deleted.
 */
export async function purgeBinlogs(master: MySqlEndpoint, needs: ChannelNeed[], confirmedPurgeTo: string): Promise<PurgeOutcome> {
  const c = await connectEndpoint(master);
  try {
    const now = await readListing(c, needs);
    if (now.broken.length) {
      throw new ReplicaDeskError('PURGE_CHANNEL_BROKEN', `Nothing purged: ${now.broken.map((b) => `channel ${b.channel} needs ${b.file}`).join('; ')}, which the master no longer has. That channel needs a new initial copy first.`, { broken: now.broken });
    }
    const names = now.files.map((f) => f.name);
    const want = names.indexOf(confirmedPurgeTo);
    const safe = now.purgeTo === null ? 0 : names.indexOf(now.purgeTo);
    if (want < 0) throw new ReplicaDeskError('PURGE_UNKNOWN_FILE', `Nothing purged: the master has no binary log named ${confirmedPurgeTo}.`, { file: confirmedPurgeTo });
    if (want > safe) {
      throw new ReplicaDeskError('PURGE_NOT_SAFE', `Nothing purged: files before ${confirmedPurgeTo} are not all safe to delete (safe: up to ${now.purgeTo ?? 'none'}). List the logs again and confirm the new boundary.`, { confirmed: confirmedPurgeTo, safe: now.purgeTo });
    }
    if (want === 0) return { purgedTo: confirmedPurgeTo, deleted: [], freedBytes: 0, remaining: names, kept: [] };
    await c.query('PURGE BINARY LOGS TO ?', [confirmedPurgeTo]);
    const [warn] = (await c.query('SHOW WARNINGS')) as unknown as [Row[]];
    const after = await readListing(c, needs);
    const left = new Set(after.files.map((f) => f.name));
    const deleted = now.files.filter((f) => !left.has(f.name));
    const why = warn.map((w) => String(w.Message)).join(' ') || 'the server kept it (still in use, or not yet past its crash-recovery checkpoint); try again in a moment';
    const kept = names.slice(0, want).filter((n) => left.has(n)).map((name) => ({ name, reason: why }));
    return { purgedTo: confirmedPurgeTo, deleted: deleted.map((f) => f.name), freedBytes: deleted.reduce((s, f) => s + f.size, 0), remaining: after.files.map((f) => f.name), kept };
  } finally {
    await c.end().catch(() => undefined);
  }
}
