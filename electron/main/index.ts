/**
 * Electron main: thin. It wires the engine (core/Service, the same one `replicadesk serve` runs) to the
 * window, the tray and the OS. The tray's decisions live in core/desktop (tested in plain Node); this file
 * only connects them to Electron.
 */
import path from 'node:path';
import { app, BrowserWindow, ipcMain, powerMonitor } from 'electron';
import { APP_ID, unitRoute } from '../../core/desktop/app-url';
import { ipcCallHandler } from '../../core/desktop/ipc-bridge';
import { pickDesktopLang } from '../../core/desktop/messages';
import { ShellController } from '../../core/desktop/shell-controller';
import type { TrayAction } from '../../core/desktop/tray-menu';
import { RotatingFileLogger } from '../../core/log/file-logger';
import { logServiceEvents } from '../../core/log/service-events';
import { defaultDataDir } from '../../core/paths';
import { Service } from '../../core/service';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../preload/channels';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { getOpenAtLogin, HIDDEN_ARG, refreshOpenAtLogin, setOpenAtLogin } from './login-item';
import { SafeStorageSecretBox } from './safe-storage-box';
import { hardenSessionsAndContents, ipcSender } from './security';
import { ElectronShellView } from './tray';
import { createMainWindow, reveal } from './window';

const RENDERER_DIR = path.join(__dirname, '..', '..', 'renderer');
/** How long a clean stop may take (relay log flushed, positions committed) before we exit regardless. */
const STOP_TIMEOUT_MS = 30_000;

let service: Service | undefined;
let win: BrowserWindow | undefined;
let quitting = false;
const ourContents = new Set<number>();

function showWindow(route?: string): void {
  if (!win || win.isDestroyed()) {
    win = createMainWindow({ show: true, ...(route ? { route } : {}), isQuitting: () => quitting });
    const id = win.webContents.id;
    ourContents.add(id);
    win.on('closed', () => ourContents.delete(id));
    // Windows ending the session (log off, shut down) tells the window, not powerMonitor.
    win.on('session-end', () => app.quit());
  } else reveal(win, route);
}

// Every renderer is sandboxed, whatever a BrowserWindow says.
app.enableSandbox();
// Windows shows toast notifications only for an app id that matches the installed shortcut's.
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
registerAppScheme();

async function boot(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    // The first instance gets 'second-instance' and shows its window; this one just leaves.
    app.quit();
    return;
  }
  app.on('second-instance', () => showWindow());
  await app.whenReady();
  hardenSessionsAndContents();
  serveRenderer(RENDERER_DIR);

  const dataDir = process.env.REPLICADESK_DATA_DIR ?? defaultDataDir();
  const logger = RotatingFileLogger.open({ dataDir });
  process.on('uncaughtException', (err) => logger.error('Uncaught exception in main.', { err }));
  process.on('unhandledRejection', (err) => logger.error('Unhandled rejection in main.', { err }));

  const secretsEncrypted = SafeStorageSecretBox.isReallyEncrypted();
  if (!secretsEncrypted) logger.warn('No OS password store: saved passwords are only obfuscated (safeStorage plain-text fallback).');
  service = await Service.start({ dataDir, mode: 'desktop', secretBox: new SafeStorageSecretBox(), secretsEncrypted, logger });
  const stopLogging = logServiceEvents(service.events, logger);
  logger.info('Desktop app started.', { version: app.getVersion(), dataDir, electron: process.versions.electron });

  const answer = ipcCallHandler({ handlers: service.handlers, ourContents, logger });
  ipcMain.handle(CALL_CHANNEL, (event, request: unknown) => answer(ipcSender(event), request));
  service.events.on('event', (e) => {
    if (win && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, e);
  });

  refreshOpenAtLogin();
  const perform = (action: TrayAction): void => {
    switch (action.type) {
      case 'open':
        return showWindow();
      case 'open-unit':
        return showWindow(unitRoute(action.kind, action.name));
      case 'toggle-open-at-login':
        setOpenAtLogin(!getOpenAtLogin());
        return controller.render(false);
      case 'quit':
        return app.quit();
      default:
        void controller.perform(action);
    }
  };
  const view = new ElectronShellView(perform);
  const controller = new ShellController({
    service,
    view,
    lang: pickDesktopLang(app.getPreferredSystemLanguages()),
    openAtLogin: getOpenAtLogin,
    logger: logger.child({ part: 'tray' }),
  });
  await controller.start();

  // Started at login: stay in the tray. Otherwise the person launched us to look at something.
  if (!process.argv.includes(HIDDEN_ARG)) showWindow();

  app.on('before-quit', (e) => {
    if (quitting || !service) return;
    e.preventDefault();
    quitting = true;
    controller.stop();
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_TIMEOUT_MS).unref());
    void Promise.race([service.stop().then(() => 'stopped' as const), timeout])
      .then((how) => {
        if (how === 'timeout') logger.error(`The engine did not stop within ${STOP_TIMEOUT_MS / 1000} s; exiting anyway.`);
        else logger.info('Desktop app stopped cleanly.');
      })
      .catch((err: unknown) => logger.error('Stopping the engine failed.', { err }))
      .finally(() => {
        stopLogging();
        view.destroy();
        logger.close();
        app.exit(0);
      });
  });
  // Closing the last window keeps the engine (and the tray) running; quitting is explicit.
  app.on('window-all-closed', () => undefined);
  // The OS shutting down or the user logging out: stop cleanly, as for Quit.
  // (Electron passes an event with preventDefault(), which delays the shutdown; its typings omit it.)
  powerMonitor.on('shutdown', (...args: unknown[]) => {
    (args[0] as { preventDefault?: () => void } | undefined)?.preventDefault?.();
    app.quit();
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => app.quit());
}

void boot().catch((err: unknown) => {
  process.stderr.write(`ReplicaDesk could not start: ${(err as Error)?.stack ?? String(err)}\n`);
  app.exit(1);
});
