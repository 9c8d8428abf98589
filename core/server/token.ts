import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readPrivateFile, writePrivateFile } from '../secrets/private-file';

export const TOKEN_FILE = 'api-token';

/**
 * The headless API token: random, kept 0600 in the data dir so a restarted service (or a systemd unit)
 * keeps the same URL; `rotate` makes a new one.
 */
export function loadOrCreateToken(dataDir: string, rotate = false): string {
  const file = path.join(dataDir, TOKEN_FILE);
  if (!rotate && fs.existsSync(file)) {
    const token = readPrivateFile(file).trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(token)) return token;
  }
  const token = crypto.randomBytes(32).toString('base64url');
  writePrivateFile(file, token + '\n');
  return token;
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response timings. */
export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
