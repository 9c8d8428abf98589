import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { ErrorInfo } from '../../api/types';
import { ReplicaDeskError, toErrorInfo } from '../../errors';
import type { SecretBox } from '../../secrets/secret-box';
import type { NewHistoryEntry, StateStore } from '../../state/store';
import { deletePosition } from '../apply/position-table';
import type { EndpointConfig, MysqlEndpoint } from '../client/endpoint';
import { connectMysql } from '../client/raw-session';
import { Channel, type ThreadSelector } from './channel';
import { alive } from './channel-lock';
import { normalizeConfig, type ChannelConfig } from './config';
import { ChannelStateRepo } from './state-repo';
import type { ChannelListEntry, ChannelStatus } from './status';

/** What creating a channel needs: CHANGE MASTER TO plus the target, with passwords (sealed on save). */
export interface ChannelCreateInput extends Partial<Omit<ChannelConfig, 'name' | 'master' | 'target'>> {
  name: string;
  master: MysqlEndpoint;
  target: MysqlEndpoint;
}

export interface ChannelManagerOptions {
  /** Where relay logs live (`<dataDir>/relay/<channel>/`); default: the state store's folder. */
  dataDir?: string;
  /**
   * Poll the state store's channel_control table every this many ms and obey it (start/stop requested by
   * another process, e.g. `replicadesk channel stop`). 0 disables. Default 1000.
   */
  controlPollMs?: number;
  /** Write each running channel's status to the state store this often (for other processes). Default 1000. */
  statusSaveMs?: number;
}

export interface ChannelManagerEvents {
  /** A channel's SHOW SLAVE STATUS changed (throttled to a few per second while running). */
  status: [name: string, status: ChannelStatus];
  /** A thread of a channel reported an error (it may keep retrying, see the status). */
  'channel-error': [name: string, error: ErrorInfo];
  /** Something worth keeping in the history (already written to the store by the manager). */
  history: [entry: NewHistoryEntry];
}

/**
 * Every replica channel of one state store: create/start/stop/status/skip/reset/list, as the service API
 * and the CLI need them. Channels run in this process; `channel_control` rows let another process ask this
 * one to start or stop a channel, and `channel_status` rows let it read the status.
 */
export class ChannelManager extends EventEmitter<ChannelManagerEvents> {
  readonly repo: ChannelStateRepo;
  private readonly channels = new Map<string, Channel>();
  private readonly dataDir: string;
  private controlTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private readonly generations = new Map<string, number>();
  private polling = false;
  private closed = false;

  constructor(
    readonly store: StateStore,
    private readonly box: SecretBox,
    opts: ChannelManagerOptions = {},
  ) {
    super();
    this.setMaxListeners(100);
    this.repo = new ChannelStateRepo(store);
    this.dataDir = opts.dataDir ?? store.dataDir;
    const poll = opts.controlPollMs ?? 1000;
    if (poll > 0) {
      this.controlTimer = setInterval(() => void this.pollControl(), poll);
      this.controlTimer.unref();
    }
    const save = opts.statusSaveMs ?? 1000;
    if (save > 0) {
      this.statusTimer = setInterval(() => void this.saveStatuses(), save);
      this.statusTimer.unref();
    }
  }

  /** CHANGE MASTER TO for a new channel. Passwords are sealed with the secret box, never stored plain. */
  async create(input: ChannelCreateInput): Promise<ChannelConfig> {
    const { master, target, ...rest } = input;
    const strip = (e: MysqlEndpoint): EndpointConfig => {
      const { password: _pw, ...cfg } = e;
      return cfg;
    };
    const config = normalizeConfig({ ...rest, channelId: crypto.randomUUID(), serverId: rest.serverId ?? randomServerId(), master: strip(master), target: strip(target) });
    await this.repo.create(config, this.box, { master: master.password, target: target.password });
    await this.history(config.name, 'channel.created', 'info', `Channel ${config.name} created: ${master.user}@${master.host}:${master.port} → ${target.user}@${target.host}:${target.port}.`);
    return config;
  }

