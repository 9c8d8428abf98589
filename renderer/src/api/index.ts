import type { ReplicaDeskApi } from '../../../core/api/contract';
import { createHttpApi, tokenFromLocation } from './http-client';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser (headless mode). */
    replicadesk?: ReplicaDeskApi;
  }
}

/** The API for this window: the preload's object in the desktop app, HTTP + WebSocket in a browser. */
export function resolveApi(): ReplicaDeskApi | { error: 'no-token' } {
  if (window.replicadesk) return window.replicadesk;
  const token = tokenFromLocation();
  if (!token) return { error: 'no-token' };
  return createHttpApi(new URL('./', window.location.href), token);
}
