#!/usr/bin/env node
'use strict';
// Runs the compiled CLI when the project is built, else the TypeScript sources through tsx (a dev clone).
const fs = require('node:fs');
const path = require('node:path');

const built = path.join(__dirname, '..', 'dist', 'core', 'cli', 'main.js');
let cli;
if (fs.existsSync(built)) {
  cli = require(built);
} else {
  try {
    require('tsx/cjs');
  } catch {
    process.stderr.write('ReplicaDesk is not built. Run "npm run build" first.\n');
    process.exit(1);
  }
  cli = require(path.join(__dirname, '..', 'core', 'cli', 'main.ts'));
}
cli.main(process.argv.slice(2)).then((code) => process.exit(code));
