import type { CliCommand } from './command';
import { serveCommand } from './commands/serve';

export const COMMANDS: readonly CliCommand[] = [serveCommand];
