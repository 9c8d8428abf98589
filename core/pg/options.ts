/**
 * Everything a FanoutProxy needs to run, in plain data, and how it is read from pgpool's own files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ReplicaDeskError } from '../errors';
import { PoolHbaDocument } from '../config/pgpool/pool-hba';
import { PasswordBook, PoolPasswdDocument, defaultPoolKeyFile, readPoolKey } from '../config/pgpool/pool-passwd';
import { type ConfDiagnostic, type PgpoolSettings, readPgpoolSettings } from '../config/pgpool/settings';
import type { BackendTls } from './backend/connection';

export interface HealthCheckOptions {
  /** Seconds between checks; 0 = off. */
  period: number;
  timeout: number;
  user: string;
  /** '' = look the user up in pool_passwd. */
  password: string;
  /** '' = try postgres, then template1. */
  database: string;
  maxRetries: number;
  retryDelay: number;
}

export interface BackendNodeOptions {
  id: number;
  host: string;
  port: number;
  weight: number;
  allowFailover: boolean;
  /** backend_application_name, shown in events. */
  name: string;
  healthCheck: HealthCheckOptions;
  connectTimeoutMs: number;
  /** ssl = on: ask the node for TLS (plain text if it has none, like pgpool). */
  tls?: BackendTls;
}

export interface FanoutOptions {
  /** Name of this proxy (for events and the service). */
  name: string;
  listenAddresses: string[];
  port: number;
  nodes: BackendNodeOptions[];
  loadBalance: boolean;
  statementLevelLoadBalance: boolean;
  replicateSelect: boolean;
  insertLock: boolean;
  /** failover_if_affected_tuples_mismatch: detach nodes whose row counts differ (else: abort). */
  detachOnRowCountMismatch: boolean;
  /** replication_stop_on_mismatch: detach nodes whose kind of reply differs (else: abort). */
  detachOnKindMismatch: boolean;
  failoverOnBackendError: boolean;
  /** num_init_children: clients served at once; more wait for a free slot. */
  maxClients: number;
  /** max_pool: idle backend connection sets kept per user/database. */
  maxPool: number;
  connectionCache: boolean;
  connectionLifeTime: number;
  clientIdleLimit: number;
  resetQueryList: string[];
  authenticationTimeout: number;
  enablePoolHba: boolean;
  hba?: PoolHbaDocument;
  passwords: PasswordBook;
  allowClearTextFrontendAuth: boolean;
  /** TLS for clients (ssl = on). */
  tls?: { cert: Buffer; key: Buffer };
  readOnlyFunctions: RegExp[];
  writeFunctions: RegExp[];
  recoveryUser: string;
  recoveryPassword: string;
  /** Seconds a recovery may pause writes at most before it gives up (recovery_timeout). */
  recoveryTimeout: number;
  /** Directory holding pg_dump/pg_restore. */
  pgBinDir?: string;
  /**
   * When a transaction's writes (already done on the main node) go to the other nodes. Same guarantees in
   * every case; a trade of latency against system calls. eager: each at once. deferred: all at COMMIT.
   * adaptive (the default): at COMMIT for short transactions; in batches (8 statements or 32 KiB) to a node
   * with nothing in flight for long ones.
   */
  othersFlush: 'eager' | 'deferred' | 'adaptive';
  /**
   * Check the other nodes' results before they commit, so that a row-count difference can be rolled back
   * everywhere instead of detaching the node. Costs one round trip to the other nodes per transaction.
   */
  verifyBeforeCommit: boolean;
}

export const DEFAULT_HEALTH_CHECK: HealthCheckOptions = { period: 0, timeout: 20, user: 'nobody', password: '', database: '', maxRetries: 0, retryDelay: 1 };

export function defaultOptions(nodes: Pick<BackendNodeOptions, 'host' | 'port'>[], passwords: PasswordBook, over: Partial<FanoutOptions> = {}): FanoutOptions {
  return {
    name: 'fanout',
    listenAddresses: ['127.0.0.1'],
    port: 9999,
    nodes: nodes.map((n, id) => ({ id, host: n.host, port: n.port, weight: 1, allowFailover: true, name: `node${id}`, healthCheck: { ...DEFAULT_HEALTH_CHECK }, connectTimeoutMs: 10000 })),
    loadBalance: true,
    statementLevelLoadBalance: false,
    replicateSelect: false,
    insertLock: true,
    detachOnRowCountMismatch: false,
    detachOnKindMismatch: false,
    failoverOnBackendError: true,
    maxClients: 32,
    maxPool: 4,
    connectionCache: true,
    connectionLifeTime: 0,
    clientIdleLimit: 0,
    resetQueryList: ['ABORT', 'DISCARD ALL'],
    authenticationTimeout: 60,
    enablePoolHba: false,
    passwords,
    allowClearTextFrontendAuth: false,
    readOnlyFunctions: [],
    writeFunctions: [],
    recoveryUser: '',
    recoveryPassword: '',
    recoveryTimeout: 90,
    othersFlush: 'adaptive',
    verifyBeforeCommit: false,
    ...over,
  };
}

