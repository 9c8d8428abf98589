import { EventEmitter } from 'node:events';
import type { ApiEvent } from './api/contract';
import { channelHandlers, channelSummaries } from './api/handlers/channels';
import { fanoutHandlers } from './api/handlers/fanouts';
import { pgpoolConfigHandlers, pgpoolCreateHandler } from './api/handlers/pgpool-config';
import { setupHandlers } from './api/handlers/setup';
import { fanoutCheckHandlers } from './api/handlers/fanout-check';
import { recloneHandlers } from './api/handlers/reclone';
import { settingsHandlers } from './api/handlers/settings';
import { FanoutManager } from './fanout/fanout-manager';
import { ChannelMetrics } from './metrics/channel-metrics';
import type { ChannelNeed } from './setup/purge';
import type { ApiHandlers } from './api/methods';
import type { HistoryEntry, ServiceInfo } from './api/types';
import { JobRegistry } from './jobs';
import { ChannelManager } from './mysql/channel/manager';
import { nullLogger, type Logger } from './log/logger';
import type { SecretBox } from './secrets/secret-box';
import { type NewHistoryEntry, StateStore } from './state/store';
import { VERSION } from './version';

export interface ServiceOptions {
  dataDir: string;
  mode: ServiceInfo['mode'];
  /** Seals credentials; the desktop app passes its safeStorage box, headless mode a key-file box. */
  secretBox: SecretBox;
  /** False when the box is a plain-text fallback (Electron without an OS keychain), so the UI can warn. */
  secretsEncrypted?: boolean;
  /** Structured log (a rotating file in the data dir in both modes); engines take children of it. */
  logger?: Logger;
  /** How often channels are sampled for channels.metrics (default 10 s; tests use less). */
  metricsIntervalMs?: number;
}

/**
 * The engine's single owner: the state store, the replica channels and the fan-out proxies. Transports
 * (Electron IPC, headless HTTP) only ever talk to it through `handlers` and `events`.
 */
export class Service {
  readonly events = new EventEmitter<{ event: [ApiEvent] }>();
  readonly jobs = new JobRegistry((job) => this.emit({ type: 'job', job }));
  private readonly startedAt = new Date().toISOString();
  private stopping = false;

  readonly channels: ChannelManager;
  readonly fanouts: FanoutManager;
  readonly handlers: ApiHandlers;
  private channelsTimer: NodeJS.Timeout | undefined;
  readonly metrics: ChannelMetrics;
  private metricsTimer: NodeJS.Timeout | undefined;

  private constructor(readonly store: StateStore, private readonly opts: ServiceOptions) {
    // Many UI tabs and the tray may listen at once; that is not a leak.
    this.events.setMaxListeners(100);
    this.channels = new ChannelManager(store, opts.secretBox, { dataDir: opts.dataDir });
    this.fanouts = new FanoutManager(store);
    this.metrics = new ChannelMetrics(opts.metricsIntervalMs);
    this.handlers = {
      'service.info': () => this.info(),
      ...channelHandlers(this.channels),
      'channels.metrics': async ({ name }) => {
        await this.channels.status(name); // CHANNEL_NOT_FOUND for a name that does not exist
        return this.metrics.list(name);
      },
      ...recloneHandlers(this.channels, this.jobs),
      ...fanoutHandlers(this.fanouts, this.jobs),
      ...fanoutCheckHandlers(),
      'history.list': (p) => this.store.listHistory({ ...p, limit: p.limit ?? 100 }),
      ...setupHandlers(this.jobs, (master) => this.channelNeeds(master)),
      ...settingsHandlers(store, (key, value) => this.emit({ type: 'settings', key, value })),
      ...pgpoolConfigHandlers(),
      ...pgpoolCreateHandler(),
      'jobs.list': async () => this.jobs.list(),
      'jobs.cancel': async ({ id }) => this.jobs.cancel(id),
    };
    this.channels.on('status', (name, status) => {
      this.emit({ type: 'channel.status', name, status });
      this.scheduleChannelsEvent();
    });
    this.fanouts.on('history', (entry) => void this.record(entry).catch(() => undefined));
    this.fanouts.on('changed', () => void this.fanouts.list().then((fanouts) => this.emit({ type: 'fanouts', fanouts }), () => undefined));
    // The manager has written the entry already; push the stored row (with its id) to subscribers.
    this.channels.on('history', (entry) => {
      void this.store.listHistory({ limit: 1, source: entry.source }).then(([saved]) => saved && this.emit({ type: 'history', entry: saved }), () => undefined);
      this.scheduleChannelsEvent();
    });
  }

