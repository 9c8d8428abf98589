import { inflateSync } from 'node:zlib';
import { Decompress, decompress as zstdDecompress } from 'fzstd';
import { MalformedEvent, UnsupportedInEvent } from './errors';

/**
 * MariaDB's compressed QUERY/ROWS events (log_bin_compress): one header byte 0x80 | algorithm << 4 | n, the
 * uncompressed length in n big-endian bytes, then a zlib stream. Algorithm 0 is zlib, the only one defined.
 */
export function mariadbUncompress(buf: Buffer, start: number, end: number): Buffer {
  if (start >= end) throw new MalformedEvent('compressed event body is empty');
  const header = buf[start]!;
  if ((header & 0x80) === 0) throw new MalformedEvent(`compressed event header byte 0x${header.toString(16)} lacks the 0x80 marker`);
  const alg = (header & 0x70) >> 4;
  if (alg !== 0) throw new UnsupportedInEvent(`compressed event uses algorithm ${alg}; only zlib (0) is defined`);
  const lenBytes = header & 0x07;
  if (lenBytes < 1 || lenBytes > 4 || start + 1 + lenBytes > end) throw new MalformedEvent('compressed event length field is invalid');
  const expected = buf.readUIntBE(start + 1, lenBytes);
  let out: Buffer;
  try {
    out = inflateSync(buf.subarray(start + 1 + lenBytes, end), { maxOutputLength: Math.max(expected, 1) + 1 });
  } catch (err) {
    throw new MalformedEvent(`compressed event does not inflate: ${(err as Error).message}`);
  }
  if (out.length !== expected) throw new MalformedEvent(`compressed event inflated to ${out.length} bytes, header says ${expected}`);
  return out;
}

/**
 * MySQL 8 binlog transaction compression (TRANSACTION_PAYLOAD, compression type 0). The declared size is data:
 * small payloads decompress in one go into a buffer of that size; large claims are decompressed as a stream
 * and stopped as soon as the output exceeds the claim, so a damaged size field cannot make us allocate it.
 */
export function zstdUncompress(data: Uint8Array, expectedSize: number): Buffer {
  let out: Uint8Array;
  try {
    if (expectedSize > 0 && expectedSize <= Math.min(16 << 20, data.length * 1024 + 65536)) {
      out = zstdDecompress(data, new Uint8Array(expectedSize));
    } else {
      const chunks: Uint8Array[] = [];
      let total = 0;
      const d = new Decompress((chunk) => {
        total += chunk.length;
        if (total > expectedSize) throw new MalformedEvent(`transaction payload decompresses to more than the ${expectedSize} bytes it declares`);
        chunks.push(chunk);
      });
      d.push(data, true);
      out = Buffer.concat(chunks, total);
    }
  } catch (err) {
    if (err instanceof MalformedEvent) throw err;
    throw new MalformedEvent(`transaction payload does not decompress (zstd): ${(err as Error).message}`);
  }
  if (out.length !== expectedSize) throw new MalformedEvent(`transaction payload decompressed to ${out.length} bytes, it declares ${expectedSize}`);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}
