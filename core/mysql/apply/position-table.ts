/**
 * The applied position kept in the target, like MySQL's mysql.slave_relay_log_info / MariaDB's
 * mysql.gtid_slave_pos: updated in the same transaction as the data it describes, so after any crash the
 * target itself says exactly which source transaction it has applied. At start it wins over our SQLite copy.
 */
import type mysql from 'mysql2/promise';
import { qualified, quoteId, quoteString } from './sql-text';

export const POSITION_TABLE = 'slave_relay_log_info';

export interface AppliedPosition {
  relayFile: string;
  relayPos: number;
  sourceFile: string;
  sourcePos: number;
  gtid: string;
  /** Source timestamp of the last applied transaction (seconds). */
  lastEventTime: number;
  /** 1 while a DDL at this position is being run: it may or may not have happened. */
  ddlInProgress: boolean;
}

/** The row as read back, with the channel incarnation that wrote it. */
export interface StoredPosition extends AppliedPosition {
  /** ChannelConfig.channelId of the channel that wrote the row ('' for rows from before it existed). */
  channelId: string;
}

export function positionTableDdl(db: string): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${quoteId(db)}`,
    `CREATE TABLE IF NOT EXISTS ${qualified(db, POSITION_TABLE)} (
      channel_name VARCHAR(64) NOT NULL PRIMARY KEY,
      channel_id CHAR(36) NOT NULL DEFAULT '',
      relay_log_name VARCHAR(255) NOT NULL DEFAULT '',
      relay_log_pos BIGINT UNSIGNED NOT NULL DEFAULT 0,
      master_log_name VARCHAR(255) NOT NULL DEFAULT '',
      master_log_pos BIGINT UNSIGNED NOT NULL DEFAULT 0,
      gtid_pos TEXT NOT NULL,
      last_event_time INT UNSIGNED NOT NULL DEFAULT 0,
      ddl_in_progress TINYINT NOT NULL DEFAULT 0,
      updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='ReplicaDesk: applied position per channel, written with the data'`,
  ];
}

export async function ensurePositionTable(conn: mysql.Connection, db: string): Promise<void> {
  for (const sql of positionTableDdl(db)) await conn.query(sql);
  // Tables made by an earlier version lack later columns: add them (the table is ours alone).
  const [cols] = await conn.query('SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [db, POSITION_TABLE]);
  const have = new Set((cols as { COLUMN_NAME: string }[]).map((c) => c.COLUMN_NAME.toLowerCase()));
  if (!have.has('channel_id')) await conn.query(`ALTER TABLE ${qualified(db, POSITION_TABLE)} ADD COLUMN channel_id CHAR(36) NOT NULL DEFAULT '' AFTER channel_name`);
}

export async function readPosition(conn: mysql.Connection, db: string, channel: string): Promise<StoredPosition | undefined> {
  const [rows] = await conn.query(`SELECT * FROM ${qualified(db, POSITION_TABLE)} WHERE channel_name = ?`, [channel]);
  const r = (rows as Record<string, unknown>[])[0];
  if (!r) return undefined;
  return {
    relayFile: String(r.relay_log_name),
    relayPos: Number(r.relay_log_pos),
    sourceFile: String(r.master_log_name),
    sourcePos: Number(r.master_log_pos),
    gtid: String(r.gtid_pos ?? ''),
    lastEventTime: Number(r.last_event_time),
    ddlInProgress: Number(r.ddl_in_progress) === 1,
    channelId: String(r.channel_id ?? ''),
  };
}

/** The statement that records `p` (run inside the applier's transaction). */
export function positionUpdateSql(db: string, channel: string, channelId: string, p: AppliedPosition): string {
  return (
    `INSERT INTO ${qualified(db, POSITION_TABLE)} (channel_name, channel_id, relay_log_name, relay_log_pos, master_log_name, master_log_pos, gtid_pos, last_event_time, ddl_in_progress) VALUES (` +
    [quoteString(channel), quoteString(channelId), quoteString(p.relayFile), p.relayPos, quoteString(p.sourceFile), p.sourcePos, quoteString(p.gtid), Math.max(0, Math.floor(p.lastEventTime)), p.ddlInProgress ? 1 : 0].join(',') +
    ') ON DUPLICATE KEY UPDATE channel_id=VALUES(channel_id), relay_log_name=VALUES(relay_log_name), relay_log_pos=VALUES(relay_log_pos), master_log_name=VALUES(master_log_name), master_log_pos=VALUES(master_log_pos), gtid_pos=VALUES(gtid_pos), last_event_time=VALUES(last_event_time), ddl_in_progress=VALUES(ddl_in_progress)'
  );
}

export async function deletePosition(conn: mysql.Connection, db: string, channel: string): Promise<void> {
  await conn.query(`DELETE FROM ${qualified(db, POSITION_TABLE)} WHERE channel_name = ?`, [channel]).catch((err: { errno?: number }) => {
    if (err.errno !== 1146 && err.errno !== 1049) throw err;
  });
}
