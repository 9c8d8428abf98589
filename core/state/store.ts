import fs from 'node:fs';
import path from 'node:path';
import { ReplicaDeskError } from '../errors';
import { MIGRATIONS, type Migration } from './migrations';
import { SqliteDb } from './sqlite';
import type { SecretBox } from '../secrets/secret-box';

import type { HistoryEntry, Severity } from '../api/types';
export type { HistoryEntry, Severity };

export type NewHistoryEntry = Omit<HistoryEntry, 'id' | 'at' | 'detail'> & { detail?: Record<string, unknown> };

export const STATE_FILE = 'state.sqlite3';

/** The local SQLite state: master.info / relay-log.info equivalents, settings, history and sealed secrets. */
export class StateStore {
  private constructor(readonly db: SqliteDb, readonly dataDir: string) {}

  static async open(dataDir: string, migrations: readonly Migration[] = MIGRATIONS): Promise<StateStore> {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const db = await SqliteDb.open(path.join(dataDir, STATE_FILE));
    // FULL: a position we report as saved must survive a power cut; WAL keeps readers off the writer.
    await db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
    const store = new StateStore(db, dataDir);
    await store.migrate(migrations);
    return store;
  }

  async schemaVersion(): Promise<number> {
    const row = await this.db.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    return row?.v ?? 0;
  }

  private async migrate(migrations: readonly Migration[]): Promise<void> {
    await this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const current = await this.schemaVersion();
    const known = migrations.length ? migrations[migrations.length - 1]!.version : 0;
    if (current > known) {
      throw new ReplicaDeskError(
        'STATE_TOO_NEW',
        `The state database in ${this.dataDir} has schema version ${current}, newer than this ReplicaDesk knows (${known}). Run the newer version of ReplicaDesk, or use another --data-dir.`,
        { current, known },
      );
    }
    for (const m of migrations) {
      if (m.version <= current) continue;
      await this.db.transaction(async (db) => {
        await db.exec(m.sql);
        await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date().toISOString()]);
      });
    }
  }

  async getSetting(key: string): Promise<string | undefined> {
    return (await this.db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]))?.value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.db.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async appendHistory(entry: NewHistoryEntry): Promise<HistoryEntry> {
    const at = new Date().toISOString();
    const detail = entry.detail ?? null;
    const { lastID } = await this.db.run('INSERT INTO history (at, source, kind, severity, message, detail) VALUES (?, ?, ?, ?, ?, ?)', [
      at,
      entry.source,
      entry.kind,
      entry.severity,
      entry.message,
      detail ? JSON.stringify(detail) : null,
    ]);
    return { id: lastID, at, source: entry.source, kind: entry.kind, severity: entry.severity, message: entry.message, detail };
  }

  async listHistory(opts: { limit: number; beforeId?: number; source?: string; severity?: Severity }): Promise<HistoryEntry[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (opts.beforeId !== undefined) (where.push('id < ?'), params.push(opts.beforeId));
    if (opts.source !== undefined) (where.push('source = ?'), params.push(opts.source));
    if (opts.severity !== undefined) (where.push('severity = ?'), params.push(opts.severity));
    const sql = `SELECT * FROM history ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`;
    params.push(opts.limit);
    const rows = await this.db.all<Omit<HistoryEntry, 'detail'> & { detail: string | null }>(sql, params);
    return rows.map((r) => ({ ...r, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null }));
  }

  /** Seals `plain` with the box and stores only the sealed form. */
  async putSecret(box: SecretBox, ref: string, plain: string): Promise<void> {
    const sealed = box.seal(plain);
    await this.db.run(
      'INSERT INTO secrets (ref, box, sealed, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(ref) DO UPDATE SET box = excluded.box, sealed = excluded.sealed, updated_at = excluded.updated_at',
      [ref, box.kind, sealed, new Date().toISOString()],
    );
  }

  async getSecret(box: SecretBox, ref: string): Promise<string | undefined> {
    const row = await this.db.get<{ box: string; sealed: string }>('SELECT box, sealed FROM secrets WHERE ref = ?', [ref]);
    if (!row) return undefined;
    if (row.box !== box.kind) {
      throw new ReplicaDeskError(
        'SECRET_BOX_MISMATCH',
        `The stored credential "${ref}" was sealed by ${row.box}, but this process uses ${box.kind}. Enter the password again to re-seal it.`,
        { ref, storedBy: row.box, current: box.kind },
      );
    }
    return box.open(row.sealed);
  }

  async deleteSecret(ref: string): Promise<void> {
    await this.db.run('DELETE FROM secrets WHERE ref = ?', [ref]);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