  static async start(opts: ServiceOptions): Promise<Service> {
    const store = await StateStore.open(opts.dataDir);
    const service = new Service(store, opts);
    await service.record({ source: 'service', kind: 'service.started', severity: 'info', message: `ReplicaDesk ${VERSION} started (${opts.mode}).` });
    // Channels that were running when the service last stopped start again, like a replica after a reboot.
    await service.channels.startWanted().catch((err: unknown) =>
      service.record({ source: 'service', kind: 'channels.resume.failed', severity: 'error', message: `Could not restart the replica channels: ${(err as Error).message}` }),
    );
    await service.fanouts.startWanted();
    service.metricsTimer = setInterval(() => void service.sampleMetrics().catch(() => undefined), service.metrics.intervalMs);
    service.metricsTimer.unref();
    void service.sampleMetrics().catch(() => undefined);
    return service;
  }

  /** Samples every channel for the dashboard's last-hour chart. */
  private async sampleMetrics(): Promise<void> {
    if (this.stopping) return;
    const configs = await this.channels.repo.listConfigs();
    for (const c of configs) {
      const status = await this.channels.status(c.name).catch(() => undefined);
      if (status) this.metrics.add(c.name, status);
    }
    this.metrics.retain(configs.map((c) => c.name));
  }

  /**
   * Binlog files this service's channels replicating from `master` have not applied yet: a purge must keep
   * them even when the caller did not list them. A channel that has not fetched anything yet (a GTID start)
   * has no known file, which makes the purge keep everything: safer than guessing.
   */
  private async channelNeeds(master: { host: string; port: number }): Promise<ChannelNeed[]> {
    const loopback = (h: string) => (['localhost', '127.0.0.1', '::1', ''].includes(h.toLowerCase()) ? 'loopback' : h.toLowerCase());
    const needs: ChannelNeed[] = [];
    // Settings only: the sealed passwords are not needed to know which master a channel reads.
    for (const c of await this.channels.repo.listConfigs()) {
      if (loopback(c.master.host) !== loopback(master.host) || c.master.port !== master.port) continue;
      const s = await this.channels.status(c.name);
      needs.push(
        s.Relay_Master_Log_File
          ? { channel: c.name, file: s.Relay_Master_Log_File, position: s.Exec_Master_Log_Pos }
          : { channel: c.name, file: `(channel ${c.name} has not read its first binlog yet)` },
      );
    }
    return needs;
  }

  /** The list view changes with every status; send it at most once a second. */
  private scheduleChannelsEvent(): void {
    if (this.channelsTimer || this.stopping) return;
    this.channelsTimer = setTimeout(() => {
      this.channelsTimer = undefined;
      void channelSummaries(this.channels).then((channels) => this.emit({ type: 'channels', channels }), () => undefined);
    }, 1000);
  }

  get logger(): Logger {
    return this.opts.logger ?? nullLogger;
  }

  get secretBox(): SecretBox {
    return this.opts.secretBox;
  }

  /** Writes to the history and pushes the entry to every subscriber. */
  async record(entry: NewHistoryEntry): Promise<HistoryEntry> {
    const saved = await this.store.appendHistory(entry);
    this.emit({ type: 'history', entry: saved });
    return saved;
  }

  emit(event: ApiEvent): void {
    this.events.emit('event', event);
  }

  async info(): Promise<ServiceInfo> {
    return {
      product: 'ReplicaDesk',
      version: VERSION,
      mode: this.opts.mode,
      dataDir: this.opts.dataDir,
      startedAt: this.startedAt,
      schemaVersion: await this.store.schemaVersion(),
      secretStore: { kind: this.opts.secretBox.kind, encrypted: this.opts.secretsEncrypted ?? true },
      platform: process.platform,
    };
  }


  /** Stops every channel and proxy cleanly (positions committed), then closes the store. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.emit({ type: 'service.stopping' });
    await this.jobs.cancelAll();
    if (this.channelsTimer) clearTimeout(this.channelsTimer);
    if (this.metricsTimer) clearInterval(this.metricsTimer);
    // Channels stop with their relay logs whole and positions committed.
    await this.channels.close().catch((err: unknown) =>
      this.store.appendHistory({ source: 'service', kind: 'stop.failed', severity: 'error', message: `Replica channels did not stop cleanly: ${String(err)}` }),
    );
    await this.fanouts.close();
    await this.store.appendHistory({ source: 'service', kind: 'service.stopped', severity: 'info', message: 'ReplicaDesk stopped.' }).catch(() => undefined);
    await this.store.close();
  }
}
