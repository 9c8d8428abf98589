import { ReplicaDeskError } from '../../errors';

/** TLS use towards a server, in MySQL's client vocabulary (--ssl-mode). */
export type SslMode = 'DISABLED' | 'REQUIRED' | 'VERIFY_CA' | 'VERIFY_IDENTITY';

export interface SslSettings {
  mode: SslMode;
  /** PEM file paths, as CHANGE MASTER TO MASTER_SSL_CA / _CERT / _KEY take them. */
  ca?: string;
  cert?: string;
  key?: string;
  cipher?: string;
  crl?: string;
}

/** Where and how to log in to a MySQL/MariaDB server. The password is only ever held in memory. */
export interface MysqlEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  socketPath?: string;
  ssl?: SslSettings;
  connectTimeoutMs?: number;
}

/** The same without the password, which is what gets stored in the state database and shown. */
export type EndpointConfig = Omit<MysqlEndpoint, 'password'>;

/**
 * Parses mysql://user:password@host:port (password optional, percent-encoded) with optional query
 * parameters ssl-mode, ssl-ca, ssl-cert, ssl-key, socket.
 */
export function parseMysqlUrl(url: string, what = 'server'): MysqlEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ReplicaDeskError('BAD_MYSQL_URL', `The ${what} address "${redactUrl(url)}" is not a URL. Write it as mysql://USER:PASSWORD@HOST:PORT.`, { what });
  }
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') {
    throw new ReplicaDeskError('BAD_MYSQL_URL', `The ${what} address must start with mysql:// (got ${u.protocol}//).`, { what });
  }
  if (!u.username) throw new ReplicaDeskError('BAD_MYSQL_URL', `The ${what} address has no user name. Write it as mysql://USER:PASSWORD@HOST:PORT.`, { what });
  const port = u.port ? Number(u.port) : 3306;
  const modeRaw = (u.searchParams.get('ssl-mode') ?? 'DISABLED').toUpperCase().replace(/-/g, '_');
  if (!['DISABLED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY'].includes(modeRaw)) {
    throw new ReplicaDeskError('BAD_MYSQL_URL', `ssl-mode=${modeRaw} in the ${what} address is not one of DISABLED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY.`, { what });
  }
  const ssl: SslSettings = { mode: modeRaw as SslMode };
  for (const [param, key] of [['ssl-ca', 'ca'], ['ssl-cert', 'cert'], ['ssl-key', 'key'], ['ssl-cipher', 'cipher'], ['ssl-crl', 'crl']] as const) {
    const v = u.searchParams.get(param);
    if (v) ssl[key] = v;
  }
  const ep: MysqlEndpoint = {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
  if (ssl.mode !== 'DISABLED' || ssl.ca) ep.ssl = ssl;
  const socket = u.searchParams.get('socket');
  if (socket) ep.socketPath = socket;
  return ep;
}

/** The URL with the password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

export function describeEndpoint(ep: EndpointConfig): string {
  return ep.socketPath ? `'${ep.user}'@${ep.socketPath}` : `'${ep.user}'@${ep.host}:${ep.port}`;
}
