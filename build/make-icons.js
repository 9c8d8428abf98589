#!/usr/bin/env node
'use strict';
// Writes the packaging icons into build/icons/ from their source, core/desktop/icons.ts (drawn by code, so
// they are reviewable and every size is sharp). Run after changing the drawing; the result is committed
// and test/unit/desktop/packaging.test.ts fails when it is stale.
const fs = require('node:fs');
const path = require('node:path');
require('tsx/cjs');
const { faviconPng, packagingIcons } = require('../core/desktop/icons.ts');

const dir = path.join(__dirname, 'icons');
fs.mkdirSync(dir, { recursive: true });
for (const [name, bytes] of packagingIcons()) {
  fs.writeFileSync(path.join(dir, name), bytes);
  process.stdout.write(`build/icons/${name} (${bytes.length} bytes)\n`);
}
// The same icon for the browser tab (headless mode) and the window.
const favicon = path.join(__dirname, '..', 'renderer', 'public', 'favicon.png');
fs.mkdirSync(path.dirname(favicon), { recursive: true });
fs.writeFileSync(favicon, faviconPng());
process.stdout.write('renderer/public/favicon.png\n');
