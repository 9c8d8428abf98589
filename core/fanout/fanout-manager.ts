import fs from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import type { FanoutSummary } from '../api/types';
import { ReplicaDeskError } from '../errors';
import type { ConfDiagnostic } from '../config/pgpool/settings';
import type { FanoutEvent, PoolNodeRow, RecoveryEvent } from '../pg/node-status';
import { loadPgpoolConfig } from '../pg/options';
import { FanoutProxy } from '../pg/proxy';
import type { NewHistoryEntry, StateStore } from '../state/store';
import { SettingsNodeStatusStore } from './settings-node-store';

/** What the service remembers of a fan-out: the user's own pgpool.conf, not a copy of it. */
export interface FanoutDefinition {
  name: string;
  /** pgpool.conf (pool_hba.conf and pool_passwd are found beside it, as pgpool does). */
  configPath: string;
  /** pgpool's key file for AES entries in pool_passwd (~/.pgpoolkey by default in pgpool). */
  keyFile?: string;
  /** Started when the service starts (it was running when the service stopped). */
  wanted: boolean;
}

export interface FanoutManagerEvents {
  changed: [];
  history: [entry: NewHistoryEntry];
  event: [name: string, event: FanoutEvent];
}

/**
 * The fan-out proxies of one service: defined from pgpool.conf files, started and stopped, their nodes
 * attached, detached and recovered. Node statuses survive restarts in the state store.
 */
export class FanoutManager extends EventEmitter<FanoutManagerEvents> {
  private readonly running = new Map<string, { proxy: FanoutProxy; diagnostics: ConfDiagnostic[] }>();
  private readonly lastError = new Map<string, string>();

  constructor(private readonly store: StateStore) {
    super();
  }

  private async definitions(): Promise<FanoutDefinition[]> {
    const rows = await this.store.db.all<{ name: string; config: string }>('SELECT name, config FROM fanouts ORDER BY name');
    return rows.map((r) => ({ ...(JSON.parse(r.config) as Omit<FanoutDefinition, 'name'>), name: r.name }));
  }

  private async definition(name: string): Promise<FanoutDefinition> {
    const d = (await this.definitions()).find((x) => x.name === name);
    if (!d) throw new ReplicaDeskError('FANOUT_NOT_FOUND', `There is no fan-out named "${name}".`, { name });
    return d;
  }

  private async save(d: FanoutDefinition): Promise<void> {
    const { name, ...config } = d;
    const now = new Date().toISOString();
    await this.store.db.run(
      'INSERT INTO fanouts (name, config, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at',
      [name, JSON.stringify(config), now, now],
    );
  }

  private record(name: string, kind: string, severity: NewHistoryEntry['severity'], message: string, detail?: Record<string, unknown>): void {
    this.emit('history', { source: `fanout:${name}`, kind, severity, message, ...(detail ? { detail } : {}) });
  }

  /** Registers a fan-out over an existing pgpool.conf, after reading it the way the proxy will. */
  async create(input: { name: string; configPath: string; keyFile?: string }): Promise<{ summary: FanoutSummary; diagnostics: ConfDiagnostic[] }> {
    if ((await this.definitions()).some((d) => d.name === input.name)) {
      throw new ReplicaDeskError('FANOUT_EXISTS', `A fan-out named "${input.name}" already exists.`, { name: input.name });
    }
    const configPath = path.resolve(input.configPath);
    if (!fs.existsSync(configPath)) throw new ReplicaDeskError('PGPOOL_CONF_NOT_FOUND', `There is no file ${configPath}.`, { configPath });
    const loaded = loadPgpoolConfig(configPath, { ...(input.keyFile ? { keyFile: input.keyFile } : {}), name: input.name });
    await this.save({ name: input.name, configPath, ...(input.keyFile ? { keyFile: input.keyFile } : {}), wanted: false });
    this.record(input.name, 'fanout.created', 'info', `Fan-out ${input.name} defined from ${configPath} (${loaded.options.nodes.length} backends).`);
    this.emit('changed');
    return { summary: await this.summary(input.name), diagnostics: loaded.diagnostics };
  }

  async start(name: string): Promise<FanoutSummary> {
    const d = await this.definition(name);
    if (!this.running.has(name)) {
      const loaded = loadPgpoolConfig(d.configPath, { ...(d.keyFile ? { keyFile: d.keyFile } : {}), name });
      const proxy = new FanoutProxy(loaded.options, { store: new SettingsNodeStatusStore(this.store, name) });
      proxy.on('event', (e) => this.onProxyEvent(name, e));
      try {
        await proxy.start();
      } catch (err) {
        this.lastError.set(name, (err as Error).message);
        this.record(name, 'fanout.start.failed', 'error', `Fan-out ${name} could not start: ${(err as Error).message}`);
        this.emit('changed');
        throw err;
      }
      this.running.set(name, { proxy, diagnostics: loaded.diagnostics });
      this.lastError.delete(name);
      const a = proxy.address;
      this.record(name, 'fanout.started', 'info', `Fan-out ${name} is accepting clients on ${a.host}:${a.port}.`);
    }
    await this.save({ ...d, wanted: true });
    this.emit('changed');
    return this.summary(name);
  }

