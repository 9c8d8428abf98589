/**
 * Incremental parser of what a PostgreSQL client sends (protocol v3), over Buffers only: the socket layer
 * pushes chunks as they arrive, in any split, and gets whole messages back as views into those chunks
 * (copied only when a message spans chunks). No sockets, no timers.
 *
 * The first message of a connection has no type byte (StartupMessage, SSLRequest, GSSENCRequest,
 * CancelRequest); after SSLRequest/GSSENCRequest is answered another untyped message follows; then every
 * message is `type:1 length:4 body`.
 */

export const PROTOCOL_V3 = 196608; // 3.0
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;

/** Largest startup packet PostgreSQL accepts. */
export const MAX_STARTUP_PACKET = 10000;
/** Largest message we accept from a client (PostgreSQL's limit for most messages is 1 GB). */
export const MAX_MESSAGE = 1 << 30;

export type StartupPacket =
  | { kind: 'startup'; version: number; params: Map<string, string> }
  | { kind: 'ssl-request' }
  | { kind: 'gssenc-request' }
  | { kind: 'cancel'; pid: number; secret: number };

/** Message type bytes a client may send once started. */
export const FE = {
  Bind: 0x42, // B
  Close: 0x43, // C
  CopyData: 0x64, // d
  CopyDone: 0x63, // c
  CopyFail: 0x66, // f
  Describe: 0x44, // D
  Execute: 0x45, // E
  Flush: 0x48, // H
  FunctionCall: 0x46, // F
  Parse: 0x50, // P
  Password: 0x70, // p (also SASLInitialResponse, SASLResponse, GSSResponse)
  Query: 0x51, // Q
  Sync: 0x53, // S
  Terminate: 0x58, // X
} as const;

const KNOWN_TYPES = new Uint8Array(256);
for (const t of Object.values(FE)) KNOWN_TYPES[t] = 1;

export interface FrontendHandler {
  startup(packet: StartupPacket): void;
  /** `raw` is the whole message, type byte and length included; the body starts at raw[5]. */
  message(type: number, raw: Buffer): void;
  /** Malformed input; the parser stops, the connection should get an ErrorResponse and be closed. */
  protocolError(message: string): void;
}

export class FrontendParser {
  private startupPhase = true;
  private failed = false;

  constructor(private readonly handler: FrontendHandler) {}

  /** After answering SSLRequest/GSSENCRequest, the next message is untyped again. */
  expectStartup(): void {
    this.startupPhase = true;
  }

  get inStartup(): boolean {
    return this.startupPhase;
  }

  /** Bytes buffered but not yet a whole message (e.g. to check nothing was sent ahead of a TLS handshake). */
  get bufferedBytes(): number {
    return this.partLen;
  }

  push(chunk: Buffer): void {
    if (this.failed) return;
    let buf = chunk;
    if (this.pending) {
      this.parts.push(chunk);
      this.partLen += chunk.length;
      if (this.want === 0 || this.partLen < this.want) {
        // Join once to learn the length (or to find it is all there); large CopyData comes in many pieces.
        if (this.want === 0) {
          const joined = Buffer.concat(this.parts, this.partLen);
          this.parts = [joined];
          this.want = this.wantedLength(joined);
          if (this.want === 0 || this.partLen < this.want) return;
        } else return;
      }
      buf = Buffer.concat(this.parts, this.partLen);
      this.clearPending();
    }
    let pos = 0;
    const len = buf.length;
    while (pos < len && !this.failed) {
      if (this.startupPhase) {
        if (len - pos < 4) break;
        const size = buf.readInt32BE(pos);
        if (size < 8 || size > MAX_STARTUP_PACKET) return this.fail(`invalid startup packet length ${size}`);
        if (len - pos < size) break;
        const packet = decodeStartup(buf.subarray(pos, pos + size));
        pos += size;
        if (typeof packet === 'string') return this.fail(packet);
        // Only a started session switches to typed messages; SSL/GSS requests are followed by another startup.
        if (packet.kind === 'startup') this.startupPhase = false;
        if (packet.kind !== 'startup') {
          // The connection's owner decides what comes next (a TLS handshake, or resume()): hold the rest.
          if (pos < len) this.setPending(buf.subarray(pos));
          this.handler.startup(packet);
          return;
        }
        this.handler.startup(packet);
        continue;
      }
      if (len - pos < 5) break;
      const type = buf[pos]!;
      if (!KNOWN_TYPES[type]) return this.fail(`invalid frontend message type ${type} ("${printable(type)}")`);
      const size = buf.readInt32BE(pos + 1);
      if (size < 4 || size > MAX_MESSAGE) return this.fail(`invalid message length ${size} for message type "${printable(type)}"`);
      if (len - pos < size + 1) break;
      const raw = buf.subarray(pos, pos + size + 1);
      pos += size + 1;
      this.handler.message(type, raw);
    }
    if (!this.failed && pos < len) this.setPending(buf.subarray(pos));
  }

