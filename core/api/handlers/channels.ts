import type { ChannelManager } from '../../mysql/channel/manager';
import type { ChannelStatus } from '../../mysql/channel/status';
import { emptyFilters } from '../../mysql/channel/config';
import type { ApiHandlers } from '../methods';
import type { ChannelSummary } from '../types';

type ChannelMethods =
  | 'channels.list'
  | 'channels.status'
  | 'channels.create'
  | 'channels.start'
  | 'channels.stop'
  | 'channels.skip'
  | 'channels.reset'
  | 'channels.delete'
  | 'channels.startAll'
  | 'channels.stopAll';

export function summarize(status: ChannelStatus, master: string, target: string): ChannelSummary {
  return {
    name: status.Channel_Name,
    master,
    target,
    slaveIoRunning: status.Slave_IO_Running,
    slaveSqlRunning: status.Slave_SQL_Running,
    secondsBehindMaster: status.Seconds_Behind_Master,
    lastIoErrno: status.Last_IO_Errno,
    lastIoError: status.Last_IO_Error,
    lastSqlErrno: status.Last_SQL_Errno,
    lastSqlError: status.Last_SQL_Error,
  };
}

export async function channelSummaries(manager: ChannelManager): Promise<ChannelSummary[]> {
  const entries = await manager.list();
  return Promise.all(entries.map(async (e) => summarize(await manager.status(e.name), e.master, e.target)));
}

/** API handlers over the channel manager: the CHANGE MASTER TO / START SLAVE / SHOW SLAVE STATUS of the app. */
export function channelHandlers(manager: ChannelManager): Pick<ApiHandlers, ChannelMethods> {
  return {
    'channels.list': () => channelSummaries(manager),
    'channels.status': ({ name }) => manager.status(name),
    'channels.create': async ({ name, master, target, start, serverId, connectRetry, filters, execMode, description }) => {
      await manager.create({
        name,
        master,
        target,
        start: 'gtid' in start ? { kind: 'gtid', gtid: start.gtid } : { kind: 'file', file: start.file, pos: start.pos },
        ...('gtid' in start ? { useGtid: 'Slave_Pos' as const } : {}),
        ...(serverId !== undefined ? { serverId } : {}),
        ...(connectRetry !== undefined ? { connectRetry } : {}),
        ...(filters ? { filters: { ...emptyFilters(), ...filters } } : {}),
        ...(execMode ? { execMode } : {}),
        ...(description !== undefined ? { description } : {}),
      });
      return manager.status(name);
    },
    'channels.start': ({ name, thread, until }) => manager.start(name, thread ?? 'both', until ? { until } : {}),
    'channels.stop': ({ name, thread }) => manager.stop(name, thread ?? 'both'),
    'channels.skip': async ({ name, count }) => {
      await manager.skip(name, count);
      return manager.status(name);
    },
    'channels.reset': async ({ name, all }) => {
      await manager.reset(name, { all: all === true });
      return channelSummaries(manager);
    },
    'channels.delete': async ({ name }) => {
      await manager.delete(name);
      return channelSummaries(manager);
    },
    'channels.startAll': async () => {
      for (const c of await manager.list()) if (c.Slave_IO_Running === 'No' || c.Slave_SQL_Running === 'No') await manager.start(c.name, 'both');
      return channelSummaries(manager);
    },
    'channels.stopAll': async () => {
      for (const c of await manager.list()) await manager.stop(c.name, 'both');
      return channelSummaries(manager);
    },
  };
}