  /** Changes settings of a stopped channel (filters, retry, sizes...). */
  async update(name: string, patch: Partial<Omit<ChannelConfig, 'name'>>): Promise<ChannelConfig> {
    const current = await this.repo.requireConfig(name);
    if (this.channels.get(name)?.running) throw new ReplicaDeskError('CHANNEL_RUNNING', `Stop channel ${name} before changing its settings.`, { channel: name });
    const next = normalizeConfig({ ...current, ...patch, name });
    await this.repo.updateConfig(next);
    await this.dropChannel(name);
    return next;
  }

  /** The channel's settings with both accounts unsealed, for work the service does on its behalf (a re-copy). */
  async endpoints(name: string): Promise<{ config: ChannelConfig; master: MysqlEndpoint; target: MysqlEndpoint }> {
    const config = await this.repo.requireConfig(name);
    const passwords = await this.repo.passwords(name, this.box);
    return { config, master: { ...config.master, password: passwords.master }, target: { ...config.target, password: passwords.target } };
  }

  async setPassword(name: string, side: 'master' | 'target', password: string): Promise<void> {
    await this.repo.requireConfig(name);
    await this.repo.setPassword(name, side, this.box, password);
    await this.dropChannel(name);
  }

  /** Deletes a stopped channel: its settings, positions, sealed passwords and relay logs. */
  async delete(name: string): Promise<void> {
    await this.repo.requireConfig(name);
    const ch = this.channels.get(name);
    if (ch?.running) throw new ReplicaDeskError('CHANNEL_RUNNING', `Stop channel ${name} before deleting it.`, { channel: name });
    await this.dropChannel(name);
    const config = await this.repo.requireConfig(name);
    // Best effort: the target's position row would otherwise outlive the channel.
    try {
      const passwords = await this.repo.passwords(name, this.box);
      const conn = await connectMysql({ ...config.target, password: passwords.target, connectTimeoutMs: 5000 });
      try {
        await deletePosition(conn, config.stateDatabase, name);
      } finally {
        await conn.end();
      }
    } catch {
      /* target unreachable: the row stays, and a new channel of this name ignores it (channelId) */
    }
    await this.repo.delete(name);
    await fs.promises.rm(path.join(this.dataDir, 'relay', name), { recursive: true, force: true });
    await this.history(name, 'channel.deleted', 'info', `Channel ${name} deleted.`);
  }

  private async dropChannel(name: string): Promise<void> {
    const ch = this.channels.get(name);
    if (!ch) return;
    this.channels.delete(name);
    await ch.close();
  }

  private async channel(name: string): Promise<Channel> {
    const existing = this.channels.get(name);
    if (existing) return existing;
    const config = await this.repo.requireConfig(name);
    const passwords = await this.repo.passwords(name, this.box);
    const ch = new Channel(config, passwords, this.repo, this.dataDir);
    ch.on('status', (s) => this.emit('status', name, s));
    ch.on('history', (h) => {
      void this.history(name, h.kind, h.severity, h.message, h.detail);
      if (h.severity === 'error') this.emit('channel-error', name, { code: h.kind.toUpperCase().replace(/\W/g, '_'), message: h.message, ...(h.detail ? { details: h.detail } : {}) });
    });
    this.channels.set(name, ch);
    return ch;
  }

  /** START SLAVE [IO_THREAD|SQL_THREAD] [UNTIL ...] for one channel. Uses (and clears) sql_slave_skip_counter. */
  async start(name: string, which: ThreadSelector = 'both', opts: { until?: { file: string; pos: number } } = {}): Promise<ChannelStatus> {
    const ch = await this.channel(name);
    const control = await this.repo.getControl(name);
    const skip = which !== 'io' && !ch.sqlRunning ? control.skipCounter : 0;
    await ch.start(which, { ...(opts.until ? { until: opts.until } : {}), skipCounter: skip });
    const patch: Parameters<ChannelStateRepo['setControl']>[1] = {};
    if (which !== 'sql') patch.wantIo = true;
    if (which !== 'io') patch.wantSql = true;
    if (skip) patch.skipCounter = 0;
    await this.repo.setControl(name, patch);
    this.generations.set(name, (await this.repo.getControl(name)).generation);
    await this.history(name, 'channel.started', 'info', `START SLAVE${which === 'both' ? '' : which === 'io' ? ' IO_THREAD' : ' SQL_THREAD'} on ${name}${skip ? ` (skipping ${skip} event(s))` : ''}${opts.until ? ` UNTIL ${opts.until.file}:${opts.until.pos}` : ''}.`);
    return ch.status();
  }