function functionPatterns(list: string[], param: string): RegExp[] {
  return list.map((p) => {
    try {
      return new RegExp(`^(?:${p})$`);
    } catch {
      throw new ReplicaDeskError('PGPOOL_CONF_INVALID', `${param}: "${p}" is not a valid regular expression.`, { param });
    }
  });
}

/** ssl_ca_cert (a PEM file) and ssl_ca_cert_dir (a folder of PEM files): what backend certificates must chain to. */
function readCaCertificates(dir: string, file: string, folder: string): Buffer[] | undefined {
  const out: Buffer[] = [];
  const read = (f: string, param: string) => {
    try {
      out.push(fs.readFileSync(f));
    } catch (err) {
      throw new ReplicaDeskError('PGPOOL_TLS_FILES', `${param}: ${f} cannot be read (${(err as Error).message}).`, { file: f });
    }
  };
  if (file) read(path.resolve(dir, file), 'ssl_ca_cert');
  if (folder) {
    const d = path.resolve(dir, folder);
    let names: string[];
    try {
      names = fs.readdirSync(d);
    } catch (err) {
      throw new ReplicaDeskError('PGPOOL_TLS_FILES', `ssl_ca_cert_dir: ${d} cannot be read (${(err as Error).message}).`, { dir: d });
    }
    for (const n of names.sort()) {
      const f = path.join(d, n);
      if (fs.statSync(f).isFile() && fs.readFileSync(f, 'latin1').includes('-----BEGIN CERTIFICATE-----')) read(f, 'ssl_ca_cert_dir');
    }
  }
  return out.length ? out : undefined;
}

export interface LoadedConfig {
  options: FanoutOptions;
  settings: PgpoolSettings;
  /** Everything worth telling the user: unknown/unsupported parameters, problems in pool_hba/pool_passwd. */
  diagnostics: ConfDiagnostic[];
}

/**
 * Reads pgpool.conf (with includes), pool_hba.conf and pool_passwd the way pgpool-II 4.3 would, into
 * FanoutOptions. Errors that make running impossible throw; everything else is returned as diagnostics.
 */
