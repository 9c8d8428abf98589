import path from 'node:path';

/**
 * "Open at login" on Linux. Electron's app.setLoginItemSettings only works on Windows and macOS; desktops
 * on Linux start what ~/.config/autostart/*.desktop names (the XDG autostart specification).
 */
export const AUTOSTART_FILE = 'replicadesk.desktop';

export function autostartPath(env: NodeJS.ProcessEnv, home: string): string {
  const config = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(config, 'autostart', AUTOSTART_FILE);
}

/**
 * Quotes one Exec argument as the Desktop Entry specification asks: inside double quotes, " ` $ and \ get
 * a backslash; then the value as a whole is an escaped string, which doubles every backslash again. A
 * literal % is written %% (a single one would start a field code such as %f).
 */
export function desktopExecArg(arg: string): string {
  const percent = arg.replace(/%/g, '%%');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(percent)) return percent;
  return `"${percent.replace(/[\\"`$]/g, (c) => (c === '\\' ? '\\\\\\\\' : `\\\\${c}`))}"`;
}

/**
 * The entry that starts the app hidden in the tray. `exec` is the AppImage's own path ($APPIMAGE) when run
 * from one, else the installed binary; a path that moves later makes the entry stale, so it is rewritten
 * at every start while the setting is on.
 */
export function autostartEntry(exec: string, args: readonly string[] = ['--hidden']): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=ReplicaDesk',
    'Comment=Live backup copies of your office databases',
    `Exec=${[exec, ...args].map(desktopExecArg).join(' ')}`,
    'Icon=replicadesk',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}