  /** STOP SLAVE [IO_THREAD|SQL_THREAD]. */
  async stop(name: string, which: ThreadSelector = 'both'): Promise<ChannelStatus> {
    await this.repo.requireConfig(name);
    const patch: Parameters<ChannelStateRepo['setControl']>[1] = {};
    if (which !== 'sql') patch.wantIo = false;
    if (which !== 'io') patch.wantSql = false;
    await this.repo.setControl(name, patch);
    this.generations.set(name, (await this.repo.getControl(name)).generation);
    const ch = this.channels.get(name);
    if (!ch) return this.status(name);
    await ch.stop(which);
    if (!ch.running) {
      this.channels.delete(name);
      await ch.close();
    }
    await this.history(name, 'channel.stopped', 'info', `STOP SLAVE${which === 'both' ? '' : which === 'io' ? ' IO_THREAD' : ' SQL_THREAD'} on ${name}.`);
    const s = ch.status();
    await this.repo.saveStatus(name, null, s);
    return s;
  }

  /** SHOW SLAVE STATUS for one channel (live when it runs here, else the last saved or stored positions). */
  async status(name: string): Promise<ChannelStatus> {
    const ch = this.channels.get(name);
    if (ch) return ch.status();
    const saved = await this.repo.getStatus(name);
    if (saved && saved.pid && saved.pid !== process.pid && alive(saved.pid)) return saved.status as ChannelStatus;
    const config = await this.repo.requireConfig(name);
    const probe = new Channel(config, { master: '', target: '' }, this.repo, this.dataDir);
    const s = await probe.storedStatus();
    // A counter set while the SQL thread is stopped waits in channel_control for the next start.
    s.Skip_Counter = (await this.repo.getControl(name)).skipCounter;
    if (saved && !(saved.pid && alive(saved.pid))) {
      // Keep the last errors a stopped channel reported.
      const last = saved.status as ChannelStatus;
      for (const k of ['Last_IO_Errno', 'Last_IO_Error', 'Last_IO_Error_Timestamp', 'Last_SQL_Errno', 'Last_SQL_Error', 'Last_SQL_Error_Timestamp', 'Last_Errno', 'Last_Error'] as const) {
        (s as unknown as Record<string, unknown>)[k] = last[k];
      }
    }
    return s;
  }

  async list(): Promise<ChannelListEntry[]> {
    const out: ChannelListEntry[] = [];
    for (const c of await this.repo.listConfigs()) {
      const s = await this.status(c.name);
      const saved = await this.repo.getStatus(c.name);
      const here = this.channels.get(c.name)?.running;
      out.push({
        name: c.name,
        master: `${c.master.user}@${c.master.host}:${c.master.port}`,
        target: `${c.target.user}@${c.target.host}:${c.target.port}`,
        Slave_IO_Running: s.Slave_IO_Running,
        Slave_SQL_Running: s.Slave_SQL_Running,
        Seconds_Behind_Master: s.Seconds_Behind_Master,
        Last_IO_Errno: s.Last_IO_Errno,
        Last_SQL_Errno: s.Last_SQL_Errno,
        runningIn: here ? 'this process' : saved?.pid && saved.pid !== process.pid && alive(saved.pid) ? `pid ${saved.pid}` : '',
      });
    }
    return out;
  }

  /** SET GLOBAL sql_slave_skip_counter = n: used by the next SQL thread start of this channel. */
  async skip(name: string, n: number): Promise<void> {
    if (!Number.isInteger(n) || n < 0) throw new ReplicaDeskError('CHANNEL_BAD_SKIP', 'The skip counter must be a whole number, 0 or more.', { n });
    await this.repo.requireConfig(name);
    await this.repo.setControl(name, { skipCounter: n });
    await this.history(name, 'channel.skip', 'warning', `sql_slave_skip_counter = ${n} for ${name}: the next START SLAVE skips ${n} event(s) (a whole transaction when it lands inside one).`);
  }

