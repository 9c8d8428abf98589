import type { MessageKey } from '../i18n/en';

/**
 * What the common replication errors mean for an office, and which actions make sense. Skipping is offered
 * only where the error is about one row or statement the backup already has or lacks; where the backup
 * has lost track of the master (purged binlogs), only a fresh copy helps.
 */
export type ErrorAction = 'retry' | 'skip' | 'reclone';

interface Meaning {
  key: MessageKey;
  actions: ErrorAction[];
}

const MEANINGS: Record<number, Meaning> = {
  1062: { key: 'error.1062', actions: ['skip', 'reclone', 'retry'] },
  1032: { key: 'error.1032', actions: ['skip', 'reclone', 'retry'] },
  1146: { key: 'error.1146', actions: ['reclone', 'skip', 'retry'] },
  1049: { key: 'error.1049', actions: ['reclone', 'skip', 'retry'] },
  1050: { key: 'error.1050', actions: ['skip', 'retry'] },
  1051: { key: 'error.1051', actions: ['skip', 'retry'] },
  1007: { key: 'error.1007', actions: ['skip', 'retry'] },
  1054: { key: 'error.1054', actions: ['reclone', 'skip', 'retry'] },
  1045: { key: 'error.1045', actions: ['retry'] },
  1236: { key: 'error.1236', actions: ['reclone'] },
  1593: { key: 'error.1593', actions: ['retry'] },
  1205: { key: 'error.1205', actions: ['retry'] },
  1213: { key: 'error.1213', actions: ['retry'] },
  2003: { key: 'error.2003', actions: ['retry'] },
  2005: { key: 'error.2005', actions: ['retry'] },
  2013: { key: 'error.2013', actions: ['retry'] },
  2026: { key: 'error.2026', actions: ['retry'] },
};

export function errorMeaning(errno: number): Meaning {
  return MEANINGS[errno] ?? { key: 'error.unknown', actions: ['retry', 'reclone'] };
}
