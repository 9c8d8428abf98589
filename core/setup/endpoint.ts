import mysql from 'mysql2/promise';

/** Where and as whom to connect to a MySQL/MariaDB server. */
export interface MySqlEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Unix socket instead of TCP (local servers). */
  socketPath?: string;
  /** Passed to mysql2 as is (e.g. { rejectUnauthorized: true, ca }). */
  ssl?: Record<string, unknown>;
  /** Default 10 s: a wizard should not hang on a wrong address. */
  connectTimeoutMs?: number;
}

/**
 * A connection that reads values exactly: big numbers and decimals as strings, dates as the server's text,
 * UTC session time zone so TIMESTAMP values are not shifted on the way.
 */
export async function connectEndpoint(e: MySqlEndpoint, extra: mysql.ConnectionOptions = {}): Promise<mysql.Connection> {
  const c = await mysql.createConnection({
    ...(e.socketPath ? { socketPath: e.socketPath } : { host: e.host, port: e.port }),
    user: e.user,
    password: e.password,
    connectTimeout: e.connectTimeoutMs ?? 10_000,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    decimalNumbers: false,
    timezone: 'Z',
    charset: 'utf8mb4_general_ci',
    ...(e.ssl ? { ssl: e.ssl } : {}),
    ...extra,
  });
  await c.query("SET time_zone = '+00:00'");
  return c;
}

export function describeEndpoint(e: MySqlEndpoint): string {
  return e.socketPath ? `${e.user}@${e.socketPath}` : `${e.user}@${e.host}:${e.port}`;
}

/** Quotes an identifier with backticks (doubling any backtick inside). */
export function qid(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}
