import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { MARIADB_BINARIES } from './packages';
import { freePort, waitFor } from './ports';
import { killOnExit, tail } from './workdir';

const execFileP = promisify(execFile);

export const HARNESS_USER = 'admin';
export const HARNESS_PASSWORD = 'harness-pw';

export interface MariaDbOptions {
  /** Folder name under the run dir. */
  name: string;
  runDir: string;
  serverId: number;
  /** Default true. False starts a server without a binary log (for pre-flight tests). */
  logBin?: boolean;
  port?: number;
  /** Extra mariadbd options, e.g. ['--binlog-row-image=MINIMAL']. */
  extraArgs?: string[];
}

export interface MariaDbInstance {
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  socket: string;
  dataDir: string;
  serverId: number;
  /** mysql:// URL with the admin user. */
  url: string;
  connect(database?: string): Promise<mysql.Connection>;
  /** Graceful shutdown (SIGTERM), keeping the data dir so it can be started again. */
  stop(): Promise<void>;
  /** Simulates a crash or a pulled plug. */
  kill(): Promise<void>;
  /** Starts again on the same port and data dir after stop() or kill(). */
  restart(): Promise<void>;
}

function serverArgs(o: MariaDbOptions, dataDir: string, port: number): string[] {
  const args = [
    '--no-defaults',
    `--datadir=${dataDir}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${path.join(dataDir, 'mysqld.sock')}`,
    `--pid-file=${path.join(dataDir, 'mysqld.pid')}`,
    `--log-error=${path.join(dataDir, 'error.log')}`,
    `--tmpdir=${path.join(o.runDir, `${o.name}.tmp`)}`,
    `--server-id=${o.serverId}`,
    '--skip-name-resolve',
    '--binlog-format=ROW',
    // Throwaway servers: durability off for speed, small buffers so several fit on one machine.
    '--innodb-buffer-pool-size=128M',
    '--innodb-log-file-size=64M',
    '--innodb-flush-log-at-trx-commit=2',
    '--sync-binlog=0',
    '--max-connections=300',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_general_ci',
  ];
  if (o.logBin !== false) args.push(`--log-bin=${path.join(dataDir, 'binlog')}`);
  if (process.getuid?.() === 0) args.push('--user=root');
  return [...args, ...(o.extraArgs ?? [])];
}

/** Starts a throwaway MariaDB on a free loopback port, with an `admin` user that has every privilege. */
export async function startMariaDb(o: MariaDbOptions): Promise<MariaDbInstance> {
  const dataDir = path.join(o.runDir, o.name);
  fs.mkdirSync(dataDir, { recursive: true });
  // Each instance gets its own tmpdir: instances bootstrapping at the same moment in the shared /tmp
  // have been seen to trip over each other's temporary tables.
  const tmpDir = path.join(o.runDir, `${o.name}.tmp`);
  fs.mkdirSync(tmpDir, { recursive: true });
  const installArgs = ['--no-defaults', `--datadir=${dataDir}`, `--tmpdir=${tmpDir}`, '--auth-root-authentication-method=normal', '--skip-test-db'];
  if (process.getuid?.() === 0) installArgs.push('--user=root');
  await execFileP(MARIADB_BINARIES.installDb, installArgs, { maxBuffer: 16 << 20 }).catch((err: Error & { stderr?: string }) => {
    throw new Error(`mariadb-install-db failed for ${o.name}: ${err.message}\n${err.stderr ?? ''}`);
  });
  const port = o.port ?? (await freePort());
  const socket = path.join(dataDir, 'mysqld.sock');
  let child: ChildProcess | undefined;
  let unhook: () => void = () => undefined;

  const launch = async () => {
    const proc = spawn(MARIADB_BINARIES.mariadbd, serverArgs(o, dataDir, port), { stdio: 'ignore' });
    child = proc;
    unhook = killOnExit(() => proc.kill('SIGKILL'));
    let exited = false;
    proc.once('exit', () => (exited = true));
    await waitFor(
      `MariaDB ${o.name} on port ${port}`,
      60_000,
      async () => {
        if (exited) throw new Error('exited');
        const c = await mysql.createConnection({ socketPath: socket, user: 'root' }).catch(() =>
          mysql.createConnection({ socketPath: socket, user: HARNESS_USER, password: HARNESS_PASSWORD }),
        );
        await c.end();
        return true;
      },
      () => tail(path.join(dataDir, 'error.log')),
    ).catch((err: Error) => {
      proc.kill('SIGKILL');
      throw new Error(`${err.message}\n${exited ? 'mariadbd exited during start-up; its error log:\n' + tail(path.join(dataDir, 'error.log')) : ''}`);
    });
  };
  await launch();

  // First start: create the admin user reachable over TCP from 127.0.0.1 (skip-name-resolve) and sockets.
  const root = await mysql.createConnection({ socketPath: socket, user: 'root', multipleStatements: true });
  await root.query(
    `CREATE USER '${HARNESS_USER}'@'%' IDENTIFIED BY '${HARNESS_PASSWORD}';
     GRANT ALL PRIVILEGES ON *.* TO '${HARNESS_USER}'@'%' WITH GRANT OPTION;
     CREATE USER '${HARNESS_USER}'@'localhost' IDENTIFIED BY '${HARNESS_PASSWORD}';
     GRANT ALL PRIVILEGES ON *.* TO '${HARNESS_USER}'@'localhost' WITH GRANT OPTION;
     FLUSH PRIVILEGES;`,
  );
  await root.end();

  const waitExit = (sig: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill(sig);
    }).then(() => {
      unhook();
      child = undefined;
    });

  const instance: MariaDbInstance = {
    name: o.name,
    host: '127.0.0.1',
    port,
    user: HARNESS_USER,
    password: HARNESS_PASSWORD,
    socket,
    dataDir,
    serverId: o.serverId,
    url: `mysql://${HARNESS_USER}:${HARNESS_PASSWORD}@127.0.0.1:${port}`,
    connect: (database) => mysql.createConnection({ host: '127.0.0.1', port, user: HARNESS_USER, password: HARNESS_PASSWORD, database, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true }),
    stop: () => waitExit('SIGTERM'),
    kill: () => waitExit('SIGKILL'),
    restart: async () => {
      if (child) await waitExit('SIGTERM');
      await launch();
    },
  };
  return instance;
}
