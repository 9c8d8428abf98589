import { ReplicaDeskError } from '../../errors';
import type { EndpointConfig } from '../client/endpoint';

/** replicate-* options of one channel, with MySQL's meanings (see apply/filters.ts). */
export interface ReplicationFilters {
  doDb: string[];
  ignoreDb: string[];
  doTable: string[];
  ignoreTable: string[];
  wildDoTable: string[];
  wildIgnoreTable: string[];
  /** replicate-rewrite-db=from->to */
  rewriteDb: { from: string; to: string }[];
}

export function emptyFilters(): ReplicationFilters {
  return { doDb: [], ignoreDb: [], doTable: [], ignoreTable: [], wildDoTable: [], wildIgnoreTable: [], rewriteDb: [] };
}

/**
 * Where replication starts the first time (CHANGE MASTER TO MASTER_LOG_FILE/POS, or a GTID position).
 * Later starts resume from the saved positions.
 */
export type StartPosition = { kind: 'file'; file: string; pos: number } | { kind: 'gtid'; gtid: string };

/** MASTER_USE_GTID (MariaDB) / MASTER_AUTO_POSITION (MySQL): how the I/O thread asks where to resume. */
export type UseGtid = 'No' | 'Slave_Pos';

/** slave_exec_mode. */
export type ExecMode = 'STRICT' | 'IDEMPOTENT';

/** Everything CHANGE MASTER TO and the replica's my.cnf say about one channel, minus the passwords. */
export interface ChannelConfig {
  name: string;
  /** Random id of this channel's incarnation; the target's position row carries it (a re-created channel of the same name must not resume an old row). */
  channelId?: string;
  master: EndpointConfig;
  target: EndpointConfig;
  /** This replica's server_id towards the master (must differ from the master's and other replicas'). */
  serverId: number;
  start: StartPosition;
  useGtid: UseGtid;
  /** MASTER_CONNECT_RETRY, seconds. */
  connectRetry: number;
  /** MASTER_HEARTBEAT_PERIOD, seconds (0 disables). */
  heartbeatPeriod: number;
  /** slave_net_timeout, seconds: no data for this long means the link is dead. */
  netTimeout: number;
  /** max_relay_log_size, bytes. */
  maxRelayLogSize: number;
  /** relay_log_space_limit, bytes (0 = no limit). */
  relayLogSpaceLimit: number;
  filters: ReplicationFilters;
  execMode: ExecMode;
  /** log_slave_updates: when false the applier's changes are kept out of the target's binary log. */
  logSlaveUpdates: boolean;
  /** Database in the target that holds the applied-position table. */
  stateDatabase: string;
  /** Grouping while catching up: at most this many source transactions per target transaction. */
  maxGroupTransactions: number;
  /** ... and at most about this many bytes of events. */
  maxGroupBytes: number;
  /**
   * Fold row events of tables related only through their primary key into net changes per key while
   * catching up (default true). False applies every row event as its own statement.
   */
  netChanges?: boolean;
  /** A note for people, e.g. "Osaka office server". */
  description?: string;
}

export const CHANNEL_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;

export function checkChannelName(name: string): void {
  if (!CHANNEL_NAME_PATTERN.test(name)) {
    throw new ReplicaDeskError(
      'CHANNEL_BAD_NAME',
      `"${name}" cannot be a channel name: use 1-64 letters, digits, "_" or "-" (it names the relay-log files and the target's position row).`,
      { name },
    );
  }
}

export const CONFIG_DEFAULTS = {
  connectRetry: 60,
  heartbeatPeriod: 30,
  netTimeout: 60,
  maxRelayLogSize: 256 * 1024 * 1024,
  relayLogSpaceLimit: 0,
  execMode: 'STRICT' as ExecMode,
  logSlaveUpdates: false,
  stateDatabase: 'replicadesk',
  maxGroupTransactions: 1000,
  maxGroupBytes: 8 * 1024 * 1024,
  useGtid: 'No' as UseGtid,
};

