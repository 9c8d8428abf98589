import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appRequestPath, isAppUrl, isSafeExternalUrl, unitRoute } from '../../../core/desktop/app-url';

test('only our own origin counts as the app', () => {
  assert.equal(isAppUrl('app://replicadesk/index.html#/history'), true);
  assert.equal(isAppUrl('app://replicadesk/'), true);
  for (const url of ['app://evil/index.html', 'file:///x/renderer/index.html', 'https://replicadesk/', 'app://x@replicadesk/', 'app://replicadesk.evil/', 'not a url', '', undefined, null]) {
    assert.equal(isAppUrl(url), false, String(url));
  }
});

test('request paths come only from app URLs', () => {
  assert.equal(appRequestPath('app://replicadesk/assets/index-abc.js?x=1'), '/assets/index-abc.js');
  assert.equal(appRequestPath('file:///etc/passwd'), undefined);
});

test('unit routes encode names; only plain https leaves the app', () => {
  assert.equal(unitRoute('channel', 'office 1/a'), '#/dashboard/channel/office%201%2Fa');
  assert.equal(isSafeExternalUrl('https://mariadb.com/kb/en/'), true);
  assert.equal(isSafeExternalUrl('http://example.com/'), false);
  assert.equal(isSafeExternalUrl('file:///etc/passwd'), false);
  assert.equal(isSafeExternalUrl('https://user:pw@example.com/'), false);
});
