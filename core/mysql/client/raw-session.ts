import fs from 'node:fs';
import type net from 'node:net';
import mysql from 'mysql2/promise';
import { ReplicaDeskError } from '../../errors';
import type { MysqlEndpoint, SslSettings } from './endpoint';

/**
 * An authenticated MySQL connection whose socket we drive ourselves. mysql2 does the parts that are hard to
 * get right (native, caching_sha2 and sha256 auth, TLS upgrade, auth switch); once the session is set up
 * we detach it and speak the protocol directly, because the replication stream and the pipelined applier
 * need raw packets, which mysql2 has no interface for (its binlogDump parses every event into objects).
 */
export interface RawSession {
  socket: net.Socket;
  serverVersion: string;
  isMariaDb: boolean;
  connectionId: number;
  /** Capability flags both sides agreed on. */
  capabilities: number;
}

/** CHANGE MASTER TO's MASTER_SSL_* settings (file paths) as mysql2's ssl option; undefined when TLS is off. */
export function mysql2Ssl(s: SslSettings): Record<string, unknown> | undefined {
  if (s.mode === 'DISABLED') return undefined;
  const read = (f: string | undefined) => (f ? fs.readFileSync(f, 'utf8') : undefined);
  const ssl: Record<string, unknown> = {
    rejectUnauthorized: s.mode === 'VERIFY_CA' || s.mode === 'VERIFY_IDENTITY',
    verifyIdentity: s.mode === 'VERIFY_IDENTITY',
  };
  if (s.ca) ssl.ca = read(s.ca);
  if (s.cert) ssl.cert = read(s.cert);
  if (s.key) ssl.key = read(s.key);
  if (s.cipher) ssl.ciphers = s.cipher;
  if (s.crl) ssl.crl = read(s.crl);
  return ssl;
}

/** Options used on every session we open: no query attributes (they change COM_QUERY's layout on MySQL 8). */
function mysql2Options(ep: MysqlEndpoint, extra: { multipleStatements?: boolean; database?: string }): mysql.ConnectionOptions {
  const o: mysql.ConnectionOptions = {
    host: ep.host,
    port: ep.port,
    user: ep.user,
    password: ep.password,
    charset: 'utf8mb4',
    connectTimeout: ep.connectTimeoutMs ?? 10_000,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    flags: ['-CLIENT_QUERY_ATTRIBUTES', '-CONNECT_ATTRS', '-LOCAL_FILES'],
    multipleStatements: extra.multipleStatements ?? false,
  };
  if (extra.database) o.database = extra.database;
  if (ep.socketPath) o.socketPath = ep.socketPath;
  const ssl = ep.ssl ? mysql2Ssl(ep.ssl) : undefined;
  if (ssl) o.ssl = ssl as mysql.SslOptions;
  return o;
}

/** Opens a normal mysql2 connection with our standard options (for metadata queries). */
export async function connectMysql(ep: MysqlEndpoint, extra: { multipleStatements?: boolean; database?: string } = {}): Promise<mysql.Connection> {
  const conn = await mysql.createConnection(mysql2Options(ep, extra));
  // A dropped connection must not crash the process through an unhandled 'error' event.
  conn.on('error', () => undefined);
  return conn;
}

interface Mysql2Internals {
  stream: net.Socket;
  _closing: boolean;
  serverCapabilityFlags: number;
  config: { clientFlags: number };
  threadId: number;
  _handshakePacket?: { serverVersion?: string; capabilityFlags?: number };
  packetParser?: { buffer?: unknown[]; largePacketParts?: unknown[] };
  on(ev: string, fn: (...a: unknown[]) => void): void;
}

/**
 * Authenticates with mysql2, runs `setup` statements (each must succeed), then takes the socket away from
 * mysql2. After this the caller owns the socket: mysql2 will not read from it, write to it or report on it.
 */
export async function openRawSession(ep: MysqlEndpoint, setup: string[] = [], extra: { multipleStatements?: boolean } = {}): Promise<RawSession> {
  const conn = await connectMysql(ep, extra);
  try {
    for (const sql of setup) await conn.query(sql);
  } catch (err) {
    conn.destroy();
    throw err;
  }
  const core = (conn as unknown as { connection: Mysql2Internals }).connection;
  const socket = core.stream;
  const serverVersion = core._handshakePacket?.serverVersion ?? '';
  // mysql2 must neither parse what we receive nor turn our socket's close into its own errors.
  core._closing = true;
  core.on('error', () => undefined);
  socket.removeAllListeners('data');
  socket.removeAllListeners('end');
  socket.removeAllListeners('close');
  socket.removeAllListeners('timeout');
  // Keep one error listener so an error between now and the caller attaching its own is not fatal.
  socket.removeAllListeners('error');
  socket.on('error', () => undefined);
  return {
    socket,
    serverVersion,
    isMariaDb: /mariadb/i.test(serverVersion),
    connectionId: core.threadId,
    capabilities: (core.serverCapabilityFlags ?? 0) & (core.config.clientFlags ?? 0),
  };
}

/** Turns a mysql2 connect/query failure into the fields Last_IO_Errno / Last_IO_Error need. */
export function serverErrorOf(err: unknown): { errno: number; message: string; code: string } {
  const e = err as { errno?: number; code?: string; message?: string; sqlMessage?: string };
  if (e instanceof ReplicaDeskError) return { errno: Number(e.details?.errno ?? 0), message: e.message, code: e.code };
  // Client-side failures get the client error numbers MySQL uses (2003 can't connect, 2013 lost, 2026 TLS).
  const clientErrno: Record<string, number> = {
    ECONNREFUSED: 2003,
    EHOSTUNREACH: 2003,
    ENETUNREACH: 2003,
    ETIMEDOUT: 2003,
    ENOTFOUND: 2005,
    EAI_AGAIN: 2005,
    PROTOCOL_CONNECTION_LOST: 2013,
    ECONNRESET: 2013,
    EPIPE: 2013,
    HANDSHAKE_SSL_ERROR: 2026,
    HANDSHAKE_NO_SSL_SUPPORT: 2026,
  };
  const errno = typeof e.errno === 'number' && e.errno > 0 ? e.errno : clientErrno[e.code ?? ''] ?? 2013;
  return { errno, message: e.sqlMessage ?? e.message ?? String(err), code: e.code ?? 'UNKNOWN' };
}
