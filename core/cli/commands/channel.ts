import path from 'node:path';
import { parseArgs } from 'node:util';
import { ReplicaDeskError } from '../../errors';
import { parseRewriteRule } from '../../mysql/apply/filters';
import { parseMysqlUrl, redactUrl, type MysqlEndpoint } from '../../mysql/client/endpoint';
import { alive } from '../../mysql/channel/channel-lock';
import type { ThreadSelector } from '../../mysql/channel/channel';
import type { ChannelConfig, StartPosition } from '../../mysql/channel/config';
import { ChannelManager } from '../../mysql/channel/manager';
import type { ChannelStatus } from '../../mysql/channel/status';
import { defaultDataDir } from '../../paths';
import { KeyFileSecretBox } from '../../secrets/keyfile-box';
import { StateStore } from '../../state/store';
import { CliUsageError, type CliCommand, type CliIo } from '../command';

const USAGE = `replicadesk channel <subcommand> [options]   (all take --data-dir DIR)

  create NAME --master URL --target URL [--from FILE:POS | --gtid POS] [options]
      URL: mysql://USER[:PASSWORD]@HOST[:PORT][?ssl-mode=REQUIRED|VERIFY_CA|VERIFY_IDENTITY&ssl-ca=FILE]
      --master-password-env VAR / --target-password-env VAR   read a password from an environment variable
      --server-id N  --connect-retry SECONDS  --heartbeat SECONDS  --net-timeout SECONDS
      --max-relay-log-size BYTES  --relay-log-space-limit BYTES  --idempotent  --log-slave-updates
      --use-gtid  reconnect by GTID (MASTER_USE_GTID=slave_pos; implied by --gtid)  --no-net-changes
      --replicate-do-db DB  --replicate-ignore-db DB  --replicate-do-table DB.TBL  --replicate-ignore-table DB.TBL
      --replicate-wild-do-table PATTERN  --replicate-wild-ignore-table PATTERN  --replicate-rewrite-db FROM->TO
      (each replicate-* option may be repeated)
  start NAME [--io | --sql] [--until FILE:POS] [--json]
      Runs the channel in this process, in the foreground, until Ctrl-C or until both threads have stopped.
      If another ReplicaDesk process (the service, or another "channel start") runs it, asks that process.
  stop NAME [--io | --sql]        STOP SLAVE: asks the process running the channel, waits until it stopped
  status NAME [--json]            SHOW SLAVE STATUS (live when the channel runs, else the saved positions)
  skip NAME N                     sql_slave_skip_counter = N, used by the next start of the SQL thread
  reset NAME [--all]              Discard the relay log and fetch it again from the applied position;
                                  --all also forgets every position (RESET SLAVE ALL) and starts over
  list [--json]                   Every channel with its thread states
  delete NAME                     Remove a stopped channel (settings, positions, passwords, relay logs)`;

interface Opened {
  store: StateStore;
  manager: ChannelManager;
}

async function open(dataDirOpt: string | undefined, pollMs = 0): Promise<Opened> {
  const dataDir = path.resolve(dataDirOpt ?? defaultDataDir());
  const store = await StateStore.open(dataDir);
  const manager = new ChannelManager(store, KeyFileSecretBox.openOrCreate(dataDir), { controlPollMs: pollMs, statusSaveMs: pollMs ? 1000 : 0 });
  return { store, manager };
}

async function close(o: Opened): Promise<void> {
  await o.manager.close();
  await o.store.close();
}

function position(text: string, flag: string): { file: string; pos: number } {
  const m = /^(.+):(\d+)$/.exec(text);
  if (!m) throw new CliUsageError(`${flag} expects FILE:POSITION (for example binlog.000012:4), not "${text}".`);
  return { file: m[1]!, pos: Number(m[2]) };
}

function numberOpt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new CliUsageError(`${flag} expects a number, not "${v}".`);
  return n;
}

function endpoint(url: string | undefined, envVar: string | undefined, what: string): MysqlEndpoint {
  if (!url) throw new CliUsageError(`--${what} URL is required.`);
  const ep = parseMysqlUrl(url, what);
  if (envVar) {
    const pw = process.env[envVar];
    if (pw === undefined) throw new CliUsageError(`--${what}-password-env ${envVar}: that environment variable is not set.`);
    ep.password = pw;
  }
  return ep;
}

function which(values: { io?: boolean; sql?: boolean }): ThreadSelector {
  if (values.io && values.sql) return 'both';
  return values.io ? 'io' : values.sql ? 'sql' : 'both';
}

