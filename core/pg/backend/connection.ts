/**
 * One connection from the proxy to one PostgreSQL backend: login with stored credentials, then a FIFO of
 * response sinks. Every request the session sends is paired with a sink that receives its responses in
 * order; a sink may ask for messages to be relayed to the client, and consecutive relayed messages of one
 * received chunk leave as a single write (no re-serialising, no per-message copies).
 */
import net from 'node:net';
import tls from 'node:tls';
import { serialize } from 'pg-protocol';
import type { UserSecret } from '../../config/pgpool/pool-passwd';
import { ScramClient } from '../auth/scram';
import { md5Response } from '../auth/md5';
import { BE, BackendFramer, decodeFields, decodeParameterStatus, readyStatus } from '../protocol/backend-framer';

export const FORWARD = 1;
export const DONE = 2;

/** Where relayed bytes go (the client socket wrapper). */
export interface ByteOut {
  write(buf: Buffer): void;
}

export interface ResponseSink {
  /** Destination of messages this sink relays. */
  out: ByteOut | null;
  /** Returns FORWARD to relay the message verbatim, DONE when this was its last message (both may be set). */
  message(conn: BackendConnection, type: number, buf: Buffer, start: number, end: number): number;
  /** The connection broke before the sink was done. */
  fail(conn: BackendConnection, err: Error): void;
}

/** TLS to a backend (pgpool's ssl = on): asked for, used when the server agrees, plain text when it refuses. */
export interface BackendTls {
  /** CA certificates (ssl_ca_cert / ssl_ca_cert_dir): the server's certificate must chain to one of them. */
  ca?: Buffer[];
}

export interface BackendTarget {
  id: number;
  host: string;
  port: number;
  tls?: BackendTls;
}

/** SSLRequest: length 8, code 1234.5679. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

export interface BackendLogin {
  user: string;
  database: string;
  /** Other startup parameters to pass on (application_name, client_encoding, DateStyle, options...). */
  params: Map<string, string>;
  secret: UserSecret | undefined;
  connectTimeoutMs: number;
}

/** The server refused the login (wrong password, no such database...): not a node failure. */
export class BackendLoginError extends Error {
  constructor(
    readonly fields: Record<string, string>,
    readonly node: number,
  ) {
    super(fields.M ?? 'the server refused the connection');
  }
}

/** The node could not be reached or the connection broke: a node failure. */
export class BackendUnreachableError extends Error {
  constructor(
    message: string,
    readonly node: number,
  ) {
    super(message);
  }
}

/** pgpool's rule: a host name that starts with "/" is the directory of the server's Unix-domain socket. */
export function connectOptions(target: BackendTarget): net.NetConnectOpts {
  const host = target.host || 'localhost';
  return host.startsWith('/') ? { path: `${host.replace(/\/$/, '')}/.s.PGSQL.${target.port}` } : { host, port: target.port };
}

export class BackendConnection {
  pid = 0;
  secret = 0;
  readonly params = new Map<string, string>();
  status: 'I' | 'T' | 'E' = 'I';
  broken: Error | null = null;
  /** Set by the owner: messages no request asked for (NOTIFY deliveries, notices while idle, FATAL before close). */
  onUnsolicited: ((conn: BackendConnection, type: number, buf: Buffer, start: number, end: number) => void) | null = null;
  onBroken: ((conn: BackendConnection, err: Error) => void) | null = null;
  /** When the connection was opened, for connection_life_time. */
  readonly openedAt = Date.now();
  lastUsed = Date.now();

  private readonly framer = new BackendFramer();
  private readonly sinks: ResponseSink[] = [];
  private runOut: ByteOut | null = null;
  private runBuf: Buffer | null = null;
  private runStart = 0;
  private runEnd = 0;

  /** Whether the connection runs over TLS. */
  encrypted = false;

  private constructor(
    readonly target: BackendTarget,
    private socket: net.Socket,
    readonly user: string,
    readonly database: string,
  ) {}

  get node(): number {
    return this.target.id;
  }

  /** Requests still waiting for their responses. */
  get pending(): number {
    return this.sinks.length;
  }

