/**
 * Every pgpool-II 4.3 parameter: its type, default, allowed values or range, when a change takes effect,
 * and what ReplicaDesk does with it. The reader uses it to type values and to list what it will not honour;
 * the pgpool.conf editor uses it to validate edits and to say whether a reload or a restart is needed.
 */

export type ParamType = 'bool' | 'int' | 'real' | 'string' | 'enum' | 'list';
/** restart: read once at start. reload: a reload applies it. session: a reload applies it to new sessions. */
export type ParamContext = 'restart' | 'reload' | 'session';
/** global: `name`; node: only `nameN` (N = backend number); both: `name` as default plus `nameN` per node. */
export type ParamScope = 'global' | 'node' | 'both';
/**
 * used: ReplicaDesk honours it. ignored: accepted, nothing to do (logging, process tuning our design does
 * not need). unsupported: a pgpool feature ReplicaDesk does not provide; setting it changes nothing.
 */
export type ParamSupport = 'used' | 'ignored' | 'unsupported';
export type ParamUnit = 'ms' | 's' | 'min' | 'byte' | 'kB';

export interface ParamSpec {
  name: string;
  type: ParamType;
  default: boolean | number | string | string[];
  context: ParamContext;
  scope: ParamScope;
  support: ParamSupport;
  min?: number;
  max?: number;
  /** Base unit of an int: values may carry a unit suffix (5min, 10MB) and are converted to this. */
  unit?: ParamUnit;
  /** enum: the accepted words (case-insensitive). */
  values?: readonly string[];
  /** list: the separator pgpool splits on. */
  separator?: ',' | ';';
  /** Password-like: never shown or logged. */
  secret?: boolean;
  /** Highest node number for scope node/both (pgpool: 127 backends, 127 watchdog peers). */
  maxIndex?: number;
  /** For unsupported/ignored parameters: one line telling the user why, shown next to the file and line. */
  note?: string;
}

const INT_MAX = 2147483647;
const MAX_BACKENDS = 128;

type Extra = Partial<Omit<ParamSpec, 'name' | 'type' | 'default' | 'context' | 'support'>>;
const P = (name: string, type: ParamType, def: ParamSpec['default'], context: ParamContext, support: ParamSupport, extra: Extra = {}): ParamSpec => ({
  name,
  type,
  default: def,
  context,
  scope: 'global',
  support,
  ...extra,
});

const WATCHDOG = 'ReplicaDesk runs as one instance; pgpool watchdog clustering is not provided.';
const MEMQCACHE = 'ReplicaDesk has no query result cache; results always come from a backend.';
const LOGGING = 'ReplicaDesk writes its own log in its data directory.';
const STREAMING = 'Applies to streaming-replication mode only; ReplicaDesk does native replication.';
const PROCESS = 'ReplicaDesk is one event-driven process; this pgpool process setting has no equivalent.';
const PCP = 'ReplicaDesk is administered through its own app, API and CLI, not PCP.';
const SSL_EXTRA = 'ReplicaDesk uses the certificate and key; this finer TLS setting keeps Node.js defaults.';

