import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeTrayState, type DesktopChannel } from '../../../core/desktop/health';
import { DESKTOP_LANGS, desktopTranslator, formatDuration, pickDesktopLang } from '../../../core/desktop/messages';
import { buildTrayMenu, trayTooltip } from '../../../core/desktop/tray-menu';

const t = desktopTranslator('en');
const ch = (name: string, over: Partial<DesktopChannel> = {}): DesktopChannel => ({ name, io: 'running', sql: 'running', secondsBehindMaster: 0, ioError: null, sqlError: null, ...over });

test('the menu has open, one line per unit (worst first), start/stop all, open at login and quit', () => {
  const state = computeTrayState([ch('zeta'), ch('alpha', { secondsBehindMaster: 4000 })], [{ name: 'pg', running: true, error: null, nodes: [{ nodeId: 0, hostname: 'h', port: 1, status: 'up' }] }]);
  const menu = buildTrayMenu(t, { state, openAtLogin: true, canStartStop: true });
  const labels = menu.map((m) => ('label' in m ? m.label : '---'));
  assert.deepEqual(labels, [
    'Open ReplicaDesk',
    '---',
    'MySQL alpha: 1 h 6 min behind',
    'MySQL zeta: up to date',
    'PostgreSQL pg: 1 of 1 servers in step',
    '---',
    'Start all',
    'Stop all',
    '---',
    'Open at login',
    '---',
    'Quit ReplicaDesk (stops all backups)',
  ]);
  const login = menu.find((m) => m.type === 'checkbox');
  assert.equal(login?.type === 'checkbox' && login.checked, true);
  const unit = menu.find((m) => m.type === 'unit');
  assert.deepEqual(unit?.type === 'unit' && unit.action, { type: 'open-unit', kind: 'channel', name: 'alpha' });
});

test('start/stop all are greyed when the service cannot do it yet or nothing is set up', () => {
  const enabled = (menu: ReturnType<typeof buildTrayMenu>) => menu.filter((m) => m.type === 'action' && /all$/.test(m.label)).map((m) => m.type === 'action' && m.enabled);
  assert.deepEqual(enabled(buildTrayMenu(t, { state: computeTrayState([ch('a')], []), openAtLogin: false, canStartStop: false })), [false, false]);
  const empty = buildTrayMenu(t, { state: computeTrayState([], []), openAtLogin: false, canStartStop: true });
  assert.deepEqual(enabled(empty), [false, false]);
  assert.ok(empty.some((m) => m.type === 'note' && m.label === 'No backups set up yet'));
});

test('the tooltip counts what needs attention', () => {
  assert.equal(trayTooltip(t, computeTrayState([], [])), 'ReplicaDesk: nothing is set up yet');
  assert.equal(trayTooltip(t, computeTrayState([ch('a'), ch('b', { io: 'connecting' })], [])), 'ReplicaDesk: 1 need attention');
  assert.equal(trayTooltip(t, computeTrayState([ch('a', { io: 'stopped', ioError: { errno: 1, message: '' } })], [])), 'ReplicaDesk: 1 stopped with an error');
});

test('the OS language picks the catalog; every catalog has every sentence with the same placeholders', () => {
  assert.equal(pickDesktopLang(['ja-JP', 'en-US']), 'ja');
  assert.equal(pickDesktopLang(['zh_CN']), 'zh');
  assert.equal(pickDesktopLang(['fr-FR']), 'en');
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const [key, text] of Object.entries(DESKTOP_LANGS.en)) {
    for (const lang of ['ja', 'zh'] as const) {
      const other = DESKTOP_LANGS[lang][key as keyof typeof DESKTOP_LANGS.en];
      assert.deepEqual(placeholders(other), placeholders(text), `${lang} ${key}`);
      if (!/^(kind\.|menu\.line$)/.test(key)) assert.notEqual(other, text, `${lang} ${key} is untranslated`);
    }
  }
});

test('durations read at a glance', () => {
  assert.equal(formatDuration(t, 59.4), '59 s');
  assert.equal(formatDuration(t, 61), '1 min');
  assert.equal(formatDuration(t, 7260), '2 h 1 min');
  assert.equal(formatDuration(desktopTranslator('zh'), 7260), '2 小时 1 分钟');
});
