import fs from 'node:fs';
import path from 'node:path';
import { ReplicaDeskError } from '../../errors';
import { PGPOOL_PARAMS, type ParamSpec, paramSpec, resolveParamName } from './catalog';
import { type LineProblem, PgpoolConfDocument } from './document';
import { type ParamValue, parseParamValue, sameValue } from './values';

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/** Something in the user's files that ReplicaDesk will not (or cannot) do as written, with where it is. */
export interface ConfDiagnostic {
  severity: DiagnosticSeverity;
  file: string;
  /** 1-based. */
  line: number;
  column?: number;
  /** The key as written (e.g. backend_port1). */
  param?: string;
  kind: 'syntax' | 'unknown' | 'invalid-value' | 'unsupported' | 'ignored' | 'include';
  message: string;
}

export interface SettingSource {
  value: ParamValue;
  /** As written, quotes removed. Secret parameters still hold the real text here; never log it. */
  raw: string;
  file: string;
  line: number;
}

/**
 * The typed content of a pgpool.conf (and its includes). Values not set in the files come from the catalog
 * defaults. Every key is kept as written, so `backend_port1` is its own entry.
 */
export class PgpoolSettings {
  constructor(
    readonly documents: readonly PgpoolConfDocument[],
    readonly set: ReadonlyMap<string, SettingSource>,
    readonly diagnostics: readonly ConfDiagnostic[],
  ) {}

  /** The value of a global parameter (or of `nameN` when index is given, falling back to the global value for scope "both"). */
  get(name: string, index?: number): ParamValue {
    const spec = paramSpec(name);
    if (!spec) throw new Error(`unknown pgpool parameter ${name}`);
    if (index !== undefined) {
      const own = this.set.get(`${name}${index}`);
      if (own) return own.value;
      if (spec.scope === 'node') return spec.default;
    }
    return this.set.get(name)?.value ?? spec.default;
  }

  bool(name: string, index?: number): boolean {
    return this.get(name, index) as boolean;
  }
  int(name: string, index?: number): number {
    return this.get(name, index) as number;
  }
  str(name: string, index?: number): string {
    return this.get(name, index) as string;
  }
  list(name: string): string[] {
    return this.get(name) as string[];
  }

  isSet(key: string): boolean {
    return this.set.has(key);
  }

  source(key: string): SettingSource | undefined {
    return this.set.get(key);
  }

  /** Node numbers that have a backend_hostnameN or backend_portN, ascending. */
  backendIndexes(): number[] {
    const out = new Set<number>();
    for (const key of this.set.keys()) {
      const m = /^backend_(hostname|port)(\d+)$/.exec(key);
      if (m) out.add(Number(m[2]));
    }
    return [...out].sort((a, b) => a - b);
  }

  errors(): ConfDiagnostic[] {
    return this.diagnostics.filter((d) => d.severity === 'error');
  }
}

export interface ConfFileReader {
  /** Absolute path in, bytes out; throws like fs.readFileSync. */
  read(file: string): Uint8Array;
}

export const fsReader: ConfFileReader = { read: (file) => fs.readFileSync(file) };

const MAX_INCLUDE_DEPTH = 10;

function describeValue(spec: ParamSpec, v: ParamValue): string {
  if (spec.secret) return '(hidden)';
  return Array.isArray(v) ? `'${v.join(spec.separator ?? ',')}'` : String(v);
}

/** Types the settings of already-parsed documents (the first is the main file; includes are processed in place). */
export function readPgpoolSettings(mainFile: string, reader: ConfFileReader = fsReader): PgpoolSettings {
  const documents: PgpoolConfDocument[] = [];
  const set = new Map<string, SettingSource>();
  const diagnostics: ConfDiagnostic[] = [];

  const load = (file: string, depth: number, from?: { file: string; line: number }): void => {
    let bytes: Uint8Array;
    try {
      bytes = reader.read(file);
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`;
      if (!from) throw new ReplicaDeskError('PGPOOL_CONF_UNREADABLE', `The pgpool configuration file ${file} ${why}.`, { file });
      diagnostics.push({ severity: 'error', file: from.file, line: from.line, kind: 'include', message: `the included file ${file} ${why}` });
      return;
    }
    const doc = PgpoolConfDocument.fromBytes(bytes, file);
    documents.push(doc);
    for (const p of doc.problems()) diagnostics.push(syntaxDiagnostic(p));
    for (const s of doc.settings()) {
      if (s.key === 'include') {
        const target = path.resolve(path.dirname(file), s.value);
        if (depth >= MAX_INCLUDE_DEPTH) {
          diagnostics.push({ severity: 'error', file, line: s.line, kind: 'include', param: 'include', message: `includes are nested more than ${MAX_INCLUDE_DEPTH} deep (a file including itself?)` });
        } else load(target, depth + 1, { file, line: s.line });
        continue;
      }
      const resolved = resolveParamName(s.key);
      if (!resolved) {
        diagnostics.push({ severity: 'warning', file, line: s.line, param: s.key, kind: 'unknown', message: `"${s.key}" is not a pgpool-II 4.3 parameter (a typo, or a parameter of another version?); it is not used` });
        continue;
      }
      const { spec } = resolved;
      const parsed = parseParamValue(spec, s.value);
      if (!parsed.ok) {
        diagnostics.push({ severity: 'error', file, line: s.line, param: s.key, kind: 'invalid-value', message: `${s.key} ${parsed.message}` });
        continue;
      }
      set.set(s.key, { value: parsed.value, raw: s.value, file, line: s.line });
      if (spec.support !== 'used') {
        const differs = !sameValue(parsed.value, spec.default);
        const what = spec.support === 'unsupported' ? 'is not supported by ReplicaDesk' : 'has no effect in ReplicaDesk';
        diagnostics.push({
          severity: spec.support === 'unsupported' && differs ? 'warning' : 'info',
          file,
          line: s.line,
          param: s.key,
          kind: spec.support,
          message: `${s.key} = ${describeValue(spec, parsed.value)} ${what}${spec.note ? `: ${spec.note}` : ''}`,
        });
      }
    }
  };

  load(path.resolve(mainFile), 0);
  return new PgpoolSettings(documents, set, diagnostics);
}

function syntaxDiagnostic(p: LineProblem): ConfDiagnostic {
  return { severity: 'error', file: p.file, line: p.line, column: p.column, kind: 'syntax', message: p.message };
}

/** The names ReplicaDesk acts on, for documentation and the editor. */
export function usedParameters(): string[] {
  return PGPOOL_PARAMS.filter((p) => p.support === 'used').map((p) => p.name);
}
