/**
 * The desktop window loads the renderer from our own scheme, app://replicadesk/, not file://: a custom
 * scheme gives the page a real origin of its own (so file:// privileges never apply), lets main attach the
 * CSP header, and makes "is this IPC from our page?" a plain origin comparison.
 */
export const APP_SCHEME = 'app';
/** The app's identity for the OS: Windows needs it for notifications; build/electron-builder.yml uses the same. */
export const APP_ID = 'app.replicadesk.desktop';
export const APP_HOST = 'replicadesk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** True only for a URL on our own origin (any path, any fragment). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** The path part of an app:// request, for the static-file resolver (which refuses climbing out). */
export function appRequestPath(url: string): string | undefined {
  return isAppUrl(url) ? new URL(url).pathname : undefined;
}

/** The in-app address of one unit's card; the renderer's router understands it. */
export function unitRoute(kind: 'channel' | 'fanout', name: string): string {
  return `#/dashboard/${kind}/${encodeURIComponent(name)}`;
}

/** Only these leave the app, in the user's browser; everything else is refused. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}
