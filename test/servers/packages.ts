import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** The server programs the harness needs, and the Debian package that ships each. */
export const MARIADB_BINARIES = { mariadbd: '/usr/sbin/mariadbd', installDb: '/usr/bin/mariadb-install-db', client: '/usr/bin/mariadb', binlog: '/usr/bin/mariadb-binlog' };
export const PG_BIN_DIR = '/usr/lib/postgresql/15/bin';
const REQUIRED: { file: string; pkg: string }[] = [
  { file: MARIADB_BINARIES.mariadbd, pkg: 'mariadb-server' },
  { file: MARIADB_BINARIES.installDb, pkg: 'mariadb-server' },
  { file: MARIADB_BINARIES.client, pkg: 'mariadb-client' },
  { file: MARIADB_BINARIES.binlog, pkg: 'mariadb-client' },
  { file: `${PG_BIN_DIR}/initdb`, pkg: 'postgresql' },
  { file: `${PG_BIN_DIR}/pg_ctl`, pkg: 'postgresql' },
  { file: '/usr/bin/psql', pkg: 'postgresql-client' },
];

function missingPackages(extra: { file: string; pkg: string }[]): string[] {
  return [...new Set([...REQUIRED, ...extra].filter((r) => !fs.existsSync(r.file)).map((r) => r.pkg))];
}

/**
 * Makes sure the Debian server packages are installed: installs them with apt-get when running as root,
 * otherwise fails naming exactly what to install. `extra` adds optional tools (sysbench, pgpool2, ...).
 */
export function ensureServerPackages(extra: { file: string; pkg: string }[] = []): void {
  const missing = missingPackages(extra);
  if (missing.length === 0) return;
  const canInstall = process.getuid?.() === 0 && spawnSync('which', ['apt-get']).status === 0;
  if (!canInstall) {
    throw new Error(`The test servers need these Debian packages: ${missing.join(' ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`);
  }
  process.stderr.write(`[harness] installing ${missing.join(' ')} with apt-get...\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  const still = missingPackages(extra);
  if (still.length) throw new Error(`apt-get ran but these are still missing: ${still.join(' ')}`);
}
