import type { CliCommand } from './command';
import { binlogCommand } from './commands/binlog';
import { channelCommand } from './commands/channel';
import { checkCommand } from './commands/check';
import { cloneCommand } from './commands/clone';
import { fanoutCommand } from './commands/fanout';
import { mycnfCommand } from './commands/mycnf';
import { purgeCommand } from './commands/purge';
import { serveCommand } from './commands/serve';

export const COMMANDS: readonly CliCommand[] = [serveCommand, binlogCommand, channelCommand, checkCommand, cloneCommand, mycnfCommand, purgeCommand, fanoutCommand];
