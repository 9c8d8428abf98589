import { ReplicaDeskError } from '../../errors';
import { BINLOG_MAGIC, BINLOG_MAGIC_LENGTH, EVENT_HEADER_LENGTH } from './constants';
import { decodeEvent, type DecodeOptions, DecoderState } from './decode-event';
import { ADVICE_CORRUPT, ADVICE_TRUNCATED, BinlogErrorCode, binlogError } from './errors';
import type { BinlogEvent } from './events';

export interface BinlogDecoderOptions extends DecodeOptions {
  /**
   * True (default) for binlog and relay-log files, which start with the 4-byte magic; false for a sequence of
   * bare events (e.g. saved from the replication stream).
   */
  expectMagic?: boolean;
  /** Offset of the first pushed byte in the file (when starting mid-file at an event boundary). Default 0. */
  startPosition?: number;
  /** Largest event accepted before the size field is deemed corrupt (default 1 GiB + 1 MiB, above what servers write). */
  maxEventSize?: number;
}

const DEFAULT_MAX_EVENT = (1 << 30) + (1 << 20);

/**
 * Streaming binlog decoder in the style of a protocol parser: push() bytes in any chunking, get each complete
 * event (decoded, with its raw bytes and position) through the callback. It keeps only the bytes of an
 * event split across chunks and the format/table-map state; memory does not grow with the input.
 *
 * Errors are ReplicaDeskErrors (BINLOG_*). After an error in one event whose framing was sound (checksum
 * mismatch, malformed body), the decoder has already stepped past it: push() again (an empty chunk is fine)
 * to continue with the next event. After a framing error (impossible event size, bad magic) it stays failed.
 */
export class BinlogDecoder {
  readonly state: DecoderState;
  private readonly expectMagic: boolean;
  private readonly maxEventSize: number;
  /** Absolute offset of the next byte not yet consumed into an event. */
  private offset: number;
  /** Bytes of an incomplete event (or magic), across chunks. */
  private parts: Buffer[] = [];
  private partsLength = 0;
  private magicDone: boolean;
  private failure: ReplicaDeskError | undefined;
  private eventsDecoded = 0;

  constructor(readonly options: BinlogDecoderOptions = {}) {
    this.state = new DecoderState(options);
    this.expectMagic = options.expectMagic !== false;
    this.offset = options.startPosition ?? 0;
    this.magicDone = !this.expectMagic || this.offset > 0;
    this.maxEventSize = options.maxEventSize ?? DEFAULT_MAX_EVENT;
  }

  /** Offset (in the file/stream) of the next event to come. */
  get position(): number {
    return this.offset;
  }

  /** Number of events decoded so far. */
  get count(): number {
    return this.eventsDecoded;
  }

  /** Bytes held for an incomplete event. */
  get pendingBytes(): number {
    return this.partsLength;
  }

  /** Decodes one whole event (e.g. a replication packet without its OK byte) at `position` (default: from logPos). */
  decode(raw: Buffer, position?: number): BinlogEvent {
    const ev = decodeEvent(raw, position, this.state);
    this.eventsDecoded++;
    return ev;
  }

  push(chunk: Buffer, onEvent: (ev: BinlogEvent) => void): void {
    if (this.failure) throw this.failure;
    let buf = chunk;
    if (this.partsLength > 0) {
      const rest = this.takePending(chunk, onEvent);
      if (rest === undefined) return;
      buf = rest;
    }
    let i = 0;
    if (!this.magicDone) {
      if (buf.length < BINLOG_MAGIC_LENGTH) {
        this.keep(buf, 0);
        return;
      }
      this.checkMagic(buf.subarray(0, BINLOG_MAGIC_LENGTH));
      i = BINLOG_MAGIC_LENGTH;
    }
    const len = buf.length;
    while (len - i >= EVENT_HEADER_LENGTH) {
      const size = buf.readUInt32LE(i + 9);
      this.checkSize(size, buf, i);
      if (i + size > len) break;
      const raw = buf.subarray(i, i + size);
      i += size;
      this.emit(raw, onEvent, buf, i);
    }
    if (i < len) this.keep(buf, i);
  }

