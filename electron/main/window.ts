import path from 'node:path';
import { BrowserWindow } from 'electron';
import { APP_INDEX_URL } from '../../core/desktop/app-url';

/**
 * The one window. Sized for a small laptop (it must stay usable at 1024×640); closing it only hides it,
 * because the engine keeps replicating in the tray.
 */
export function createMainWindow(opts: { show: boolean; route?: string; isQuitting: () => boolean }): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 780,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'ReplicaDesk',
    autoHideMenuBar: true,
    webPreferences: {
      preload: path.join(__dirname, '..', 'preload', 'index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  });
  if (opts.show) win.once('ready-to-show', () => win.show());
  win.on('close', (e) => {
    if (!opts.isQuitting()) {
      e.preventDefault();
      win.hide();
    }
  });
  void win.loadURL(APP_INDEX_URL + (opts.route ?? ''));
  return win;
}

/** Shows the window (creating it if needed) and, for a unit, moves the page to that unit's card. */
export function reveal(win: BrowserWindow, route?: string): void {
  if (route) void win.loadURL(APP_INDEX_URL + route); // differs only in the fragment: no reload
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
