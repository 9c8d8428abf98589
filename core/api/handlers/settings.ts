import { ReplicaDeskError } from '../../errors';
import type { StateStore } from '../../state/store';
import type { ApiHandlers } from '../methods';
import type { SettingKey } from '../types';

/**
 * Which preferences exist and what each accepts. A closed list: the settings table also holds engine
 * state (fan-out node statuses...), which the API must never let a window read or overwrite.
 */
export const SETTING_KEYS: Record<SettingKey, { check: (v: string) => boolean; expected: string }> = {
  'ui.lang': { check: (v) => ['auto', 'en', 'ja', 'zh'].includes(v), expected: 'auto, en, ja or zh' },
  'ui.lagAlertSeconds': { check: (v) => /^\d{1,6}$/.test(v) && Number(v) >= 1, expected: 'a whole number of seconds, 1 or more' },
  'ui.notifications': { check: (v) => v === 'on' || v === 'off', expected: 'on or off' },
};

const storeKey = (key: SettingKey) => `pref:${key}`;

/** settings.get / settings.set; `changed` pushes the new value to every window and the tray. */
export function settingsHandlers(store: StateStore, changed: (key: SettingKey, value: string | null) => void): Pick<ApiHandlers, 'settings.get' | 'settings.set'> {
  return {
    'settings.get': async ({ key }) => ({ key, value: (await store.getSetting(storeKey(key))) ?? null }),
    'settings.set': async ({ key, value }) => {
      const rule = SETTING_KEYS[key];
      if (!rule.check(value)) throw new ReplicaDeskError('SETTING_BAD_VALUE', `${key} must be ${rule.expected}; got ${JSON.stringify(value).slice(0, 60)}.`, { key });
      await store.setSetting(storeKey(key), value);
      changed(key, value);
      return { key, value };
    },
  };
}
