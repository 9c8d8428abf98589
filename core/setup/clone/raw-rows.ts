/**
 * A SELECT whose result rows are handed over as the raw bytes of their packets, on a mysql2 connection.
 *
 * mysql2 turns every value of every row into a JavaScript value; for a copy that only passes the bytes on,
 * that decoding (and building SQL text from the values again) was most of the client's time. Here mysql2
 * still does what it does well (framing, split packets, column definitions, errors, EOF), but the row
 * state of its query command is replaced by one that passes the packet payload straight to `onRow`.
 */
import type mysql from 'mysql2/promise';
import { coreOf } from './session';

interface RawPacket {
  buffer: Buffer;
  offset: number;
  end: number;
  isEOF(): boolean;
}
type State = (this: QueryCommand, packet: RawPacket, conn: unknown) => State | null;
interface QueryCommand extends NodeJS.EventEmitter {
  row: State;
}

export interface RawRowsHandle {
  /** Number of columns, once known. */
  columns(): number;
  pause(): void;
  resume(): void;
  /** Resolves with the row count when the result has been read; rejects on a server or connection error. */
  done: Promise<number>;
}

/**
 * Runs `sql` and calls `onRow(buffer, start, end, columns)` for each row, synchronously from the packet
 * parser: the bytes are only valid during the call. Exceptions thrown by `onRow` fail the query (the
 * rest of the result is read and dropped, so the connection stays usable).
 */
export function queryRawRows(c: mysql.Connection, sql: string, onRow: (buf: Buffer, start: number, end: number, columns: number) => void): RawRowsHandle {
  const core = coreOf(c);
  let columns = 0;
  let rows = 0;
  let failure: Error | undefined;
  let paused = false;
  let finished = false;
  let settle!: (err: Error | null) => void;
  const done = new Promise<number>((resolve, reject) => {
    let settled = false;
    settle = (err) => {
      if (settled) return;
      settled = true;
      finished = true;
      // Never leave the session paused: its next query would wait forever.
      if (paused) {
        paused = false;
        core.resume();
      }
      core.off('error', onLost);
      core.off('end', onEnd);
      if (err) reject(err);
      else if (failure) reject(failure);
      else resolve(rows);
    };
  });
  // A connection closed (killed session, network) while the reader is paused is reported only here.
  const onLost = (err: Error) => settle(err);
  const onEnd = () => settle(new Error('the connection was closed during the read'));
  core.on('error', onLost);
  core.on('end', onEnd);
  const cmd = core.query({ sql }, (err) => settle(err)) as QueryCommand;
  const original = Object.getPrototypeOf(cmd).row as State;
  cmd.on('fields', (f: unknown[] | undefined) => (columns = f?.length ?? 0));
  const row: State = function (this: QueryCommand, packet, conn) {
    if (packet.isEOF()) return original.call(this, packet, conn);
    if (!failure) {
      try {
        onRow(packet.buffer, packet.offset, packet.end, columns);
        rows++;
      } catch (err) {
        failure = err as Error;
      }
    }
    return row;
  };
  // The command reaches its row state only after the column definitions arrive, asynchronously.
  cmd.row = row;
  return {
    columns: () => columns,
    pause: () => {
      if (finished || paused) return;
      paused = true;
      core.pause();
    },
    resume: () => {
      if (!paused) return;
      paused = false;
      core.resume();
    },
    done,
  };
}
