/**
 * Preload: exposes exactly one object, `window.replicadesk`, implementing the service contract. The
 * renderer never sees ipcRenderer. The object itself is built in core/desktop/ipc-api.ts (tested in Node).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { ipcApi } from '../../core/desktop/ipc-api';

contextBridge.exposeInMainWorld('replicadesk', ipcApi(ipcRenderer));
