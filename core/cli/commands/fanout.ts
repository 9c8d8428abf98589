import path from 'node:path';
import { parseArgs } from 'node:util';
import { AdminServer, adminRequest, adminSocketPath, formatNodes } from '../../pg/admin-socket';
import type { FanoutEvent, PoolNodeRow } from '../../pg/node-status';
import { JsonFileNodeStatusStore } from '../../pg/node-status-file';
import { loadPgpoolConfig } from '../../pg/options';
import { FanoutProxy } from '../../pg/proxy';
import { readPgpoolSettings } from '../../config/pgpool/settings';
import { CliUsageError, type CliCommand, type CliIo } from '../command';

const USAGE = [
  'replicadesk fanout start --config pgpool.conf [--key-file FILE] [--status-file FILE]',
  '       replicadesk fanout check --config pgpool.conf',
  '       replicadesk fanout nodes [--config pgpool.conf | --socket PATH] [--json]',
  '       replicadesk fanout attach|detach|recover N [--config pgpool.conf | --socket PATH]',
].join('\n');

function describeEvent(e: FanoutEvent): string {
  switch (e.type) {
    case 'node-status':
      return `node ${e.nodeId}: ${e.previous} -> ${e.status} (${e.reason})`;
    case 'mismatch':
      return `node ${e.nodeId} gave different results (${e.kind}; ${e.action}): ${e.statement}`;
    case 'recovery':
      return `recovery of node ${e.nodeId}: ${e.message}`;
    case 'warning':
      return `warning: ${e.message}`;
  }
}

/** The control socket of the proxy a pgpool.conf describes (by its port), or the one given. */
function socketFor(values: { config?: string; socket?: string }): string {
  if (values.socket) return values.socket;
  if (!values.config) throw new CliUsageError('Give --config pgpool.conf (the file the proxy was started with) or --socket PATH.');
  return adminSocketPath(readPgpoolSettings(values.config).int('port'));
}

async function start(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
  if (typeof values.config !== 'string') throw new CliUsageError('fanout start needs --config pgpool.conf');
  const conf = path.resolve(values.config);
  const loaded = loadPgpoolConfig(conf, { keyFile: typeof values['key-file'] === 'string' ? values['key-file'] : undefined });
  for (const d of loaded.diagnostics) if (d.severity !== 'info') io.err(`${d.file}:${d.line}: ${d.severity}: ${d.message}`);
  const socket = adminSocketPath(loaded.options.port);
  const statusFile = typeof values['status-file'] === 'string' ? values['status-file'] : path.join(path.dirname(socket), `fanout-${loaded.options.port}.status.json`);
  const proxy = new FanoutProxy(loaded.options, { store: new JsonFileNodeStatusStore(statusFile) });
  proxy.on('event', (e) => io.out(`${new Date().toISOString()} ${describeEvent(e)}`));
  await proxy.start();
  const admin = await AdminServer.start(proxy, socket);
  const addr = proxy.address;
  io.out(`ReplicaDesk fan-out listening on ${loaded.options.listenAddresses.join(', ')} port ${addr.port} in front of ${loaded.options.nodes.length} PostgreSQL node(s).`);
  for (const line of formatNodes(proxy.nodes())) io.out(line);
  io.out(`Control: replicadesk fanout nodes --config ${values.config}`);
  const signal = await io.untilSignal();
  io.out(`Stopping (${signal})...`);
  await admin.close();
  await proxy.stop();
  return 0;
}

export const fanoutCommand: CliCommand = {
  name: 'fanout',
  summary: 'PostgreSQL write fan-out (pgpool-II native replication): start it from pgpool.conf, show and manage its nodes.',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'f' },
        socket: { type: 'string' },
        'key-file': { type: 'string' },
        'status-file': { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
    const [sub, nodeArg] = positionals;
    switch (sub) {
      case 'start':
        return start(values, io);
      case 'check': {
        if (!values.config) throw new CliUsageError('fanout check needs --config pgpool.conf');
        let loaded;
        try {
          loaded = loadPgpoolConfig(values.config, { keyFile: values['key-file'] });
        } catch (err) {
          io.err((err as Error).message);
          return 1;
        }
        for (const d of loaded.diagnostics) io.out(`${d.file}:${d.line}: ${d.severity}: ${d.message}`);
        io.out(`${loaded.options.nodes.length} node(s); listening on port ${loaded.options.port}; ${loaded.diagnostics.filter((d) => d.severity !== 'info').length} warning(s).`);
        return 0;
      }
      case 'nodes': {
        const rows = (await adminRequest(socketFor(values), { cmd: 'nodes' })) as PoolNodeRow[];
        if (values.json) io.out(JSON.stringify(rows, null, 2));
        else for (const line of formatNodes(rows)) io.out(line);
        return 0;
      }
      case 'attach':
      case 'detach':
      case 'recover': {
        const node = Number(nodeArg);
        if (nodeArg === undefined || !Number.isInteger(node) || node < 0) throw new CliUsageError(`fanout ${sub} needs a node number, e.g. "replicadesk fanout ${sub} 1"`);
        const rows = (await adminRequest(socketFor(values), { cmd: sub, node }, (e) => io.out(describeEvent(e)))) as PoolNodeRow[];
        for (const line of formatNodes(rows)) io.out(line);
        return 0;
      }
      default:
        throw new CliUsageError(sub ? `unknown fanout subcommand "${sub}"` : 'fanout needs a subcommand');
    }
  },
};
