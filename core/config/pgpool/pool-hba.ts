import fs from 'node:fs';
import net from 'node:net';
import { ReplicaDeskError } from '../../errors';
import type { LineEnding, LineProblem } from './document';

/**
 * pool_hba.conf, PostgreSQL's pg_hba.conf format as pgpool-II reads it:
 *   local      DATABASE USER METHOD [OPTIONS]
 *   host       DATABASE USER ADDRESS METHOD [OPTIONS]      (also hostssl, hostnossl)
 * ADDRESS is CIDR (10.0.0.0/8), or an address followed by a netmask field, or all. The first line that
 * matches decides. Lines are kept as written for the editor.
 */

export type HbaMethod = 'trust' | 'reject' | 'md5' | 'scram-sha-256' | 'password' | 'pam' | 'ldap' | 'cert';
export type HbaConnType = 'local' | 'host' | 'hostssl' | 'hostnossl';

export interface HbaRule {
  line: number;
  type: HbaConnType;
  databases: string[];
  users: string[];
  /** undefined for local lines; 'all' matches any address. */
  address?: { kind: 'all' } | { kind: 'cidr'; family: 4 | 6; bytes: Buffer; maskBits: number };
  method: HbaMethod;
  options: Record<string, string>;
}

export interface HbaLine {
  raw: string;
  eol: LineEnding;
  rule?: HbaRule;
  problem?: string;
}

const METHODS: readonly HbaMethod[] = ['trust', 'reject', 'md5', 'scram-sha-256', 'password', 'pam', 'ldap', 'cert'];
export const SUPPORTED_METHODS: readonly HbaMethod[] = ['trust', 'reject', 'md5', 'scram-sha-256', 'password'];

interface Token {
  text: string;
  quoted: boolean;
}

