import type { EventEmitter } from 'node:events';
import type { ApiEvent } from '../api/contract';
import type { Logger } from './logger';

/**
 * Mirrors the service's history (its record of state changes and errors) into the log, so the log file
 * alone tells the story when a support person only gets that file. Returns the function that stops it.
 */
export function logServiceEvents(events: EventEmitter<{ event: [ApiEvent] }>, logger: Logger): () => void {
  const listener = (e: ApiEvent) => {
    if (e.type === 'history') {
      const { entry } = e;
      const fields = { source: entry.source, kind: entry.kind, historyId: entry.id, ...(entry.detail ? { detail: entry.detail } : {}) };
      if (entry.severity === 'error') logger.error(entry.message, fields);
      else if (entry.severity === 'warning') logger.warn(entry.message, fields);
      else logger.info(entry.message, fields);
    } else if (e.type === 'service.stopping') {
      logger.info('Service stopping.');
    }
  };
  events.on('event', listener);
  return () => events.off('event', listener);
}
