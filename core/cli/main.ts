import { ReplicaDeskError } from '../errors';
import { VERSION } from '../version';
import { CliUsageError, type CliIo } from './command';
import { COMMANDS } from './registry';

function help(io: CliIo): void {
  io.out(`ReplicaDesk ${VERSION}: live backup copies of MySQL/MariaDB and PostgreSQL databases.\n`);
  io.out('Usage: replicadesk <command> [options]\n');
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  for (const c of COMMANDS) io.out(`  ${c.name.padEnd(width)}  ${c.summary}`);
  io.out('\n  help [COMMAND]  Show a command\'s usage.   version  Print the version.');
}

export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    bytesOut: process.stdout,
    untilSignal: () =>
      new Promise((resolve) => {
        const on = (sig: NodeJS.Signals) => {
          process.off('SIGINT', on);
          process.off('SIGTERM', on);
          resolve(sig);
        };
        process.on('SIGINT', on);
        process.on('SIGTERM', on);
      }),
  };
}

/** Runs one command line and returns the exit code; errors become one clear message, never a stack dump. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const target = COMMANDS.find((c) => c.name === rest[0]);
    if (target) io.out(`${target.summary}\n\nUsage: ${target.usage}`);
    else help(io);
    return 0;
  }
  if (name === 'version' || name === '--version') {
    io.out(VERSION);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`Unknown command "${name}". Run "replicadesk help" for the list.`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof CliUsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(err as Error).message}\nUsage: ${command.usage}`);
      return 2;
    }
    if (err instanceof ReplicaDeskError) {
      io.err(`Error [${err.code}]: ${err.message}`);
      return 1;
    }
    io.err(`Unexpected error: ${(err as Error)?.stack ?? String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
