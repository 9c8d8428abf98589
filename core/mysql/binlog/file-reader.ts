import fs from 'node:fs/promises';
import { ReplicaDeskError } from '../../errors';
import { BinlogDecoder, type BinlogDecoderOptions } from './decoder';
import { BINLOG_MAGIC_LENGTH, EVENT_HEADER_LENGTH, EventType } from './constants';
import type { BinlogEvent } from './events';

/**
 * Starting mid-file, the events can only be read with the file's format description (checksums, header and
 * post-header lengths): decode the FDE at position 4 first, without delivering it.
 */
async function primeWithFormatDescription(fh: fs.FileHandle, decoder: BinlogDecoder): Promise<void> {
  const head = Buffer.alloc(BINLOG_MAGIC_LENGTH + EVENT_HEADER_LENGTH);
  const { bytesRead } = await fh.read(head, 0, head.length, 0);
  if (bytesRead < head.length || head[BINLOG_MAGIC_LENGTH + 4] !== EventType.FORMAT_DESCRIPTION_EVENT) return;
  const size = head.readUInt32LE(BINLOG_MAGIC_LENGTH + 9);
  if (size < EVENT_HEADER_LENGTH || size > 1 << 16) return;
  const fde = Buffer.alloc(size);
  if ((await fh.read(fde, 0, size, BINLOG_MAGIC_LENGTH)).bytesRead === size) decoder.decode(fde, BINLOG_MAGIC_LENGTH);
}

export interface ReadFileOptions extends BinlogDecoderOptions {
  /** Bytes read per chunk (default 1 MiB). Memory use is about this plus the largest event. */
  chunkSize?: number;
  /** Awaited after each chunk's events were delivered: the place to wait for output to drain. */
  afterChunk?: () => void | Promise<void>;
  /** Called for each error of a single event (whose framing was intact); return true to skip it and go on. */
  onEventError?: (err: ReplicaDeskError) => boolean;
  /** Stop at a torn tail silently instead of throwing BINLOG_TRUNCATED (for files still being written). */
  allowTruncatedTail?: boolean;
  /** Stop reading once events up to this file position have been delivered. */
  stopAt?: number;
}

export interface ReadFileResult {
  bytes: number;
  events: number;
  /** Offset after the last complete event. */
  endPosition: number;
  /** Bytes of an incomplete event at the end (only when allowTruncatedTail). */
  truncatedBytes: number;
}

/**
 * The thin file layer over the pure decoder: reads a binlog or relay-log file in chunks (fresh buffers, since
 * events keep views into them) and hands each event to `onEvent`.
 */
export async function readBinlogFile(path: string, onEvent: (ev: BinlogEvent) => void, options: ReadFileOptions = {}): Promise<ReadFileResult> {
  const chunkSize = options.chunkSize ?? 1 << 20;
  const decoder = new BinlogDecoder({ source: path, ...options });
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ReplicaDeskError('BINLOG_FILE_UNREADABLE', `Cannot open ${path}: ${(err as Error).message}`, { source: path, errno: code ?? null });
  }
  let bytes = 0;
  try {
    let filePos = options.startPosition ?? 0;
    if (filePos > BINLOG_MAGIC_LENGTH) await primeWithFormatDescription(fh, decoder);
    for (;;) {
      const buf = Buffer.allocUnsafe(chunkSize);
      const { bytesRead } = await fh.read(buf, 0, chunkSize, filePos);
      if (bytesRead === 0) break;
      filePos += bytesRead;
      bytes += bytesRead;
      let chunk: Buffer = buf.subarray(0, bytesRead);
      for (;;) {
        try {
          decoder.push(chunk, onEvent);
          break;
        } catch (err) {
          if (err instanceof ReplicaDeskError && options.onEventError?.(err) && decoder.pendingBytes >= 0) {
            chunk = Buffer.alloc(0);
            continue;
          }
          throw err;
        }
      }
      if (options.afterChunk) await options.afterChunk();
      if (options.stopAt !== undefined && decoder.position >= options.stopAt) {
        return { bytes, events: decoder.count, endPosition: decoder.position, truncatedBytes: 0 };
      }
    }
    const truncatedBytes = decoder.pendingBytes;
    if (!options.allowTruncatedTail) decoder.end();
    return { bytes, events: decoder.count, endPosition: decoder.position, truncatedBytes };
  } finally {
    await fh.close();
  }
}
