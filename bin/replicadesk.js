#!/usr/bin/env node
'use strict';
// Runs the compiled CLI (dist/) when it is up to date, else the TypeScript sources through tsx, so a dev
// clone never runs a stale build by surprise.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const built = path.join(root, 'dist', 'core', 'cli', 'main.js');
// Written by scripts/build.js only after every build step succeeded (a failed tsc run may still touch dist/).
const buildStamp = path.join(root, 'dist', '.build-ok');

function newestSource(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function builtIsCurrent() {
  if (!fs.existsSync(built)) return false;
  const sources = path.join(root, 'core');
  // A packaged app ships dist/ without the sources: nothing to compare with.
  if (!fs.existsSync(sources)) return true;
  return fs.existsSync(buildStamp) && fs.statSync(buildStamp).mtimeMs >= newestSource(sources);
}

let cli;
if (builtIsCurrent()) {
  cli = require(built);
} else {
  try {
    require('tsx/cjs');
  } catch {
    process.stderr.write('ReplicaDesk is not built. Run "npm run build" first.\n');
    process.exit(1);
  }
  cli = require(path.join(root, 'core', 'cli', 'main.ts'));
}
cli.main(process.argv.slice(2)).then((code) => process.exit(code));
