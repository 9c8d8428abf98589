/**
 * Node status kept in a small JSON file (pgpool keeps pgpool_status in its logdir): used when the proxy
 * runs from the CLI without the service's SQLite state. Written atomically (temp file + rename).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NodeStatusStore, StoredNodeStatus } from './node-status';

export class JsonFileNodeStatusStore implements NodeStatusStore {
  constructor(readonly file: string) {}

  async load(): Promise<Map<number, StoredNodeStatus>> {
    try {
      const data = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, StoredNodeStatus>;
      return new Map(Object.entries(data).map(([k, v]) => [Number(k), v]));
    } catch {
      return new Map();
    }
  }

  async save(nodeId: number, status: StoredNodeStatus): Promise<void> {
    const all = Object.fromEntries([...(await this.load())].map(([k, v]) => [String(k), v]));
    all[String(nodeId)] = status;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}
