/**
 * A new pgpool-II setup from nothing, for users who have no pgpool.conf yet: the three files pgpool itself
 * would read (pgpool.conf in native replication mode, pool_hba.conf, pool_passwd) plus the key file that
 * pool_passwd's AES entries need. The files are pgpool's own formats, so the same folder also works with
 * pgpool-II itself, and the user can keep editing them in the pgpool.conf editor afterwards.
 *
 * Pure: returns file texts; writing them is the caller's business (setup-files.ts).
 */
import crypto from 'node:crypto';
import { ReplicaDeskError } from '../../errors';
import { quoteValue } from './document';
import { formatHbaRule } from './hba-edit';
import { encryptAesSecret } from './pool-passwd';

export interface NewPgpoolSetup {
  /** Where clients connect: pgpool's listen_addresses and port. */
  listenAddresses: string;
  port: number;
  backends: { hostname: string; port: number; weight: number }[];
  /** Accounts clients log in with; the proxy uses the same to log in to every backend. */
  users: { name: string; password: string }[];
  /** How clients prove their password (pool_hba.conf method). */
  authMethod: 'scram-sha-256' | 'md5';
  /** Addresses allowed to connect (pool_hba.conf), e.g. 192.168.1.0/24; loopback is always allowed. */
  clientNetworks: string[];
  /** Seconds between health checks (0: off). */
  healthCheckPeriod: number;
}

export interface NewPgpoolFiles {
  pgpoolConf: string;
  poolHba: string;
  poolPasswd: string;
  /** The passphrase for pool_passwd's AES entries (pgpool's .pgpoolkey); written 0600. */
  poolKey: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_$.-]{0,62}$/;
const HOST = /^[A-Za-z0-9_.:/[\]-]{1,255}$/;
const CIDR = /^([0-9.]+\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3}|samenet|samehost|all)$/;

function bad(message: string, details: Record<string, unknown>): never {
  throw new ReplicaDeskError('PGPOOL_SETUP_INVALID', message, details);
}

/** Refuses what pgpool could not read back, with the field named, before any file is written. */
export function checkNewSetup(s: NewPgpoolSetup): void {
  if (s.backends.length < 1) bad('Add at least one PostgreSQL server (two or more to keep a copy).', { field: 'backends' });
  s.backends.forEach((b, i) => {
    if (!HOST.test(b.hostname)) bad(`Server ${i + 1}: "${b.hostname}" is not a host name or address.`, { field: `backends.${i}.hostname` });
    if (!(b.port >= 1 && b.port <= 65535)) bad(`Server ${i + 1}: the port must be between 1 and 65535.`, { field: `backends.${i}.port` });
    if (!(b.weight >= 0)) bad(`Server ${i + 1}: the weight must be 0 or more.`, { field: `backends.${i}.weight` });
  });
  const seen = new Set<string>();
  for (const b of s.backends) {
    const key = `${b.hostname}:${b.port}`;
    if (seen.has(key)) bad(`${key} is listed twice: every backend must be a different server.`, { field: 'backends' });
    seen.add(key);
  }
  if (s.users.length < 1) bad('Add the account that clients (and the proxy) log in with.', { field: 'users' });
  for (const [i, u] of s.users.entries()) {
    if (!IDENT.test(u.name)) bad(`"${u.name}" cannot be used as a user name here (letters, digits, _ . - $).`, { field: `users.${i}.name` });
    if (u.password.length === 0) bad(`User ${u.name} needs a password.`, { field: `users.${i}.password` });
    if (/[\r\n]/.test(u.password)) bad(`The password of ${u.name} cannot contain a line break.`, { field: `users.${i}.password` });
  }
  if (!(s.port >= 1 && s.port <= 65535)) bad('The proxy port must be between 1 and 65535.', { field: 'port' });
  if (!/^[A-Za-z0-9_.:*, -]{1,200}$/.test(s.listenAddresses)) bad('listen_addresses: addresses separated by commas, or *.', { field: 'listenAddresses' });
  for (const n of s.clientNetworks) if (!CIDR.test(n)) bad(`"${n}" is not a network such as 192.168.1.0/24.`, { field: 'clientNetworks' });
  if (!(s.healthCheckPeriod >= 0 && s.healthCheckPeriod <= 86400)) bad('The health check period is in seconds, 0 to 86400.', { field: 'healthCheckPeriod' });
}

export function renderNewSetup(s: NewPgpoolSetup, opts: { poolKey?: string; now?: Date } = {}): NewPgpoolFiles {
  checkNewSetup(s);
  const poolKey = opts.poolKey ?? crypto.randomBytes(32).toString('base64url');
  const stamp = (opts.now ?? new Date()).toISOString();
  const checker = s.users[0]!.name;
  const conf = [
    `# pgpool.conf written by ReplicaDesk on ${stamp}.`,
    '# pgpool-II 4.3 format: ReplicaDesk and pgpool-II both read it. Edit it in ReplicaDesk\'s pgpool.conf',
    '# editor or by hand; unknown parameters are reported with their line.',
    '',
    '# Every write goes to every backend; reads are balanced by backend_weight.',
    `backend_clustering_mode = ${quoteValue('native_replication')}`,
    `listen_addresses = ${quoteValue(s.listenAddresses)}`,
    `port = ${s.port}`,
    '',
    ...s.backends.flatMap((b, i) => [
      `backend_hostname${i} = ${quoteValue(b.hostname)}`,
      `backend_port${i} = ${b.port}`,
      `backend_weight${i} = ${b.weight}`,
      `backend_flag${i} = ${quoteValue('ALLOW_TO_FAILOVER')}`,
      '',
    ]),
    'load_balance_mode = on',
    'replicate_select = off',
    'insert_lock = on',
    '# A backend whose affected-row count differs from the others is detached rather than let drift.',
    'failover_if_affected_tuples_mismatch = on',
    'failover_on_backend_error = on',
    '',
    `health_check_period = ${s.healthCheckPeriod}`,
    'health_check_timeout = 20',
    `health_check_user = ${quoteValue(checker)}`,
    "health_check_password = ''",
    'health_check_max_retries = 2',
    'health_check_retry_delay = 1',
    'connect_timeout = 10000',
    '',
    'num_init_children = 32',
    'enable_pool_hba = on',
    `pool_passwd = ${quoteValue('pool_passwd')}`,
    '',
  ].join('\n');
  const rules = [
    '# pool_hba.conf written by ReplicaDesk: who may connect to the proxy, and how they prove it.',
    '# TYPE  DATABASE        USER            ADDRESS                 METHOD',
    formatHbaRule({ type: 'local', databases: ['all'], users: ['all'], method: s.authMethod }),
    formatHbaRule({ type: 'host', databases: ['all'], users: ['all'], address: '127.0.0.1/32', method: s.authMethod }),
    formatHbaRule({ type: 'host', databases: ['all'], users: ['all'], address: '::1/128', method: s.authMethod }),
    ...s.clientNetworks.map((n) => formatHbaRule({ type: 'host', databases: ['all'], users: ['all'], address: n, method: s.authMethod })),
    '',
  ].join('\n');
  // AES (pgpool's pg_enc format), never TEXT: the passwords must not sit readable on disk, and the proxy
  // needs them back to log in to the backends with SCRAM.
  const passwd = s.users.map((u) => `${u.name}:${encryptAesSecret(u.password, poolKey)}`).join('\n') + '\n';
  return { pgpoolConf: conf, poolHba: rules, poolPasswd: passwd, poolKey: poolKey + '\n' };
}
