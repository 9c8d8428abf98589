import { resolveParamName } from './catalog';
import type { PgpoolConfDocument } from './document';
import { parseParamValue } from './values';

/** One thing wrong (or worth knowing) in pgpool.conf, always with the file and the 1-based line. */
export interface PgpoolProblem {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column?: number;
  /** The key as written, when the problem is about a parameter. */
  param?: string;
  message: string;
}

const BACKEND_KEY = /^backend_(hostname|port|weight|data_directory|flag|application_name)(\d+)$/;
const FLAG_WORDS = ['ALLOW_TO_FAILOVER', 'DISALLOW_TO_FAILOVER', 'ALWAYS_PRIMARY'];

/**
 * Checks every line of one pgpool.conf against the catalog: syntax, unknown names, type, range and allowed
 * words, plus the backend blocks (a port without a host name, flags pgpool does not know). Does not follow
 * includes: the editor works on one file at a time.
 */
export function validatePgpoolDocument(doc: PgpoolConfDocument): PgpoolProblem[] {
  const out: PgpoolProblem[] = [];
  const file = doc.path;
  for (const p of doc.problems()) out.push({ severity: 'error', file, line: p.line, column: p.column, message: p.message });
  const backendKeys = new Map<number, Map<string, number>>();
  for (const s of doc.settings()) {
    if (s.key === 'include') continue;
    const resolved = resolveParamName(s.key);
    if (!resolved) {
      out.push({ severity: 'warning', file, line: s.line, param: s.key, message: `"${s.key}" is not a pgpool-II 4.3 parameter (a typo, or a parameter of another version?)` });
      continue;
    }
    const parsed = parseParamValue(resolved.spec, s.value);
    if (!parsed.ok) {
      out.push({ severity: 'error', file, line: s.line, param: s.key, message: `${s.key} ${parsed.message}` });
      continue;
    }
    const m = BACKEND_KEY.exec(s.key);
    if (m) {
      const n = Number(m[2]);
      if (!backendKeys.has(n)) backendKeys.set(n, new Map());
      backendKeys.get(n)!.set(m[1]!, s.line);
      if (m[1] === 'flag') {
        const bad = s.value
          .split('|')
          .map((w) => w.trim())
          .filter((w) => !FLAG_WORDS.includes(w));
        if (bad.length) out.push({ severity: 'error', file, line: s.line, param: s.key, message: `${s.key} has unknown flag "${bad.join('|')}" (expected ${FLAG_WORDS.join(', ')}, joined with |)` });
      }
    }
  }
  for (const [n, fields] of backendKeys) {
    if (!fields.has('hostname') && !fields.has('port')) continue;
    if (!fields.has('port')) {
      const line = fields.get('hostname')!;
      out.push({ severity: 'error', file, line, param: `backend_hostname${n}`, message: `backend ${n} has a host name but no backend_port${n}` });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}
