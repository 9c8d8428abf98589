import type { Localized } from '../messages/localize';
import type { ServerVersion } from '../flavor';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export type CheckId =
  | 'master_connect'
  | 'target_connect'
  | 'version'
  | 'log_bin'
  | 'binlog_format'
  | 'server_id'
  | 'binlog_row_image'
  | 'gtid'
  | 'replication_privileges'
  | 'copy_privileges'
  | 'binlog_retention'
  | 'max_allowed_packet'
  | 'character_sets'
  | 'lower_case_table_names'
  | 'storage_engines'
  | 'target_read_only'
  | 'free_disk';

/** The exact thing to do, language-neutral (a my.cnf line, a statement, a command), and where to do it. */
export interface CheckFix {
  kind: 'mycnf' | 'sql' | 'shell';
  /** Which machine/server: the office server (master), the backup server (target), or the backup PC itself. */
  on: 'master' | 'target' | 'backup-pc';
  code: string;
  /** True when the change takes effect only after the server restarts. */
  restart?: boolean;
}

/**
 * One pre-flight check. `skip` means it could not be evaluated because an earlier check failed (for example
 * no connection); `explanation` then says which.
 */
export interface CheckResult {
  id: CheckId;
  status: CheckStatus;
  observed: string;
  expected: string;
  /** What it means for the backup, in plain words. */
  explanation: Localized;
  /** How to fix it, when it is not a pass: the words, and the exact code in `fix`. */
  howToFix?: Localized;
  fix?: CheckFix[];
}

export interface TableFact {
  schema: string;
  name: string;
  engine: string | null;
  collation: string | null;
  /** data_length + index_length, an estimate. */
  bytes: number;
}

/** Everything the checks need to know about one server, gathered once. */
export interface ServerFacts {
  version: ServerVersion;
  /** Global variables, names lower-case. */
  vars: Record<string, string>;
  /** CURRENT_USER() as user@host. */
  currentUser: string;
  /** SHOW GRANTS lines with any password hash removed. */
  grants: string[];
  /** Authentication plugin when it could be learnt. */
  authPlugin?: string;
  /** SHOW ENGINES: engine (upper-case) → Support. */
  engines: Record<string, string>;
  /** User tables (system schemas excluded), as far as the user may see them. */
  tables: TableFact[];
  /** Collations the server knows. */
  collations: string[];
}

export interface ConnectFailure {
  /** Driver or server error code (ECONNREFUSED, ER_ACCESS_DENIED_ERROR, …). */
  code: string;
  message: string;
  host: string;
  port: number;
  user: string;
}

export interface DiskFact {
  path: string;
  what: 'relay-log' | 'target-datadir';
  freeBytes: number;
  totalBytes: number;
}

export interface OtherMaster {
  channel: string;
  serverId: number;
  gtidDomainId?: number;
}

export interface PreflightFacts {
  master: ServerFacts | ConnectFailure;
  target: ServerFacts | ConnectFailure;
  otherMasters: OtherMaster[];
  disks: DiskFact[];
  /** The longest time the backup PC may be switched off (seconds). */
  maxOfflineSeconds: number;
  /** Bytes the copy will add on the target (estimate from the master), plus relay-log headroom. */
  relayHeadroomBytes: number;
  /** Databases included in the copy (after filters); undefined = all. */
  includeTable?: (schema: string, table: string) => boolean;
}

export function isFailure(x: ServerFacts | ConnectFailure): x is ConnectFailure {
  return (x as ConnectFailure).code !== undefined && (x as ServerFacts).version === undefined;
}
