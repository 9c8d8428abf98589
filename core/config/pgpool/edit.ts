import fs from 'node:fs';
import { ReplicaDeskError } from '../../errors';
import { unifiedDiff } from '../mycnf/diff';
import { type WrittenFile, writeFileAtomic } from '../mycnf/write';
import { type ParamSpec, resolveParamName } from './catalog';
import { type ConfLine, type LineEnding, PgpoolConfDocument, type SettingLine, parseLine, quoteValue } from './document';
import { type PgpoolProblem, validatePgpoolDocument } from './validate';
import { parseParamValue, sameValue } from './values';

/** The fields of one numbered backend block (backend_hostnameN, backend_portN, …). */
export interface BackendFields {
  hostname?: string;
  port?: number | string;
  weight?: number | string;
  dataDirectory?: string;
  flag?: string;
  applicationName?: string;
}

/**
 * pgpool.conf edits as operations. Values are given as pgpool sees them (no quotes); the editor quotes strings.
 * - set: the deciding (last) line of `key` gets the new value in place; a missing key goes right after its
 *   commented-out sample line (`#key = …`) when there is one, else at the end of the file;
 * - remove: every line setting `key` (pgpool then uses the default);
 * - add-backend: a new block after the last backend block, numbered after the highest one unless `index` is given;
 * - set-backend: the given fields of block N, in place, new fields at the end of that block;
 * - remove-backend: every backend_*N line of block N and the indented comment lines right under them.
 */
export type PgpoolEdit =
  | { op: 'set'; key: string; value: string | number | boolean }
  | { op: 'remove'; key: string }
  | { op: 'add-backend'; backend: BackendFields & { hostname: string; port: number | string }; index?: number }
  | { op: 'set-backend'; index: number; backend: BackendFields }
  | { op: 'remove-backend'; index: number };

export type PgpoolNeeds = 'none' | 'reload' | 'restart';

export interface PgpoolPlan {
  file: string;
  edits: PgpoolEdit[];
  before: PgpoolConfDocument;
  after: PgpoolConfDocument;
  /** Unified diff of the file, '' when nothing changes. */
  diff: string;
  /**
   * Validation of the file as it will be, line numbers in that file. Problems on lines the edits wrote (or of
   * the edits themselves) have `introduced: true` and stop applyPgpoolPlan; older ones are only reported.
   */
  problems: (PgpoolProblem & { introduced: boolean })[];
  /** What pgpool (or ReplicaDesk's fan-out) needs to pick up the change, from the catalog. */
  needs: PgpoolNeeds;
  /** Keys whose effective value changes, with what each needs. */
  changed: { key: string; needs: Exclude<PgpoolNeeds, 'none'> }[];
}

const BACKEND_FIELDS: [keyof BackendFields, string][] = [
  ['hostname', 'backend_hostname'],
  ['port', 'backend_port'],
  ['weight', 'backend_weight'],
  ['dataDirectory', 'backend_data_directory'],
  ['flag', 'backend_flag'],
  ['applicationName', 'backend_application_name'],
];
const BACKEND_LINE = /^backend_(?:hostname|port|weight|data_directory|flag|application_name)(\d+)$/;
/** pgpool reads these of an existing node only at start: a reload can add a node but not change one. */
const RESTART_IF_NODE_EXISTED = new Set(['backend_hostname', 'backend_port', 'backend_data_directory', 'backend_flag']);

/** Mutable working copy: lines plus a mark for every line an edit wrote. */
class Work {
  readonly lines: ConfLine[];
  readonly touched: boolean[];
  readonly eol: '\n' | '\r\n';
  constructor(doc: PgpoolConfDocument) {
    this.lines = [...doc.lines];
    this.touched = this.lines.map(() => false);
    let crlf = 0;
    let lf = 0;
    for (const l of this.lines) {
      if (l.eol === '\r\n') crlf++;
      else if (l.eol === '\n') lf++;
    }
    this.eol = crlf > lf ? '\r\n' : '\n';
  }

