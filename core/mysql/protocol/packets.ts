/**
 * MySQL client/server packet framing: 3-byte little-endian payload length + 1-byte sequence id. A payload of
 * 0xffffff bytes or more is split into 0xffffff-byte packets followed by a shorter one (possibly empty); the
 * reader joins them back. Pure: no sockets here, the socket layer feeds chunks in.
 */

export const PACKET_HEADER_LENGTH = 4;
export const MAX_PACKET_PAYLOAD = 0xffffff;

export type PacketHandler = (payload: Buffer, sequenceId: number) => void;

/**
 * Turns a stream of arbitrary chunks into whole logical payloads. Normal packets are handed out as views
 * into the received chunk (no copy); only a packet split across chunks, or one continued over several
 * 16 MiB packets, is copied once into its own buffer. Never concatenates repeatedly, so a 1 GiB event
 * arriving in 64 KiB chunks costs one copy, not a quadratic number.
 */
export class PacketReader {
  /** Bytes of a packet header split across chunks (fewer than 4). */
  private headerBytes: Buffer | undefined;
  /** Chunks of one packet whose length is known but not all bytes have arrived. */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private pendingNeed = 0;
  /** Payload pieces of a logical packet continued across 0xffffff-byte packets. */
  private continued: Buffer[] = [];
  private continuedLength = 0;

  /** Feeds one chunk; calls `onPacket` for every whole logical payload it completes, in order. */
  push(chunk: Buffer, onPacket: PacketHandler): void {
    let buf = chunk;
    if (this.pendingNeed > 0) {
      this.pending.push(chunk);
      this.pendingLength += chunk.length;
      if (this.pendingLength < this.pendingNeed) return;
      buf = Buffer.concat(this.pending, this.pendingLength);
      this.pending = [];
      this.pendingLength = 0;
      this.pendingNeed = 0;
    } else if (this.headerBytes) {
      buf = Buffer.concat([this.headerBytes, chunk]);
      this.headerBytes = undefined;
    }
    let off = 0;
    const end = buf.length;
    for (;;) {
      const avail = end - off;
      if (avail < PACKET_HEADER_LENGTH) {
        if (avail > 0) this.headerBytes = buf.subarray(off);
        return;
      }
      const len = buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16);
      const seq = buf[off + 3]!;
      if (avail < PACKET_HEADER_LENGTH + len) {
        // Copy the partial packet now so the (possibly large) socket chunk it sits in is not pinned.
        const head = Buffer.allocUnsafe(avail);
        buf.copy(head, 0, off, end);
        this.pending = [head];
        this.pendingLength = avail;
        this.pendingNeed = PACKET_HEADER_LENGTH + len;
        return;
      }
      const payload = buf.subarray(off + PACKET_HEADER_LENGTH, off + PACKET_HEADER_LENGTH + len);
      off += PACKET_HEADER_LENGTH + len;
      if (len === MAX_PACKET_PAYLOAD) {
        this.continued.push(payload);
        this.continuedLength += len;
        continue;
      }
      if (this.continued.length > 0) {
        this.continued.push(payload);
        const whole = Buffer.concat(this.continued, this.continuedLength + len);
        this.continued = [];
        this.continuedLength = 0;
        onPacket(whole, seq);
      } else {
        onPacket(payload, seq);
      }
    }
  }

  /** True when no partial packet is buffered (a clean point to hand the socket to someone else). */
  get idle(): boolean {
    return !this.headerBytes && this.pendingNeed === 0 && this.continued.length === 0;
  }
}

/**
 * Frames one logical payload as one or more packets starting at `sequenceId`. Returns the buffers to write
 * (header and payload share one allocation for small payloads, so one write per packet) and the next id.
 */
export function encodePacket(payload: Buffer, sequenceId: number): { buffers: Buffer[]; nextSequenceId: number } {
  let seq = sequenceId & 0xff;
  if (payload.length < MAX_PACKET_PAYLOAD) {
    const out = Buffer.allocUnsafe(PACKET_HEADER_LENGTH + payload.length);
    writeHeader(out, 0, payload.length, seq);
    payload.copy(out, PACKET_HEADER_LENGTH);
    return { buffers: [out], nextSequenceId: (seq + 1) & 0xff };
  }
  const buffers: Buffer[] = [];
  let off = 0;
  for (;;) {
    const len = Math.min(MAX_PACKET_PAYLOAD, payload.length - off);
    const header = Buffer.allocUnsafe(PACKET_HEADER_LENGTH);
    writeHeader(header, 0, len, seq);
    buffers.push(header, payload.subarray(off, off + len));
    seq = (seq + 1) & 0xff;
    off += len;
    // A payload that is an exact multiple of 0xffffff ends with an empty packet, so the reader knows it ended.
    if (len < MAX_PACKET_PAYLOAD) break;
  }
  return { buffers, nextSequenceId: seq };
}

export function writeHeader(out: Buffer, offset: number, length: number, sequenceId: number): void {
  out[offset] = length & 0xff;
  out[offset + 1] = (length >>> 8) & 0xff;
  out[offset + 2] = (length >>> 16) & 0xff;
  out[offset + 3] = sequenceId & 0xff;
}