  private parts: Buffer[] = [];
  private partLen = 0;
  private want = 0;

  private get pending(): boolean {
    return this.partLen > 0;
  }

  private setPending(rest: Buffer): void {
    this.parts = [rest];
    this.partLen = rest.length;
    this.want = this.wantedLength(rest);
  }

  private clearPending(): void {
    this.parts = [];
    this.partLen = 0;
    this.want = 0;
  }

  /** Total length of the message that starts buf, or 0 if its header is not complete yet. */
  private wantedLength(buf: Buffer): number {
    // An invalid header gives 1, so the bytes are parsed (and rejected) at once instead of awaited.
    if (this.startupPhase) {
      if (buf.length < 4) return 0;
      const size = buf.readInt32BE(0);
      return size < 8 || size > MAX_STARTUP_PACKET ? 1 : size;
    }
    if (buf.length < 1) return 0;
    if (!KNOWN_TYPES[buf[0]!]) return 1;
    if (buf.length < 5) return 0;
    const size = buf.readInt32BE(1);
    return size < 4 || size > MAX_MESSAGE ? 1 : size + 1;
  }

  /** Feeds bytes kept back after an SSLRequest (normally none). */
  resume(): void {
    if (!this.pending) return;
    const p = Buffer.concat(this.parts, this.partLen);
    this.clearPending();
    this.push(p);
  }

  private fail(message: string): void {
    this.failed = true;
    this.clearPending();
    this.handler.protocolError(message);
  }
}

function printable(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
}

export function decodeStartup(p: Buffer): StartupPacket | string {
  const code = p.readInt32BE(4);
  if (code === SSL_REQUEST_CODE) return p.length === 8 ? { kind: 'ssl-request' } : 'invalid SSLRequest length';
  if (code === GSSENC_REQUEST_CODE) return p.length === 8 ? { kind: 'gssenc-request' } : 'invalid GSSENCRequest length';
  if (code === CANCEL_REQUEST_CODE) return p.length === 16 ? { kind: 'cancel', pid: p.readInt32BE(8), secret: p.readInt32BE(12) } : 'invalid CancelRequest length';
  if (code >> 16 !== 3) return `unsupported frontend protocol ${code >> 16}.${code & 0xffff}: server supports 3.0`;
  const params = new Map<string, string>();
  let pos = 8;
  for (;;) {
    if (pos >= p.length) return 'invalid startup packet layout: expected terminator as last byte';
    if (p[pos] === 0) {
      if (pos !== p.length - 1) return 'invalid startup packet layout: expected terminator as last byte';
      break;
    }
    const k = p.indexOf(0, pos);
    if (k < 0) return 'invalid startup packet layout: unterminated parameter name';
    const v = p.indexOf(0, k + 1);
    if (v < 0) return 'invalid startup packet layout: unterminated parameter value';
    params.set(p.toString('utf8', pos, k), p.toString('utf8', k + 1, v));
    pos = v + 1;
  }
  if (!params.get('user')) return 'no PostgreSQL user name specified in startup packet';
  return { kind: 'startup', version: code, params };
}

/** Reads NUL-terminated strings and integers from one message body; every read is bounds-checked. */
export class BodyReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 5,
  ) {
    this.pos = start;
  }

  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new MalformedMessage('a string in the message is not terminated');
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }

  /** Skips a NUL-terminated string and returns its [start, end) byte range. */
  cstringRange(): [number, number] {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new MalformedMessage('a string in the message is not terminated');
    const r: [number, number] = [this.pos, end];
    this.pos = end + 1;
    return r;
  }

  int16(): number {
    if (this.pos + 2 > this.buf.length) throw new MalformedMessage('the message is shorter than its contents');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    if (this.pos + 4 > this.buf.length) throw new MalformedMessage('the message is shorter than its contents');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new MalformedMessage('the message is shorter than its contents');
    return this.buf[this.pos++]!;
  }

  bytes(n: number): Buffer {
    if (n < 0 || this.pos + n > this.buf.length) throw new MalformedMessage('the message is shorter than its contents');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  end(): void {
    if (this.pos !== this.buf.length) throw new MalformedMessage('the message has unexpected bytes at its end');
  }
}

