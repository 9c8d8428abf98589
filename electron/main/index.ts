/**
 * Electron main: thin. It owns the window and the IPC bridge; the engine is core/Service, the same one
 * `replicadesk serve` runs headless.
 */
import path from 'node:path';
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import { dispatch } from '../../core/api/methods';
import { defaultDataDir } from '../../core/paths';
import { Service } from '../../core/service';
import { CSP } from '../../core/server/http-server';
import { SafeStorageSecretBox } from './safe-storage-box';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../preload/channels';

const rendererIndex = path.join(__dirname, '..', '..', 'renderer', 'index.html');
let service: Service | undefined;
let win: BrowserWindow | undefined;
let quitting = false;

function createWindow(): BrowserWindow {
  const w = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    show: false,
    webPreferences: {
      preload: path.join(__dirname, '..', 'preload', 'index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
    },
  });
  w.once('ready-to-show', () => w.show());
  // Locked navigation: the window shows our renderer and nothing else; links open in the user's browser.
  w.webContents.on('will-navigate', (e, url) => {
    if (url !== w.webContents.getURL()) {
      e.preventDefault();
      if (/^https?:/.test(url)) void shell.openExternal(url);
    }
  });
  w.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // Closing the window keeps the engine replicating; quitting is explicit.
  w.on('close', (e) => {
    if (!quitting) {
      e.preventDefault();
      w.hide();
    }
  });
  void w.loadFile(rendererIndex);
  return w;
}

function senderIsOurs(frameUrl: string | undefined): boolean {
  return !!frameUrl && frameUrl.startsWith('file://') && decodeURIComponent(new URL(frameUrl).pathname).endsWith('/renderer/index.html');
}

async function boot(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (!win) win = createWindow();
    win.show();
    win.focus();
  });
  await app.whenReady();
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  const dataDir = process.env.REPLICADESK_DATA_DIR ?? defaultDataDir();
  service = await Service.start({ dataDir, mode: 'desktop', secretBox: new SafeStorageSecretBox(), secretsEncrypted: SafeStorageSecretBox.isReallyEncrypted() });

  ipcMain.handle(CALL_CHANNEL, async (event, request: unknown) => {
    if (!senderIsOurs(event.senderFrame?.url)) return { ok: false, error: { code: 'API_FORBIDDEN', message: 'Not our window.' } };
    return dispatch(service!.handlers, request);
  });
  service.events.on('event', (e) => {
    if (win && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, e);
  });
  win = createWindow();

  app.on('before-quit', (e) => {
    if (quitting || !service) return;
    e.preventDefault();
    quitting = true;
    void service.stop().finally(() => app.quit());
  });
  app.on('window-all-closed', () => undefined);
}

void boot();
