/**
 * MySQL client/server packet framing: 3-byte little-endian payload length + 1-byte sequence id. A payload of
 * 0xffffff bytes or more is split into 0xffffff-byte packets followed by a shorter one (possibly empty); the
 * reader joins them back. Pure: no sockets here, the socket layer feeds chunks in.
 */

export const PACKET_HEADER_LENGTH = 4;
export const MAX_PACKET_PAYLOAD = 0xffffff;

export type PacketHandler = (payload: Buffer, sequenceId: number) => void;
/** A payload as a range of a buffer (no view object is made): `buf[start, end)`. */
export type PacketRangeHandler = (buf: Buffer, start: number, end: number, sequenceId: number) => void;

/**
 * Turns a stream of arbitrary chunks into whole logical payloads. Payloads are handed out as ranges of
 * the received chunk (no copy, no allocation); only a packet split across chunks, or one continued over
 * several 16 MiB packets, is copied once into its own buffer. Never concatenates repeatedly, so a 1 GiB
 * event arriving in 64 KiB chunks costs one copy, not a quadratic number.
 */
export class PacketReader {
  /** Bytes of a packet header split across chunks (fewer than 4). */
  private headerBytes: Buffer | undefined;
  /** The packet whose length is known but whose bytes have not all arrived: filled in place. */
  private partial: Buffer | undefined;
  private partialFilled = 0;
  /** Payload pieces of a logical packet continued across 0xffffff-byte packets. */
  private continued: Buffer[] = [];
  private continuedLength = 0;

  /** Feeds one chunk; calls `onPacket` for every whole logical payload it completes, in order. */
  push(chunk: Buffer, onPacket: PacketHandler): void {
    this.pushRanges(chunk, (buf, start, end, seq) => onPacket(buf.subarray(start, end), seq));
  }

  /** As push(), with payloads as ranges (the replication stream's hot path). */
  pushRanges(chunk: Buffer, onPacket: PacketRangeHandler): void {
    let buf = chunk;
    let off = 0;
    const end = buf.length;
    if (this.partial) {
      // Complete the packet that started in an earlier chunk, copying only its own bytes.
      const need = this.partial.length - this.partialFilled;
      const take = Math.min(need, end);
      chunk.copy(this.partial, this.partialFilled, 0, take);
      this.partialFilled += take;
      off = take;
      if (this.partialFilled < this.partial.length) return;
      const whole = this.partial;
      this.partial = undefined;
      this.partialFilled = 0;
      this.deliver(whole, 4, whole.length, whole[3]!, onPacket);
    } else if (this.headerBytes) {
      const missing = PACKET_HEADER_LENGTH - this.headerBytes.length;
      if (end < missing) {
        this.headerBytes = Buffer.concat([this.headerBytes, chunk]);
        return;
      }
      const head = Buffer.concat([this.headerBytes, chunk.subarray(0, missing)]);
      this.headerBytes = undefined;
      const len = head[0]! | (head[1]! << 8) | (head[2]! << 16);
      const whole = Buffer.allocUnsafe(PACKET_HEADER_LENGTH + len);
      head.copy(whole, 0);
      this.partial = whole;
      this.partialFilled = PACKET_HEADER_LENGTH;
      return this.pushRanges(chunk.subarray(missing), onPacket);
    }
    for (;;) {
      const avail = end - off;
      if (avail < PACKET_HEADER_LENGTH) {
        if (avail > 0) this.headerBytes = Buffer.from(buf.subarray(off));
        return;
      }
      const len = buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16);
      const seq = buf[off + 3]!;
      if (avail < PACKET_HEADER_LENGTH + len) {
        const whole = Buffer.allocUnsafe(PACKET_HEADER_LENGTH + len);
        buf.copy(whole, 0, off, end);
        this.partial = whole;
        this.partialFilled = avail;
        return;
      }
      const pStart = off + PACKET_HEADER_LENGTH;
      off = pStart + len;
      this.deliver(buf, pStart, off, seq, onPacket);
    }
  }

  private deliver(buf: Buffer, start: number, end: number, seq: number, onPacket: PacketRangeHandler): void {
    const len = end - start;
    if (len === MAX_PACKET_PAYLOAD) {
      this.continued.push(buf.subarray(start, end));
      this.continuedLength += len;
      return;
    }
    if (this.continued.length > 0) {
      this.continued.push(buf.subarray(start, end));
      const whole = Buffer.concat(this.continued, this.continuedLength + len);
      this.continued = [];
      this.continuedLength = 0;
      onPacket(whole, 0, whole.length, seq);
      return;
    }
    onPacket(buf, start, end, seq);
  }

  /** True when no partial packet is buffered (a clean point to hand the socket to someone else). */
  get idle(): boolean {
    return !this.headerBytes && !this.partial && this.continued.length === 0;
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