  lastIndexOf(key: string): number {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const l = this.lines[i]!;
      if (l.kind === 'setting' && l.key === key) return i;
    }
    return -1;
  }

  replaceValue(i: number, valueText: string): void {
    const l = this.lines[i] as SettingLine;
    this.lines[i] = parseLine(l.raw.slice(0, l.valueStart) + valueText + l.raw.slice(l.valueEnd), l.eol);
    this.touched[i] = true;
  }

  /** Inserts whole lines before index `at`, giving the previous last line an ending if it had none. */
  insert(at: number, raws: string[]): void {
    if (at > 0 && at === this.lines.length && this.lines[at - 1]!.eol === '') {
      this.lines[at - 1] = { ...this.lines[at - 1]!, eol: this.eol } as ConfLine;
    }
    const eol: LineEnding = this.eol;
    this.lines.splice(at, 0, ...raws.map((r) => parseLine(r, eol)));
    this.touched.splice(at, 0, ...raws.map(() => true));
  }

  remove(indexes: number[]): void {
    for (const i of [...indexes].sort((a, b) => b - a)) {
      this.lines.splice(i, 1);
      this.touched.splice(i, 1);
    }
  }

  /** After line i, the indented comment lines that explain it (pgpool's sample puts them under the setting). */
  explanationEnd(i: number): number {
    let j = i + 1;
    while (j < this.lines.length && this.lines[j]!.kind === 'comment' && /^[ \t]+#/.test(this.lines[j]!.raw)) j++;
    return j;
  }
}

function formatValue(spec: ParamSpec | undefined, value: string, keepQuoted: boolean | undefined): string {
  const quote = keepQuoted ?? (!spec || spec.type === 'string' || spec.type === 'list' || spec.type === 'enum');
  return quote ? quoteValue(value) : value;
}

function valueString(v: string | number | boolean): string {
  return typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v);
}

/** The value each key ends up with (last line wins), typed when the catalog knows the key. */
function effective(lines: readonly ConfLine[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of lines) if (l.kind === 'setting') out.set(l.key, l.value);
  return out;
}

function sameSetting(key: string, a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const r = resolveParamName(key);
  if (!r) return a === b;
  const pa = parseParamValue(r.spec, a);
  const pb = parseParamValue(r.spec, b);
  return pa.ok && pb.ok ? sameValue(pa.value, pb.value) : a === b;
}

function backendIndexes(lines: readonly ConfLine[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  lines.forEach((l, i) => {
    if (l.kind !== 'setting') return;
    const m = BACKEND_LINE.exec(l.key);
    if (!m) return;
    const n = Number(m[1]);
    if (!out.has(n)) out.set(n, []);
    out.get(n)!.push(i);
  });
  return out;
}

type EditError = { message: string; line?: number };

function applySet(w: Work, key: string, raw: string, problems: EditError[]): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
    problems.push({ message: `"${key}" is not a valid parameter name` });
    return;
  }
  // An unknown name is still written into the plan, so validation can point at its line; a written unknown
  // name is an error (a typo the user just made), unlike an old one in the file, which is only a warning.
  const resolved = key === 'include' ? undefined : resolveParamName(key);
  const at = w.lastIndexOf(key);
  let text: string;
  try {
    text = formatValue(resolved?.spec, raw, at >= 0 ? (w.lines[at] as SettingLine).quoted || undefined : undefined);
  } catch (err) {
    problems.push({ message: `${key}: ${(err as Error).message}`, line: at >= 0 ? at + 1 : undefined });
    return;
  }
  if (at >= 0) {
    w.replaceValue(at, text);
    return;
  }
  // Next to pgpool's commented-out sample line, where a DBA would look for it.
  const sample = new RegExp(`^\\s*#\\s*${key}\\s*=`);
  let where = -1;
  for (let i = w.lines.length - 1; i >= 0; i--) {
    if (w.lines[i]!.kind === 'comment' && sample.test(w.lines[i]!.raw)) {
      where = w.explanationEnd(i);
      break;
    }
  }
  w.insert(where >= 0 ? where : w.lines.length, [`${key} = ${text}`]);
}

function applyRemove(w: Work, key: string): void {
  const idx: number[] = [];
  w.lines.forEach((l, i) => {
    if (l.kind === 'setting' && l.key === key) idx.push(i);
  });
  w.remove(idx);
}

