/**
 * Splits what a PostgreSQL server sends into messages without copying them: each message is reported as
 * (type, buffer, start, end) where start..end covers the whole message (type byte and length included), so
 * a caller that only relays can pass ranges of the received chunk straight on. Only a message that spans
 * chunks is assembled into a new buffer.
 */

export interface FramedMessageSink {
  /** One whole message: buf[start] is the type byte, buf[start+1..start+5) the length. */
  message(type: number, buf: Buffer, start: number, end: number): void;
  /** All messages of the current chunk were delivered (flush any relayed ranges now). */
  endOfChunk(): void;
}

export class BackendFramer {
  /** Pieces of a message that spans chunks, joined once it is complete (large rows come in many pieces). */
  private parts: Buffer[] = [];
  private partLen = 0;
  /** Total bytes the pieces must reach; 0 while the header itself is incomplete. */
  private want = 0;

  constructor(private readonly maxMessage = 1 << 30) {}

  push(chunk: Buffer, sink: FramedMessageSink): void {
    let buf = chunk;
    let pos = 0;
    if (this.partLen > 0) {
      this.parts.push(chunk);
      this.partLen += chunk.length;
      if (this.want === 0 && this.partLen >= 5) {
        const head = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
        this.want = 1 + this.checkedSize(head, 0);
      }
      if (this.want === 0 || this.partLen < this.want) return;
      buf = Buffer.concat(this.parts, this.partLen);
      this.parts = [];
      this.partLen = 0;
      this.want = 0;
    }
    const len = buf.length;
    while (len - pos >= 5) {
      const end = pos + 1 + this.checkedSize(buf, pos);
      if (end > len) break;
      sink.message(buf[pos]!, buf, pos, end);
      pos = end;
    }
    if (pos < len) {
      const rest = buf.subarray(pos);
      this.parts = [rest];
      this.partLen = rest.length;
      this.want = rest.length >= 5 ? 1 + rest.readInt32BE(1) : 0;
    }
    sink.endOfChunk();
  }

  private checkedSize(buf: Buffer, pos: number): number {
    const size = buf.readInt32BE(pos + 1);
    if (size < 4 || size > this.maxMessage) throw new Error(`the server sent an invalid message length ${size} (type ${buf[pos]})`);
    return size;
  }

  get hasPartial(): boolean {
    return this.partLen > 0;
  }
}

/** Message type bytes a server sends. */
export const BE = {
  Authentication: 0x52, // R
  BackendKeyData: 0x4b, // K
  BindComplete: 0x32, // 2
  CloseComplete: 0x33, // 3
  CommandComplete: 0x43, // C
  CopyBothResponse: 0x57, // W
  CopyData: 0x64, // d
  CopyDone: 0x63, // c
  CopyInResponse: 0x47, // G
  CopyOutResponse: 0x48, // H
  DataRow: 0x44, // D
  EmptyQueryResponse: 0x49, // I
  ErrorResponse: 0x45, // E
  FunctionCallResponse: 0x56, // V
  NegotiateProtocolVersion: 0x76, // v
  NoData: 0x6e, // n
  NoticeResponse: 0x4e, // N
  NotificationResponse: 0x41, // A
  ParameterDescription: 0x74, // t
  ParameterStatus: 0x53, // S
  ParseComplete: 0x31, // 1
  PortalSuspended: 0x73, // s
  ReadyForQuery: 0x5a, // Z
  RowDescription: 0x54, // T
} as const;

/** Fields of ErrorResponse/NoticeResponse by their one-letter codes (S, V, C, M, D, H, P, ...). */
export function decodeFields(buf: Buffer, start: number, end: number): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = start + 5;
  while (pos < end && buf[pos] !== 0) {
    const code = String.fromCharCode(buf[pos]!);
    const z = buf.indexOf(0, pos + 1);
    if (z < 0 || z >= end) break;
    out[code] = buf.toString('utf8', pos + 1, z);
    pos = z + 1;
  }
  return out;
}

/** The tag of a CommandComplete ("INSERT 0 1", "UPDATE 3", "SELECT 5"). */
export function commandTag(buf: Buffer, start: number, end: number): string {
  return buf.toString('latin1', start + 5, end - 1);
}

export function readyStatus(buf: Buffer, start: number): 'I' | 'T' | 'E' {
  return String.fromCharCode(buf[start + 5]!) as 'I' | 'T' | 'E';
}

export function decodeParameterStatus(buf: Buffer, start: number, end: number): [string, string] {
  const z = buf.indexOf(0, start + 5);
  return [buf.toString('utf8', start + 5, z), buf.toString('utf8', z + 1, end - 1)];
}

/** DataRow columns as text (null for SQL NULL); for our own small internal queries. */
export function decodeDataRow(buf: Buffer, start: number): (string | null)[] {
  let pos = start + 5;
  const n = buf.readInt16BE(pos);
  pos += 2;
  const out: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    const len = buf.readInt32BE(pos);
    pos += 4;
    if (len < 0) out.push(null);
    else {
      out.push(buf.toString('utf8', pos, pos + len));
      pos += len;
    }
  }
  return out;
}
