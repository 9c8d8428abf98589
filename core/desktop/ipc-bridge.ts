/**
 * The service contract over Electron IPC, main's end: who may call (our windows' top frames only) and the
 * answer through `dispatch`, as plain code. Electron main only carries the messages (electron/main/index.ts).
 */
import type { ApiResponse } from '../api/contract';
import { dispatch, type ApiHandlers } from '../api/methods';
import type { Logger } from '../log/logger';
import { nullLogger } from '../log/logger';
import { isAppUrl } from './app-url';

/** Who sent an IPC call, as Electron describes it (IpcMainInvokeEvent's sender and senderFrame). */
export interface IpcSender {
  /** webContents id. */
  senderId: number;
  /** null when the frame is gone. */
  frame: { url: string; isTopFrame: boolean } | null;
}

/** A call is accepted only from the top frame of one of our windows, showing our own origin. */
export function senderIsOurs(sender: IpcSender, ourContents: ReadonlySet<number>): boolean {
  return !!sender.frame && ourContents.has(sender.senderId) && sender.frame.isTopFrame && isAppUrl(sender.frame.url);
}

/** Main's answer to one call: refused for a foreign sender, else `dispatch`, which never throws. */
export function ipcCallHandler(opts: { handlers: ApiHandlers; ourContents: ReadonlySet<number>; logger?: Logger }) {
  const logger = opts.logger ?? nullLogger;
  return async (sender: IpcSender, request: unknown): Promise<ApiResponse> => {
    if (!senderIsOurs(sender, opts.ourContents)) {
      logger.warn('Refused an API call from a frame that is not ours.', { url: sender.frame?.url });
      return { ok: false, error: { code: 'API_FORBIDDEN', message: 'Not our window.' } };
    }
    return dispatch(opts.handlers, request);
  };
}
