/** One `replicadesk <name>` subcommand. Each lives in its own file under commands/ and is listed in registry.ts. */
export interface CliCommand {
  name: string;
  /** One line for `replicadesk help`. */
  summary: string;
  usage: string;
  /** Returns the process exit code. */
  run(argv: string[], io: CliIo): Promise<number>;
}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** The raw byte stream behind `out` when there is one (the process's stdout), for bulk output with back-pressure. */
  bytesOut?: NodeJS.WritableStream;
  /** Resolves when the user asks to stop (Ctrl-C, SIGTERM); long-running commands wait on it. */
  untilSignal: () => Promise<string>;
}

export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}
