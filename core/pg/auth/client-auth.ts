/**
 * Authenticates a client the way pgpool-II does: pool_hba.conf picks the method (when enable_pool_hba is
 * on), pool_passwd holds the secrets. A pure state machine: feed it the client's password messages, send
 * what it returns.
 */
import crypto from 'node:crypto';
import type { HbaMethod, PoolHbaDocument } from '../../config/pgpool/pool-hba';
import type { PasswordBook, UserSecret } from '../../config/pgpool/pool-passwd';
import { type ErrorFields, authCleartext, authMd5, authSasl, authSaslContinue, authSaslFinal } from '../protocol/server-messages';
import { decodePassword, decodeSaslInitial, saslResponseData } from '../protocol/frontend-parser';
import { md5Matches } from './md5';
import { ScramServer, type ScramKeys, parseScramVerifier, scramKeysFromPassword } from './scram';

export interface AuthConfig {
  enablePoolHba: boolean;
  hba?: PoolHbaDocument;
  passwords: PasswordBook;
  allowClearTextFrontendAuth: boolean;
}

export interface ClientIdentity {
  address: string;
  ssl: boolean;
  user: string;
  database: string;
}

export type AuthStep =
  | { kind: 'send'; message: Buffer }
  | { kind: 'ok'; extra?: Buffer[]; secret: UserSecret | undefined }
  | { kind: 'fail'; error: ErrorFields };

/** Server-side SCRAM keys per user, derived once (PBKDF2 is deliberately slow). */
const scramKeyCache = new WeakMap<PasswordBook, Map<string, ScramKeys>>();

function keysFor(book: PasswordBook, secret: UserSecret): ScramKeys | undefined {
  let m = scramKeyCache.get(book);
  if (!m) scramKeyCache.set(book, (m = new Map()));
  const cached = m.get(secret.user);
  if (cached) return cached;
  const keys = secret.password !== undefined ? scramKeysFromPassword(secret.password) : secret.scramVerifier ? parseScramVerifier(secret.scramVerifier) : undefined;
  if (keys) m.set(secret.user, keys);
  return keys;
}

function failed(user: string, method: string): ErrorFields {
  return { severity: 'FATAL', code: '28P01', message: `${method} authentication failed for user "${user}"` };
}

export class ClientAuthenticator {
  private method: HbaMethod | 'md5-or-scram' = 'trust';
  private secret: UserSecret | undefined;
  private salt = Buffer.alloc(0);
  private scram: ScramServer | undefined;
  private stage: 'start' | 'password' | 'sasl-initial' | 'sasl-final' | 'done' = 'start';

  constructor(
    private readonly cfg: AuthConfig,
    private readonly who: ClientIdentity,
  ) {}

