#!/usr/bin/env node
'use strict';
// Entry for `npm test`: runs test/run.ts under tsx so the runner itself is type-checked TypeScript.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'test', 'run.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
