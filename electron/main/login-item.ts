import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { app } from 'electron';
import { autostartEntry, autostartPath } from '../../core/desktop/autostart';

/** The argument a login start carries, so the app starts in the tray without opening its window. */
export const HIDDEN_ARG = '--hidden';

/**
 * "Open at login": Electron's login items on Windows and macOS, an XDG autostart entry on Linux (where
 * app.setLoginItemSettings does nothing).
 */
export function getOpenAtLogin(): boolean {
  if (process.platform === 'linux') return fs.existsSync(autostartPath(process.env, os.homedir()));
  // Windows matches the registered entry by path and arguments: ask with the same ones we set.
  return app.getLoginItemSettings(process.platform === 'win32' ? { args: [HIDDEN_ARG] } : undefined).openAtLogin;
}

export function setOpenAtLogin(enabled: boolean): void {
  if (process.platform !== 'linux') {
    app.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_ARG] });
    return;
  }
  const file = autostartPath(process.env, os.homedir());
  if (!enabled) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, autostartEntry(...launchCommand()));
}

/** Rewrites the Linux entry at start so it follows an AppImage that was moved. */
export function refreshOpenAtLogin(): void {
  if (process.platform === 'linux' && getOpenAtLogin()) setOpenAtLogin(true);
}

function launchCommand(): [string, string[]] {
  // An AppImage runs from a temporary mount; $APPIMAGE is the file the user actually has.
  const exec = process.env.APPIMAGE ?? process.execPath;
  return [exec, app.isPackaged ? [HIDDEN_ARG] : [app.getAppPath(), HIDDEN_ARG]];
}
