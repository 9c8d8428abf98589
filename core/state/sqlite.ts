import sqlite3 from 'sqlite3';
import { ReplicaDeskError } from '../errors';

export type SqlValue = string | number | bigint | null | Buffer;

/**
 * A small promise face over node-sqlite3. One connection per store; sqlite3 queues statements on it in
 * order, and `transaction` serialises whole transactions so two async callers never interleave inside one.
 */
export class SqliteDb {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly db: sqlite3.Database, readonly file: string) {}

  static open(file: string): Promise<SqliteDb> {
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(file, (err) => {
        if (err) reject(new ReplicaDeskError('STATE_OPEN_FAILED', `Cannot open the state database ${file}: ${err.message}`, { file }, { cause: err }));
        else resolve(new SqliteDb(db, file));
      });
    });
  }

  run(sql: string, params: SqlValue[] = []): Promise<{ changes: number; lastID: number }> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(wrap(err, sql));
        else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  get<T>(sql: string, params: SqlValue[] = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get(sql, params, (err: Error | null, row: T | undefined) => (err ? reject(wrap(err, sql)) : resolve(row)));
    });
  }

  all<T>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, params, (err: Error | null, rows: T[]) => (err ? reject(wrap(err, sql)) : resolve(rows)));
    });
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.exec(sql, (err: Error | null) => (err ? reject(wrap(err, sql)) : resolve()));
    });
  }

  /** Runs `fn` inside BEGIN IMMEDIATE/COMMIT, after any transaction already queued on this connection. */
  transaction<T>(fn: (db: SqliteDb) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      await this.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this);
        await this.exec('COMMIT');
        return result;
      } catch (err) {
        await this.exec('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}

function wrap(err: Error, sql: string): ReplicaDeskError {
  return new ReplicaDeskError('STATE_SQL_FAILED', `State database error: ${err.message}`, { sql: sql.slice(0, 200) }, { cause: err });
}
