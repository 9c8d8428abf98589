import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { PG_BIN_DIR } from './packages';
import { freePort, waitFor } from './ports';
import { killOnExit, tail } from './workdir';

const execFileP = promisify(execFile);

export const PG_USER = 'postgres';
export const PG_PASSWORD = 'harness-pw';

export interface PostgresOptions {
  name: string;
  runDir: string;
  port?: number;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
}

export interface PostgresInstance {
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  dataDir: string;
  url: string;
  connect(database?: string): Promise<pg.Client>;
  /** pg_ctl stop -m fast; the data dir stays. */
  stop(): Promise<void>;
  /** pg_ctl stop -m immediate: like a crash. */
  kill(): Promise<void>;
  restart(): Promise<void>;
}

/** When we are root, PostgreSQL's tools must run as the postgres user (initdb refuses root). */
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

async function run(cmd: string, args: string[]): Promise<string> {
  const [c, a] = asPostgres(cmd, args);
  try {
    const { stdout } = await execFileP(c, a, { maxBuffer: 16 << 20 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}

/** Starts a throwaway PostgreSQL 15 on a free loopback port; user postgres / harness-pw over SCRAM. */
export async function startPostgres(o: PostgresOptions): Promise<PostgresInstance> {
  const dataDir = path.join(o.runDir, o.name);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pwFile = path.join(o.runDir, `${o.name}.pw`);
  fs.writeFileSync(pwFile, PG_PASSWORD + '\n', { mode: 0o600 });
  if (process.getuid?.() === 0) {
    const { uid, gid } = lookupPostgres();
    fs.chownSync(dataDir, uid, gid);
    fs.chownSync(pwFile, uid, gid);
  }
  await run(`${PG_BIN_DIR}/initdb`, [
    '-D', dataDir, '-U', PG_USER, `--pwfile=${pwFile}`, '--auth-host=scram-sha-256', '--auth-local=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync',
  ]);
  fs.rmSync(pwFile, { force: true });
  const port = o.port ?? (await freePort());
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: dataDir,
    // Throwaway servers: no durability, so tests and benchmarks measure our code, not the disk.
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '200',
    shared_buffers: '128MB',
    ...o.settings,
  };
  const opts = Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`).join(' ');
  const logFile = path.join(dataDir, 'server.log');
  let unhook: () => void = () => undefined;

  const start = async () => {
    await run(`${PG_BIN_DIR}/pg_ctl`, ['-D', dataDir, '-o', opts, '-l', logFile, '-w', '-t', '60', 'start']).catch((err: Error) => {
      throw new Error(`${err.message}\n${tail(logFile)}`);
    });
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    unhook = killOnExit(() => process.kill(pid, 'SIGQUIT'));
    await waitFor(`PostgreSQL ${o.name} on port ${port}`, 30_000, async () => {
      const c = new pg.Client({ host: '127.0.0.1', port, user: PG_USER, password: PG_PASSWORD, database: 'postgres' });
      await c.connect();
      await c.end();
      return true;
    }, () => tail(logFile));
  };
  const stopMode = async (mode: 'fast' | 'immediate') => {
    if (!fs.existsSync(path.join(dataDir, 'postmaster.pid'))) return;
    await run(`${PG_BIN_DIR}/pg_ctl`, ['-D', dataDir, '-m', mode, '-w', 'stop']);
    unhook();
  };
  await start();

  return {
    name: o.name,
    host: '127.0.0.1',
    port,
    user: PG_USER,
    password: PG_PASSWORD,
    dataDir,
    url: `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/postgres`,
    connect: async (database = 'postgres') => {
      const c = new pg.Client({ host: '127.0.0.1', port, user: PG_USER, password: PG_PASSWORD, database });
      await c.connect();
      return c;
    },
    stop: () => stopMode('fast'),
    kill: () => stopMode('immediate'),
    restart: async () => {
      await stopMode('fast');
      await start();
    },
  };
}

function lookupPostgres(): { uid: number; gid: number } {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('There is no "postgres" user; install the postgresql package.');
  const parts = line.split(':');
  return { uid: Number(parts[2]), gid: Number(parts[3]) };
}