const LEVELS = ['debug', 'debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'info', 'notice', 'warning', 'error', 'log', 'fatal', 'panic'] as const;

export const PGPOOL_PARAMS: readonly ParamSpec[] = [
  // Clustering and connections
  P('backend_clustering_mode', 'enum', 'streaming_replication', 'restart', 'used', {
    values: ['streaming_replication', 'native_replication', 'logical_replication', 'slony', 'raw', 'snapshot_isolation'],
  }),
  P('replication_mode', 'bool', false, 'restart', 'used', { note: 'pgpool before 4.2; "on" means native_replication.' }),
  P('listen_addresses', 'string', 'localhost', 'restart', 'used'),
  P('port', 'int', 9999, 'restart', 'used', { min: 1024, max: 65535 }),
  P('socket_dir', 'string', '/var/run/postgresql', 'restart', 'unsupported', { note: 'ReplicaDesk listens on TCP only.' }),
  P('reserved_connections', 'int', 0, 'restart', 'used', { min: 0, max: INT_MAX }),
  P('listen_backlog_multiplier', 'int', 2, 'restart', 'ignored', { min: 1, max: INT_MAX, note: PROCESS }),
  P('serialize_accept', 'bool', false, 'restart', 'ignored', { note: PROCESS }),
  P('pcp_listen_addresses', 'string', 'localhost', 'restart', 'unsupported', { note: PCP }),
  P('pcp_port', 'int', 9898, 'restart', 'unsupported', { min: 1024, max: 65535, note: PCP }),
  P('pcp_socket_dir', 'string', '/var/run/postgresql', 'restart', 'unsupported', { note: PCP }),

  // Backends (per node)
  P('backend_hostname', 'string', '', 'reload', 'used', { scope: 'node', maxIndex: MAX_BACKENDS - 1 }),
  P('backend_port', 'int', 0, 'reload', 'used', { scope: 'node', min: 1024, max: 65535, maxIndex: MAX_BACKENDS - 1 }),
  P('backend_weight', 'real', 0, 'reload', 'used', { scope: 'node', min: 0, max: 100000000, maxIndex: MAX_BACKENDS - 1 }),
  P('backend_data_directory', 'string', '', 'reload', 'ignored', {
    scope: 'node',
    maxIndex: MAX_BACKENDS - 1,
    note: 'ReplicaDesk recovers a node over the network (pg_dump/pg_restore), not through its data directory.',
  }),
  P('backend_flag', 'string', 'ALLOW_TO_FAILOVER', 'reload', 'used', { scope: 'node', maxIndex: MAX_BACKENDS - 1 }),
  P('backend_application_name', 'string', '', 'reload', 'used', { scope: 'node', maxIndex: MAX_BACKENDS - 1 }),

  // Authentication and TLS
  P('enable_pool_hba', 'bool', false, 'reload', 'used'),
  P('pool_passwd', 'string', 'pool_passwd', 'restart', 'used'),
  P('authentication_timeout', 'int', 60, 'restart', 'used', { min: 0, max: INT_MAX, unit: 's' }),
  P('allow_clear_text_frontend_auth', 'bool', false, 'reload', 'used'),
  P('ssl', 'bool', false, 'restart', 'used'),
  P('ssl_key', 'string', '', 'restart', 'used'),
  P('ssl_cert', 'string', '', 'restart', 'used'),
  P('ssl_ca_cert', 'string', '', 'restart', 'used', { note: 'Verifies the backends\' certificates (as pgpool does); client certificates are not asked for.' }),
  P('ssl_ca_cert_dir', 'string', '', 'restart', 'used', { note: 'Verifies the backends\' certificates (as pgpool does); client certificates are not asked for.' }),
  P('ssl_crl_file', 'string', '', 'restart', 'unsupported', { note: 'Client certificates are not checked by ReplicaDesk.' }),
  P('ssl_ciphers', 'string', 'HIGH:MEDIUM:+3DES:!aNULL', 'restart', 'ignored', { note: SSL_EXTRA }),
  P('ssl_prefer_server_ciphers', 'bool', false, 'restart', 'ignored', { note: SSL_EXTRA }),
  P('ssl_ecdh_curve', 'string', 'prime256v1', 'restart', 'ignored', { note: SSL_EXTRA }),
  P('ssl_dh_params_file', 'string', '', 'restart', 'ignored', { note: SSL_EXTRA }),
  P('ssl_passphrase_command', 'string', '', 'restart', 'unsupported', { note: 'Use a key file without a passphrase.' }),

  // Pooling
  P('num_init_children', 'int', 32, 'restart', 'used', { min: 1, max: INT_MAX, note: 'The most clients served at once; more wait.' }),
  P('max_pool', 'int', 4, 'restart', 'used', { min: 0, max: INT_MAX }),
  P('child_life_time', 'int', 300, 'restart', 'ignored', { min: 0, max: INT_MAX, unit: 's', note: PROCESS }),
  P('child_max_connections', 'int', 0, 'restart', 'ignored', { min: 0, max: INT_MAX, note: PROCESS }),
  P('connection_life_time', 'int', 0, 'restart', 'used', { min: 0, max: INT_MAX, unit: 's' }),
  P('client_idle_limit', 'int', 0, 'session', 'used', { min: 0, max: INT_MAX, unit: 's' }),
  P('connection_cache', 'bool', true, 'restart', 'used'),
  P('reset_query_list', 'list', ['ABORT', 'DISCARD ALL'], 'reload', 'used', { separator: ';' }),

  // Replication behaviour
  P('replicate_select', 'bool', false, 'reload', 'used'),
  P('insert_lock', 'bool', true, 'reload', 'used'),
  P('lobj_lock_table', 'string', '', 'reload', 'unsupported', { note: 'Large-object creation is not serialised by ReplicaDesk.' }),
  P('replication_stop_on_mismatch', 'bool', false, 'reload', 'used'),
  P('failover_if_affected_tuples_mismatch', 'bool', false, 'reload', 'used'),

  // Load balancing
  P('load_balance_mode', 'bool', true, 'restart', 'used'),
  P('ignore_leading_white_space', 'bool', true, 'reload', 'ignored', { note: 'ReplicaDesk parses statements with PostgreSQL\'s parser; white space never matters.' }),
  P('read_only_function_list', 'list', [], 'reload', 'used', { separator: ',' }),
  P('write_function_list', 'list', [], 'reload', 'used', { separator: ',' }),
  P('primary_routing_query_pattern_list', 'list', [], 'reload', 'unsupported', { separator: ';', note: 'Only /*REPLICATION*/ comments force a read to every node.' }),
  P('database_redirect_preference_list', 'string', '', 'reload', 'unsupported', { note: 'Load balancing follows backend_weight only.' }),
  P('app_name_redirect_preference_list', 'string', '', 'reload', 'unsupported', { note: 'Load balancing follows backend_weight only.' }),
  P('allow_sql_comments', 'bool', false, 'session', 'ignored', { note: 'Comments never stop load balancing in ReplicaDesk.' }),
  P('disable_load_balance_on_write', 'enum', 'transaction', 'reload', 'ignored', {
    values: ['off', 'transaction', 'trans_transaction', 'always', 'dml_adaptive'],
    note: 'In native replication reads after a write in a transaction always go to the main node.',
  }),
  P('dml_adaptive_object_relationship_list', 'string', '', 'reload', 'ignored', { note: 'Only for disable_load_balance_on_write = dml_adaptive.' }),
  P('statement_level_load_balance', 'bool', false, 'reload', 'used'),

  // Streaming replication checks (not our mode)
  P('sr_check_period', 'int', 10, 'reload', 'unsupported', { min: 0, max: INT_MAX, unit: 's', note: STREAMING }),
  P('sr_check_user', 'string', 'nobody', 'reload', 'unsupported', { note: STREAMING }),
  P('sr_check_password', 'string', '', 'reload', 'unsupported', { secret: true, note: STREAMING }),
  P('sr_check_database', 'string', 'postgres', 'reload', 'unsupported', { note: STREAMING }),
  P('delay_threshold', 'int', 0, 'reload', 'unsupported', { min: 0, max: Number.MAX_SAFE_INTEGER, unit: 'byte', note: STREAMING }),
  P('prefer_lower_delay_standby', 'bool', false, 'reload', 'unsupported', { note: STREAMING }),
  P('log_standby_delay', 'enum', 'if_over_threshold', 'reload', 'unsupported', { values: ['always', 'if_over_threshold', 'none'], note: STREAMING }),
  P('follow_primary_command', 'string', '', 'reload', 'unsupported', { note: STREAMING }),
  P('detach_false_primary', 'bool', false, 'reload', 'unsupported', { note: STREAMING }),
  P('search_primary_node_timeout', 'int', 300, 'reload', 'unsupported', { min: 0, max: INT_MAX, unit: 's', note: STREAMING }),
  P('auto_failback', 'bool', false, 'reload', 'unsupported', { note: STREAMING }),
  P('auto_failback_interval', 'int', 60, 'reload', 'unsupported', { min: 0, max: INT_MAX, unit: 's', note: STREAMING }),

  // Health check (global default plus per-node override)
  P('health_check_period', 'int', 0, 'reload', 'used', { scope: 'both', min: 0, max: INT_MAX, unit: 's', maxIndex: MAX_BACKENDS - 1 }),
  P('health_check_timeout', 'int', 20, 'reload', 'used', { scope: 'both', min: 0, max: INT_MAX, unit: 's', maxIndex: MAX_BACKENDS - 1 }),
  P('health_check_user', 'string', 'nobody', 'reload', 'used', { scope: 'both', maxIndex: MAX_BACKENDS - 1 }),
  P('health_check_password', 'string', '', 'reload', 'used', { scope: 'both', secret: true, maxIndex: MAX_BACKENDS - 1 }),
  P('health_check_database', 'string', '', 'reload', 'used', { scope: 'both', maxIndex: MAX_BACKENDS - 1 }),
  P('health_check_max_retries', 'int', 0, 'reload', 'used', { scope: 'both', min: 0, max: INT_MAX, maxIndex: MAX_BACKENDS - 1 }),
  P('health_check_retry_delay', 'int', 1, 'reload', 'used', { scope: 'both', min: 0, max: INT_MAX, unit: 's', maxIndex: MAX_BACKENDS - 1 }),
  P('connect_timeout', 'int', 10000, 'reload', 'used', { scope: 'both', min: 0, max: INT_MAX, unit: 'ms', maxIndex: MAX_BACKENDS - 1 }),
  P('health_check_test', 'bool', false, 'restart', 'unsupported', { note: 'A pgpool developer setting.' }),

  // Failover
  P('failover_command', 'string', '', 'reload', 'unsupported', { note: 'ReplicaDesk reports node changes as events and notifications instead of running a command.' }),
  P('failback_command', 'string', '', 'reload', 'unsupported', { note: 'ReplicaDesk reports node changes as events and notifications instead of running a command.' }),
  P('failover_on_backend_error', 'bool', true, 'reload', 'used'),
  P('fail_over_on_backend_error', 'bool', true, 'reload', 'used', { note: 'Old spelling of failover_on_backend_error.' }),
  P('failover_on_backend_shutdown', 'bool', true, 'reload', 'used'),

  // Online recovery
  P('recovery_user', 'string', '', 'reload', 'used'),
  P('recovery_password', 'string', '', 'reload', 'used', { secret: true }),
  P('recovery_1st_stage_command', 'string', '', 'reload', 'unsupported', { note: 'ReplicaDesk recovers a node itself with pg_dump/pg_restore; no scripts are run.' }),
  P('recovery_2nd_stage_command', 'string', '', 'reload', 'unsupported', { note: 'ReplicaDesk recovers a node itself with pg_dump/pg_restore; no scripts are run.' }),
  P('recovery_timeout', 'int', 90, 'reload', 'used', { min: 0, max: INT_MAX, unit: 's' }),
  P('client_idle_limit_in_recovery', 'int', 0, 'session', 'ignored', { min: -1, max: INT_MAX, unit: 's', note: 'ReplicaDesk recovery does not wait for clients to disconnect.' }),

  // Logging
  P('log_destination', 'string', 'stderr', 'reload', 'ignored', { note: LOGGING }),
  P('log_line_prefix', 'string', '%m: %a pid %p: ', 'reload', 'ignored', { note: LOGGING }),
  P('log_connections', 'bool', false, 'reload', 'ignored', { note: LOGGING }),
  P('log_disconnections', 'bool', false, 'reload', 'ignored', { note: LOGGING }),
  P('log_hostname', 'bool', false, 'reload', 'ignored', { note: LOGGING }),
  P('log_statement', 'bool', false, 'session', 'ignored', { note: LOGGING }),
  P('log_per_node_statement', 'bool', false, 'session', 'ignored', { note: LOGGING }),
  P('log_client_messages', 'bool', false, 'session', 'ignored', { note: LOGGING }),
  P('syslog_facility', 'enum', 'LOCAL0', 'reload', 'ignored', { values: ['LOCAL0', 'LOCAL1', 'LOCAL2', 'LOCAL3', 'LOCAL4', 'LOCAL5', 'LOCAL6', 'LOCAL7'], note: LOGGING }),
  P('syslog_ident', 'string', 'pgpool', 'reload', 'ignored', { note: LOGGING }),
  P('log_error_verbosity', 'enum', 'default', 'session', 'ignored', { values: ['terse', 'default', 'verbose'], note: LOGGING }),
  P('client_min_messages', 'enum', 'notice', 'session', 'ignored', { values: LEVELS, note: LOGGING }),
  P('log_min_messages', 'enum', 'warning', 'session', 'ignored', { values: LEVELS, note: LOGGING }),
  P('logging_collector', 'bool', false, 'restart', 'ignored', { note: LOGGING }),
  P('log_directory', 'string', '/tmp/pgpool_logs', 'restart', 'ignored', { note: LOGGING }),
  P('log_filename', 'string', 'pgpool-%Y-%m-%d_%H%M%S.log', 'restart', 'ignored', { note: LOGGING }),
  P('log_file_mode', 'int', 0o600, 'restart', 'ignored', { min: 0, max: INT_MAX, note: LOGGING }),
  P('log_truncate_on_rotation', 'bool', false, 'restart', 'ignored', { note: LOGGING }),
  P('log_rotation_age', 'int', 1440, 'restart', 'ignored', { min: 0, max: INT_MAX, unit: 'min', note: LOGGING }),
  P('log_rotation_size', 'int', 10240, 'restart', 'ignored', { min: 0, max: Math.floor(INT_MAX / 1024), unit: 'kB', note: LOGGING }),
  P('pid_file_name', 'string', '/var/run/pgpool/pgpool.pid', 'restart', 'ignored', { note: PROCESS }),
  P('logdir', 'string', '/tmp', 'restart', 'ignored', { note: 'ReplicaDesk keeps node status in its own state database.' }),

  // Relation cache and temp tables
  P('relcache_expire', 'int', 0, 'restart', 'ignored', { min: 0, max: Number.MAX_SAFE_INTEGER, unit: 's', note: 'ReplicaDesk caches catalog facts until DDL changes them.' }),
  P('relcache_size', 'int', 256, 'restart', 'ignored', { min: 0, max: INT_MAX, note: 'ReplicaDesk caches catalog facts until DDL changes them.' }),
  P('enable_shared_relcache', 'bool', true, 'restart', 'ignored', { note: 'ReplicaDesk caches catalog facts in its one process.' }),
  P('relcache_query_target', 'enum', 'primary', 'reload', 'ignored', { values: ['primary', 'load_balance_node'], note: 'Catalog lookups always go to the main node.' }),
  P('check_temp_table', 'enum', 'catalog', 'reload', 'ignored', { values: ['catalog', 'trace', 'none', 'on', 'off'], note: 'Temporary tables exist on every node in native replication; reads of them are safe anywhere.' }),
  P('check_unlogged_table', 'bool', true, 'session', 'ignored', { note: 'Unlogged tables are written on every node like any other.' }),

  // Query cache
  P('memory_cache_enabled', 'bool', false, 'restart', 'unsupported', { note: MEMQCACHE }),
  P('memqcache_method', 'enum', 'shmem', 'restart', 'unsupported', { values: ['shmem', 'memcached'], note: MEMQCACHE }),
  P('memqcache_memcached_host', 'string', 'localhost', 'restart', 'unsupported', { note: MEMQCACHE }),
  P('memqcache_memcached_port', 'int', 11211, 'restart', 'unsupported', { min: 0, max: INT_MAX, note: MEMQCACHE }),
  P('memqcache_total_size', 'int', 67108864, 'restart', 'unsupported', { min: 0, max: Number.MAX_SAFE_INTEGER, unit: 'byte', note: MEMQCACHE }),
  P('memqcache_max_num_cache', 'int', 1000000, 'restart', 'unsupported', { min: 0, max: INT_MAX, note: MEMQCACHE }),
  P('memqcache_expire', 'int', 0, 'restart', 'unsupported', { min: 0, max: INT_MAX, unit: 's', note: MEMQCACHE }),
  P('memqcache_auto_cache_invalidation', 'bool', true, 'reload', 'unsupported', { note: MEMQCACHE }),
  P('memqcache_maxcache', 'int', 409600, 'restart', 'unsupported', { min: 0, max: INT_MAX, unit: 'byte', note: MEMQCACHE }),
  P('memqcache_cache_block_size', 'int', 1048576, 'restart', 'unsupported', { min: 512, max: INT_MAX, unit: 'byte', note: MEMQCACHE }),
  P('memqcache_oiddir', 'string', '/var/log/pgpool/oiddir', 'restart', 'unsupported', { note: MEMQCACHE }),
  P('cache_safe_memqcache_table_list', 'list', [], 'reload', 'unsupported', { separator: ',', note: MEMQCACHE }),
  P('cache_unsafe_memqcache_table_list', 'list', [], 'reload', 'unsupported', { separator: ',', note: MEMQCACHE }),

  // Watchdog
  P('use_watchdog', 'bool', false, 'restart', 'unsupported', { note: WATCHDOG }),
  P('trusted_servers', 'string', '', 'restart', 'unsupported', { note: WATCHDOG }),
  P('ping_path', 'string', '/bin', 'restart', 'unsupported', { note: WATCHDOG }),
  P('hostname', 'string', 'localhost', 'reload', 'unsupported', { scope: 'node', maxIndex: 127, note: WATCHDOG }),
  P('wd_port', 'int', 0, 'reload', 'unsupported', { scope: 'node', min: 1024, max: 65535, maxIndex: 127, note: WATCHDOG }),
  P('pgpool_port', 'int', 0, 'reload', 'unsupported', { scope: 'node', min: 1024, max: 65535, maxIndex: 127, note: WATCHDOG }),
  P('wd_priority', 'int', 1, 'restart', 'unsupported', { min: 0, max: INT_MAX, note: WATCHDOG }),
  P('wd_authkey', 'string', '', 'reload', 'unsupported', { secret: true, note: WATCHDOG }),
  P('wd_ipc_socket_dir', 'string', '/var/run/postgresql', 'restart', 'unsupported', { note: WATCHDOG }),
  P('delegate_IP', 'string', '', 'restart', 'unsupported', { note: WATCHDOG }),
  P('if_cmd_path', 'string', '/sbin', 'restart', 'unsupported', { note: WATCHDOG }),
  P('if_up_cmd', 'string', '/usr/bin/sudo /sbin/ip addr add $_IP_$/24 dev eth0 label eth0:0', 'restart', 'unsupported', { note: WATCHDOG }),
  P('if_down_cmd', 'string', '/usr/bin/sudo /sbin/ip addr del $_IP_$/24 dev eth0', 'restart', 'unsupported', { note: WATCHDOG }),
  P('arping_path', 'string', '/usr/sbin', 'restart', 'unsupported', { note: WATCHDOG }),
  P('arping_cmd', 'string', '/usr/bin/sudo /usr/sbin/arping -U $_IP_$ -w 1 -I eth0', 'restart', 'unsupported', { note: WATCHDOG }),
  P('clear_memqcache_on_escalation', 'bool', true, 'reload', 'unsupported', { note: WATCHDOG }),
  P('wd_escalation_command', 'string', '', 'reload', 'unsupported', { note: WATCHDOG }),
  P('wd_de_escalation_command', 'string', '', 'reload', 'unsupported', { note: WATCHDOG }),
  P('failover_when_quorum_exists', 'bool', true, 'restart', 'unsupported', { note: WATCHDOG }),
  P('failover_require_consensus', 'bool', true, 'restart', 'unsupported', { note: WATCHDOG }),
  P('allow_multiple_failover_requests_from_node', 'bool', false, 'restart', 'unsupported', { note: WATCHDOG }),
  P('enable_consensus_with_half_votes', 'bool', false, 'restart', 'unsupported', { note: WATCHDOG }),
  P('wd_remove_shutdown_nodes', 'bool', false, 'reload', 'unsupported', { note: WATCHDOG }),
  P('wd_lost_node_removal_timeout', 'int', 0, 'reload', 'unsupported', { min: 0, max: INT_MAX, unit: 's', note: WATCHDOG }),
  P('wd_no_show_node_removal_timeout', 'int', 0, 'reload', 'unsupported', { min: 0, max: INT_MAX, unit: 's', note: WATCHDOG }),
  P('wd_monitoring_interfaces_list', 'list', [], 'restart', 'unsupported', { separator: ',', note: WATCHDOG }),
  P('wd_lifecheck_method', 'enum', 'heartbeat', 'restart', 'unsupported', { values: ['query', 'heartbeat', 'external'], note: WATCHDOG }),
  P('wd_interval', 'int', 10, 'restart', 'unsupported', { min: 0, max: INT_MAX, unit: 's', note: WATCHDOG }),
  P('heartbeat_hostname', 'string', '', 'reload', 'unsupported', { scope: 'node', maxIndex: 127, note: WATCHDOG }),
  P('heartbeat_port', 'int', 0, 'reload', 'unsupported', { scope: 'node', min: 1024, max: 65535, maxIndex: 127, note: WATCHDOG }),
  P('heartbeat_device', 'string', '', 'reload', 'unsupported', { scope: 'node', maxIndex: 127, note: WATCHDOG }),
  P('wd_heartbeat_keepalive', 'int', 2, 'restart', 'unsupported', { min: 1, max: INT_MAX, unit: 's', note: WATCHDOG }),
  P('wd_heartbeat_deadtime', 'int', 30, 'restart', 'unsupported', { min: 1, max: INT_MAX, unit: 's', note: WATCHDOG }),
  P('wd_life_point', 'int', 3, 'restart', 'unsupported', { min: 0, max: INT_MAX, note: WATCHDOG }),
  P('wd_lifecheck_query', 'string', 'SELECT 1', 'restart', 'unsupported', { note: WATCHDOG }),
  P('wd_lifecheck_dbname', 'string', 'template1', 'reload', 'unsupported', { note: WATCHDOG }),
  P('wd_lifecheck_user', 'string', 'nobody', 'reload', 'unsupported', { note: WATCHDOG }),
  P('wd_lifecheck_password', 'string', '', 'reload', 'unsupported', { secret: true, note: WATCHDOG }),
];

const BY_NAME = new Map(PGPOOL_PARAMS.map((p) => [p.name, p]));

export interface ResolvedName {
  spec: ParamSpec;
  /** The node number for `nameN`, else undefined. */
  index?: number;
}

/**
 * Finds the parameter a key in pgpool.conf names: `port`, or `backend_port3` (spec backend_port, node 3).
 * pgpool matches names case-sensitively.
 */
export function resolveParamName(key: string): ResolvedName | undefined {
  const direct = BY_NAME.get(key);
  if (direct && direct.scope !== 'node') return { spec: direct };
  const m = /^(.*?)(\d+)$/.exec(key);
  if (!m) return undefined;
  const spec = BY_NAME.get(m[1]!);
  if (!spec || spec.scope === 'global') return undefined;
  // pgpool does not accept leading zeros such as backend_port01.
  if (m[2]!.length > 1 && m[2]!.startsWith('0')) return undefined;
  const index = Number(m[2]);
  if (index > (spec.maxIndex ?? 0)) return undefined;
  return { spec, index };
}

export function paramSpec(name: string): ParamSpec | undefined {
  return BY_NAME.get(name);
}