function fieldLines(n: number, fields: BackendFields, problems: EditError[]): [string, string][] {
  const out: [string, string][] = [];
  for (const [field, base] of BACKEND_FIELDS) {
    const v = fields[field];
    if (v === undefined) continue;
    const key = `${base}${n}`;
    try {
      out.push([key, formatValue(resolveParamName(key)?.spec, String(v), undefined)]);
    } catch (err) {
      problems.push({ message: `${key}: ${(err as Error).message}` });
    }
  }
  return out;
}

function applyAddBackend(w: Work, fields: BackendFields, index: number | undefined, problems: EditError[]): void {
  const blocks = backendIndexes(w.lines);
  const n = index ?? (blocks.size ? Math.max(...blocks.keys()) + 1 : 0);
  if (!Number.isInteger(n) || n < 0 || n > 127) {
    problems.push({ message: `backend number ${n} is outside 0 to 127` });
    return;
  }
  if (blocks.has(n)) {
    problems.push({ message: `backend ${n} already exists (line ${blocks.get(n)![0]! + 1}); use set-backend to change it`, line: blocks.get(n)![0]! + 1 });
    return;
  }
  if (fields.hostname === undefined || fields.port === undefined) {
    problems.push({ message: `a new backend needs a host name and a port` });
    return;
  }
  const lines = fieldLines(n, fields, problems).map(([k, v]) => `${k} = ${v}`);
  if (!lines.length) return;
  let at: number;
  const all = [...blocks.values()].flat();
  if (all.length) at = w.explanationEnd(Math.max(...all));
  else {
    // No active block yet: after pgpool's commented-out sample block, else at the end.
    at = w.lines.length;
    for (let i = w.lines.length - 1; i >= 0; i--) {
      if (w.lines[i]!.kind === 'comment' && /^\s*#\s*backend_[a-z_]+\d+\s*=/.test(w.lines[i]!.raw)) {
        at = w.explanationEnd(i);
        break;
      }
    }
  }
  const prev = at > 0 ? w.lines[at - 1] : undefined;
  if (prev && prev.kind !== 'blank') lines.unshift('');
  const next = w.lines[at];
  if (next && next.kind !== 'blank') lines.push('');
  w.insert(at, lines);
}

function applySetBackend(w: Work, n: number, fields: BackendFields, problems: EditError[]): void {
  const blocks = backendIndexes(w.lines);
  const block = blocks.get(n);
  if (!block) {
    problems.push({ message: `there is no backend ${n} to change (backends: ${[...blocks.keys()].join(', ') || 'none'})` });
    return;
  }
  const missing: string[] = [];
  for (const [key, text] of fieldLines(n, fields, problems)) {
    const at = w.lastIndexOf(key);
    if (at >= 0) w.replaceValue(at, (w.lines[at] as SettingLine).quoted && !text.startsWith("'") ? quoteValue(text) : text);
    else missing.push(`${key} = ${text}`);
  }
  if (missing.length) w.insert(w.explanationEnd(Math.max(...backendIndexes(w.lines).get(n)!)), missing);
}

function applyRemoveBackend(w: Work, n: number, problems: EditError[]): void {
  const block = backendIndexes(w.lines).get(n);
  if (!block) {
    problems.push({ message: `there is no backend ${n} to remove` });
    return;
  }
  const idx: number[] = [];
  for (const i of block) for (let j = i; j < w.explanationEnd(i); j++) idx.push(j);
  w.remove([...new Set(idx)]);
}

/**
 * Plans edits of one pgpool.conf: nothing is written. The result says exactly what would change (diff), what
 * would be wrong afterwards (with lines), and whether pgpool needs a reload or a restart to pick it up.
 */
