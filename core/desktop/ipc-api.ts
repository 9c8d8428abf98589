/**
 * The service contract over Electron IPC, renderer end: the preload builds `window.replicadesk` with
 * `ipcApi(ipcRenderer)`. Type-only imports on purpose: the sandboxed preload bundles this file and may load
 * nothing else. Main's end is ipc-bridge.ts; both are tested in Node over a stand-in message bus.
 */
import type { ApiEvent, ApiResponse, ReplicaDeskApi } from '../api/contract';

/** IPC channel names shared by main and preload. */
export const CALL_CHANNEL = 'replicadesk:call';
export const EVENT_CHANNEL = 'replicadesk:event';

/** The part of Electron's ipcRenderer the preload uses. */
export interface RendererIpc {
  invoke(channel: string, request: unknown): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  off(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

/** The call API the renderer sees; errors carry the service's stable code. */
export function ipcApi(ipc: RendererIpc): ReplicaDeskApi {
  return {
    async call(method, params) {
      const res = (await ipc.invoke(CALL_CHANNEL, { method, params })) as ApiResponse;
      if (!res.ok) throw Object.assign(new Error(res.error.message), { code: res.error.code });
      return res.result as never;
    },
    onEvent(listener) {
      const handler = (_e: unknown, event: unknown) => listener(event as ApiEvent);
      ipc.on(EVENT_CHANNEL, handler);
      return () => void ipc.off(EVENT_CHANNEL, handler);
    },
  };
}

