import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { ReplicaDeskError } from '../../errors';
import { EventFlag } from '../../mysql/binlog/constants';
import { eventJsonLine, eventText, TextWriter } from '../../mysql/binlog/dump-format';
import type { BinlogEvent } from '../../mysql/binlog/events';
import { readBinlogFile } from '../../mysql/binlog/file-reader';
import { CliUsageError, type CliCommand, type CliIo } from '../command';

const USAGE = 'replicadesk binlog dump FILE... [--verbose] [--json] [--start-position N] [--stop-position N] [--force] [--no-verify-checksum]';

/**
 * Where the dump's bytes go. The CLI's own stdout is written directly as bytes (with backpressure): the dump
 * of a large binlog is as large as the binlog, and turning it into lines for CliIo.out would cost more than
 * decoding. Other CliIo implementations (tests, embedding) get text through io.out at event boundaries.
 */
interface DumpSink {
  write(chunk: Buffer): void;
  /** Delivers what was written and waits while a slow reader catches up. */
  drain(): Promise<void>;
}

function sinkFor(io: CliIo): DumpSink {
  const out = io.bytesOut;
  if (out) {
    return {
      write: (b) => void out.write(b),
      drain: async () => {
        if ((out as NodeJS.WritableStream & { writableNeedDrain?: boolean }).writableNeedDrain) await once(out, 'drain');
      },
    };
  }
  let parts: Buffer[] = [];
  return {
    write: (b) => void parts.push(b),
    drain: async () => {
      if (parts.length === 0) return;
      let text = Buffer.concat(parts).toString('utf8');
      parts = [];
      if (text.endsWith('\n')) text = text.slice(0, -1); // io.out adds the newline
      io.out(text);
    },
  };
}

interface DumpOptions {
  verbose: boolean;
  json: boolean;
  start: number;
  stop: number;
  force: boolean;
  verify: boolean;
}

async function dumpFile(file: string, o: DumpOptions, w: TextWriter, sink: DumpSink, io: CliIo): Promise<boolean> {
  let inUse = false;
  const fmt = { verbose: o.verbose };
  const onEvent = (e: BinlogEvent) => {
    if (e.kind === 'format_description' && e.flags & EventFlag.BINLOG_IN_USE) inUse = true;
    if (e.position < o.start || e.position >= o.stop) return;
    if (o.json) w.s(eventJsonLine(e));
    else eventText(w, e, fmt);
    // Hand over whole events only, so text chunks never split a line or a character.
    if (w.pending > 1 << 19) w.flush();
  };
  const flush = async () => {
    w.flush();
    await sink.drain();
  };
  let ok = true;
  const result = await readBinlogFile(file, onEvent, {
    verifyChecksums: o.verify,
    allowTruncatedTail: true,
    ...(o.stop < Number.MAX_SAFE_INTEGER ? { stopAt: o.stop } : {}),
    afterChunk: () => sink.drain(),
    onEventError: (err) => {
      if (!o.force) return false;
      ok = false;
      w.s(`# ERROR [${err.code}] ${err.message} (skipped: --force)\n`);
      return true;
    },
  });
  await flush();
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
    const sink = sinkFor(io);
    const w = new TextWriter((b) => sink.write(b));
    let ok = true;
    for (const file of positionals) {
      try {
        if (!(await dumpFile(file, o, w, sink, io))) ok = false;
      } catch (err) {
        w.flush();
        await sink.drain();
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
