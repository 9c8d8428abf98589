import { parseArgs } from 'node:util';
import { cloneMaster } from '../../setup/clone/clone';
import { formatBytes } from '../../setup/preflight/rules';
import { CliUsageError, type CliCommand } from '../command';
import { parseMysqlUrl } from './check';

export const cloneCommand: CliCommand = {
  name: 'clone',
  summary: 'Initial copy of a master into the backup server at a consistent binlog position.',
  usage:
    'replicadesk clone --master mysql://user@HOST:PORT --target mysql://admin@HOST:PORT [--database DB]... [--parallel 4] [--replace] [--lock] [--insert] [--target-binlog] [--json]\n' +
    '  --insert: INSERT statements instead of LOAD DATA LOCAL; --target-binlog: also write the copy into the backup\'s binary log.\n' +
    '  Passwords: RD_MASTER_PASSWORD, RD_TARGET_PASSWORD. Ctrl-C cancels and removes the partial copy.',
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        master: { type: 'string' },
        target: { type: 'string' },
        database: { type: 'string', multiple: true },
        parallel: { type: 'string' },
        replace: { type: 'boolean' },
        lock: { type: 'boolean' },
        insert: { type: 'boolean' },
        'target-binlog': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      strict: true,
    });
    if (!values.master || !values.target) throw new CliUsageError('--master and --target are required.');
    const parallel = Number(values.parallel ?? 4);
    if (!Number.isInteger(parallel) || parallel < 1) throw new CliUsageError('--parallel expects a whole number ≥ 1.');
    const ac = new AbortController();
    void io.untilSignal().then(() => {
      io.err('Cancelling…');
      ac.abort();
    });
    let last = '';
    const r = await cloneMaster(
      {
        source: parseMysqlUrl(values.master, 'RD_MASTER_PASSWORD'),
        target: parseMysqlUrl(values.target, 'RD_TARGET_PASSWORD'),
        ...(values.database ? { databases: values.database } : {}),
        parallel,
        replace: values.replace === true,
        snapshot: values.lock ? 'read-lock' : 'auto',
        method: values.insert ? 'insert' : 'auto',
        targetBinlog: values['target-binlog'] === true,
      },
      (p) => {
        if (values.json) return;
        const line =
          p.phase === 'data'
            ? `data: ${p.tablesDone}/${p.tablesTotal} tables, ${p.rowsDone} rows, ${formatBytes(p.bytesDone)}${p.etaSeconds !== null ? `, about ${p.etaSeconds} s left` : ''}`
            : `${p.phase}…`;
        if (line !== last) io.err(line);
        last = line;
      },
      ac.signal,
    );
    if (values.json) io.out(JSON.stringify(r, null, 2));
    else {
      io.out(`Copied ${r.databases.join(', ')}: ${r.tables} tables, ${r.rows} rows, ${formatBytes(r.bytes)} in ${(r.durationMs / 1000).toFixed(1)} s (snapshot: ${r.snapshotMethod}).`);
      io.out(`Master position: ${r.binlogFile} ${r.binlogPos}${r.gtidPos ? `, GTID ${r.gtidPos}` : ''}`);
      io.out(`Start replication there, e.g.: CHANGE MASTER TO MASTER_LOG_FILE='${r.binlogFile}', MASTER_LOG_POS=${r.binlogPos};`);
      for (const w of r.warnings) io.out(`Note: ${w}`);
    }
    return 0;
  },
};
