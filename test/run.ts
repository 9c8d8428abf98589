/**
 * `npm test`: type-check, build what the tests serve, start the shared real servers once, run every test
 * file with node's test runner, stop the servers. `--only unit|integration|browser` narrows the run.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SUITE_ENV, startSuite } from './servers/suite';

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const skipBuild = args.includes('--no-build');
const kinds = only ? [only] : ['unit', 'integration', 'browser'];

function sh(cmd: string, cmdArgs: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function findTests(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findTests(p));
    else if (/\.test\.tsx?$/.test(e.name)) out.push(path.relative(root, p));
  }
  return out.sort();
}

async function phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  process.stdout.write(`\n== ${name}\n`);
  const r = await fn();
  process.stdout.write(`== ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return r;
}

async function main(): Promise<number> {
  if (!skipBuild) {
    const build = path.join(root, 'scripts', 'build.js');
    if ((await phase('build (tsc -b, preload, renderer)', () => sh(process.execPath, [build]))) !== 0) return 1;
  }
  const files = kinds.flatMap((k) => findTests(path.join(root, 'test', k)));
  if (files.length === 0) {
    process.stderr.write('No test files found.\n');
    return 1;
  }
  const needServers = files.some((f) => !f.startsWith(path.join('test', 'unit')));
  const suite = needServers ? await phase('start servers (MariaDB x2, PostgreSQL x2)', () => startSuite()) : undefined;
  try {
    const env = { ...process.env, ...(suite ? { [SUITE_ENV]: JSON.stringify(suite.info) } : {}) };
    return await phase(`run ${files.length} test files`, () =>
      sh(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-timeout=600000', ...files], env),
    );
  } finally {
    if (suite) await phase('stop servers', () => suite.stop());
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`Test run failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
