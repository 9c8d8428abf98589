import type { MessageKey } from '../i18n/en';

/** Phases of an initial copy (CloneProgress) and of a node recovery (RecoveryEvent), in words. */
const PHASES = new Set(['start', 'snapshot', 'schema', 'data', 'routines', 'views', 'triggers', 'events', 'cleanup', 'done', 'copy', 'catch-up', 'pause', 'attached', 'failed']);

export function phaseKey(phase: string): MessageKey | undefined {
  return PHASES.has(phase) ? (`phase.${phase}` as MessageKey) : undefined;
}
