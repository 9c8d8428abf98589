#!/usr/bin/env node
'use strict';
// `npm run dist`: build, package with electron-builder, then put node_modules back the way Node needs it.
// electron-builder rebuilds native add-ons (sqlite3) *inside node_modules* for Electron's ABI; afterwards
// `npm test` and `replicadesk serve` (plain Node) could no longer load sqlite3. So sqlite3 is always rebuilt
// for Node at the end, whether packaging worked or not. Extra arguments go to electron-builder
// (`npm run dist -- --linux`, `-- --win`).
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' }).status ?? 1;

let status = run(process.execPath, [path.join(root, 'scripts', 'build.js')]);
if (status === 0) {
  status = run(process.execPath, [require.resolve('electron-builder/cli.js'), '--config', path.join('build', 'electron-builder.yml'), ...process.argv.slice(2)]);
  process.stdout.write('[dist] rebuilding sqlite3 for Node (electron-builder rebuilt it for Electron)\n');
  const restored = run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['rebuild', 'sqlite3']);
  if (restored !== 0) process.stderr.write('[dist] could not rebuild sqlite3 for Node: run "npm rebuild sqlite3" before "npm test".\n');
}
process.exit(status);
