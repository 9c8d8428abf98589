import path from 'node:path';
import { parseArgs } from 'node:util';
import { RotatingFileLogger } from '../../log/file-logger';
import { logServiceEvents } from '../../log/service-events';
import { defaultDataDir } from '../../paths';
import { KeyFileSecretBox } from '../../secrets/keyfile-box';
import { isLoopback, startHeadlessServer } from '../../server/http-server';
import { loadOrCreateToken } from '../../server/token';
import { Service } from '../../service';
import { CliUsageError, type CliCommand } from '../command';

export const DEFAULT_LISTEN = '127.0.0.1:7373';

export function parseListen(value: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
  if (!m) throw new CliUsageError(`--listen expects HOST:PORT (for example ${DEFAULT_LISTEN}), not "${value}".`);
  const port = Number(m[2]);
  if (port > 65535) throw new CliUsageError(`--listen: port ${port} is out of range.`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** Where the built renderer lives, relative to this file in both source (core/) and build (dist/core/) layouts. */
export function rendererDir(): string {
  const root = __dirname.includes(`${path.sep}dist${path.sep}`) ? path.resolve(__dirname, '../../../..') : path.resolve(__dirname, '../../..');
  return path.join(root, 'dist', 'renderer');
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Run the service headless, with the web interface and API on loopback.',
  usage: 'replicadesk serve [--data-dir DIR] [--listen 127.0.0.1:7373] [--new-token]',
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { 'data-dir': { type: 'string' }, listen: { type: 'string' }, 'new-token': { type: 'boolean' }, reason: { type: 'string' } },
      strict: true,
    });
    const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
    const { host, port } = parseListen(values.listen ?? DEFAULT_LISTEN);
    if (!isLoopback(host)) io.err(`Warning: listening on ${host}, which other computers can reach. Anyone with the token can control ReplicaDesk.`);

    const logger = RotatingFileLogger.open({ dataDir });
    const service = await Service.start({ dataDir, mode: 'headless', secretBox: KeyFileSecretBox.openOrCreate(dataDir), logger });
    const stopLogging = logServiceEvents(service.events, logger);
    const token = loadOrCreateToken(dataDir, values['new-token'] === true);
    let server;
    try {
      server = await startHeadlessServer({ service, token, host, port, rendererDir: rendererDir() });
    } catch (err) {
      await service.stop();
      stopLogging();
      logger.close();
      const code = (err as { code?: string }).code;
      if (code === 'EADDRINUSE') {
        io.err(`Port ${port} on ${host} is already in use (is ReplicaDesk already running?). Choose another with --listen ${host}:PORT.`);
        return 1;
      }
      throw err;
    }
    if (values.reason) io.out(values.reason);
    const tokenFile = path.join(dataDir, 'api-token');
    // On a terminal the address with its token is what the user wants to click. Anywhere else (systemd's
    // journal, a log file, a pipe) the line would be kept where others can read it: name the file instead.
    if (process.stdout.isTTY) io.out(`ReplicaDesk is running headless. Open: ${server.url}#token=${token}`);
    else io.out(`ReplicaDesk is running headless. Open: ${server.url} (add #token=<the token in ${tokenFile}> to the address)`);
    io.out(`Data directory: ${dataDir} (API token in ${tokenFile})`);
    io.out(`Log: ${logger.file}`);
    const signal = await io.untilSignal();
    io.out(`Stopping (${signal})...`);
    await server.close();
    await service.stop();
    stopLogging();
    logger.close();
    return 0;
  },
};
