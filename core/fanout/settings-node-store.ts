import type { NodeStatusStore, StoredNodeStatus } from '../pg/node-status';
import type { StateStore } from '../state/store';

/** A fan-out's node statuses (SHOW POOL_NODES status + last change) kept in the service's SQLite state. */
export class SettingsNodeStatusStore implements NodeStatusStore {
  constructor(private readonly store: StateStore, private readonly fanout: string) {}

  private get key(): string {
    return `fanout:${this.fanout}:nodes`;
  }

  async load(): Promise<Map<number, StoredNodeStatus>> {
    const raw = await this.store.getSetting(this.key);
    if (!raw) return new Map();
    return new Map(Object.entries(JSON.parse(raw) as Record<string, StoredNodeStatus>).map(([k, v]) => [Number(k), v]));
  }

  async save(nodeId: number, status: StoredNodeStatus): Promise<void> {
    const all = await this.load();
    all.set(nodeId, status);
    await this.store.setSetting(this.key, JSON.stringify(Object.fromEntries(all)));
  }
}