/** SHOW SLAVE STATUS\G layout. */
export function formatStatus(s: ChannelStatus): string {
  const keys = Object.keys(s) as (keyof ChannelStatus)[];
  const width = Math.max(...keys.map((k) => k.length));
  return keys.map((k) => `${k.padStart(width)}: ${s[k] === null ? 'NULL' : String(s[k])}`).join('\n');
}

async function create(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      master: { type: 'string' },
      target: { type: 'string' },
      'master-password-env': { type: 'string' },
      'target-password-env': { type: 'string' },
      from: { type: 'string' },
      gtid: { type: 'string' },
      'server-id': { type: 'string' },
      'connect-retry': { type: 'string' },
      heartbeat: { type: 'string' },
      'net-timeout': { type: 'string' },
      'max-relay-log-size': { type: 'string' },
      'relay-log-space-limit': { type: 'string' },
      idempotent: { type: 'boolean' },
      'log-slave-updates': { type: 'boolean' },
      'use-gtid': { type: 'boolean' },
      'no-net-changes': { type: 'boolean' },
      'replicate-do-db': { type: 'string', multiple: true },
      'replicate-ignore-db': { type: 'string', multiple: true },
      'replicate-do-table': { type: 'string', multiple: true },
      'replicate-ignore-table': { type: 'string', multiple: true },
      'replicate-wild-do-table': { type: 'string', multiple: true },
      'replicate-wild-ignore-table': { type: 'string', multiple: true },
      'replicate-rewrite-db': { type: 'string', multiple: true },
      json: { type: 'boolean' },
    },
  });
  const name = positionals[0];
  if (!name) throw new CliUsageError('channel create needs a NAME.');
  if (values.from && values.gtid) throw new CliUsageError('Give --from FILE:POS or --gtid POS, not both.');
  const start: StartPosition | undefined = values.from
    ? { kind: 'file', ...position(values.from, '--from') }
    : values.gtid !== undefined
      ? { kind: 'gtid', gtid: values.gtid }
      : undefined;
  const master = endpoint(values.master, values['master-password-env'], 'master');
  const target = endpoint(values.target, values['target-password-env'], 'target');
  const opt = (k: string, flag: string) => numberOpt(values[k as keyof typeof values] as string | undefined, flag);
  const input: Partial<ChannelConfig> = {
    filters: {
      doDb: values['replicate-do-db'] ?? [],
      ignoreDb: values['replicate-ignore-db'] ?? [],
      doTable: values['replicate-do-table'] ?? [],
      ignoreTable: values['replicate-ignore-table'] ?? [],
      wildDoTable: values['replicate-wild-do-table'] ?? [],
      wildIgnoreTable: values['replicate-wild-ignore-table'] ?? [],
      rewriteDb: (values['replicate-rewrite-db'] ?? []).map((r) => {
        try {
          return parseRewriteRule(r);
        } catch (err) {
          throw new CliUsageError((err as Error).message);
        }
      }),
    },
  };
  const pairs: [keyof ChannelConfig, string][] = [
    ['serverId', 'server-id'],
    ['connectRetry', 'connect-retry'],
    ['heartbeatPeriod', 'heartbeat'],
    ['netTimeout', 'net-timeout'],
    ['maxRelayLogSize', 'max-relay-log-size'],
    ['relayLogSpaceLimit', 'relay-log-space-limit'],
  ];
  for (const [key, flag] of pairs) {
    const v = opt(flag, `--${flag}`);
    if (v !== undefined) (input as Record<string, unknown>)[key] = v;
  }
  if (start) input.start = start;
  if (values.idempotent) input.execMode = 'IDEMPOTENT';
  if (values['log-slave-updates']) input.logSlaveUpdates = true;
  if (values['use-gtid']) input.useGtid = 'Slave_Pos';
  if (values['no-net-changes']) input.netChanges = false;
  const o = await open(values['data-dir']);
  try {
    const config = await o.manager.create({ ...input, name, master, target });
    if (values.json) io.out(JSON.stringify(config));
    else {
      io.out(`Channel ${name} created: ${redactUrl(values.master!)} -> ${redactUrl(values.target!)}, server id ${config.serverId}.`);
      io.out(`Start it with: replicadesk channel start ${name}`);
    }
    return 0;
  } finally {
    await close(o);
  }
}