/** Fills defaults and checks ranges; throws CHANNEL_BAD_CONFIG naming the field. */
export function normalizeConfig(c: Partial<ChannelConfig> & Pick<ChannelConfig, 'name' | 'master' | 'target'>): ChannelConfig {
  checkChannelName(c.name);
  const out: ChannelConfig = {
    name: c.name,
    ...(c.channelId ? { channelId: c.channelId } : {}),
    master: c.master,
    target: c.target,
    serverId: c.serverId ?? defaultServerId(c.name),
    start: c.start ?? { kind: 'file', file: '', pos: 4 },
    useGtid: c.useGtid ?? (c.start?.kind === 'gtid' ? 'Slave_Pos' : CONFIG_DEFAULTS.useGtid),
    connectRetry: c.connectRetry ?? CONFIG_DEFAULTS.connectRetry,
    heartbeatPeriod: c.heartbeatPeriod ?? CONFIG_DEFAULTS.heartbeatPeriod,
    netTimeout: c.netTimeout ?? CONFIG_DEFAULTS.netTimeout,
    maxRelayLogSize: c.maxRelayLogSize ?? CONFIG_DEFAULTS.maxRelayLogSize,
    relayLogSpaceLimit: c.relayLogSpaceLimit ?? CONFIG_DEFAULTS.relayLogSpaceLimit,
    filters: { ...emptyFilters(), ...(c.filters ?? {}) },
    execMode: c.execMode ?? CONFIG_DEFAULTS.execMode,
    logSlaveUpdates: c.logSlaveUpdates ?? CONFIG_DEFAULTS.logSlaveUpdates,
    stateDatabase: c.stateDatabase ?? CONFIG_DEFAULTS.stateDatabase,
    maxGroupTransactions: c.maxGroupTransactions ?? CONFIG_DEFAULTS.maxGroupTransactions,
    maxGroupBytes: c.maxGroupBytes ?? CONFIG_DEFAULTS.maxGroupBytes,
  };
  if (c.description !== undefined) out.description = c.description;
  if (c.netChanges !== undefined) out.netChanges = c.netChanges;
  const bad = (field: string, why: string) => {
    throw new ReplicaDeskError('CHANNEL_BAD_CONFIG', `Channel ${c.name}: ${field} ${why}.`, { channel: c.name, field });
  };
  if (!Number.isInteger(out.serverId) || out.serverId < 1 || out.serverId > 0xffffffff) bad('serverId', 'must be an integer from 1 to 4294967295');
  if (!(out.connectRetry > 0)) bad('connectRetry', 'must be more than 0 seconds');
  if (!(out.heartbeatPeriod >= 0) || out.heartbeatPeriod > 4294967) bad('heartbeatPeriod', 'must be 0 to 4294967 seconds');
  if (!(out.netTimeout > 0)) bad('netTimeout', 'must be more than 0 seconds');
  if (out.heartbeatPeriod > out.netTimeout) bad('heartbeatPeriod', 'must not exceed netTimeout (slave_net_timeout), or a quiet master would look dead');
  if (!(out.maxRelayLogSize >= 4096)) bad('maxRelayLogSize', 'must be at least 4096 bytes');
  if (!(out.relayLogSpaceLimit >= 0)) bad('relayLogSpaceLimit', 'must be 0 (no limit) or more');
  if (!(out.maxGroupTransactions >= 1)) bad('maxGroupTransactions', 'must be at least 1');
  if (!/^[A-Za-z0-9_]{1,64}$/.test(out.stateDatabase)) bad('stateDatabase', 'must be 1-64 letters, digits or "_"');
  if (out.start.kind === 'file' && !(out.start.pos >= 4)) bad('start position', 'must be 4 or more');
  if (!['STRICT', 'IDEMPOTENT'].includes(out.execMode)) bad('execMode', 'must be STRICT or IDEMPOTENT');
  for (const r of out.filters.rewriteDb) if (!r.from || !r.to) bad('rewriteDb', 'entries need both FROM and TO database names');
  return out;
}

/** A stable server_id per channel name in the high range real servers rarely use. */
export function defaultServerId(name: string): number {
  let h = 2166136261;
  for (const ch of Buffer.from(name, 'utf8')) h = Math.imul(h ^ ch, 16777619) >>> 0;
  return 1_000_000_000 + (h % 1_000_000_000);
}
