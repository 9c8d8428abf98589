import { ReplicaDeskError } from '../../errors';
import type { SecretBox } from '../../secrets/secret-box';
import type { StateStore } from '../../state/store';
import type { IoCheckpoint } from '../relay/relay-log-set';
import type { ChannelConfig } from './config';

/** master.info as stored (the I/O thread's durable read position). */
export interface MasterInfo {
  masterLogFile: string;
  readMasterLogPos: number;
  gtidIoPos: string;
  relayLogFile: string;
  relayLogEnd: number;
  lastEventTime: number;
  masterServerId: number | null;
  masterUuid: string | null;
}

/** relay-log.info as stored (the SQL thread's applied position). */
export interface RelayLogInfo {
  relayLogFile: string;
  relayLogPos: number;
  relayMasterLogFile: string;
  execMasterLogPos: number;
  gtidSlavePos: string;
}

export interface ChannelControl {
  wantIo: boolean;
  wantSql: boolean;
  skipCounter: number;
  untilLogFile: string | null;
  untilLogPos: number | null;
  /** Bumped on every write, so a poller notices a change even when the values look the same. */
  generation: number;
}

export const secretRef = (channel: string, side: 'master' | 'target') => `channel:${channel}:${side}`;

const now = () => new Date().toISOString();

/** The channel tables of the state store (migration 2), one small method per read or write. */
export class ChannelStateRepo {
  constructor(readonly store: StateStore) {}

  private get db() {
    return this.store.db;
  }

  async listConfigs(): Promise<ChannelConfig[]> {
    const rows = await this.db.all<{ config: string }>('SELECT config FROM channels ORDER BY name');
    return rows.map((r) => JSON.parse(r.config) as ChannelConfig);
  }

  async getConfig(name: string): Promise<ChannelConfig | undefined> {
    const row = await this.db.get<{ config: string }>('SELECT config FROM channels WHERE name = ?', [name]);
    return row ? (JSON.parse(row.config) as ChannelConfig) : undefined;
  }

  async requireConfig(name: string): Promise<ChannelConfig> {
    const c = await this.getConfig(name);
    if (!c) throw new ReplicaDeskError('CHANNEL_NOT_FOUND', `There is no channel named "${name}". "replicadesk channel list" shows the channels.`, { channel: name });
    return c;
  }

  /** Creates the channel with its initial master.info (start position) and empty relay-log.info. */
  async create(config: ChannelConfig, box: SecretBox, passwords: { master: string; target: string }): Promise<void> {
    const t = now();
    await this.db.transaction(async (db) => {
      const exists = await db.get('SELECT 1 FROM channels WHERE name = ?', [config.name]);
      if (exists) throw new ReplicaDeskError('CHANNEL_EXISTS', `A channel named "${config.name}" already exists. Delete it first or choose another name.`, { channel: config.name });
      await db.run('INSERT INTO channels (name, config, created_at, updated_at) VALUES (?, ?, ?, ?)', [config.name, JSON.stringify(config), t, t]);
      const start = config.start;
      await db.run(
        'INSERT INTO master_info (channel, master_log_file, read_master_log_pos, gtid_io_pos, updated_at) VALUES (?, ?, ?, ?, ?)',
        [config.name, start.kind === 'file' ? start.file : '', start.kind === 'file' ? start.pos : 4, start.kind === 'gtid' ? start.gtid : '', t],
      );
      await db.run(
        'INSERT INTO relay_log_info (channel, relay_master_log_file, exec_master_log_pos, gtid_slave_pos, updated_at) VALUES (?, ?, ?, ?, ?)',
        [config.name, start.kind === 'file' ? start.file : '', start.kind === 'file' ? start.pos : 0, start.kind === 'gtid' ? start.gtid : '', t],
      );
      await db.run('INSERT INTO channel_control (channel, updated_at) VALUES (?, ?)', [config.name, t]);
    });
    await this.store.putSecret(box, secretRef(config.name, 'master'), passwords.master);
    await this.store.putSecret(box, secretRef(config.name, 'target'), passwords.target);
  }

  async updateConfig(config: ChannelConfig): Promise<void> {
    await this.db.run('UPDATE channels SET config = ?, updated_at = ? WHERE name = ?', [JSON.stringify(config), now(), config.name]);
  }

  async delete(name: string): Promise<void> {
    await this.db.run('DELETE FROM channels WHERE name = ?', [name]);
    await this.store.deleteSecret(secretRef(name, 'master'));
    await this.store.deleteSecret(secretRef(name, 'target'));
  }

  async passwords(name: string, box: SecretBox): Promise<{ master: string; target: string }> {
    const master = await this.store.getSecret(box, secretRef(name, 'master'));
    const target = await this.store.getSecret(box, secretRef(name, 'target'));
    if (master === undefined || target === undefined) {
      throw new ReplicaDeskError('CHANNEL_NO_PASSWORD', `The stored password for channel "${name}" is missing. Set it again (channel set-password).`, { channel: name });
    }
    return { master, target };
  }

  async setPassword(name: string, side: 'master' | 'target', box: SecretBox, password: string): Promise<void> {
    await this.store.putSecret(box, secretRef(name, side), password);
  }

