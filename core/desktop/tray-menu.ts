import type { Health, TrayState, UnitHealth } from './health';
import { formatDuration, type Translate } from './messages';

/**
 * The tray menu as plain data; Electron main turns it into a Menu. Keeping the model here lets the rules
 * (what is enabled when, what each line says) be tested without Electron.
 */
export type TrayAction =
  | { type: 'open' }
  | { type: 'open-unit'; kind: 'channel' | 'fanout'; name: string }
  | { type: 'start-all' }
  | { type: 'stop-all' }
  | { type: 'toggle-open-at-login' }
  | { type: 'quit' };

export type TrayMenuItem =
  | { type: 'action'; label: string; enabled: boolean; action: TrayAction }
  | { type: 'checkbox'; label: string; checked: boolean; action: TrayAction }
  | { type: 'unit'; label: string; health: Health; action: TrayAction }
  | { type: 'note'; label: string }
  | { type: 'separator' };

export interface TrayMenuInput {
  state: TrayState;
  openAtLogin: boolean;
  /** Whether the service offers start/stop yet (the API methods exist); otherwise the items are greyed. */
  canStartStop: boolean;
}

export function unitLine(t: Translate, u: UnitHealth): string {
  const vars = {
    lag: formatDuration(t, u.lagSeconds ?? 0),
    up: u.nodesUp ?? 0,
    total: u.nodesTotal ?? 0,
    down: (u.nodesTotal ?? 0) - (u.nodesUp ?? 0),
  };
  const state = t(`reason.${u.reason}`, vars);
  return t('menu.line', { name: `${t(`kind.${u.kind}`)} ${u.name}`, state });
}

export function trayTooltip(t: Translate, s: TrayState): string {
  if (s.health === 'error') return t('tray.tooltip.error', { count: s.counts.error });
  if (s.health === 'warn') return t('tray.tooltip.warn', { count: s.counts.warn });
  return t(s.health === 'ok' ? 'tray.tooltip.ok' : 'tray.tooltip.idle');
}

export function buildTrayMenu(t: Translate, input: TrayMenuInput): TrayMenuItem[] {
  const { state } = input;
  const anyUnit = state.units.length > 0;
  // Worst first: the line that needs the person is the one they see without reading the rest.
  const order: Record<Health, number> = { error: 0, warn: 1, ok: 2, idle: 3 };
  const units = [...state.units].sort((a, b) => order[a.health] - order[b.health] || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  const items: TrayMenuItem[] = [{ type: 'action', label: t('menu.open'), enabled: true, action: { type: 'open' } }, { type: 'separator' }];
  if (!anyUnit) items.push({ type: 'note', label: t('menu.noUnits') });
  for (const u of units) items.push({ type: 'unit', label: unitLine(t, u), health: u.health, action: { type: 'open-unit', kind: u.kind, name: u.name } });
  items.push(
    { type: 'separator' },
    { type: 'action', label: t('menu.startAll'), enabled: input.canStartStop && anyUnit, action: { type: 'start-all' } },
    { type: 'action', label: t('menu.stopAll'), enabled: input.canStartStop && anyUnit, action: { type: 'stop-all' } },
    { type: 'separator' },
    { type: 'checkbox', label: t('menu.openAtLogin'), checked: input.openAtLogin, action: { type: 'toggle-open-at-login' } },
    { type: 'separator' },
    { type: 'action', label: t('menu.quit'), enabled: true, action: { type: 'quit' } },
  );
  return items;
}
