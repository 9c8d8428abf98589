/**
 * SCRAM-SHA-256 (RFC 5802 / RFC 7677) as PostgreSQL speaks it, both sides, as pure state machines over
 * strings and Buffers. Channel binding is not offered (no SCRAM-SHA-256-PLUS), so a client may send the
 * "n" or "y" GS2 flag but not "p".
 */
import crypto from 'node:crypto';

export const SCRAM_ITERATIONS = 4096;

export interface ScramKeys {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

function hmac(key: Buffer, data: string | Buffer): Buffer {
  return crypto.createHmac('sha256', key).update(data).digest();
}
function sha256(data: Buffer): Buffer {
  return crypto.createHash('sha256').update(data).digest();
}
function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/**
 * PostgreSQL's SASLprep of a password: non-ASCII spaces become spaces, "mapped to nothing" characters go,
 * then NFKC. When that fails (prohibited characters) PostgreSQL uses the raw bytes, and so do we.
 */
export function saslPrep(password: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(password)) return password;
  const mapped = password.replace(/[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000]/g, ' ').replace(/[\u00ad\u034f\u1806\u180b-\u180d\u200c\u200d\u2060\ufe00-\ufe0f\ufeff]/g, '');
  const norm = mapped.normalize('NFKC');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\ufff9-\ufffd\ud800-\udfff]/.test(norm) || norm.length === 0) return password;
  return norm;
}

export function saltedPassword(password: string, salt: Buffer, iterations: number): Buffer {
  return crypto.pbkdf2Sync(Buffer.from(saslPrep(password), 'utf8'), salt, iterations, 32, 'sha256');
}

export function scramKeysFromPassword(password: string, salt = crypto.randomBytes(16), iterations = SCRAM_ITERATIONS): ScramKeys {
  const salted = saltedPassword(password, salt, iterations);
  return { salt, iterations, storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

/** Reads a verifier as PostgreSQL stores it: SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>. */
export function parseScramVerifier(v: string): ScramKeys | undefined {
  const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(v);
  if (!m) return undefined;
  const storedKey = Buffer.from(m[3]!, 'base64');
  const serverKey = Buffer.from(m[4]!, 'base64');
  if (storedKey.length !== 32 || serverKey.length !== 32) return undefined;
  return { iterations: Number(m[1]), salt: Buffer.from(m[2]!, 'base64'), storedKey, serverKey };
}

function attributes(msg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of msg.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) continue;
    out.set(part[0]!, part.slice(2));
  }
  return out;
}

const PRINTABLE_NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

export type ScramServerStep = { ok: true; reply: string; done: boolean } | { ok: false; reason: string };

/**
 * Server side of one SCRAM exchange. `keys` undefined means the user is unknown: the exchange still runs
 * with made-up keys (as PostgreSQL does) so a client cannot tell unknown users from wrong passwords.
 */
export class ScramServer {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';
  private state: 'first' | 'final' | 'done' = 'first';
  private readonly keys: ScramKeys;
  private readonly mock: boolean;

  constructor(keys: ScramKeys | undefined) {
    this.mock = !keys;
    this.keys = keys ?? { salt: crypto.randomBytes(16), iterations: SCRAM_ITERATIONS, storedKey: crypto.randomBytes(32), serverKey: crypto.randomBytes(32) };
  }

  /** client-first-message → server-first-message. */
  clientFirst(msg: string): ScramServerStep {
    if (this.state !== 'first') return { ok: false, reason: 'unexpected SCRAM message order' };
    // gs2-header: cbind-flag "," [authzid] ","
    const c1 = msg.indexOf(',');
    const c2 = c1 < 0 ? -1 : msg.indexOf(',', c1 + 1);
    if (c2 < 0) return { ok: false, reason: 'malformed SCRAM client-first-message' };
    const flag = msg.slice(0, c1);
    if (flag.startsWith('p=')) return { ok: false, reason: 'channel binding was requested, but this server does not offer SCRAM-SHA-256-PLUS' };
    if (flag !== 'n' && flag !== 'y') return { ok: false, reason: 'malformed SCRAM client-first-message (GS2 flag)' };
    if (c2 !== c1 + 1) return { ok: false, reason: 'an authorization identity is not supported' };
    this.gs2Header = msg.slice(0, c2 + 1);
    this.clientFirstBare = msg.slice(c2 + 1);
    if (this.clientFirstBare.startsWith('m=')) return { ok: false, reason: 'SCRAM extensions are not supported' };
    const attrs = attributes(this.clientFirstBare);
    const cnonce = attrs.get('r');
    if (!attrs.has('n') || !cnonce || !PRINTABLE_NONCE.test(cnonce)) return { ok: false, reason: 'malformed SCRAM client-first-message (nonce)' };
    this.nonce = cnonce + crypto.randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.keys.salt.toString('base64')},i=${this.keys.iterations}`;
    this.state = 'final';
    return { ok: true, reply: this.serverFirst, done: false };
  }

  /** client-final-message → server-final-message (v=signature) when the proof is right. */
  clientFinal(msg: string): ScramServerStep {
    if (this.state !== 'final') return { ok: false, reason: 'unexpected SCRAM message order' };
    this.state = 'done';
    const p = msg.lastIndexOf(',p=');
    if (p < 0) return { ok: false, reason: 'malformed SCRAM client-final-message (no proof)' };
    const withoutProof = msg.slice(0, p);
    const attrs = attributes(withoutProof);
    if (attrs.get('c') !== Buffer.from(this.gs2Header).toString('base64')) return { ok: false, reason: 'SCRAM channel binding check failed' };
    if (attrs.get('r') !== this.nonce) return { ok: false, reason: 'SCRAM nonce mismatch' };
    const proof = Buffer.from(msg.slice(p + 3), 'base64');
    if (proof.length !== 32) return { ok: false, reason: 'malformed SCRAM proof' };
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientKey = xor(proof, hmac(this.keys.storedKey, authMessage));
    if (this.mock || !crypto.timingSafeEqual(sha256(clientKey), this.keys.storedKey)) return { ok: false, reason: 'password authentication failed' };
    return { ok: true, reply: `v=${hmac(this.keys.serverKey, authMessage).toString('base64')}`, done: true };
  }
}

/** Client side, for logging in to backends. */
export class ScramClient {
  private readonly cnonce = crypto.randomBytes(18).toString('base64');
  private clientFirstBare = '';
  private expectedServerSignature: Buffer | undefined;

  constructor(private readonly password: string) {}

  first(): string {
    this.clientFirstBare = `n=*,r=${this.cnonce}`;
    return `n,,${this.clientFirstBare}`;
  }

  /** server-first-message → client-final-message. */
  final(serverFirst: string): string {
    const attrs = attributes(serverFirst);
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (!nonce || !nonce.startsWith(this.cnonce) || nonce.length === this.cnonce.length) throw new Error('the server sent an invalid SCRAM nonce');
    if (!salt || !Number.isInteger(iterations) || iterations < 1) throw new Error('the server sent an invalid SCRAM salt or iteration count');
    const salted = saltedPassword(this.password, Buffer.from(salt, 'base64'), iterations);
    const clientKey = hmac(salted, 'Client Key');
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const proof = xor(clientKey, hmac(sha256(clientKey), authMessage));
    this.expectedServerSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  verify(serverFinal: string): void {
    const v = Buffer.from(attributes(serverFinal).get('v') ?? '', 'base64');
    if (!this.expectedServerSignature || v.length !== 32 || !crypto.timingSafeEqual(v, this.expectedServerSignature)) {
      throw new Error('the server SCRAM signature does not match: it does not know the password');
    }
  }
}
