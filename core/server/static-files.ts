import fs from 'node:fs';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Resolves a URL path to a file inside `root`, or undefined. Paths that climb out of root (.., encoded
 * slashes, NUL) are refused; unknown paths fall back to index.html so the single-page app can route.
 */
export function resolveStatic(root: string, urlPath: string): { file: string; type: string } | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const rootResolved = path.resolve(root);
  const candidate = path.resolve(rootResolved, '.' + path.posix.normalize('/' + decoded));
  if (candidate !== rootResolved && !candidate.startsWith(rootResolved + path.sep)) return undefined;
  let file = candidate;
  if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    if (path.extname(decoded)) return undefined;
    file = path.join(rootResolved, 'index.html');
    if (!fs.existsSync(file)) return undefined;
  }
  return { file, type: TYPES[path.extname(file)] ?? 'application/octet-stream' };
}