export function planPgpoolEdits(doc: PgpoolConfDocument, edits: PgpoolEdit[]): PgpoolPlan {
  const w = new Work(doc);
  const editProblems: EditError[] = [];
  const addedNodes = new Set<number>();
  const existedNodes = new Set(backendIndexes(doc.lines).keys());
  for (const e of edits) {
    switch (e.op) {
      case 'set':
        applySet(w, e.key, valueString(e.value), editProblems);
        break;
      case 'remove':
        applyRemove(w, e.key);
        break;
      case 'add-backend': {
        const before = new Set(backendIndexes(w.lines).keys());
        applyAddBackend(w, e.backend, e.index, editProblems);
        for (const k of backendIndexes(w.lines).keys()) if (!before.has(k)) addedNodes.add(k);
        break;
      }
      case 'set-backend':
        applySetBackend(w, e.index, e.backend, editProblems);
        break;
      case 'remove-backend':
        applyRemoveBackend(w, e.index, editProblems);
        break;
    }
  }
  const after = new PgpoolConfDocument(doc.path, w.lines, doc.encoding);
  const problems: PgpoolPlan['problems'] = [];
  for (const p of editProblems) problems.push({ severity: 'error', file: doc.path, line: p.line ?? 0, message: p.message, introduced: true });
  for (const p of validatePgpoolDocument(after)) {
    const introduced = p.line > 0 && w.touched[p.line - 1] === true;
    problems.push({ ...p, severity: introduced ? 'error' : p.severity, introduced });
  }

  const a = effective(doc.lines);
  const b = effective(after.lines);
  const changed: PgpoolPlan['changed'] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if (sameSetting(key, a.get(key), b.get(key))) continue;
    const r = resolveParamName(key);
    let needs: 'reload' | 'restart' = !r || r.spec.context === 'restart' ? 'restart' : 'reload';
    if (r && r.index !== undefined && RESTART_IF_NODE_EXISTED.has(r.spec.name) && existedNodes.has(r.index) && !addedNodes.has(r.index)) needs = 'restart';
    changed.push({ key, needs });
  }
  const needs: PgpoolNeeds = changed.some((c) => c.needs === 'restart') ? 'restart' : changed.length ? 'reload' : 'none';
  const beforeText = doc.toString();
  const afterText = after.toString();
  return { file: doc.path, edits, before: doc, after, diff: unifiedDiff(beforeText, afterText, doc.path), problems, needs, changed };
}

/** Reads a pgpool.conf for editing (any encoding kept byte for byte). */
export function loadPgpoolConf(file: string): PgpoolConfDocument {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new ReplicaDeskError('PGPOOL_CONF_UNREADABLE', `The pgpool configuration file ${file} cannot be read (${(err as Error).message}).`, { file });
  }
  return PgpoolConfDocument.fromBytes(bytes, file);
}

/**
 * Writes a plan: atomically, with a `.bak` copy of the old file, and only if the file on disk is still what
 * was planned from. Refuses plans whose edits introduce errors.
 */
export async function applyPgpoolPlan(plan: PgpoolPlan, opts: { backup?: boolean; now?: Date } = {}): Promise<WrittenFile | undefined> {
  const bad = plan.problems.filter((p) => p.introduced && p.severity === 'error');
  if (bad.length) {
    const list = bad.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`).join('; ');
    throw new ReplicaDeskError('PGPOOL_CONF_INVALID_EDIT', `Nothing was written: ${list}. Correct the value and try again.`, { file: plan.file, problems: bad });
  }
  if (!plan.diff) return undefined;
  try {
    return await writeFileAtomic(plan.file, plan.after.toBytes(), { expected: plan.before.toBytes(), ...opts });
  } catch (err) {
    if (err instanceof ReplicaDeskError && err.code === 'MYCNF_CHANGED_ON_DISK') {
      throw new ReplicaDeskError('PGPOOL_CONF_CHANGED_ON_DISK', `${plan.file} was changed by someone else since it was read. Nothing was written; read it again and redo the edit.`, { file: plan.file });
    }
    if (err instanceof ReplicaDeskError) throw err;
    const e = err as NodeJS.ErrnoException;
    const hint = e.code === 'EACCES' || e.code === 'EPERM' ? ' Run ReplicaDesk as an administrator, or make the change by hand from the preview.' : '';
    throw new ReplicaDeskError('PGPOOL_CONF_WRITE_FAILED', `Could not write ${plan.file}: ${e.message}.${hint}`, { file: plan.file });
  }
}
