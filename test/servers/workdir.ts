import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One temp folder for a run's servers. World-traversable (0755) because PostgreSQL runs as the postgres
 * user when we are root and must reach its own data directory inside.
 */
export function makeRunDir(prefix = 'rd-harness-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

/** Kill functions run synchronously if the process exits without stopping its servers. */
const onExit = new Set<() => void>();
let hooked = false;
export function killOnExit(fn: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const f of onExit) {
        try {
          f();
        } catch {
          /* best effort while exiting */
        }
      }
    });
  }
  onExit.add(fn);
  return () => onExit.delete(fn);
}