  static connect(target: BackendTarget, login: BackendLogin): Promise<BackendConnection> {
    return new Promise((resolve, reject) => {
      const raw = net.connect({ ...connectOptions(target), noDelay: true, keepAlive: true });
      // The plain socket, or the TLS socket over it once the server agreed to TLS.
      let socket: net.Socket = raw;
      const conn = new BackendConnection(target, raw, login.user, login.database);
      let settled = false;
      const timer = setTimeout(() => finish(new BackendUnreachableError(`node ${target.id} (${target.host}:${target.port}) did not answer within ${login.connectTimeoutMs} ms`, target.id)), login.connectTimeoutMs || 10000);
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          socket.destroy();
          raw.destroy();
          reject(err);
        } else {
          socket.removeAllListeners('data');
          socket.on('data', (chunk: Buffer) => conn.onData(chunk));
          resolve(conn);
        }
      };
      const watch = (s: net.Socket) => {
        s.once('error', (e) => finish(new BackendUnreachableError(`node ${target.id} (${target.host}:${target.port}) is unreachable: ${e.message}`, target.id)));
        s.once('close', () => {
          if (!settled) finish(new BackendUnreachableError(`node ${target.id} (${target.host}:${target.port}) closed the connection during login`, target.id));
          else conn.breakWith(new BackendUnreachableError(`the connection to node ${target.id} (${target.host}:${target.port}) was closed`, target.id));
        });
        s.on('error', (e) => conn.breakWith(new BackendUnreachableError(`the connection to node ${target.id} failed: ${e.message}`, target.id)));
      };
      watch(raw);
      const startup = () => {
        const params: Record<string, string> = { user: login.user, database: login.database };
        for (const [k, v] of login.params) params[k] = v;
        socket.on('data', loginData);
        socket.write(serialize.startup(params));
      };
      raw.once('connect', () => {
        if (!target.tls) return startup();
        raw.write(SSL_REQUEST);
        raw.once('data', (answer: Buffer) => {
          // Exactly one byte: anything after an 'S' would be unencrypted data slipped in before the handshake.
          if (answer.length === 1 && answer[0] === 0x4e) return startup(); // the server has no TLS: plain text, like pgpool
          if (answer.length !== 1 || answer[0] !== 0x53) {
            finish(new BackendUnreachableError(`node ${target.id} (${target.host}:${target.port}) gave an invalid answer to the TLS request`, target.id));
            return;
          }
          const ca = target.tls!.ca;
          const secure = tls.connect({
            socket: raw,
            ca,
            // Without a CA nothing is checked (pgpool's default, and libpq's sslmode=require); with one the
            // certificate must chain to it (verify-ca: the host name is not compared, as in pgpool).
            rejectUnauthorized: !!ca?.length,
            checkServerIdentity: () => undefined,
          });
          socket = secure;
          conn.socket = secure;
          conn.encrypted = true;
          watch(secure);
          secure.once('secureConnect', startup);
        });
      });
      let scram: ScramClient | undefined;
      const loginSink = {
        message(type: number, buf: Buffer, start: number, end: number) {
          if (type === BE.Authentication) {
            const code = buf.readInt32BE(start + 5);
            const s = login.secret;
            try {
              if (code === 0) return;
              if (code === 3) {
                if (!s?.password) throw new Error(`node ${target.id} asks for a password for "${login.user}", but pool_passwd has no usable entry`);
                socket.write(serialize.password(s.password));
              } else if (code === 5) {
                if (!s?.md5) throw new Error(`node ${target.id} asks for an MD5 password for "${login.user}", but pool_passwd has none`);
                socket.write(serialize.password(md5Response(s.md5, buf.subarray(start + 9, start + 13))));
              } else if (code === 10) {
                if (!s?.password) throw new Error(`node ${target.id} uses SCRAM for "${login.user}", which needs the password in pool_passwd as TEXT or AES (an md5 entry is not enough)`);
                const mechs = buf.toString('utf8', start + 9, end).split('\0');
                if (!mechs.includes('SCRAM-SHA-256')) throw new Error(`node ${target.id} offers no SCRAM-SHA-256`);
                scram = new ScramClient(s.password);
                socket.write(serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', scram.first()));
              } else if (code === 11) {
                socket.write(serialize.sendSCRAMClientFinalMessage(scram!.final(buf.toString('utf8', start + 9, end))));
              } else if (code === 12) {
                scram!.verify(buf.toString('utf8', start + 9, end));
              } else throw new Error(`node ${target.id} asks for an authentication method ReplicaDesk does not support (code ${code})`);
            } catch (err) {
              finish(new BackendLoginError({ S: 'FATAL', C: '28000', M: (err as Error).message }, target.id));
            }
          } else if (type === BE.ParameterStatus) {
            const [k, v] = decodeParameterStatus(buf, start, end);
            conn.params.set(k, v);
          } else if (type === BE.BackendKeyData) {
            conn.pid = buf.readInt32BE(start + 5);
            conn.secret = buf.readInt32BE(start + 9);
          } else if (type === BE.ErrorResponse) {
            finish(new BackendLoginError(decodeFields(buf, start, end), target.id));
          } else if (type === BE.ReadyForQuery) {
            conn.status = readyStatus(buf, start);
            finish();
          }
        },
        endOfChunk() {},
      };
      function loginData(chunk: Buffer): void {
        if (settled) return;
        try {
          conn.framer.push(chunk, loginSink);
        } catch (err) {
          finish(new BackendUnreachableError(`node ${target.id} sent an invalid reply: ${(err as Error).message}`, target.id));
        }
      }
    });
  }

  /** Queues a request's sink; call before or right after sending the request. */
  expect(sink: ResponseSink): void {
    if (this.broken) {
      const err = this.broken;
      queueMicrotask(() => sink.fail(this, err));
      return;
    }
    this.sinks.push(sink);
  }

  send(buf: Buffer): void {
    if (this.broken) return;
    this.lastUsed = Date.now();
    this.socket.write(buf);
  }

  /** Several messages in one system call. */
  sendMany(bufs: readonly Buffer[]): void {
    if (this.broken || bufs.length === 0) return;
    this.lastUsed = Date.now();
    if (bufs.length === 1) {
      this.socket.write(bufs[0]!);
      return;
    }
    this.socket.cork();
    for (const b of bufs) this.socket.write(b);
    this.socket.uncork();
  }

  /** Relays pending forwarded bytes now (call before writing anything else to the same client). */
  flushForward(): void {
    if (this.runOut && this.runBuf) {
      this.runOut.write(this.runStart === 0 && this.runEnd === this.runBuf.length ? this.runBuf : this.runBuf.subarray(this.runStart, this.runEnd));
    }
    this.runOut = null;
    this.runBuf = null;
  }

  private onData(chunk: Buffer): void {
    try {
      this.framer.push(chunk, this);
    } catch (err) {
      this.flushForward();
      this.destroy(new BackendUnreachableError(`node ${this.node} sent an invalid reply: ${(err as Error).message}`, this.node));
    }
  }

  /** FramedMessageSink: one whole backend message. */
  message(type: number, buf: Buffer, start: number, end: number): void {
    if (type === BE.ReadyForQuery) this.status = readyStatus(buf, start);
    else if (type === BE.ParameterStatus) {
      const [k, v] = decodeParameterStatus(buf, start, end);
      this.params.set(k, v);
    }
    const sink = this.sinks[0];
    if (!sink) {
      this.flushForward();
      this.onUnsolicited?.(this, type, buf, start, end);
      return;
    }
    const r = sink.message(this, type, buf, start, end);
    if (r & FORWARD) {
      const out = sink.out;
      if (out === this.runOut && buf === this.runBuf && start === this.runEnd) this.runEnd = end;
      else {
        this.flushForward();
        this.runOut = out;
        this.runBuf = buf;
        this.runStart = start;
        this.runEnd = end;
      }
    }
    if (r & DONE) this.sinks.shift();
  }

  endOfChunk(): void {
    this.flushForward();
  }

  private breakWith(err: Error): void {
    if (this.broken) return;
    this.broken = err;
    this.flushForward();
    const sinks = this.sinks.splice(0);
    for (const s of sinks) s.fail(this, err);
    this.onBroken?.(this, err);
  }

  destroy(err?: Error): void {
    this.breakWith(err ?? new BackendUnreachableError(`the connection to node ${this.node} was closed by ReplicaDesk`, this.node));
    this.socket.destroy();
  }

  /** Polite close: Terminate, then end. */
  close(): void {
    if (!this.broken) {
      this.broken = new Error('closed');
      this.socket.end(serialize.end());
      const sinks = this.sinks.splice(0);
      for (const s of sinks) s.fail(this, this.broken);
    }
  }

  /** Sends a CancelRequest for whatever this connection is running, on a separate connection. */
  cancel(): Promise<void> {
    return new Promise((resolve) => {
      const s = net.connect(connectOptions(this.target));
      const done = () => {
        s.destroy();
        resolve();
      };
      s.setTimeout(5000, done);
      s.once('error', done);
      s.once('close', done);
      s.once('connect', () => s.end(serialize.cancel(this.pid, this.secret)));
    });
  }
}
