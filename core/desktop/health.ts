/**
 * How healthy each channel and fan-out is, and the one colour the tray shows for all of them. Pure data in,
 * pure data out, so the rules are tested in plain Node and Electron main only paints the result.
 */

/** Ordered from best to worst; the tray shows the worst unit's health. */
export type Health = 'idle' | 'ok' | 'warn' | 'error';
const RANK: Record<Health, number> = { idle: 0, ok: 1, warn: 2, error: 3 };

/** Why a unit has its health; each reason has a sentence in messages.ts. */
export type HealthReason =
  | 'replicating'
  | 'lagging'
  | 'reconnecting'
  | 'stopped'
  | 'io-error'
  | 'sql-error'
  | 'serving'
  | 'node-detached'
  | 'node-recovering'
  | 'all-nodes-down'
  | 'fanout-error';

/** A replica channel as the desktop shell needs it (see from-api.ts for the mapping from the API). */
export interface DesktopChannel {
  name: string;
  /** Slave_IO_Running: 'Connecting' is a running thread that has not (re)connected yet. */
  io: 'running' | 'connecting' | 'stopped';
  /** Slave_SQL_Running. */
  sql: 'running' | 'stopped';
  /** Seconds_Behind_Master; null when unknown (MySQL shows NULL when the I/O thread is not connected). */
  secondsBehindMaster: number | null;
  /** Last_IO_Errno / Last_IO_Error; null when there is none. */
  ioError: { errno: number; message: string } | null;
  /** Last_SQL_Errno / Last_SQL_Error. */
  sqlError: { errno: number; message: string } | null;
}

/** One backend of a fan-out, after SHOW POOL_NODES. */
export interface DesktopPoolNode {
  nodeId: number;
  hostname: string;
  port: number;
  /** pgpool's status words: up, down, waiting (up, no client has used it yet), unused; and recovering. */
  status: 'up' | 'down' | 'waiting' | 'recovering' | 'unused';
}

export interface DesktopFanout {
  name: string;
  running: boolean;
  /** Why the proxy stopped, when it did not stop because it was asked to. */
  error: string | null;
  nodes: DesktopPoolNode[];
}

export interface UnitHealth {
  kind: 'channel' | 'fanout';
  name: string;
  health: Health;
  reason: HealthReason;
  /** Seconds_Behind_Master for a channel, when known. */
  lagSeconds?: number;
  /** For a fan-out: backends up / configured (unused ones are not counted). */
  nodesUp?: number;
  nodesTotal?: number;
}

export interface HealthOptions {
  /** Seconds_Behind_Master above this makes a running channel "lagging". */
  lagWarnSeconds: number;
}

export const DEFAULT_HEALTH_OPTIONS: HealthOptions = { lagWarnSeconds: 300 };

export function channelHealth(c: DesktopChannel, opts: HealthOptions = DEFAULT_HEALTH_OPTIONS): UnitHealth {
  const base = { kind: 'channel' as const, name: c.name, ...(c.secondsBehindMaster !== null ? { lagSeconds: c.secondsBehindMaster } : {}) };
  // A thread that stopped on an error needs a person; MySQL keeps Last_*_Error after a restart too, so it
  // only counts while the thread is actually down.
  if (c.sql === 'stopped' && c.sqlError) return { ...base, health: 'error', reason: 'sql-error' };
  if (c.io === 'stopped' && c.ioError) return { ...base, health: 'error', reason: 'io-error' };
  if (c.io === 'stopped' || c.sql === 'stopped') return { ...base, health: 'warn', reason: 'stopped' };
  if (c.io === 'connecting') return { ...base, health: 'warn', reason: 'reconnecting' };
  if (c.secondsBehindMaster !== null && c.secondsBehindMaster > opts.lagWarnSeconds) return { ...base, health: 'warn', reason: 'lagging' };
  return { ...base, health: 'ok', reason: 'replicating' };
}

export function fanoutHealth(f: DesktopFanout): UnitHealth {
  const counted = f.nodes.filter((n) => n.status !== 'unused');
  const up = counted.filter((n) => n.status === 'up' || n.status === 'waiting').length;
  const base = { kind: 'fanout' as const, name: f.name, nodesUp: up, nodesTotal: counted.length };
  if (!f.running) return f.error ? { ...base, health: 'error', reason: 'fanout-error' } : { ...base, health: 'warn', reason: 'stopped' };
  if (counted.length > 0 && up === 0) return { ...base, health: 'error', reason: 'all-nodes-down' };
  // A detached backend no longer gets the writes: the copies are drifting apart until it is recovered.
  if (counted.some((n) => n.status === 'down')) return { ...base, health: 'warn', reason: 'node-detached' };
  if (up < counted.length) return { ...base, health: 'warn', reason: 'node-recovering' };
  return { ...base, health: 'ok', reason: 'serving' };
}

export function worst(healths: Iterable<Health>): Health {
  let w: Health = 'idle';
  for (const h of healths) if (RANK[h] > RANK[w]) w = h;
  return w;
}

export interface TrayState {
  /** The icon colour: idle grey (nothing set up), ok green, warn amber, error red. */
  health: Health;
  units: UnitHealth[];
  counts: Record<Health, number>;
}

export function computeTrayState(channels: readonly DesktopChannel[], fanouts: readonly DesktopFanout[], opts: HealthOptions = DEFAULT_HEALTH_OPTIONS): TrayState {
  const units = [...channels.map((c) => channelHealth(c, opts)), ...fanouts.map((f) => fanoutHealth(f))];
  const counts: Record<Health, number> = { idle: 0, ok: 0, warn: 0, error: 0 };
  for (const u of units) counts[u.health]++;
  return { health: worst(units.map((u) => u.health)), units, counts };
}
