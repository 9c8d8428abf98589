/**
 * The socket side of one client: SSLRequest/TLS, the startup packet, authentication, then handing the
 * message stream to a FanoutSession. Malformed bytes get an ErrorResponse and a closed connection.
 */
import type net from 'node:net';
import tls from 'node:tls';
import type { UserSecret } from '../config/pgpool/pool-passwd';
import { ClientAuthenticator, type AuthConfig } from './auth/client-auth';
import { FE, FrontendParser, MalformedMessage, type StartupPacket } from './protocol/frontend-parser';
import { AUTH_OK, SSL_NO, SSL_YES, errorResponse, type ErrorFields } from './protocol/server-messages';
import type { ClientPort, FanoutSession } from './session';

export interface ClientHost {
  readonly authConfig: AuthConfig;
  readonly tlsContext: tls.SecureContext | undefined;
  readonly authenticationTimeout: number;
  /** Opens the backends and the session, or explains why not. Sends the session's startup replies itself. */
  openSession(port: ClientPort, user: string, database: string, params: Map<string, string>, secret: UserSecret | undefined): Promise<FanoutSession | ErrorFields>;
  cancel(pid: number, secret: number): void;
  /** Waits for a free client slot (num_init_children); resolves to a release function. */
  acquireSlot(): Promise<() => void>;
}

export class ClientConnection implements ClientPort {
  private sock: net.Socket | tls.TLSSocket;
  private readonly parser: FrontendParser;
  private auth: ClientAuthenticator | undefined;
  private session: FanoutSession | undefined;
  private startup: Extract<StartupPacket, { kind: 'startup' }> | undefined;
  private ssl = false;
  private closed = false;
  private authTimer: NodeJS.Timeout | undefined;
  private releaseSlot: (() => void) | undefined;

  constructor(
    private readonly host: ClientHost,
    socket: net.Socket,
  ) {
    this.sock = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    this.parser = new FrontendParser({
      startup: (p) => this.onStartup(p),
      message: (type, raw) => this.onMessage(type, raw),
      protocolError: (m) => this.fail({ severity: 'FATAL', code: '08P01', message: m }),
    });
    this.listen(socket);
    if (host.authenticationTimeout > 0) {
      this.authTimer = setTimeout(() => this.fail({ severity: 'FATAL', code: '08P01', message: 'authentication timed out (authentication_timeout)' }), host.authenticationTimeout * 1000);
      this.authTimer.unref();
    }
  }

  private listen(s: net.Socket | tls.TLSSocket): void {
    s.on('data', (chunk: Buffer) => {
      try {
        this.parser.push(chunk);
      } catch (err) {
        if (err instanceof MalformedMessage) this.fail({ severity: 'FATAL', code: '08P01', message: `invalid message from the client: ${err.message}` });
        else this.fail({ severity: 'FATAL', code: 'XX000', message: `ReplicaDesk internal error: ${(err as Error).message}` });
      }
    });
    s.on('error', () => this.gone());
    s.on('close', () => this.gone());
  }

  get remoteAddress(): string {
    return this.sock.remoteAddress ?? '';
  }

  write(buf: Buffer): void {
    if (this.closed) return;
    this.sock.write(buf);
  }

  writeMany(bufs: readonly Buffer[]): void {
    if (this.closed) return;
    if (bufs.length === 1) return this.write(bufs[0]!);
    this.sock.cork();
    for (const b of bufs) this.sock.write(b);
    this.sock.uncork();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sock.end();
    this.releaseSlot?.();
    this.releaseSlot = undefined;
  }

  private gone(): void {
    if (this.authTimer) clearTimeout(this.authTimer);
    if (!this.closed) {
      this.closed = true;
      this.releaseSlot?.();
      this.releaseSlot = undefined;
    }
    this.session?.clientGone();
  }

  private fail(error: ErrorFields): void {
    if (this.closed) return;
    if (this.session) {
      // Hand the error to the session so its backends are released properly.
      this.write(errorResponse(error));
      this.session.clientGone();
      this.close();
      return;
    }
    this.write(errorResponse(error));
    this.close();
  }

  private onStartup(p: StartupPacket): void {
    switch (p.kind) {
      case 'ssl-request': {
        if (!this.host.tlsContext || this.ssl) {
          this.sock.write(SSL_NO);
          this.parser.resume();
          return;
        }
        if (this.parser.bufferedBytes > 0) {
          // Bytes sent before the TLS handshake would be treated as encrypted traffic: refuse (CVE-2021-23214).
          this.fail({ severity: 'FATAL', code: '08P01', message: 'received unencrypted data after SSL request' });
          return;
        }
        this.sock.write(SSL_YES);
        const plain = this.sock as net.Socket;
        plain.removeAllListeners('data');
        plain.removeAllListeners('error');
        plain.removeAllListeners('close');
        const secure = new tls.TLSSocket(plain, { isServer: true, secureContext: this.host.tlsContext });
        this.sock = secure;
        this.ssl = true;
        this.listen(secure);
        return;
      }
      case 'gssenc-request':
        this.sock.write(SSL_NO);
        this.parser.resume();
        return;
      case 'cancel':
        this.host.cancel(p.pid, p.secret);
        this.close();
        return;
      case 'startup':
        this.startup = p;
        void this.begin(p);
    }
  }

  private async begin(p: Extract<StartupPacket, { kind: 'startup' }>): Promise<void> {
    const user = p.params.get('user')!;
    const database = p.params.get('database') || user;
    const release = await this.host.acquireSlot();
    if (this.closed) {
      release();
      return;
    }
    this.releaseSlot = release;
    this.auth = new ClientAuthenticator(this.host.authConfig, { address: this.remoteAddress, ssl: this.ssl, user, database });
    this.step(this.auth.begin());
  }

  private step(s: ReturnType<ClientAuthenticator['begin']>): void {
    if (s.kind === 'fail') return this.fail(s.error);
    if (s.kind === 'send') {
      this.write(s.message);
      return;
    }
    for (const b of s.extra ?? []) this.write(b);
    this.write(AUTH_OK);
    this.auth = undefined;
    void this.open(s.secret);
  }

  private pendingMessages: { type: number; raw: Buffer }[] = [];
  private opening = false;

  private async open(secret: UserSecret | undefined): Promise<void> {
    const p = this.startup!;
    const params = new Map(p.params);
    const user = params.get('user')!;
    const database = params.get('database') || user;
    params.delete('user');
    params.delete('database');
    this.opening = true;
    const r = await this.host.openSession(this, user, database, params, secret);
    this.opening = false;
    if (this.authTimer) clearTimeout(this.authTimer);
    if ('code' in r) return this.fail(r);
    if (this.closed) {
      r.clientGone();
      return;
    }
    this.session = r;
    for (const m of this.pendingMessages.splice(0)) r.receive(m.type, m.raw);
  }

  private onMessage(type: number, raw: Buffer): void {
    if (this.session) {
      this.session.receive(type, raw);
      return;
    }
    if (this.opening) {
      this.pendingMessages.push({ type, raw });
      return;
    }
    if (this.auth && type === FE.Password) {
      try {
        this.step(this.auth.next(raw));
      } catch (err) {
        this.fail({ severity: 'FATAL', code: '08P01', message: `invalid authentication message: ${(err as Error).message}` });
      }
      return;
    }
    if (type === FE.Terminate) {
      this.close();
      return;
    }
    this.fail({ severity: 'FATAL', code: '08P01', message: `expected a password response, got message type "${String.fromCharCode(type)}"` });
  }
}
