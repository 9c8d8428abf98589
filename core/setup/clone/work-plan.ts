/**
 * Which pieces of work the parallel streams take. Pure.
 *
 * One table is one piece, unless it is much bigger than a stream's fair share of the copy: then it is cut
 * into primary-key ranges (single-column integer keys only) that several streams read from their snapshots
 * (all the same instant) and load side by side, so one big table does not leave the other streams idle.
 *
 * Not tables with an AUTO_INCREMENT column: InnoDB (innodb_autoinc_lock_mode=1, the default) holds that
 * table's AUTO-INC lock for a whole LOAD DATA, so the ranges would load one after the other anyway, each
 * waiting for the previous one under innodb_lock_wait_timeout (measured: no gain on sysbench tables; on the
 * same table without AUTO_INCREMENT, 10-15 % faster on 2 busy cores).
 */
import { qid } from '../endpoint';
import type { TableInfo } from './schema';

export interface WorkItem {
  table: TableInfo;
  /** WHERE clause for a range of the primary key; undefined for the whole table. */
  where?: string;
  part: number;
  parts: number;
  /** Estimated bytes of this piece (for ordering: biggest first). */
  bytes: number;
}

export interface SplitPolicy {
  streams: number;
  /** Tables smaller than this are never split. */
  minBytes: number;
}

/** How many parts each table should be cut into (1: whole). */
export function partsFor(tables: TableInfo[], policy: SplitPolicy): Map<TableInfo, number> {
  const total = tables.reduce((s, t) => s + t.bytesEstimate, 0);
  const share = total / Math.max(1, policy.streams);
  const out = new Map<TableInfo, number>();
  for (const t of tables) {
    let parts = 1;
    if (policy.streams > 1 && t.intPk && !t.columns.some((c) => c.autoIncrement) && t.bytesEstimate >= policy.minBytes && t.bytesEstimate > share) {
      parts = Math.min(policy.streams, Math.ceil(t.bytesEstimate / Math.max(1, share)));
    }
    out.set(t, parts);
  }
  return out;
}

/**
 * Boundaries cutting [min, max] into `parts` ranges of equal width: parts - 1 values b, each range being
 * [b(i-1), b(i)); the first range is open below and the last open above, so no row can fall outside.
 */
export function rangeBoundaries(min: bigint, max: bigint, parts: number): bigint[] {
  const width = max - min + 1n;
  const out: bigint[] = [];
  for (let i = 1; i < parts; i++) {
    const b = min + (width * BigInt(i)) / BigInt(parts);
    if (b > min && (out.length === 0 || b > out[out.length - 1]!)) out.push(b);
  }
  return out;
}

/** The work items for one table cut at `boundaries` on column `pk`. */
export function rangeItems(table: TableInfo, pk: string, boundaries: bigint[]): WorkItem[] {
  const parts = boundaries.length + 1;
  const col = qid(pk);
  const items: WorkItem[] = [];
  for (let i = 0; i < parts; i++) {
    const lo = i > 0 ? `${col} >= ${boundaries[i - 1]!.toString()}` : '';
    const hi = i < parts - 1 ? `${col} < ${boundaries[i]!.toString()}` : '';
    items.push({ table, where: [lo, hi].filter(Boolean).join(' AND '), part: i + 1, parts, bytes: table.bytesEstimate / parts });
  }
  return items;
}

/** Biggest first, so the last pieces to finish are small ones. */
export function orderWork(items: WorkItem[]): WorkItem[] {
  return [...items].sort((a, b) => b.bytes - a.bytes);
}
