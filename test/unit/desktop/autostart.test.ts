import assert from 'node:assert/strict';
import { test } from 'node:test';
import { autostartEntry, autostartPath, desktopExecArg } from '../../../core/desktop/autostart';

test('the autostart entry lives in the XDG config folder', () => {
  assert.equal(autostartPath({}, '/home/ann'), '/home/ann/.config/autostart/replicadesk.desktop');
  assert.equal(autostartPath({ XDG_CONFIG_HOME: '/cfg' }, '/home/ann'), '/cfg/autostart/replicadesk.desktop');
  assert.equal(autostartPath({ XDG_CONFIG_HOME: 'relative' }, '/home/ann'), '/home/ann/.config/autostart/replicadesk.desktop', 'a relative XDG path is ignored, as the spec says');
});

test('Exec arguments are quoted and escaped per the Desktop Entry specification', () => {
  assert.equal(desktopExecArg('/opt/ReplicaDesk/replicadesk'), '/opt/ReplicaDesk/replicadesk');
  assert.equal(desktopExecArg('/home/ann/My Apps/ReplicaDesk.AppImage'), '"/home/ann/My Apps/ReplicaDesk.AppImage"');
  assert.equal(desktopExecArg('a"b'), '"a\\\\"b"');
  assert.equal(desktopExecArg('a\\b'), '"a\\\\\\\\b"');
  assert.equal(desktopExecArg('$HOME'), '"\\\\$HOME"');
  assert.equal(desktopExecArg('100%'), '100%%');
});

test('the entry starts the app hidden in the tray', () => {
  const entry = autostartEntry('/opt/ReplicaDesk/replicadesk');
  assert.match(entry, /^\[Desktop Entry\]\n/);
  assert.match(entry, /\nExec=\/opt\/ReplicaDesk\/replicadesk --hidden\n/);
  assert.match(entry, /\nType=Application\n/);
});