/** The pid of another live process running the channel, if any. */
async function runningElsewhere(o: Opened, name: string): Promise<number | undefined> {
  const saved = await o.manager.repo.getStatus(name);
  if (!saved?.pid || saved.pid === process.pid || !alive(saved.pid)) return undefined;
  // A status older than a few seconds means that process no longer runs the channel.
  if (Date.now() - Date.parse(saved.updatedAt) > 5000) return undefined;
  return saved.pid;
}

async function start(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { 'data-dir': { type: 'string' }, io: { type: 'boolean' }, sql: { type: 'boolean' }, until: { type: 'string' }, json: { type: 'boolean' } },
  });
  const name = positionals[0];
  if (!name) throw new CliUsageError('channel start needs a NAME.');
  const sel = which(values);
  const until = values.until ? position(values.until, '--until') : undefined;
  const o = await open(values['data-dir'], 1000);
  try {
    await o.manager.repo.requireConfig(name);
    const elsewhere = await runningElsewhere(o, name);
    if (elsewhere) {
      if (until) throw new CliUsageError(`--until needs the channel to be started here; it runs in pid ${elsewhere}. Stop it first.`);
      await o.manager.repo.setControl(name, { ...(sel !== 'sql' ? { wantIo: true } : {}), ...(sel !== 'io' ? { wantSql: true } : {}) });
      io.out(`Channel ${name} runs in process ${elsewhere}; asked it to start ${sel === 'both' ? 'both threads' : `the ${sel.toUpperCase()} thread`}.`);
      return 0;
    }
    const print = (s: ChannelStatus) =>
      values.json
        ? io.out(JSON.stringify(s))
        : io.out(`[${new Date().toISOString()}] IO: ${s.Slave_IO_Running}${s.Slave_IO_State ? ` (${s.Slave_IO_State})` : ''}  SQL: ${s.Slave_SQL_Running}${s.Slave_SQL_Running_State ? ` (${s.Slave_SQL_Running_State})` : ''}  read ${s.Master_Log_File}:${s.Read_Master_Log_Pos}  applied ${s.Relay_Master_Log_File}:${s.Exec_Master_Log_Pos}  behind ${s.Seconds_Behind_Master ?? 'NULL'} s${s.Last_IO_Errno ? `  IO error ${s.Last_IO_Errno}: ${s.Last_IO_Error}` : ''}${s.Last_SQL_Errno ? `  SQL error ${s.Last_SQL_Errno}: ${s.Last_SQL_Error}` : ''}`);
    let lastLine = '';
    o.manager.on('status', (n, s) => {
      if (n !== name) return;
      const key = [s.Slave_IO_Running, s.Slave_IO_State, s.Slave_SQL_Running, s.Slave_SQL_Running_State, s.Last_IO_Errno, s.Last_SQL_Errno, Math.floor(Date.now() / 10_000)].join('|');
      if (key !== lastLine) {
        lastLine = key;
        print(s);
      }
    });
    if (!values.json) o.manager.on('history', (h) => io.err(`${h.severity}: ${h.message}`));
    await o.manager.start(name, sel, until ? { until } : {});
    if (!values.json) io.out(`Channel ${name} is running in this process (pid ${process.pid}). Ctrl-C stops it cleanly.`);
    const stopped = new Promise<string>((resolve) => {
      const check = setInterval(() => {
        if (o.manager.runningChannels().length === 0) {
          clearInterval(check);
          resolve('both threads stopped');
        }
      }, 500);
    });
    const why = await Promise.race([io.untilSignal(), stopped]);
    if (!values.json) io.out(`Stopping (${why})...`);
    const final = await o.manager.status(name);
    print(final);
    return final.Last_IO_Errno || final.Last_SQL_Errno ? 1 : 0;
  } finally {
    await close(o);
  }
}

async function stop(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { 'data-dir': { type: 'string' }, io: { type: 'boolean' }, sql: { type: 'boolean' } } });
  const name = positionals[0];
  if (!name) throw new CliUsageError('channel stop needs a NAME.');
  const sel = which(values);
  const o = await open(values['data-dir']);
  try {
    await o.manager.repo.requireConfig(name);
    const elsewhere = await runningElsewhere(o, name);
    await o.manager.stop(name, sel);
    if (!elsewhere) {
      io.out(`Channel ${name} is not running in any process; it stays stopped.`);
      return 0;
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = await o.manager.status(name);
      const ioDone = sel === 'sql' || s.Slave_IO_Running === 'No';
      const sqlDone = sel === 'io' || s.Slave_SQL_Running === 'No';
      if (ioDone && sqlDone) break;
      if (Date.now() > deadline) throw new ReplicaDeskError('CHANNEL_STOP_TIMEOUT', `Process ${elsewhere} did not stop channel ${name} within 60 s.`, { channel: name });
      await new Promise((r) => setTimeout(r, 250));
    }
    io.out(`Channel ${name}: stopped ${sel === 'both' ? 'both threads' : `the ${sel.toUpperCase()} thread`} (in process ${elsewhere}).`);
    return 0;
  } finally {
    await close(o);
  }
}

