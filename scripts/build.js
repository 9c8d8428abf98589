#!/usr/bin/env node
'use strict';
// Builds everything `npm start` and the packaged app need: the Node half (tsc -b), the sandboxed preload
// (bundled, since a sandboxed preload cannot require our other files), and the renderer (vite).
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const node = process.execPath;
// The stamp says "dist holds the sources as they were when this build started": a source saved while the
// build runs is newer than the stamp, so bin/replicadesk.js does not take a dist that lacks it.
const startedAt = new Date();
const steps = [
  ['type-check and compile (tsc -b)', [path.join(root, 'node_modules/typescript/bin/tsc'), '-b']],
  ['bundle preload (esbuild)', () =>
    require('esbuild').buildSync({
      absWorkingDir: root,
      entryPoints: ['electron/preload/index.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['electron'],
      outfile: 'dist/electron/preload/index.js',
      logLevel: 'warning',
    })],
  ['build renderer (vite)', [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.mts', '--logLevel', 'warn']],
];
for (const [name, step] of steps) {
  process.stdout.write(`[build] ${name}\n`);
  let status = 0;
  if (typeof step === 'function') {
    try {
      step();
    } catch (err) {
      process.stderr.write(`${err.message}\n`);
      status = 1;
    }
  } else status = spawnSync(node, step, { cwd: root, stdio: 'inherit' }).status;
  if (status !== 0) {
    process.stderr.write(`[build] failed: ${name}\n`);
    process.exit(status ?? 1);
  }
}
const stamp = path.join(root, 'dist', '.build-ok');
require('node:fs').writeFileSync(stamp, startedAt.toISOString() + '\n');
require('node:fs').utimesSync(stamp, startedAt, startedAt);