export function loadPgpoolConfig(confFile: string, opts: { keyFile?: string; name?: string } = {}): LoadedConfig {
  const settings = readPgpoolSettings(confFile);
  const diagnostics: ConfDiagnostic[] = [...settings.diagnostics];
  const fatal = settings.errors();
  if (fatal.length) {
    const first = fatal[0]!;
    throw new ReplicaDeskError('PGPOOL_CONF_INVALID', `${first.file}:${first.line}: ${first.message}${fatal.length > 1 ? ` (and ${fatal.length - 1} more problems)` : ''}. Fix the file and start again.`, { diagnostics: fatal });
  }
  const dir = path.dirname(path.resolve(confFile));
  const mode = settings.str('backend_clustering_mode');
  const legacy = settings.isSet('replication_mode') && settings.bool('replication_mode');
  if (mode !== 'native_replication' && !legacy) {
    const src = settings.source('backend_clustering_mode');
    throw new ReplicaDeskError(
      'PGPOOL_MODE_UNSUPPORTED',
      `${src ? `${src.file}:${src.line}: ` : ''}backend_clustering_mode is '${mode}'; ReplicaDesk replaces pgpool-II in native replication mode only. Set backend_clustering_mode = 'native_replication'.`,
      { mode },
    );
  }
  const indexes = settings.backendIndexes();
  if (indexes.length === 0) throw new ReplicaDeskError('PGPOOL_NO_BACKENDS', `${confFile} defines no backends (backend_hostname0, backend_port0, ...).`);
  const nodes: BackendNodeOptions[] = indexes.map((i) => {
    const flag = settings.str('backend_flag', i);
    const flags = flag.split('|').map((f) => f.trim().toUpperCase());
    return {
      id: i,
      // pgpool: an empty backend_hostname means the Unix-domain socket in /tmp.
      host: settings.str('backend_hostname', i) || '/tmp',
      port: settings.int('backend_port', i) || 5432,
      weight: settings.get('backend_weight', i) as number,
      allowFailover: !flags.includes('DISALLOW_TO_FAILOVER'),
      name: settings.str('backend_application_name', i) || `node${i}`,
      healthCheck: {
        period: settings.int('health_check_period', i),
        timeout: settings.int('health_check_timeout', i),
        user: settings.str('health_check_user', i),
        password: settings.str('health_check_password', i),
        database: settings.str('health_check_database', i),
        maxRetries: settings.int('health_check_max_retries', i),
        retryDelay: settings.int('health_check_retry_delay', i),
      },
      connectTimeoutMs: settings.int('connect_timeout', i),
    };
  });
  // pgpool uses weight 0 as "never load balance"; when every weight is 0 (the default), all are equal.
  if (nodes.every((n) => n.weight === 0)) for (const n of nodes) n.weight = 1;

  const passwdFile = path.resolve(dir, settings.str('pool_passwd'));
  let passwdDoc: PoolPasswdDocument | undefined;
  if (settings.str('pool_passwd') !== '') {
    try {
      passwdDoc = PoolPasswdDocument.load(passwdFile);
      for (const p of passwdDoc.problems()) diagnostics.push({ severity: 'warning', file: p.file, line: p.line, kind: 'syntax', message: p.message });
    } catch (err) {
      diagnostics.push({ severity: 'warning', file: passwdFile, line: 0, kind: 'include', message: (err as Error).message });
    }
  }
  const keyFile = opts.keyFile ?? defaultPoolKeyFile();
  const passwords = new PasswordBook(passwdDoc, readPoolKey(keyFile));

  let hba: PoolHbaDocument | undefined;
  if (settings.bool('enable_pool_hba')) {
    hba = PoolHbaDocument.load(path.join(dir, 'pool_hba.conf'));
    for (const p of hba.problems()) diagnostics.push({ severity: 'warning', file: p.file, line: p.line, kind: 'syntax', message: p.message });
  }

  let tls: FanoutOptions['tls'];
  if (settings.bool('ssl')) {
    const cert = path.resolve(dir, settings.str('ssl_cert') || 'server.crt');
    const key = path.resolve(dir, settings.str('ssl_key') || 'server.key');
    // pgpool: without ssl_cert and ssl_key, ssl = on encrypts only the connections to the backends.
    const named = settings.str('ssl_cert') !== '' || settings.str('ssl_key') !== '';
    if (named || (fs.existsSync(cert) && fs.existsSync(key))) {
      try {
        tls = { cert: fs.readFileSync(cert), key: fs.readFileSync(key) };
      } catch (err) {
        throw new ReplicaDeskError('PGPOOL_TLS_FILES', `ssl = on, but the certificate or key cannot be read (${(err as Error).message}). Check ssl_cert and ssl_key.`, { cert, key });
      }
    }
    const backendTls: BackendTls = { ca: readCaCertificates(dir, settings.str('ssl_ca_cert'), settings.str('ssl_ca_cert_dir')) };
    for (const n of nodes) n.tls = backendTls;
  }

  const failoverOnError = settings.isSet('fail_over_on_backend_error') && !settings.isSet('failover_on_backend_error') ? settings.bool('fail_over_on_backend_error') : settings.bool('failover_on_backend_error');
  const listen = settings.str('listen_addresses');
  const options: FanoutOptions = {
    ...defaultOptions([], passwords),
    name: opts.name ?? path.basename(confFile),
    listenAddresses: listen === '*' ? ['0.0.0.0'] : listen.split(',').map((s) => s.trim()).filter(Boolean).map((s) => (s === 'localhost' ? '127.0.0.1' : s)),
    port: settings.int('port'),
    nodes,
    loadBalance: settings.bool('load_balance_mode'),
    statementLevelLoadBalance: settings.bool('statement_level_load_balance'),
    replicateSelect: settings.bool('replicate_select'),
    insertLock: settings.bool('insert_lock'),
    detachOnRowCountMismatch: settings.bool('failover_if_affected_tuples_mismatch'),
    detachOnKindMismatch: settings.bool('replication_stop_on_mismatch'),
    failoverOnBackendError: failoverOnError,
    maxClients: settings.int('num_init_children'),
    maxPool: settings.int('max_pool'),
    connectionCache: settings.bool('connection_cache'),
    connectionLifeTime: settings.int('connection_life_time'),
    clientIdleLimit: settings.int('client_idle_limit'),
    resetQueryList: settings.list('reset_query_list'),
    authenticationTimeout: settings.int('authentication_timeout'),
    enablePoolHba: settings.bool('enable_pool_hba'),
    hba,
    passwords,
    allowClearTextFrontendAuth: settings.bool('allow_clear_text_frontend_auth'),
    tls,
    readOnlyFunctions: functionPatterns(settings.list('read_only_function_list'), 'read_only_function_list'),
    writeFunctions: functionPatterns(settings.list('write_function_list'), 'write_function_list'),
    recoveryUser: settings.str('recovery_user'),
    recoveryPassword: settings.str('recovery_password'),
    recoveryTimeout: settings.int('recovery_timeout'),
  };
  return { options, settings, diagnostics };
}
