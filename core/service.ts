import { EventEmitter } from 'node:events';
import type { ApiEvent } from './api/contract';
import { channelHandlers, channelSummaries } from './api/handlers/channels';
import { fanoutHandlers } from './api/handlers/fanouts';
import { pgpoolConfigHandlers } from './api/handlers/pgpool-config';
import { setupHandlers } from './api/handlers/setup';
import { FanoutManager } from './fanout/fanout-manager';
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

  private constructor(readonly store: StateStore, private readonly opts: ServiceOptions) {
    // Many UI tabs and the tray may listen at once; that is not a leak.
    this.events.setMaxListeners(100);
    this.channels = new ChannelManager(store, opts.secretBox, { dataDir: opts.dataDir });
    this.fanouts = new FanoutManager(store);
    this.handlers = {
      'service.info': () => this.info(),
      ...channelHandlers(this.channels),
      ...fanoutHandlers(this.fanouts, this.jobs),
      'history.list': (p) => this.store.listHistory({ ...p, limit: p.limit ?? 100 }),
      ...setupHandlers(this.jobs),
      ...pgpoolConfigHandlers(),
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
    return service;
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
    };
  }


  /** Stops every channel and proxy cleanly (positions committed), then closes the store. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.emit({ type: 'service.stopping' });
    await this.jobs.cancelAll();
    if (this.channelsTimer) clearTimeout(this.channelsTimer);
    // Channels stop with their relay logs whole and positions committed.
    await this.channels.close().catch((err: unknown) =>
      this.store.appendHistory({ source: 'service', kind: 'stop.failed', severity: 'error', message: `Replica channels did not stop cleanly: ${String(err)}` }),
    );
    await this.fanouts.close();
    await this.store.appendHistory({ source: 'service', kind: 'service.stopped', severity: 'info', message: 'ReplicaDesk stopped.' }).catch(() => undefined);
    await this.store.close();
  }
}