  async getMasterInfo(name: string): Promise<MasterInfo> {
    const r = await this.db.get<Record<string, unknown>>('SELECT * FROM master_info WHERE channel = ?', [name]);
    if (!r) throw new ReplicaDeskError('CHANNEL_NOT_FOUND', `There is no channel named "${name}".`, { channel: name });
    return {
      masterLogFile: String(r.master_log_file),
      readMasterLogPos: Number(r.read_master_log_pos),
      gtidIoPos: String(r.gtid_io_pos),
      relayLogFile: String(r.relay_log_file),
      relayLogEnd: Number(r.relay_log_end),
      lastEventTime: Number(r.last_event_time),
      masterServerId: r.master_server_id === null ? null : Number(r.master_server_id),
      masterUuid: r.master_uuid === null ? null : String(r.master_uuid),
    };
  }

  /** The I/O thread's durable checkpoint (call only after the relay bytes are synced). */
  async saveIoCheckpoint(name: string, cp: IoCheckpoint): Promise<void> {
    await this.db.run(
      'UPDATE master_info SET master_log_file = ?, read_master_log_pos = ?, gtid_io_pos = ?, relay_log_file = ?, relay_log_end = ?, last_event_time = ?, updated_at = ? WHERE channel = ?',
      [cp.source.file, cp.source.pos, cp.gtid, cp.relay.file, cp.relay.pos, cp.lastEventTime, now(), name],
    );
  }

  async saveMasterIdentity(name: string, serverId: number, uuid: string | null): Promise<void> {
    await this.db.run('UPDATE master_info SET master_server_id = ?, master_uuid = ?, updated_at = ? WHERE channel = ?', [serverId, uuid, now(), name]);
  }

  /** Resets master.info to read from `source` again with no relay log (relay-log recovery, RESET SLAVE). */
  async resetIo(name: string, source: { file: string; pos: number }, gtid: string): Promise<void> {
    await this.db.run(
      "UPDATE master_info SET master_log_file = ?, read_master_log_pos = ?, gtid_io_pos = ?, relay_log_file = '', relay_log_end = 0, updated_at = ? WHERE channel = ?",
      [source.file, source.pos, gtid, now(), name],
    );
  }

  async getRelayLogInfo(name: string): Promise<RelayLogInfo> {
    const r = await this.db.get<Record<string, unknown>>('SELECT * FROM relay_log_info WHERE channel = ?', [name]);
    if (!r) throw new ReplicaDeskError('CHANNEL_NOT_FOUND', `There is no channel named "${name}".`, { channel: name });
    return {
      relayLogFile: String(r.relay_log_file),
      relayLogPos: Number(r.relay_log_pos),
      relayMasterLogFile: String(r.relay_master_log_file),
      execMasterLogPos: Number(r.exec_master_log_pos),
      gtidSlavePos: String(r.gtid_slave_pos),
    };
  }

  async saveRelayLogInfo(name: string, i: RelayLogInfo): Promise<void> {
    await this.db.run(
      'UPDATE relay_log_info SET relay_log_file = ?, relay_log_pos = ?, relay_master_log_file = ?, exec_master_log_pos = ?, gtid_slave_pos = ?, updated_at = ? WHERE channel = ?',
      [i.relayLogFile, i.relayLogPos, i.relayMasterLogFile, i.execMasterLogPos, i.gtidSlavePos, now(), name],
    );
  }

  async getControl(name: string): Promise<ChannelControl> {
    const r = await this.db.get<Record<string, unknown>>('SELECT * FROM channel_control WHERE channel = ?', [name]);
    if (!r) return { wantIo: false, wantSql: false, skipCounter: 0, untilLogFile: null, untilLogPos: null, generation: 0 };
    return {
      wantIo: Number(r.want_io) === 1,
      wantSql: Number(r.want_sql) === 1,
      skipCounter: Number(r.skip_counter),
      untilLogFile: r.until_log_file === null ? null : String(r.until_log_file),
      untilLogPos: r.until_log_pos === null ? null : Number(r.until_log_pos),
      generation: Number(r.generation),
    };
  }

  async setControl(name: string, patch: Partial<Omit<ChannelControl, 'generation'>>): Promise<void> {
    const cols: string[] = [];
    const vals: (string | number | null)[] = [];
    if (patch.wantIo !== undefined) (cols.push('want_io = ?'), vals.push(patch.wantIo ? 1 : 0));
    if (patch.wantSql !== undefined) (cols.push('want_sql = ?'), vals.push(patch.wantSql ? 1 : 0));
    if (patch.skipCounter !== undefined) (cols.push('skip_counter = ?'), vals.push(patch.skipCounter));
    if (patch.untilLogFile !== undefined) (cols.push('until_log_file = ?'), vals.push(patch.untilLogFile));
    if (patch.untilLogPos !== undefined) (cols.push('until_log_pos = ?'), vals.push(patch.untilLogPos));
    if (cols.length === 0) return;
    await this.db.run(`UPDATE channel_control SET ${cols.join(', ')}, generation = generation + 1, updated_at = ? WHERE channel = ?`, [...vals, now(), name]);
  }

  async saveStatus(name: string, pid: number | null, status: unknown): Promise<void> {
    await this.db.run(
      'INSERT INTO channel_status (channel, pid, status, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(channel) DO UPDATE SET pid = excluded.pid, status = excluded.status, updated_at = excluded.updated_at',
      [name, pid, JSON.stringify(status), now()],
    );
  }

  async getStatus(name: string): Promise<{ pid: number | null; status: unknown; updatedAt: string } | undefined> {
    const r = await this.db.get<{ pid: number | null; status: string; updated_at: string }>('SELECT pid, status, updated_at FROM channel_status WHERE channel = ?', [name]);
    return r ? { pid: r.pid, status: JSON.parse(r.status) as unknown, updatedAt: r.updated_at } : undefined;
  }
}