  async stop(name: string, opts: { keepWanted?: boolean } = {}): Promise<FanoutSummary> {
    const d = await this.definition(name);
    const r = this.running.get(name);
    if (r) {
      this.running.delete(name);
      await r.proxy.stop();
      this.record(name, 'fanout.stopped', 'info', `Fan-out ${name} stopped.`);
    }
    if (!opts.keepWanted) await this.save({ ...d, wanted: false });
    this.emit('changed');
    return this.summary(name);
  }

  async delete(name: string): Promise<void> {
    await this.stop(name);
    await this.store.db.run('DELETE FROM fanouts WHERE name = ?', [name]);
    await this.store.db.run('DELETE FROM settings WHERE key = ?', [`fanout:${name}:nodes`]);
    this.emit('changed');
  }

  private proxy(name: string): FanoutProxy {
    const r = this.running.get(name);
    if (!r) throw new ReplicaDeskError('FANOUT_NOT_RUNNING', `Fan-out ${name} is not running; start it first.`, { name });
    return r.proxy;
  }

  nodes(name: string): PoolNodeRow[] {
    return this.proxy(name).nodes();
  }

  async attach(name: string, nodeId: number): Promise<PoolNodeRow[]> {
    await this.proxy(name).attach(nodeId);
    return this.nodes(name);
  }

  async detach(name: string, nodeId: number): Promise<PoolNodeRow[]> {
    await this.proxy(name).detach(nodeId);
    return this.nodes(name);
  }

  /** Online recovery of a detached node from the main node; progress goes to `onProgress`. */
  async recover(name: string, nodeId: number, onProgress: (e: RecoveryEvent) => void): Promise<PoolNodeRow[]> {
    await this.proxy(name).recover(nodeId, onProgress);
    return this.nodes(name);
  }

  async summary(name: string): Promise<FanoutSummary> {
    const d = await this.definition(name);
    const r = this.running.get(name);
    let nodes: FanoutSummary['poolNodes'] = [];
    if (r) nodes = r.proxy.nodes().map((n) => ({ nodeId: n.node_id, hostname: n.hostname, port: n.port, status: n.status }));
    else {
      try {
        nodes = loadPgpoolConfig(d.configPath, { ...(d.keyFile ? { keyFile: d.keyFile } : {}), name }).options.nodes.map((n) => ({ nodeId: n.id, hostname: n.host, port: n.port, status: 'unused' as const }));
      } catch {
        nodes = [];
      }
    }
    const address = r?.proxy.address;
    return {
      name,
      running: !!r,
      nodes: nodes.length,
      configPath: d.configPath,
      listen: address ? `${address.host}:${address.port}` : null,
      lastError: this.lastError.get(name) ?? null,
      poolNodes: nodes,
    };
  }

  async list(): Promise<FanoutSummary[]> {
    return Promise.all((await this.definitions()).map((d) => this.summary(d.name)));
  }

  /** Starts the fan-outs that were running when the service last stopped. */
  async startWanted(): Promise<void> {
    for (const d of await this.definitions()) {
      if (d.wanted) await this.start(d.name).catch(() => undefined);
    }
  }

  /** Stops every proxy, remembering which were running so they come back at the next start. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.running.keys()].map((name) => this.stop(name, { keepWanted: true })));
  }

  private onProxyEvent(name: string, e: FanoutEvent): void {
    this.emit('event', name, e);
    if (e.type === 'node-status') {
      const severity = e.status === 'down' ? 'error' : 'info';
      this.record(name, `fanout.node.${e.status}`, severity, `Fan-out ${name}: node ${e.nodeId} is now ${e.status} (${e.reason}).`, { nodeId: e.nodeId, previous: e.previous });
      this.emit('changed');
    } else if (e.type === 'mismatch') {
      this.record(name, 'fanout.mismatch', 'error', `Fan-out ${name}: node ${e.nodeId} answered differently from the main node (${e.kind}); action: ${e.action}.`, { nodeId: e.nodeId, statement: e.statement });
    } else if (e.type === 'warning') {
      this.record(name, 'fanout.warning', 'warning', `Fan-out ${name}: ${e.message}`);
    }
  }
}
