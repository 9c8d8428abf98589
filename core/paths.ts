import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'ReplicaDesk';

/**
 * The per-user app-data folder, chosen to be the same one Electron's app.getPath('userData') returns, so
 * the desktop app and `replicadesk serve` share one state store when run by the same user.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    const appData = env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming');
    return path.join(appData, APP_NAME);
  }
  if (platform === 'darwin') {
    return path.join(os.homedir(), 'Library', 'Application Support', APP_NAME);
  }
  const config = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(config, APP_NAME);
}