async function status(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { 'data-dir': { type: 'string' }, json: { type: 'boolean' } } });
  const name = positionals[0];
  if (!name) throw new CliUsageError('channel status needs a NAME.');
  const o = await open(values['data-dir']);
  try {
    const s = await o.manager.status(name);
    io.out(values.json ? JSON.stringify(s, null, 2) : formatStatus(s));
    return 0;
  } finally {
    await close(o);
  }
}

async function list(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { 'data-dir': { type: 'string' }, json: { type: 'boolean' } } });
  const o = await open(values['data-dir']);
  try {
    const rows = await o.manager.list();
    if (values.json) {
      io.out(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (rows.length === 0) {
      io.out('No channels. Create one with: replicadesk channel create NAME --master URL --target URL');
      return 0;
    }
    for (const r of rows) {
      io.out(
        `${r.name}: ${r.master} -> ${r.target}  IO ${r.Slave_IO_Running}  SQL ${r.Slave_SQL_Running}  behind ${r.Seconds_Behind_Master ?? 'NULL'}${r.Last_IO_Errno ? `  IO error ${r.Last_IO_Errno}` : ''}${r.Last_SQL_Errno ? `  SQL error ${r.Last_SQL_Errno}` : ''}${r.runningIn ? `  (running in ${r.runningIn})` : ''}`,
      );
    }
    return 0;
  } finally {
    await close(o);
  }
}

async function skip(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { 'data-dir': { type: 'string' } } });
  const [name, n] = positionals;
  if (!name || n === undefined) throw new CliUsageError('channel skip needs NAME and N.');
  const count = Number(n);
  if (!Number.isInteger(count) || count < 0) throw new CliUsageError(`N must be a whole number, not "${n}".`);
  const o = await open(values['data-dir']);
  try {
    await o.manager.skip(name, count);
    io.out(`sql_slave_skip_counter = ${count} for ${name}; it applies at the next start of the SQL thread (replicadesk channel start ${name} --sql).`);
    return 0;
  } finally {
    await close(o);
  }
}

async function reset(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { 'data-dir': { type: 'string' }, all: { type: 'boolean' } } });
  const name = positionals[0];
  if (!name) throw new CliUsageError('channel reset needs a NAME.');
  const o = await open(values['data-dir']);
  try {
    const elsewhere = await runningElsewhere(o, name);
    if (elsewhere) throw new ReplicaDeskError('CHANNEL_RUNNING', `Channel ${name} runs in process ${elsewhere}; stop it first (replicadesk channel stop ${name}).`, { channel: name });
    await o.manager.reset(name, { all: values.all === true });
    io.out(
      values.all
        ? `Channel ${name} reset: relay log deleted and positions forgotten; it starts again from its configured start position.`
        : `Channel ${name}: relay log discarded; the next start fetches it again from the applied position.`,
    );
    return 0;
  } finally {
    await close(o);
  }
}

async function remove(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { 'data-dir': { type: 'string' } } });
  const name = positionals[0];
  if (!name) throw new CliUsageError('channel delete needs a NAME.');
  const o = await open(values['data-dir']);
  try {
    const elsewhere = await runningElsewhere(o, name);
    if (elsewhere) throw new ReplicaDeskError('CHANNEL_RUNNING', `Channel ${name} runs in process ${elsewhere}; stop it first.`, { channel: name });
    await o.manager.delete(name);
    io.out(`Channel ${name} deleted.`);
    return 0;
  } finally {
    await close(o);
  }
}

const SUBCOMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = { create, start, stop, status, list, skip, reset, delete: remove };

export const channelCommand: CliCommand = {
  name: 'channel',
  summary: 'Replica channels (CHANGE MASTER TO / START SLAVE / SHOW SLAVE STATUS), run in the foreground.',
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const fn = sub ? SUBCOMMANDS[sub] : undefined;
    if (!fn) throw new CliUsageError(sub ? `Unknown channel subcommand "${sub}".` : 'channel needs a subcommand.');
    return fn(rest, io);
  },
};
