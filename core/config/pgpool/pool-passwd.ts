import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReplicaDeskError } from '../../errors';
import type { LineEnding, LineProblem } from './document';

/**
 * pool_passwd: one `user:secret` per line. The secret is `md5<32 hex>` (md5 of password+user), `TEXT<plain>`,
 * `AES<base64>` (AES-256-CBC under a key derived from the first line of the pgpool key file),
 * `SCRAM-SHA-256$...` (a verifier), or, without a prefix, the password itself. A backslash protects a colon
 * in the user name. Kept line by line so an editor can change one entry and leave the rest as written.
 */

export type PasswdSecretKind = 'md5' | 'text' | 'aes' | 'scram' | 'plain';

export interface PasswdEntry {
  user: string;
  kind: PasswdSecretKind;
  /** The secret as written (prefix included). Never log it. */
  secret: string;
  line: number;
}

export interface PasswdLine {
  raw: string;
  eol: LineEnding;
  entry?: PasswdEntry;
  problem?: string;
}

export function secretKind(secret: string): PasswdSecretKind {
  if (/^md5[0-9a-f]{32}$/i.test(secret)) return 'md5';
  if (secret.startsWith('AES')) return 'aes';
  if (secret.startsWith('TEXT')) return 'text';
  if (secret.startsWith('SCRAM-SHA-256$')) return 'scram';
  return 'plain';
}

function splitUser(raw: string): { user: string; rest: string } | undefined {
  let user = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      user += raw[++i];
      continue;
    }
    if (c === ':') return { user, rest: raw.slice(i + 1) };
    user += c;
  }
  return undefined;
}

export class PoolPasswdDocument {
  constructor(
    readonly path: string,
    readonly lines: readonly PasswdLine[],
  ) {}

  static parse(text: string, file: string): PoolPasswdDocument {
    const lines: PasswdLine[] = [];
    let pos = 0;
    let n = 0;
    while (pos < text.length) {
      n++;
      const nl = text.indexOf('\n', pos);
      const end = nl < 0 ? text.length : nl;
      const crlf = nl > pos && text[nl - 1] === '\r';
      const raw = text.slice(pos, crlf ? end - 1 : end);
      const eol: LineEnding = nl < 0 ? '' : crlf ? '\r\n' : '\n';
      pos = nl < 0 ? text.length : nl + 1;
      if (raw.trim() === '' || raw.trimStart().startsWith('#')) {
        lines.push({ raw, eol });
        continue;
      }
      const parts = splitUser(raw);
      if (!parts || !parts.user) {
        lines.push({ raw, eol, problem: 'expected "user:password" (no colon found)' });
        continue;
      }
      // user:password:backend_user:backend_password (pgpool's LDAP mapping) is not used; keep the first pair.
      const secret = parts.rest.includes(':') && secretKind(parts.rest) !== 'scram' && !parts.rest.startsWith('AES') ? parts.rest.slice(0, parts.rest.indexOf(':')) : parts.rest;
      const problem = secret.length === 0 ? `the entry for "${parts.user}" has an empty password` : undefined;
      lines.push({ raw, eol, entry: { user: parts.user, kind: secretKind(secret), secret, line: n }, problem });
    }
    return new PoolPasswdDocument(file, lines);
  }

  static load(file: string): PoolPasswdDocument {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ReplicaDeskError('POOL_PASSWD_UNREADABLE', `The password file ${file} cannot be read (${(err as Error).message}). Check the pool_passwd setting in pgpool.conf.`, { file });
    }
    return PoolPasswdDocument.parse(text, file);
  }

  toString(): string {
    return this.lines.map((l) => l.raw + l.eol).join('');
  }

  entries(): PasswdEntry[] {
    return this.lines.flatMap((l) => (l.entry ? [l.entry] : []));
  }

  /** pgpool uses the first entry for a user. */
  find(user: string): PasswdEntry | undefined {
    return this.entries().find((e) => e.user === user);
  }

  problems(): LineProblem[] {
    const out: LineProblem[] = [];
    this.lines.forEach((l, i) => {
      if (l.problem) out.push({ file: this.path, line: i + 1, message: l.problem });
    });
    return out;
  }
}

/** What we can do with a user's entry: the plain password when recoverable, else the md5 hash. */
export interface UserSecret {
  user: string;
  password?: string;
  /** md5(password + user) as 32 hex digits, without the "md5" prefix. */
  md5?: string;
  /** A SCRAM-SHA-256 verifier from the file (lets clients log in by SCRAM, cannot log in to backends). */
  scramVerifier?: string;
}

