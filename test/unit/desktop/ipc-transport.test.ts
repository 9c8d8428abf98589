import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { ApiEvent, ReplicaDeskApi } from '../../../core/api/contract';
import { dispatch } from '../../../core/api/methods';
import { APP_ORIGIN } from '../../../core/desktop/app-url';
import { CALL_CHANNEL, EVENT_CHANNEL, ipcApi, type RendererIpc } from '../../../core/desktop/ipc-api';
import { ipcCallHandler, senderIsOurs, type IpcSender } from '../../../core/desktop/ipc-bridge';
import { MemoryLogger } from '../../../core/log/logger';
import { KeyFileSecretBox } from '../../../core/secrets/keyfile-box';
import { Service } from '../../../core/service';

/**
 * The service contract over the desktop transport (issue 7: "run against both transports"): the very code
 * the preload and Electron main run (core/desktop/ipc-api.ts, ipc-bridge.ts), joined by an in-process
 * stand-in for Electron's IPC that copies every message as structured clone does, against a real Service.
 * The headless transport has the same checks in test/integration/headless-server.test.ts.
 */
let service: Service;
let dataDir: string;
const log = new MemoryLogger();
const OURS = 7;
const ourContents = new Set([OURS]);

/** A window's end of the bus: its webContents id and frame, main's handler and main's event pushes. */
function windowIpc(sender: IpcSender): RendererIpc & { push(e: ApiEvent): void; listeners: number } {
  const bus = new EventEmitter();
  const answer = ipcCallHandler({ handlers: service.handlers, ourContents, logger: log });
  return {
    // Electron copies messages between processes: nothing shared by reference may leak through.
    invoke: async (channel, request) => {
      assert.equal(channel, CALL_CHANNEL);
      return structuredClone(await answer(sender, structuredClone(request)));
    },
    on: (channel, l) => bus.on(channel, l),
    off: (channel, l) => bus.off(channel, l),
    push: (e) => bus.emit(EVENT_CHANNEL, {}, structuredClone(e)),
    get listeners() {
      return bus.listenerCount(EVENT_CHANNEL);
    },
  };
}

const ourWindow: IpcSender = { senderId: OURS, frame: { url: `${APP_ORIGIN}/index.html`, isTopFrame: true } };

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-ipc-'));
  service = await Service.start({ dataDir, mode: 'desktop', secretBox: KeyFileSecretBox.openOrCreate(dataDir) });
});
after(async () => {
  await service.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('queries answer over IPC exactly as dispatch answers them (the headless transport calls the same)', async () => {
  const api: ReplicaDeskApi = ipcApi(windowIpc(ourWindow));
  const info = await api.call('service.info', {});
  assert.equal(info.product, 'ReplicaDesk');
  assert.equal(info.mode, 'desktop');
  assert.equal(info.platform, process.platform);
  for (const [method, params] of [['channels.list', {}], ['fanouts.list', {}], ['jobs.list', {}], ['settings.get', { key: 'ui.lang' }]] as const) {
    const direct = await dispatch(service.handlers, { method, params });
    assert.ok(direct.ok);
    assert.deepEqual(await api.call(method, params as never), direct.result, method);
  }
});

test('commands and their pushed events make the round trip', async () => {
  const ipc = windowIpc(ourWindow);
  const api = ipcApi(ipc);
  const seen: ApiEvent[] = [];
  const off = api.onEvent((e) => seen.push(e));
  const forward = (e: ApiEvent) => ipc.push(e); // what main does with webContents.send
  service.events.on('event', forward);
  try {
    assert.deepEqual(await api.call('settings.set', { key: 'ui.lang', value: 'ja' }), { key: 'ui.lang', value: 'ja' });
    assert.deepEqual(seen.find((e) => e.type === 'settings'), { type: 'settings', key: 'ui.lang', value: 'ja' });
    assert.equal((await api.call('settings.get', { key: 'ui.lang' })).value, 'ja');
  } finally {
    service.events.off('event', forward);
    off();
  }
  assert.equal(ipc.listeners, 0, 'unsubscribing removes the IPC listener');
});

test('errors keep their stable code; malformed and unknown requests (one of 2 MB among them) leave the service working', async () => {
  const ipc = windowIpc(ourWindow);
  const api = ipcApi(ipc);
  await assert.rejects(api.call('channels.status', { name: 'nope' }), (err: Error & { code?: string }) => typeof err.code === 'string' && err.code.length > 0 && /nope/.test(err.message));
  await assert.rejects(api.call('settings.set', { key: 'ui.lang', value: 'klingon' }), { code: 'SETTING_BAD_VALUE' });
  for (const bad of [null, 42, 'service.info', [], { method: 'no.such.method', params: {} }, { method: 'service.info', params: 'x' }, { method: 'channels.status', params: { name: 5 } }, { method: 'history.list', params: { limit: 'x'.repeat(2_000_000) } }]) {
    const res = (await ipc.invoke(CALL_CHANNEL, bad)) as { ok: boolean; error?: { code: string } };
    assert.equal(res.ok, false, JSON.stringify(bad).slice(0, 80));
    assert.match(res.error!.code, /^[A-Z_]+$/);
  }
  assert.equal((await api.call('service.info', {})).product, 'ReplicaDesk', 'still answering');
});

test('only the top frame of our own window, showing our origin, may call', async () => {
  const foreign: IpcSender[] = [
    { senderId: 99, frame: { url: `${APP_ORIGIN}/index.html`, isTopFrame: true } }, // another webContents
    { senderId: OURS, frame: { url: `${APP_ORIGIN}/index.html`, isTopFrame: false } }, // an iframe
    { senderId: OURS, frame: { url: 'https://evil.example/', isTopFrame: true } }, // navigated away somehow
    { senderId: OURS, frame: null }, // frame gone
  ];
  for (const sender of foreign) {
    assert.equal(senderIsOurs(sender, ourContents), false, JSON.stringify(sender));
    await assert.rejects(ipcApi(windowIpc(sender)).call('service.info', {}), { code: 'API_FORBIDDEN' });
  }
  assert.ok(log.records.some((r) => r.msg === 'Refused an API call from a frame that is not ours.' && r.url === 'https://evil.example/'));
  await dispatch(service.handlers, { method: 'settings.set', params: { key: 'ui.lang', value: 'auto' } });
});
