#!/usr/bin/env node
'use strict';
// `npm start`: the desktop app where Electron's binary is installed, else the headless mode (saying why).
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');
const { findElectronBinary } = require('./electron-binary');

const root = path.join(__dirname, '..');
const build = spawnSync(process.execPath, [path.join(__dirname, 'build.js')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const electron = findElectronBinary();
const passThrough = process.argv.slice(2);
let child;
if (electron.path) {
  child = spawn(electron.path, [root, ...passThrough], { cwd: root, stdio: 'inherit' });
} else {
  const reason = `Not opening the desktop window: ${electron.reason}. Running headless instead; open the address below in a browser.`;
  child = spawn(process.execPath, [path.join(root, 'bin', 'replicadesk.js'), 'serve', '--reason', reason, ...passThrough], { cwd: root, stdio: 'inherit' });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
