import fs from 'node:fs';
import type mysql from 'mysql2/promise';
import { ChannelManager, type ChannelCreateInput } from '../../../core/mysql/channel/manager';
import type { ChannelStatus } from '../../../core/mysql/channel/status';
import { KeyFileSecretBox } from '../../../core/secrets/keyfile-box';
import { StateStore } from '../../../core/state/store';
import { masterStatus, reachedPosition, tempDir, waitUntil } from './helpers';

export interface Harness {
  manager: ChannelManager;
  store: StateStore;
  dir: string;
  history: string[];
  /** Waits until the channel has applied everything up to `end` (or the master's current end). */
  waitApplied(name: string, end: { file: string; pos: number }, timeoutMs?: number): Promise<ChannelStatus>;
  close(): Promise<void>;
}

/** A ChannelManager over a fresh state store in a temp folder (no control polling). */
export async function channelHarness(dir = tempDir('rd-ch-')): Promise<Harness> {
  const store = await StateStore.open(dir);
  const manager = new ChannelManager(store, KeyFileSecretBox.openOrCreate(dir), { controlPollMs: 0, statusSaveMs: 0 });
  const history: string[] = [];
  manager.on('history', (h) => history.push(`${h.severity}: ${h.message}`));
  return {
    manager,
    store,
    dir,
    history,
    async waitApplied(name, end, timeoutMs = 60_000) {
      let failed: Error | undefined;
      return waitUntil(`channel ${name} to apply up to ${end.file}:${end.pos}`, timeoutMs, async () => {
        if (failed) throw failed;
        const s = await manager.status(name);
        // An SQL error is final: stop waiting at once.
        if (s.Last_SQL_Errno && s.Slave_SQL_Running === 'No') throw (failed = new Error(`SQL thread stopped with error ${s.Last_SQL_Errno}`));
        return reachedPosition({ file: s.Relay_Master_Log_File, pos: s.Exec_Master_Log_Pos }, end) ? s : undefined;
      }, 100, () => failed !== undefined).catch(async (err: Error) => {
        const s = await manager.status(name);
        throw new Error(`${err.message}\nstatus: IO ${s.Slave_IO_Running} (${s.Slave_IO_State}) ${s.Last_IO_Errno} ${s.Last_IO_Error}; SQL ${s.Slave_SQL_Running} (${s.Slave_SQL_Running_State}) ${s.Last_SQL_Errno} ${s.Last_SQL_Error}; read ${s.Master_Log_File}:${s.Read_Master_Log_Pos} applied ${s.Relay_Master_Log_File}:${s.Exec_Master_Log_Pos}\nhistory (last 8):\n${history.slice(-8).map((l) => l.slice(0, 400)).join('\n')}`);
      });
    },
    async close() {
      await manager.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function channelInput(name: string, master: { host: string; port: number; user: string; password: string }, target: { host: string; port: number; user: string; password: string }, start: { file: string; pos: number }, extra: Partial<ChannelCreateInput> = {}): ChannelCreateInput {
  return {
    name,
    master: { host: master.host, port: master.port, user: master.user, password: master.password },
    target: { host: target.host, port: target.port, user: target.user, password: target.password },
    start: { kind: 'file', file: start.file, pos: start.pos },
    connectRetry: 1,
    heartbeatPeriod: 1,
    netTimeout: 5,
    ...extra,
  };
}

export async function endOf(c: mysql.Connection): Promise<{ file: string; pos: number }> {
  return masterStatus(c);
}