  /** Declares the end of input: a partial event left over is a torn tail (BINLOG_TRUNCATED). */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.partsLength === 0) return;
    const tail = Buffer.concat(this.parts, this.partsLength);
    const typeCode = tail.length > 4 ? tail[4] : undefined;
    const declared = tail.length >= EVENT_HEADER_LENGTH ? tail.readUInt32LE(9) : undefined;
    const e = binlogError(
      BinlogErrorCode.TRUNCATED,
      !this.magicDone
        ? `Input of ${tail.length} bytes ends before the 4-byte binlog magic`
        : `Input ends ${tail.length} bytes into an event${declared !== undefined ? ` of ${declared} bytes` : ''}`,
      { source: this.options.source, position: this.offset, typeCode, raw: tail },
      ADVICE_TRUNCATED,
    );
    (e.details as Record<string, unknown>).bytesPresent = tail.length;
    if (declared !== undefined) (e.details as Record<string, unknown>).bytesDeclared = declared;
    this.parts = [];
    this.partsLength = 0;
    throw e;
  }

  private emit(raw: Buffer, onEvent: (ev: BinlogEvent) => void, buf: Buffer, next: number): void {
    const position = this.offset;
    this.offset += raw.length;
    let ev: BinlogEvent;
    try {
      ev = decodeEvent(raw, position, this.state);
    } catch (err) {
      // The framing was sound: keep the bytes after this event so a later push() continues from there.
      if (next < buf.length) this.keep(buf, next);
      throw err;
    }
    this.eventsDecoded++;
    onEvent(ev);
  }

  private keep(buf: Buffer, from: number): void {
    // A copy, so the caller may reuse its chunk buffer and we do not pin a large chunk for a few bytes.
    const tail = Buffer.from(buf.subarray(from));
    this.parts.push(tail);
    this.partsLength += tail.length;
  }

  /**
   * Joins the held bytes with the new chunk. Completes (and emits) the event that straddles the boundary and
   * returns the rest of the chunk to scan, or undefined when the chunk was absorbed and more is needed.
   */
  private takePending(chunk: Buffer, onEvent: (ev: BinlogEvent) => void): Buffer | undefined {
    const held = this.partsLength;
    const joinAll = (): Buffer => {
      const all = Buffer.concat([...this.parts, chunk], held + chunk.length);
      this.parts = [];
      this.partsLength = 0;
      return all;
    };
    if (!this.magicDone) {
      if (held + chunk.length < BINLOG_MAGIC_LENGTH) {
        this.keep(chunk, 0);
        return undefined;
      }
      return joinAll();
    }
    if (held + chunk.length < EVENT_HEADER_LENGTH) {
      this.keep(chunk, 0);
      return undefined;
    }
    const head = held >= EVENT_HEADER_LENGTH && this.parts[0]!.length >= EVENT_HEADER_LENGTH ? this.parts[0]! : Buffer.concat([...this.parts, chunk.subarray(0, EVENT_HEADER_LENGTH)]);
    const size = head.readUInt32LE(9);
    this.checkSize(size, head, 0);
    // Held bytes with whole events in them (left after an error): scan everything from the start.
    if (size <= held) return joinAll();
    const need = size - held;
    if (chunk.length < need) {
      this.keep(chunk, 0);
      return undefined;
    }
    const whole = Buffer.concat([...this.parts, chunk.subarray(0, need)], size);
    this.parts = [];
    this.partsLength = 0;
    this.emit(whole, onEvent, chunk, need);
    return chunk.subarray(need);
  }

  private checkMagic(b: Buffer): void {
    if (!b.subarray(0, BINLOG_MAGIC_LENGTH).equals(BINLOG_MAGIC)) {
      this.failure = binlogError(
        BinlogErrorCode.BAD_MAGIC,
        `Not a binlog or relay-log file: it starts with ${b.subarray(0, 4).toString('hex')}, not fe62696e`,
        { source: this.options.source, position: 0, raw: b },
        'Check the file name (compressed copies must be uncompressed first).',
      );
      throw this.failure;
    }
    this.magicDone = true;
    this.offset += BINLOG_MAGIC_LENGTH;
  }

  private checkSize(size: number, buf: Buffer, at: number): void {
    if (size >= EVENT_HEADER_LENGTH && size <= this.maxEventSize) return;
    this.failure = binlogError(
      BinlogErrorCode.CORRUPT,
      `Event size ${size} is impossible (${size < EVENT_HEADER_LENGTH ? 'smaller than the 19-byte header' : `over ${this.maxEventSize} bytes`}); the events cannot be framed past this point`,
      { source: this.options.source, position: this.offset, typeCode: buf[at + 4], raw: buf.subarray(at, at + 64) },
      ADVICE_CORRUPT,
    );
    throw this.failure;
  }
}

/** Decodes a whole in-memory binlog (file bytes, magic included). For tests and small files. */
export function decodeBinlogBuffer(bytes: Buffer, options: BinlogDecoderOptions = {}): BinlogEvent[] {
  const d = new BinlogDecoder(options);
  const out: BinlogEvent[] = [];
  d.push(bytes, (e) => out.push(e));
  d.end();
  return out;
}
