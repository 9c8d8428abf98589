/**
 * Preload: exposes exactly one object, `window.replicadesk`, implementing the service contract. The
 * renderer never sees ipcRenderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent, ApiResponse, ReplicaDeskApi } from '../../core/api/contract';
import { CALL_CHANNEL, EVENT_CHANNEL } from './channels';

const api: ReplicaDeskApi = {
  async call(method, params) {
    const res = (await ipcRenderer.invoke(CALL_CHANNEL, { method, params })) as ApiResponse;
    if (!res.ok) throw Object.assign(new Error(res.error.message), { code: res.error.code });
    return res.result as never;
  },
  onEvent(listener) {
    const handler = (_e: IpcRendererEvent, event: ApiEvent) => listener(event);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => ipcRenderer.off(EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('replicadesk', api);
