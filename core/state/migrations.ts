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
  {
    version: 2,
    name: 'replica channel state (master.info, relay-log.info, control, status)',
    sql: `
      -- master.info: written by the I/O thread, only after the relay-log bytes up to relay_log_end are fsynced.
      -- The relay log beyond (relay_log_file, relay_log_end) is cut at start: it was never recorded.
      CREATE TABLE master_info (
        channel              TEXT PRIMARY KEY REFERENCES channels(name) ON DELETE CASCADE,
        master_log_file      TEXT NOT NULL DEFAULT '',
        read_master_log_pos  INTEGER NOT NULL DEFAULT 4,
        gtid_io_pos          TEXT NOT NULL DEFAULT '',
        relay_log_file       TEXT NOT NULL DEFAULT '',
        relay_log_end        INTEGER NOT NULL DEFAULT 0,
        last_event_time      INTEGER NOT NULL DEFAULT 0,
        master_server_id     INTEGER,
        master_uuid          TEXT,
        updated_at           TEXT NOT NULL
      );
      -- relay-log.info: the SQL thread's applied position. The copy in the target (written in the same
      -- transaction as the data) wins over this one at start.
      CREATE TABLE relay_log_info (
        channel                TEXT PRIMARY KEY REFERENCES channels(name) ON DELETE CASCADE,
        relay_log_file         TEXT NOT NULL DEFAULT '',
        relay_log_pos          INTEGER NOT NULL DEFAULT 0,
        relay_master_log_file  TEXT NOT NULL DEFAULT '',
        exec_master_log_pos    INTEGER NOT NULL DEFAULT 0,
        gtid_slave_pos         TEXT NOT NULL DEFAULT '',
        updated_at             TEXT NOT NULL
      );
      -- What the user asked for (START/STOP SLAVE, sql_slave_skip_counter, UNTIL). Whoever runs the channel
      -- (the service, or a foreground CLI) polls it, so a second CLI process can steer a running channel.
      CREATE TABLE channel_control (
        channel         TEXT PRIMARY KEY REFERENCES channels(name) ON DELETE CASCADE,
        want_io         INTEGER NOT NULL DEFAULT 0,
        want_sql        INTEGER NOT NULL DEFAULT 0,
        skip_counter    INTEGER NOT NULL DEFAULT 0,
        until_log_file  TEXT,
        until_log_pos   INTEGER,
        generation      INTEGER NOT NULL DEFAULT 0,
        updated_at      TEXT NOT NULL
      );
      -- The last SHOW SLAVE STATUS snapshot of a running channel (JSON), with the process running it.
      CREATE TABLE channel_status (
        channel     TEXT PRIMARY KEY REFERENCES channels(name) ON DELETE CASCADE,
        pid         INTEGER,
        status      TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
    `,
  },
];