/**
 * pgpool's AES key and IV: OpenSSL's EVP_BytesToKey with SHA-1, no salt, one round, for AES-256-CBC
 * (32 key bytes + 16 IV bytes from chained digests of the pass phrase).
 */
function aesKeyIv(passphrase: string): { key: Buffer; iv: Buffer } {
  const pass = Buffer.from(passphrase, 'utf8');
  const out: Buffer[] = [];
  let prev = Buffer.alloc(0);
  let len = 0;
  while (len < 48) {
    prev = crypto.createHash('sha1').update(prev).update(pass).digest();
    out.push(prev);
    len += prev.length;
  }
  const all = Buffer.concat(out);
  return { key: all.subarray(0, 32), iv: all.subarray(32, 48) };
}

export function decryptAesSecret(secret: string, passphrase: string): string {
  const b64 = secret.startsWith('AES') ? secret.slice(3) : secret;
  const { key, iv } = aesKeyIv(passphrase);
  try {
    const d = crypto.createDecipheriv('aes-256-cbc', key, iv);
    return Buffer.concat([d.update(Buffer.from(b64, 'base64')), d.final()]).toString('utf8');
  } catch {
    throw new ReplicaDeskError('POOL_PASSWD_AES', 'An AES password in pool_passwd cannot be decrypted with the pgpool key file. Check that the key file is the one pg_enc used.');
  }
}

export function encryptAesSecret(password: string, passphrase: string): string {
  const { key, iv } = aesKeyIv(passphrase);
  const c = crypto.createCipheriv('aes-256-cbc', key, iv);
  return 'AES' + Buffer.concat([c.update(Buffer.from(password, 'utf8')), c.final()]).toString('base64');
}

export function md5Secret(password: string, user: string): string {
  return crypto.createHash('md5').update(password + user).digest('hex');
}

/** Where pgpool looks for its key file: $PGPOOLKEYFILE, else ~/.pgpoolkey. */
export function defaultPoolKeyFile(): string {
  return process.env.PGPOOLKEYFILE || path.join(os.homedir(), '.pgpoolkey');
}

/** The first line of the key file, as pgpool reads it; undefined when the file is absent. */
export function readPoolKey(file: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const first = text.split('\n')[0] ?? '';
  return first.replace(/\r$/, '');
}

export function resolveSecret(entry: PasswdEntry, poolKey: string | undefined): UserSecret {
  switch (entry.kind) {
    case 'md5':
      return { user: entry.user, md5: entry.secret.slice(3).toLowerCase() };
    case 'text':
      return { user: entry.user, password: entry.secret.slice(4), md5: md5Secret(entry.secret.slice(4), entry.user) };
    case 'plain':
      return { user: entry.user, password: entry.secret, md5: md5Secret(entry.secret, entry.user) };
    case 'scram':
      return { user: entry.user, scramVerifier: entry.secret };
    case 'aes': {
      if (poolKey === undefined) {
        throw new ReplicaDeskError('POOL_KEY_MISSING', `pool_passwd line ${entry.line} holds an AES password for "${entry.user}", but the pgpool key file was not found. Set PGPOOLKEYFILE or pass --key-file.`, { user: entry.user, line: entry.line });
      }
      const password = decryptAesSecret(entry.secret, poolKey);
      return { user: entry.user, password, md5: md5Secret(password, entry.user) };
    }
  }
}

/** Looks up users' secrets in a pool_passwd file, decrypting AES entries once. */
export class PasswordBook {
  private readonly cache = new Map<string, UserSecret | null>();
  constructor(
    private readonly doc: PoolPasswdDocument | undefined,
    private readonly poolKey: string | undefined,
    /** Secrets given directly (e.g. by the service from its sealed store); they win over the file. */
    private readonly extra: ReadonlyMap<string, UserSecret> = new Map(),
  ) {}

  lookup(user: string): UserSecret | undefined {
    const own = this.extra.get(user);
    if (own) return own;
    if (this.cache.has(user)) return this.cache.get(user) ?? undefined;
    const entry = this.doc?.find(user);
    const secret = entry ? resolveSecret(entry, this.poolKey) : undefined;
    this.cache.set(user, secret ?? null);
    return secret;
  }
}
