import fs from 'node:fs';
import path from 'node:path';
import { ReplicaDeskError } from '../errors';

/**
 * Writes a file readable only by its owner. Written to a temp name with mode 0600 and renamed, so the
 * secret is never visible with wider permissions, not even for an instant.
 */
export function writePrivateFile(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** Reads a private file, refusing one that group or others can read (on POSIX systems). */
export function readPrivateFile(file: string): string {
  if (process.platform !== 'win32') {
    const mode = fs.statSync(file).mode & 0o077;
    if (mode !== 0) {
      throw new ReplicaDeskError(
        'PRIVATE_FILE_EXPOSED',
        `${file} can be read by other users (mode ${(fs.statSync(file).mode & 0o777).toString(8)}). Run: chmod 600 ${file}`,
        { file },
      );
    }
  }
  return fs.readFileSync(file, 'utf8');
}
