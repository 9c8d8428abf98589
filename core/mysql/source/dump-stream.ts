import { ReplicaDeskError } from '../../errors';
import type { RawSession } from '../client/raw-session';
import { encodePacket, PacketReader } from '../protocol/packets';
import { EOF_HEADER, ERR_HEADER, OK_HEADER, parseErrPacket } from '../protocol/responses';

/**
 * Events of one socket read, without a view object per event: each segment is a buffer and the
 * [start, end) offsets of the events in it, in order. The bytes belong to the socket: copy to keep.
 */
export interface EventSegment {
  buf: Buffer;
  offs: number[];
}

export interface DumpStreamHandlers {
  /** Whole events received in one socket read, in order. */
  onEvents(segments: EventSegment[], count: number, bytes: number): void;
  /** The stream ended: `err` undefined for a normal EOF (non-blocking dump), else why. Called once. */
  onEnd(err: ReplicaDeskError | undefined): void;
}

/**
 * One COM_BINLOG_DUMP / COM_BINLOG_DUMP_GTID exchange on an authenticated socket: sends the command and
 * turns the reply packets into raw events. Every event packet is a 0x00 status byte + the event; an ERR
 * packet (e.g. 1236) or an EOF ends it. Flow control is the socket's: pause() stops reading (TCP then
 * pushes back on the source), and the read timeout is suspended while paused so back-pressure is not
 * mistaken for a dead link.
 */
export class BinlogDumpStream {
  private readonly reader = new PacketReader();
  private ended = false;
  private paused = false;

  constructor(
    private readonly session: RawSession,
    private readonly handlers: DumpStreamHandlers,
    private readonly readTimeoutMs: number,
  ) {}

  start(commandPayload: Buffer): void {
    const { socket } = this.session;
    let segments: EventSegment[] = [];
    let current: EventSegment | undefined;
    let count = 0;
    let bytes = 0;
    // An ERR/EOF ends the stream only after the events read before it in the same chunk are handed over.
    let endOfStream: { err: ReplicaDeskError | undefined } | undefined;
    const onPacket = (buf: Buffer, start: number, end: number) => {
      if (endOfStream) return;
      const status = buf[start];
      if (status === OK_HEADER) {
        if (!current || current.buf !== buf) {
          current = { buf, offs: [] };
          segments.push(current);
        }
        current.offs.push(start + 1, end);
        count++;
        bytes += end - start - 1;
        return;
      }
      const p = buf.subarray(start, end);
      if (status === ERR_HEADER) {
        const e = parseErrPacket(p);
        endOfStream = {
          err:
          new ReplicaDeskError('SOURCE_DUMP_ERROR', `Got fatal error ${e.errno} from master when reading data from binary log: '${e.message}'`, {
            errno: e.errno,
            sqlState: e.sqlState,
            serverMessage: e.message,
          }),
        };
      } else if (status === EOF_HEADER && p.length < 9) endOfStream = { err: undefined };
      else {
        endOfStream = {
          err: new ReplicaDeskError('SOURCE_PROTOCOL_ERROR', `The master sent an unexpected packet (first byte 0x${(status ?? 0).toString(16)}) in the binlog stream.`, { errno: 2027 }),
        };
      }
    };
    socket.on('data', (chunk: Buffer) => {
      if (this.ended) return;
      this.reader.pushRanges(chunk, onPacket);
      if (count > 0) {
        const out = segments;
        const n = count;
        const b = bytes;
        segments = [];
        current = undefined;
        count = 0;
        bytes = 0;
        this.handlers.onEvents(out, n, b);
      }
      if (endOfStream) this.finish(endOfStream.err);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => this.finish(lostError(err.message, err.code)));
    socket.on('close', () => this.finish(lostError('the master closed the connection')));
    socket.on('end', () => this.finish(lostError('the master closed the connection')));
    socket.on('timeout', () => {
      this.finish(
        new ReplicaDeskError('SOURCE_READ_TIMEOUT', `No data from the master for ${Math.round(this.readTimeoutMs / 1000)} s (slave_net_timeout); the connection is presumed dead.`, {
          errno: 2013,
        }),
      );
    });
    socket.setTimeout(this.readTimeoutMs);
    for (const b of encodePacket(commandPayload, 0).buffers) socket.write(b);
  }

  pause(): void {
    if (this.paused || this.ended) return;
    this.paused = true;
    this.session.socket.setTimeout(0);
    this.session.socket.pause();
  }

  resume(): void {
    if (!this.paused || this.ended) return;
    this.paused = false;
    this.session.socket.setTimeout(this.readTimeoutMs);
    this.session.socket.resume();
  }

  /** Closes the connection; onEnd is called with a STOPPED error unless the stream already ended. */
  close(): void {
    this.finish(new ReplicaDeskError('SOURCE_STREAM_CLOSED', 'The binlog stream was closed by the replica.', { errno: 0 }));
  }

  private finish(err: ReplicaDeskError | undefined): void {
    if (this.ended) return;
    this.ended = true;
    const { socket } = this.session;
    socket.setTimeout(0);
    socket.removeAllListeners('data');
    socket.destroy();
    this.handlers.onEnd(err);
  }
}

function lostError(detail: string, code?: string): ReplicaDeskError {
  return new ReplicaDeskError('SOURCE_CONNECTION_LOST', `Lost connection to the master: ${detail}.`, { errno: 2013, code });
}
