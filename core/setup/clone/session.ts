/**
 * Closing mysql2 connections for sure. mysql2's own destroy() only half-closes the socket and then ignores
 * the close, so a query waiting on that connection (a paused read, a LOAD DATA whose server went away)
 * never settles; and its end() waits for an answer a dead server never sends.
 */
import type mysql from 'mysql2/promise';

/** mysql2's connection under the promise wrapper: the parts used by the copy. */
export interface CoreConnection extends NodeJS.EventEmitter {
  query(opts: { sql: string }, cb: (err: Error | null) => void): NodeJS.EventEmitter;
  pause(): void;
  resume(): void;
  stream: NodeJS.EventEmitter & { destroyed: boolean; destroy(err?: Error): void };
}

export function coreOf(c: mysql.Connection): CoreConnection {
  return (c as unknown as { connection: CoreConnection }).connection;
}

/**
 * Closes the socket at once: whatever waits on the connection fails with "connection lost" (mysql2 reports
 * that on the close), and the server sees the client gone.
 */
export function hardClose(c: mysql.Connection): void {
  const core = coreOf(c);
  // mysql2 reports the loss as an 'error' event when no query is waiting; it must not go unheard.
  core.on('error', () => undefined);
  core.stream.destroy();
}

/** Ends a session politely when it is still alive (COM_QUIT, a second at most), else just drops it. */
export async function release(c: mysql.Connection): Promise<void> {
  const core = coreOf(c);
  if (core.stream.destroyed) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([c.end().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 1000)))]);
  clearTimeout(timer);
  if (!core.stream.destroyed) hardClose(c);
}

/** Resolves (never rejects) when the server closes the connection or the socket goes away. */
export function whenLost(c: mysql.Connection): { lost: Promise<Error>; stop(): void } {
  const core = coreOf(c);
  let stop = () => undefined as void;
  const lost = new Promise<Error>((resolve) => {
    const onEnd = () => resolve(new Error('the server closed the connection'));
    const onClose = () => resolve(new Error('the connection was closed'));
    core.on('end', onEnd);
    core.stream.on('close', onClose);
    stop = () => {
      core.off('end', onEnd);
      core.stream.off('close', onClose);
    };
    if (core.stream.destroyed) onClose();
  });
  return { lost, stop: () => stop() };
}
