import { parseArgs } from 'node:util';
import { type ChannelNeed, listPurgeableBinlogs, purgeBinlogs } from '../../setup/purge';
import { formatBytes } from '../../setup/preflight/rules';
import { CliUsageError, type CliCommand } from '../command';
import { langOf, parseMysqlUrl } from './check';

export const purgeCommand: CliCommand = {
  name: 'purge-master-logs',
  summary: "List the master's binary logs and delete only those no backup channel needs any more.",
  usage:
    'replicadesk purge-master-logs --master mysql://user@HOST:PORT --needs CHANNEL:FILE[:POS]... [--to FILE --yes] [--lang en|ja|zh] [--json]\n' +
    '  Without --yes it only lists. --to must be the boundary the listing showed. Password: RD_MASTER_PASSWORD.',
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { master: { type: 'string' }, needs: { type: 'string', multiple: true }, to: { type: 'string' }, yes: { type: 'boolean' }, lang: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    });
    if (!values.master) throw new CliUsageError('--master is required.');
    const needs: ChannelNeed[] = (values.needs ?? []).map((s) => {
      const m = /^([^:]+):([^:]+)(?::(\d+))?$/.exec(s);
      if (!m) throw new CliUsageError(`--needs expects CHANNEL:FILE[:POS], not "${s}"`);
      return m[3] ? { channel: m[1]!, file: m[2]!, position: Number(m[3]) } : { channel: m[1]!, file: m[2]! };
    });
    const master = parseMysqlUrl(values.master, 'RD_MASTER_PASSWORD');
    if (values.yes) {
      if (!values.to) throw new CliUsageError('--yes needs --to FILE (the boundary shown by the listing).');
      const out = await purgeBinlogs(master, needs, values.to);
      if (values.json) io.out(JSON.stringify(out, null, 2));
      else {
        io.out(`Deleted ${out.deleted.length} file(s), ${formatBytes(out.freedBytes)}: ${out.deleted.join(', ') || '-'}`);
        for (const k of out.kept) io.out(`Kept ${k.name}: ${k.reason}`);
      }
      return 0;
    }
    const l = await listPurgeableBinlogs(master, needs);
    if (values.json) {
      io.out(JSON.stringify(l, null, 2));
      return 0;
    }
    const lang = langOf(values.lang);
    if (!needs.length) io.err('Warning: no channel positions given (--needs): every file but the current one is listed as purgeable.');
    if (l.dumpThreads) io.err(`Note: ${l.dumpThreads} replica connection(s) are reading this master's binary log; make sure every one of them is listed with --needs.`);
    for (const f of l.files) io.out(`${f.status.padEnd(9)} ${f.name.padEnd(24)} ${formatBytes(f.size).padStart(8)}  ${f.explanation[lang]}`);
    io.out(`Total ${formatBytes(l.totalBytes)}; purgeable ${formatBytes(l.purgeableBytes)}.`);
    if (l.purgeTo) io.out(`To delete them: replicadesk purge-master-logs --master ${values.master} ${needs.map((n) => `--needs ${n.channel}:${n.file}`).join(' ')} --to ${l.purgeTo} --yes`);
    return 0;
  },
};
