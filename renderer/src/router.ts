import { useEffect, useState } from 'react';

/**
 * Hash routes (#/history, #/dashboard/channel/office1): they work the same from app:// in the desktop app
 * and from the headless server, need no server-side routing, and let the tray open one unit's card.
 */
export type Screen = 'dashboard' | 'add-backup' | 'prepare-master' | 'fanout-setup' | 'editors' | 'binlogs' | 'history' | 'preferences';
export const SCREENS: readonly Screen[] = ['dashboard', 'add-backup', 'prepare-master', 'fanout-setup', 'editors', 'binlogs', 'history', 'preferences'];

export interface Route {
  screen: Screen;
  /** Extra path parts, decoded: ['channel', 'office1'] for a unit, ['pgpool'] for an editor. */
  rest: string[];
}

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const screen = (SCREENS as readonly string[]).includes(parts[0] ?? '') ? (parts[0] as Screen) : 'dashboard';
  const rest = screen === parts[0] ? parts.slice(1) : [];
  return {
    screen,
    rest: rest.map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    }),
  };
}

export function href(screen: Screen, ...rest: string[]): string {
  return `#/${[screen, ...rest.map(encodeURIComponent)].join('/')}`;
}

export function navigate(screen: Screen, ...rest: string[]): void {
  window.location.hash = href(screen, ...rest);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
