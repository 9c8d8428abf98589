import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { APP_ID } from '../../../core/desktop/app-url';
import { faviconPng, packagingIcons } from '../../../core/desktop/icons';

/**
 * The packaging config cannot be run for real here (electron-builder downloads Electron's binary), so it is
 * checked three ways: the committed icons are what their source draws, electron-builder itself loads and
 * validates the config, and `electron-builder --dir` packs the app around a stand-in Electron folder,
 * which proves the file patterns, the asar and the unpacked native add-on.
 */
const root = path.resolve(__dirname, '../../..');
const CONFIG = path.join(root, 'build', 'electron-builder.yml');

test('the committed packaging icons are the ones core/desktop/icons.ts draws (run build/make-icons.js)', () => {
  for (const [name, bytes] of packagingIcons()) {
    const file = path.join(root, 'build', 'icons', name);
    assert.ok(fs.existsSync(file), `${file} is missing`);
    assert.ok(fs.readFileSync(file).equals(bytes), `${file} is stale`);
  }
  assert.ok(fs.readFileSync(path.join(root, 'renderer', 'public', 'favicon.png')).equals(faviconPng()), 'renderer/public/favicon.png is stale');
});

type ConfigModule = {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: null): Promise<Record<string, unknown>>;
  validateConfiguration(config: Record<string, unknown>, debugLogger: unknown): Promise<void>;
};

function loadBuilder(): { config?: ConfigModule; DebugLogger?: new (enabled: boolean) => unknown; reason?: string } {
  try {
    return {
      config: require('app-builder-lib/out/util/config/config') as ConfigModule,
      DebugLogger: (require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown }).DebugLogger,
    };
  } catch (err) {
    return { reason: `electron-builder is not installed (${(err as Error).message.split('\n')[0]})` };
  }
}
const builder = loadBuilder();
if (builder.reason) console.log(`[packaging] config checks skipped: ${builder.reason}`);

test('electron-builder accepts the config; it targets AppImage, deb and nsis with our app id', { skip: builder.reason ?? false }, async () => {
  const config = await builder.config!.getConfig(root, CONFIG, null);
  await builder.config!.validateConfiguration(config, new builder.DebugLogger!(false));
  assert.equal(config.appId, APP_ID);
  const linux = config.linux as { target: string[]; icon: string; executableName: string; maintainer: string };
  assert.deepEqual(linux.target, ['AppImage', 'deb']);
  assert.equal(linux.executableName, 'replicadesk');
  assert.match(linux.maintainer, /<.+@.+>/, 'deb needs a maintainer with an e-mail (package.json has no author)');
  const win = config.win as { target: { target: string }[]; icon: string };
  assert.deepEqual(win.target.map((t) => t.target), ['nsis']);
  assert.ok(fs.existsSync(path.join(root, win.icon)));
  assert.equal((config.nsis as { deleteAppDataOnUninstall: boolean }).deleteAppDataOnUninstall, false, 'uninstalling keeps positions and credentials');
  assert.equal((config.electronFuses as { runAsNode: boolean }).runAsNode, false);
});

/** An Electron "binary" that carries the fuse wire electron-builder flips, so packaging runs end to end. */
function standInElectron(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const wire = Buffer.concat([Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, 9]), Buffer.from('010101010')]);
  fs.writeFileSync(path.join(dir, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n#'), wire]), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'version'), 'v45.4.1');
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'stand-in');
}

const built = fs.existsSync(path.join(root, 'dist', 'renderer', 'index.html')) && fs.existsSync(path.join(root, 'dist', 'electron', 'main', 'index.js'));
const packSkip = builder.reason ?? (process.platform !== 'linux' ? 'the stand-in Electron is a Linux shell script' : !built ? 'the app is not built (npm run build)' : undefined);
if (packSkip && !builder.reason) console.log(`[packaging] --dir packing skipped: ${packSkip}`);

test('electron-builder --dir packs main, preload and renderer into the asar and unpacks sqlite3', { skip: packSkip ?? false, timeout: 180_000 }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-pack-'));
  standInElectron(path.join(tmp, 'electron'));
  const out = path.join(tmp, 'out');
  const r = spawnSync(
    process.execPath,
    [require.resolve('electron-builder/cli.js'), '--config', CONFIG, '--linux', '--dir', `-c.electronDist=${path.join(tmp, 'electron')}`, '-c.npmRebuild=false', `-c.directories.output=${out}`],
    // No update check against the registry from a test run.
    { cwd: root, encoding: 'utf8', env: { ...process.env, ELECTRON_BUILDER_CACHE: path.join(tmp, 'cache'), NO_UPDATE_NOTIFIER: '1' } },
  );
  assert.equal(r.status, 0, `electron-builder failed:\n${r.stdout}\n${r.stderr}`);
  const resources = path.join(out, 'linux-unpacked', 'resources');
  const asar = require('@electron/asar') as { listPackage(file: string): string[] };
  const files = new Set(asar.listPackage(path.join(resources, 'app.asar')));
  for (const f of ['/package.json', '/dist/electron/main/index.js', '/dist/electron/preload/index.js', '/dist/core/service.js', '/dist/renderer/index.html', '/node_modules/sqlite3/package.json', '/node_modules/mysql2/package.json']) {
    assert.ok(files.has(f), `${f} is not in app.asar`);
  }
  for (const f of files) {
    const ours = f.startsWith('/dist/');
    const unwanted = f.startsWith('/dist/test/') || (ours && (f.endsWith('.map') || f.endsWith('.d.ts'))) || /^\/node_modules\/(react|react-dom|electron|vite|typescript)\//.test(f);
    assert.ok(!unwanted, `${f} should not be packaged`);
  }
  const unpacked = path.join(resources, 'app.asar.unpacked', 'node_modules', 'sqlite3');
  assert.ok(fs.existsSync(unpacked), 'sqlite3 (a native add-on) is unpacked next to the asar');
  assert.ok(fs.existsSync(path.join(out, 'linux-unpacked', 'replicadesk')), 'the executable is named replicadesk');
  fs.rmSync(tmp, { recursive: true, force: true });
});
