/** IPC channel names shared by main and preload (defined with the bridge in core/desktop/ipc-api.ts). */
export { CALL_CHANNEL, EVENT_CHANNEL } from '../../core/desktop/ipc-api';
