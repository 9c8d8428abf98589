/** IPC channel names shared by main and preload. */
export const CALL_CHANNEL = 'replicadesk:call';
export const EVENT_CHANNEL = 'replicadesk:event';