export class MalformedMessage extends Error {}

export interface ParseMessage {
  name: string;
  /** Byte range of the SQL text inside raw. */
  textStart: number;
  textEnd: number;
  paramTypes: number[];
}

export function decodeParse(raw: Buffer): ParseMessage {
  const r = new BodyReader(raw);
  const name = r.cstring();
  const [textStart, textEnd] = r.cstringRange();
  const n = r.int16();
  if (n < 0) throw new MalformedMessage('negative parameter type count');
  const paramTypes: number[] = [];
  for (let i = 0; i < n; i++) paramTypes.push(r.int32() >>> 0);
  r.end();
  return { name, textStart, textEnd, paramTypes };
}

export interface BindMessage {
  portal: string;
  statement: string;
  /** Offset where the part after the statement name starts (format codes, values, result formats). */
  restStart: number;
  paramFormats: number[];
  /** Each parameter as [start, end) in raw, or null for SQL NULL. */
  params: ([number, number] | null)[];
  resultFormats: number[];
}

export function decodeBind(raw: Buffer): BindMessage {
  const r = new BodyReader(raw);
  const portal = r.cstring();
  const statement = r.cstring();
  const restStart = r.pos;
  const nf = r.int16();
  if (nf < 0) throw new MalformedMessage('negative format code count');
  const paramFormats: number[] = [];
  for (let i = 0; i < nf; i++) paramFormats.push(r.int16());
  const np = r.int16();
  if (np < 0) throw new MalformedMessage('negative parameter count');
  if (nf > 1 && nf !== np) throw new MalformedMessage(`bind message has ${nf} parameter formats but ${np} parameters`);
  const params: ([number, number] | null)[] = [];
  for (let i = 0; i < np; i++) {
    const len = r.int32();
    if (len === -1) params.push(null);
    else {
      const s = r.pos;
      r.bytes(len);
      params.push([s, s + len]);
    }
  }
  const nr = r.int16();
  if (nr < 0) throw new MalformedMessage('negative result format count');
  const resultFormats: number[] = [];
  for (let i = 0; i < nr; i++) resultFormats.push(r.int16());
  r.end();
  return { portal, statement, restStart, paramFormats, params, resultFormats };
}

/** Only the two names, for the hot path (Bind of a known statement needs nothing else). */
export function bindNames(raw: Buffer): { portal: string; statement: string; restStart: number } {
  const r = new BodyReader(raw);
  const portal = r.cstring();
  const statement = r.cstring();
  return { portal, statement, restStart: r.pos };
}

export function decodeExecute(raw: Buffer): { portal: string; maxRows: number } {
  const r = new BodyReader(raw);
  const portal = r.cstring();
  const maxRows = r.int32();
  r.end();
  return { portal, maxRows };
}

/** Describe and Close: 'S' statement or 'P' portal, then a name. */
export function decodeTarget(raw: Buffer): { kind: 'S' | 'P'; name: string } {
  const r = new BodyReader(raw);
  const k = r.byte();
  if (k !== 0x53 && k !== 0x50) throw new MalformedMessage(`invalid ${raw[0] === FE.Describe ? 'DESCRIBE' : 'CLOSE'} message subtype ${k}`);
  const name = r.cstring();
  r.end();
  return { kind: k === 0x53 ? 'S' : 'P', name };
}

/** Query text range (without its terminating NUL). */
export function queryTextRange(raw: Buffer): [number, number] {
  if (raw.length < 6 || raw[raw.length - 1] !== 0) throw new MalformedMessage('the query string is not terminated');
  return [5, raw.length - 1];
}

/** A PasswordMessage: the password (cleartext or "md5..."). */
export function decodePassword(raw: Buffer): string {
  const r = new BodyReader(raw);
  const s = r.cstring();
  r.end();
  return s;
}

export function decodeSaslInitial(raw: Buffer): { mechanism: string; data: Buffer | null } {
  const r = new BodyReader(raw);
  const mechanism = r.cstring();
  const len = r.int32();
  const data = len === -1 ? null : r.bytes(len);
  r.end();
  return { mechanism, data };
}

export function saslResponseData(raw: Buffer): Buffer {
  return raw.subarray(5);
}
