/**
 * Makes a log record safe and bounded before it is written: credentials never reach the log (whatever a
 * caller passes), Errors become plain data, and a runaway value cannot produce a megabyte line.
 */
export const REDACTED = '[redacted]';

/** Field names whose values are secrets wherever they appear, at any depth. */
const SECRET_KEY = /pass(word|wd|phrase)?$|secret|token|authorization|credential|cookie|private[-_]?key|sealed|^pwd$/i;

/** `mysql://user:pw@host` and `postgres://user:pw@host`: the password part of a URL. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]+:)[^@/\s]+@/gi;

export interface RedactLimits {
  maxString: number;
  maxDepth: number;
  maxKeys: number;
}

export const DEFAULT_LIMITS: RedactLimits = { maxString: 4000, maxDepth: 6, maxKeys: 100 };

export function redactString(s: string, max = DEFAULT_LIMITS.maxString): string {
  const clean = s.replace(URL_PASSWORD, `$1${REDACTED}@`);
  return clean.length > max ? `${clean.slice(0, max)}…(${clean.length - max} more characters)` : clean;
}

export function redact(value: unknown, limits: RedactLimits = DEFAULT_LIMITS, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactString(value, limits.maxString);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? String(value) : value;
  if (seen.has(value)) return '[circular]';
  if (depth >= limits.maxDepth) return '[too deep]';
  seen.add(value);
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; details?: unknown };
    const out: Record<string, unknown> = { name: e.name, message: redactString(e.message, limits.maxString) };
    if (e.code !== undefined) out.code = e.code;
    if (e.details !== undefined) out.details = redact(e.details, limits, depth + 1, seen);
    if (e.stack) out.stack = redactString(e.stack, limits.maxString);
    return out;
  }
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    const items = value.slice(0, limits.maxKeys).map((v) => redact(v, limits, depth + 1, seen));
    if (value.length > limits.maxKeys) items.push(`…(${value.length - limits.maxKeys} more)`);
    return items;
  }
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    if (n++ >= limits.maxKeys) {
      out['…'] = 'more keys left out';
      break;
    }
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '' ? REDACTED : redact(v, limits, depth + 1, seen);
  }
  return out;
}
