import { parseArgs } from 'node:util';
import type { MySqlEndpoint } from '../../setup/endpoint';
import type { Lang } from '../../setup/messages/localize';
import { runPreflight } from '../../setup/preflight/run';
import { CliUsageError, type CliCommand } from '../command';

/**
 * "mysql://user@host:3306". The password comes from the environment variable named by the caller (never
 * from the command line, where other users see it in the process list); a password in the URL is accepted
 * for throwaway setups.
 */
export function parseMysqlUrl(url: string, passwordEnv: string): MySqlEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliUsageError(`"${url}" is not a URL like mysql://user@host:3306`);
  }
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') throw new CliUsageError(`"${url}": expected mysql://user@host:port`);
  if (!u.username) throw new CliUsageError(`"${url}" has no user name: write mysql://USER@${u.host || 'host:port'}`);
  const password = u.password ? decodeURIComponent(u.password) : process.env[passwordEnv] ?? '';
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : 3306, user: decodeURIComponent(u.username), password };
}

export function langOf(v: string | undefined): Lang {
  const l = (v ?? process.env.LANG ?? 'en').slice(0, 2).toLowerCase();
  return l === 'ja' || l === 'zh' ? l : 'en';
}

const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' } as const;

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'Pre-flight checks for backing up a MySQL/MariaDB master into a backup server.',
  usage:
    'replicadesk check --master mysql://repl@HOST:PORT --target mysql://admin@HOST:PORT [--master-admin URL] [--relay-dir DIR] [--max-offline-days 7] [--lang en|ja|zh] [--json]\n' +
    '  Passwords: RD_MASTER_PASSWORD, RD_TARGET_PASSWORD, RD_MASTER_ADMIN_PASSWORD. Exit code 1 when a check fails.',
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        master: { type: 'string' },
        target: { type: 'string' },
        'master-admin': { type: 'string' },
        'relay-dir': { type: 'string' },
        'max-offline-days': { type: 'string' },
        lang: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    });
    if (!values.master || !values.target) throw new CliUsageError('--master and --target are required.');
    const days = Number(values['max-offline-days'] ?? 7);
    if (!(days > 0)) throw new CliUsageError('--max-offline-days expects a positive number.');
    const results = await runPreflight(parseMysqlUrl(values.master, 'RD_MASTER_PASSWORD'), parseMysqlUrl(values.target, 'RD_TARGET_PASSWORD'), {
      ...(values['master-admin'] ? { masterAdmin: parseMysqlUrl(values['master-admin'], 'RD_MASTER_ADMIN_PASSWORD') } : {}),
      ...(values['relay-dir'] ? { relayLogDir: values['relay-dir'] } : {}),
      maxOfflineSeconds: days * 86400,
    });
    if (values.json) io.out(JSON.stringify(results, null, 2));
    else {
      const lang = langOf(values.lang);
      for (const r of results) {
        io.out(`${MARK[r.status]}  ${r.id}: ${r.observed}`);
        io.out(`      ${r.explanation[lang]}`);
        if (r.howToFix && r.status !== 'pass') io.out(`      ${r.howToFix[lang]}`);
        for (const f of r.status !== 'pass' ? r.fix ?? [] : []) {
          io.out(`      [${f.on}, ${f.kind}${f.restart ? ', restart' : ''}]`);
          for (const line of f.code.split('\n')) io.out(`        ${line}`);
        }
      }
    }
    return results.some((r) => r.status === 'fail') ? 1 : 0;
  },
};