  /** The first step after the startup packet. */
  begin(): AuthStep {
    const { user, database, address, ssl } = this.who;
    let secret: UserSecret | undefined;
    try {
      secret = this.cfg.passwords.lookup(user);
    } catch (err) {
      return { kind: 'fail', error: { severity: 'FATAL', code: '28000', message: (err as Error).message } };
    }
    this.secret = secret;
    if (this.cfg.enablePoolHba) {
      const rule = this.cfg.hba?.match({ address, ssl, database, user });
      if (!rule) {
        return { kind: 'fail', error: { severity: 'FATAL', code: '28000', message: `no pool_hba.conf entry for host "${address}", user "${user}", database "${database}", ${ssl ? 'SSL on' : 'SSL off'}` } };
      }
      this.method = rule.method;
    } else {
      // Without pool_hba.conf: challenge with the strongest method the stored secret allows.
      this.method = secret?.password !== undefined || secret?.scramVerifier ? 'scram-sha-256' : secret?.md5 ? 'md5' : this.cfg.allowClearTextFrontendAuth ? 'password' : 'md5-or-scram';
    }
    switch (this.method) {
      case 'trust':
        this.stage = 'done';
        return { kind: 'ok', secret };
      case 'reject':
        return { kind: 'fail', error: { severity: 'FATAL', code: '28000', message: `pool_hba.conf rejects connection for host "${address}", user "${user}", database "${database}", ${ssl ? 'SSL on' : 'SSL off'}` } };
      case 'md5':
        if (!secret?.md5 && secret?.password === undefined) {
          if (this.cfg.allowClearTextFrontendAuth) return this.askCleartext();
          return { kind: 'fail', error: { severity: 'FATAL', code: '28000', message: `md5 authentication needs the password of "${user}" in pool_passwd (md5, TEXT or AES entry)` } };
        }
        this.salt = crypto.randomBytes(4);
        this.stage = 'password';
        return { kind: 'send', message: authMd5(this.salt) };
      case 'scram-sha-256': {
        const keys = secret ? keysFor(this.cfg.passwords, secret) : undefined;
        if (!keys && secret?.md5 && this.cfg.allowClearTextFrontendAuth) return this.askCleartext();
        // Unknown users still get a full (mock) exchange, so they cannot be told from wrong passwords.
        this.scram = new ScramServer(keys);
        this.stage = 'sasl-initial';
        return { kind: 'send', message: authSasl(['SCRAM-SHA-256']) };
      }
      case 'password':
        return this.askCleartext();
      case 'md5-or-scram':
        return { kind: 'fail', error: { severity: 'FATAL', code: '28000', message: `user "${user}" has no entry in pool_passwd, so ReplicaDesk cannot log in to the PostgreSQL nodes for it`, detail: 'Add the user with pg_enc or pg_md5, or turn on allow_clear_text_frontend_auth.' } };
      default:
        return { kind: 'fail', error: { severity: 'FATAL', code: '28000', message: `authentication method "${this.method}" in pool_hba.conf is not supported by ReplicaDesk` } };
    }
  }

  private askCleartext(): AuthStep {
    this.method = 'password';
    this.stage = 'password';
    return { kind: 'send', message: authCleartext() };
  }

  /** A PasswordMessage / SASLInitialResponse / SASLResponse ('p') from the client. */
  next(raw: Buffer): AuthStep {
    const user = this.who.user;
    switch (this.stage) {
      case 'password': {
        const given = decodePassword(raw);
        if (this.method === 'md5') {
          const ok = this.secret?.md5 !== undefined && md5Matches(given, this.secret.md5, this.salt);
          return ok ? this.success(this.secret) : { kind: 'fail', error: failed(user, 'password') };
        }
        // Cleartext: check against what we store, or (allow_clear_text_frontend_auth) take it for the backends.
        if (this.secret?.password !== undefined) return crypto.timingSafeEqual(sha(given), sha(this.secret.password)) ? this.success(this.secret) : { kind: 'fail', error: failed(user, 'password') };
        if (this.secret?.md5) {
          const md5 = crypto.createHash('md5').update(given + user).digest('hex');
          return md5 === this.secret.md5 ? this.success({ user, password: given, md5 }) : { kind: 'fail', error: failed(user, 'password') };
        }
        return this.success({ user, password: given });
      }
      case 'sasl-initial': {
        const { mechanism, data } = decodeSaslInitial(raw);
        if (mechanism !== 'SCRAM-SHA-256' || !data) return { kind: 'fail', error: { severity: 'FATAL', code: '28000', message: `client selected an invalid SASL authentication mechanism` } };
        const r = this.scram!.clientFirst(data.toString('utf8'));
        if (!r.ok) return { kind: 'fail', error: { severity: 'FATAL', code: '08P01', message: r.reason } };
        this.stage = 'sasl-final';
        return { kind: 'send', message: authSaslContinue(r.reply) };
      }
      case 'sasl-final': {
        const r = this.scram!.clientFinal(saslResponseData(raw).toString('utf8'));
        if (!r.ok) return { kind: 'fail', error: r.reason === 'password authentication failed' ? failed(user, 'password') : { severity: 'FATAL', code: '08P01', message: r.reason } };
        return this.success(this.secret, [authSaslFinal(r.reply)]);
      }
      default:
        return { kind: 'fail', error: { severity: 'FATAL', code: '08P01', message: 'unexpected password message' } };
    }
  }

  private success(secret: UserSecret | undefined, extra?: Buffer[]): AuthStep {
    this.stage = 'done';
    return { kind: 'ok', secret, extra };
  }
}

function sha(s: string): Buffer {
  return crypto.createHash('sha256').update(s).digest();
}
