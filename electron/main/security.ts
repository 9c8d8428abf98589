import { app, session, shell, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { IpcSender } from '../../core/desktop/ipc-bridge';
import { isAppUrl, isSafeExternalUrl } from '../../core/desktop/app-url';

/**
 * Everything that keeps web content in its box: no permissions, no new windows, no navigation away from
 * our origin, no <webview>, and IPC only from our own page's top frame.
 */
export function hardenSessionsAndContents(): void {
  // Camera, notifications-from-page, geolocation...: the renderer needs none of them.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_e, contents) => lockDown(contents));
}

function lockDown(contents: WebContents): void {
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  // Covers links, form posts, location changes and redirects, in every frame.
  const refuse = (e: { preventDefault(): void }, url: string) => {
    if (isAppUrl(url)) return;
    e.preventDefault();
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
  };
  contents.on('will-navigate', (e, url) => refuse(e, url));
  contents.on('will-frame-navigate', (e) => refuse(e, e.url));
  contents.on('will-redirect', (e, url) => refuse(e, url));
}

/** Electron's description of who sent an IPC call, in the plain shape core/desktop/ipc-bridge.ts judges. */
export function ipcSender(event: IpcMainInvokeEvent): IpcSender {
  const frame = event.senderFrame;
  return { senderId: event.sender.id, frame: frame ? { url: frame.url, isTopFrame: frame.parent === null } : null };
}
