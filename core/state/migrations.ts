/**
 * Versioned schema of the local state store. Append only: a migration that has shipped is never edited,
 * because users' databases already ran it. Each runs in its own transaction with its version row.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'foundation',
    sql: `
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      -- What happened, for the history view and notifications. detail is JSON.
      CREATE TABLE history (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        at        TEXT NOT NULL,
        source    TEXT NOT NULL,
        kind      TEXT NOT NULL,
        severity  TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
        message   TEXT NOT NULL,
        detail    TEXT
      );
      CREATE INDEX history_at ON history (at);
      -- Replica channels (the master.info side grows in later migrations). config is JSON without secrets.
      CREATE TABLE channels (
        name        TEXT PRIMARY KEY,
        config      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
      -- Credentials, only ever stored encrypted by a SecretBox.
      CREATE TABLE secrets (
        ref        TEXT PRIMARY KEY,
        box        TEXT NOT NULL,
        sealed     TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE fanouts (
        name        TEXT PRIMARY KEY,
        config      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
    `,
  },
];
