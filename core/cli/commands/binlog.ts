import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { ReplicaDeskError } from '../../errors';
import { EventFlag } from '../../mysql/binlog/constants';
import { eventJsonLine, eventText } from '../../mysql/binlog/dump-format';
import type { BinlogEvent } from '../../mysql/binlog/events';
import { readBinlogFile } from '../../mysql/binlog/file-reader';
import { CliUsageError, type CliCommand, type CliIo } from '../command';

const USAGE = 'replicadesk binlog dump FILE... [--verbose] [--json] [--start-position N] [--stop-position N] [--force] [--no-verify-checksum]';

/** Output is gathered into large chunks: one write per ~256 KiB instead of one per line. */
class ChunkedOut {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly io: CliIo) {}
  push(s: string): void {
    this.parts.push(s);
    this.size += s.length;
  }
  get pending(): number {
    return this.size;
  }
  async flush(): Promise<void> {
    if (this.size === 0) return;
    let text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (text.endsWith('\n')) text = text.slice(0, -1); // io.out adds the newline
    this.io.out(text);
    // When the output is the process's stdout (a pipe to a slow reader), wait for it instead of buffering the
    // whole dump in memory.
    if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
  }
}

interface DumpOptions {
  verbose: boolean;
  json: boolean;
  start: number;
  stop: number;
  force: boolean;
  verify: boolean;
}

async function dumpFile(file: string, o: DumpOptions, out: ChunkedOut, io: CliIo): Promise<boolean> {
  let inUse = false;
  const texts: string[] = [];
  const onEvent = (e: BinlogEvent) => {
    if (e.kind === 'format_description' && e.flags & EventFlag.BINLOG_IN_USE) inUse = true;
    if (e.position < o.start || e.position >= o.stop) return;
    if (o.json) out.push(eventJsonLine(e));
    else {
      eventText(texts, e, { verbose: o.verbose });
      out.push(texts.join(''));
      texts.length = 0;
    }
  };
  let ok = true;
  const result = await readBinlogFile(file, onEvent, {
    verifyChecksums: o.verify,
    allowTruncatedTail: true,
    ...(o.stop < Number.MAX_SAFE_INTEGER ? { stopAt: o.stop } : {}),
    afterChunk: () => (out.pending > 1 << 18 ? out.flush() : undefined),
    onEventError: (err) => {
      if (!o.force) return false;
      ok = false;
      out.push(`# ERROR [${err.code}] ${err.message} (skipped: --force)\n`);
      return true;
    },
  });
  await out.flush();
  if (result.truncatedBytes > 0) {
    const msg = `${file}: the last ${result.truncatedBytes} bytes (from position ${result.endPosition}) are an incomplete event`;
    if (inUse) io.err(`Note: ${msg}; the server still has this file open, so that event is still being written.`);
    else {
      io.err(`Error [BINLOG_TRUNCATED]: ${msg}: the file was cut short.`);
      ok = false;
    }
  }
  return ok;
}

export const binlogCommand: CliCommand = {
  name: 'binlog',
  summary: 'Show the events of MySQL/MariaDB binlog and relay-log files (binlog dump FILE...).',
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub !== 'dump') throw new CliUsageError(sub ? `Unknown binlog subcommand "${sub}".` : 'Missing subcommand: binlog dump FILE...');
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        verbose: { type: 'boolean', short: 'v' },
        json: { type: 'boolean' },
        'start-position': { type: 'string' },
        'stop-position': { type: 'string' },
        force: { type: 'boolean', short: 'f' },
        'no-verify-checksum': { type: 'boolean' },
      },
      strict: true,
    });
    if (positionals.length === 0) throw new CliUsageError('Name at least one binlog or relay-log file.');
    const num = (v: string | undefined, name: string, dflt: number) => {
      if (v === undefined) return dflt;
      if (!/^\d+$/.test(v)) throw new CliUsageError(`--${name} expects a byte position, not "${v}".`);
      return Number(v);
    };
    const o: DumpOptions = {
      verbose: values.verbose === true,
      json: values.json === true,
      start: num(values['start-position'], 'start-position', 0),
      stop: num(values['stop-position'], 'stop-position', Number.MAX_SAFE_INTEGER),
      force: values.force === true,
      verify: values['no-verify-checksum'] !== true,
    };
    const out = new ChunkedOut(io);
    let ok = true;
    for (const file of positionals) {
      try {
        if (!(await dumpFile(file, o, out, io))) ok = false;
      } catch (err) {
        await out.flush();
        if (err instanceof ReplicaDeskError) {
          io.err(`Error [${err.code}]: ${err.message}`);
          ok = false;
          continue;
        }
        throw err;
      }
    }
    return ok ? 0 : 1;
  },
};
