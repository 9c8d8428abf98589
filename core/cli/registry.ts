import type { CliCommand } from './command';
import { binlogCommand } from './commands/binlog';
import { serveCommand } from './commands/serve';

export const COMMANDS: readonly CliCommand[] = [serveCommand, binlogCommand];