/** Splits a line into fields; a field is a comma list of (possibly double-quoted) words. */
function fields(raw: string): Token[][] | string {
  const out: Token[][] = [];
  let i = 0;
  const n = raw.length;
  while (i < n) {
    while (i < n && (raw[i] === ' ' || raw[i] === '\t' || raw[i] === '\r')) i++;
    if (i >= n || raw[i] === '#') break;
    const field: Token[] = [];
    for (;;) {
      let text = '';
      let quoted = false;
      while (i < n && raw[i] !== ' ' && raw[i] !== '\t' && raw[i] !== ',' && raw[i] !== '#') {
        if (raw[i] === '"') {
          quoted = true;
          i++;
          while (i < n && raw[i] !== '"') text += raw[i++];
          if (i >= n) return 'a double quote is not closed';
          i++;
        } else text += raw[i++];
      }
      field.push({ text, quoted });
      if (raw[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    out.push(field);
  }
  return out;
}

function parseIp(text: string): { family: 4 | 6; bytes: Buffer } | undefined {
  const fam = net.isIP(text);
  if (fam === 4) return { family: 4, bytes: Buffer.from(text.split('.').map(Number)) };
  if (fam === 6) return { family: 6, bytes: ipv6Bytes(text) };
  return undefined;
}

function ipv6Bytes(text: string): Buffer {
  let t = text;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    t = t.slice(0, -v4[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = t.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const tl = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - tl.length).fill('0'), ...tl];
  const buf = Buffer.alloc(16);
  groups.forEach((g, i) => buf.writeUInt16BE(Number.parseInt(g || '0', 16), i * 2));
  return buf;
}

function maskBitsOf(mask: Buffer): number | undefined {
  let bits = 0;
  let ended = false;
  for (const byte of mask) {
    for (let b = 7; b >= 0; b--) {
      const set = (byte >> b) & 1;
      if (set && ended) return undefined;
      if (set) bits++;
      else ended = true;
    }
  }
  return bits;
}

function parseRule(tokens: Token[][], line: number): HbaRule | string {
  const word = (f: Token[] | undefined) => (f && f.length === 1 ? f[0]!.text : undefined);
  const type = word(tokens[0]);
  if (!type || !['local', 'host', 'hostssl', 'hostnossl'].includes(type)) return `unknown connection type "${tokens[0]?.map((t) => t.text).join(',')}" (expected local, host, hostssl or hostnossl)`;
  if (!tokens[1]) return 'the database field is missing';
  if (!tokens[2]) return 'the user field is missing';
  const databases = tokens[1].map((t) => (t.quoted ? `"${t.text}"` : t.text));
  const users = tokens[2].map((t) => (t.quoted ? `"${t.text}"` : t.text));
  let idx = 3;
  let address: HbaRule['address'];
  if (type !== 'local') {
    const a = word(tokens[3]);
    if (!a) return 'the address field is missing';
    idx = 4;
    if (a === 'all' || a === '0.0.0.0/0' || a === '::/0') address = { kind: 'all' };
    else if (a.includes('/')) {
      const [ip, bitsText] = a.split('/') as [string, string];
      const p = parseIp(ip);
      const bits = Number(bitsText);
      if (!p || !/^\d+$/.test(bitsText) || bits > (p.family === 4 ? 32 : 128)) return `"${a}" is not a valid CIDR address`;
      address = { kind: 'cidr', family: p.family, bytes: p.bytes, maskBits: bits };
    } else {
      const p = parseIp(a);
      if (!p) return `"${a}" is not an IP address (host names, samehost and samenet are not supported by ReplicaDesk)`;
      const maskText = word(tokens[4]);
      const mask = maskText ? parseIp(maskText) : undefined;
      if (!mask || mask.family !== p.family) return `the address "${a}" needs a /bits suffix or a netmask field`;
      const bits = maskBitsOf(mask.bytes);
      if (bits === undefined) return `"${maskText}" is not a valid netmask`;
      address = { kind: 'cidr', family: p.family, bytes: p.bytes, maskBits: bits };
      idx = 5;
    }
  }
  const m = word(tokens[idx]);
  if (!m) return 'the authentication method is missing';
  if (!METHODS.includes(m as HbaMethod)) return `unknown authentication method "${m}"`;
  const options: Record<string, string> = {};
  for (const f of tokens.slice(idx + 1)) {
    const t = f.map((x) => x.text).join(',');
    const eq = t.indexOf('=');
    if (eq <= 0) return `option "${t}" should be name=value`;
    options[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return { line, type: type as HbaConnType, databases, users, address, method: m as HbaMethod, options };
}

export interface HbaClient {
  /** Remote address as Node reports it (IPv4-mapped IPv6 addresses are understood). */
  address: string;
  ssl: boolean;
  database: string;
  user: string;
}

function addressMatches(rule: NonNullable<HbaRule['address']>, addr: string): boolean {
  if (rule.kind === 'all') return true;
  let a = addr;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped && rule.family === 4) a = mapped[1]!;
  const ip = parseIp(a);
  if (!ip || ip.family !== rule.family) return false;
  let bits = rule.maskBits;
  for (let i = 0; i < ip.bytes.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip.bytes[i]! & mask) !== (rule.bytes[i]! & mask)) return false;
  }
  return true;
}

function nameMatches(list: string[], name: string, keywords: Record<string, boolean>): boolean {
  for (const item of list) {
    if (item.startsWith('"')) {
      if (item.slice(1, -1) === name) return true;
    } else if (item in keywords) {
      if (keywords[item]) return true;
    } else if (item === name) return true;
  }
  return false;
}

export class PoolHbaDocument {
  constructor(
    readonly path: string,
    readonly lines: readonly HbaLine[],
  ) {}

  static parse(text: string, file: string): PoolHbaDocument {
    const lines: HbaLine[] = [];
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
      const f = fields(raw);
      if (typeof f === 'string') lines.push({ raw, eol, problem: f });
      else if (f.length === 0) lines.push({ raw, eol });
      else {
        const r = parseRule(f, n);
        if (typeof r === 'string') lines.push({ raw, eol, problem: r });
        else lines.push({ raw, eol, rule: r, problem: SUPPORTED_METHODS.includes(r.method) ? undefined : `method "${r.method}" is not supported by ReplicaDesk; clients matching this line are refused` });
      }
    }
    return new PoolHbaDocument(file, lines);
  }

  static load(file: string): PoolHbaDocument {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ReplicaDeskError('POOL_HBA_UNREADABLE', `The client authentication file ${file} cannot be read (${(err as Error).message}). enable_pool_hba is on, so it is needed.`, { file });
    }
    return PoolHbaDocument.parse(text, file);
  }

  toString(): string {
    return this.lines.map((l) => l.raw + l.eol).join('');
  }

  rules(): HbaRule[] {
    return this.lines.flatMap((l) => (l.rule ? [l.rule] : []));
  }

  problems(): LineProblem[] {
    const out: LineProblem[] = [];
    this.lines.forEach((l, i) => {
      if (l.problem) out.push({ file: this.path, line: i + 1, message: l.problem });
    });
    return out;
  }

  /** The first rule matching a TCP client, or undefined (which means: refuse). Group (+role) and @file entries never match. */
  match(c: HbaClient): HbaRule | undefined {
    for (const r of this.rules()) {
      if (r.type === 'local') continue;
      if (r.type === 'hostssl' && !c.ssl) continue;
      if (r.type === 'hostnossl' && c.ssl) continue;
      if (!r.address || !addressMatches(r.address, c.address)) continue;
      if (!nameMatches(r.databases, c.database, { all: true, sameuser: c.database === c.user, samerole: false, samegroup: false })) continue;
      if (!nameMatches(r.users, c.user, { all: true })) continue;
      return r;
    }
    return undefined;
  }
}