  /**
   * Relay-log reset of a stopped channel. Default: discard the relay log and fetch again from the applied
   * position (nothing lost or repeated). `all`: also forget every position (RESET SLAVE ALL).
   */
  async reset(name: string, opts: { all?: boolean } = {}): Promise<void> {
    const config = await this.repo.requireConfig(name);
    const ch = await this.channel(name);
    const targetConn = opts.all
      ? {
          deletePosition: async () => {
            const passwords = await this.repo.passwords(name, this.box);
            const conn = await connectMysql({ ...config.target, password: passwords.target });
            try {
              await deletePosition(conn, config.stateDatabase, name);
            } finally {
              await conn.end();
            }
          },
        }
      : undefined;
    try {
      await ch.reset(opts.all === true, targetConn);
    } finally {
      this.channels.delete(name);
      await ch.close();
    }
  }

  /** Starts every channel whose last requested state was running (service start-up). */
  async startWanted(): Promise<void> {
    for (const c of await this.repo.listConfigs()) {
      const ctl = await this.repo.getControl(c.name);
      const which: ThreadSelector | undefined = ctl.wantIo && ctl.wantSql ? 'both' : ctl.wantIo ? 'io' : ctl.wantSql ? 'sql' : undefined;
      if (!which) continue;
      await this.start(c.name, which).catch((err: unknown) => this.emit('channel-error', c.name, toErrorInfo(err)));
    }
  }

  /** Names of channels with a running thread in this process. */
  runningChannels(): string[] {
    return [...this.channels.entries()].filter(([, c]) => c.running).map(([n]) => n);
  }

  /** Obeys start/stop requests another process wrote into channel_control. */
  private async pollControl(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      for (const [name, ch] of [...this.channels.entries()]) {
        const ctl = await this.repo.getControl(name);
        if (this.generations.get(name) === ctl.generation) continue;
        this.generations.set(name, ctl.generation);
        if (!ctl.wantSql && ch.sqlRunning) await ch.stop('sql');
        if (!ctl.wantIo && ch.ioRunning) await ch.stop('io');
        if (ctl.wantIo && !ch.ioRunning) await ch.start('io');
        if (ctl.wantSql && !ch.sqlRunning) {
          await ch.start('sql', { skipCounter: ctl.skipCounter });
          if (ctl.skipCounter) await this.repo.setControl(name, { skipCounter: 0 });
          this.generations.set(name, (await this.repo.getControl(name)).generation);
        }
        if (!ch.running) {
          await this.repo.saveStatus(name, null, ch.status());
          this.channels.delete(name);
          await ch.close();
        }
      }
    } catch (err) {
      this.emit('channel-error', '', toErrorInfo(err));
    } finally {
      this.polling = false;
    }
  }

  private async saveStatuses(): Promise<void> {
    if (this.closed) return;
    for (const [name, ch] of this.channels) {
      if (!ch.running) continue;
      await this.repo.saveStatus(name, process.pid, ch.status()).catch(() => undefined);
    }
  }

  private async history(name: string, kind: string, severity: NewHistoryEntry['severity'], message: string, detail?: Record<string, unknown>): Promise<void> {
    const entry: NewHistoryEntry = { source: `channel:${name}`, kind, severity, message, ...(detail ? { detail } : {}) };
    await this.store.appendHistory(entry).catch(() => undefined);
    this.emit('history', entry);
  }

  /** Stops every channel (positions committed, relay logs whole) without changing what was requested. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.controlTimer) clearInterval(this.controlTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    const all = [...this.channels.values()];
    this.channels.clear();
    await Promise.allSettled(
      all.map(async (ch) => {
        await ch.close();
        await this.repo.saveStatus(ch.name, null, ch.status()).catch(() => undefined);
      }),
    );
  }
}

/** A random server id in the range real servers rarely use (they count up from 1). */
function randomServerId(): number {
  return 1_000_000_000 + crypto.randomInt(0, 2_000_000_000);
}
