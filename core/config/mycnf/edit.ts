import { ReplicaDeskError } from '../../errors';
import { checkOptionValue } from './catalog';
import { unifiedDiff } from './diff';
import { MyCnfDocument } from './document';
import { booleanPrefix, canonicalName, sameGroup } from './names';
import { type CnfLine, type OptionLine, encodeValue, optionLine, parseLines } from './syntax';
import type { MyCnfTree } from './tree';

/**
 * Edits as operations, so a wizard can show exactly what will change before anything is written:
 * - set: the option ends up with exactly this value in the group (the last occurrence is rewritten in place,
 *   keeping its alignment and comment; other occurrences in that group are removed);
 * - add: one more occurrence (for repeatable options such as replicate-do-db); nothing if already there;
 * - remove: every occurrence in the group, or only those with the given value.
 * A value of null writes the key alone ("log-bin", "skip-name-resolve").
 */
export type MyCnfEdit =
  | { op: 'set'; group: string; key: string; value: string | null }
  | { op: 'add'; group: string; key: string; value: string | null }
  | { op: 'remove'; group: string; key: string; value?: string | null };

export interface MyCnfFileChange {
  file: string;
  before: string;
  after: string;
  diff: string;
}

export interface MyCnfPlan {
  edits: MyCnfEdit[];
  /** Only files whose text changes. */
  changes: MyCnfFileChange[];
  /** All changes as one unified diff. */
  diff: string;
  /** Things the user should know, e.g. an occurrence in another group read later that overrides the edit. */
  warnings: string[];
  /** The tree as it will be after writing (for re-reading values). */
  result: MyCnfTree;
}

export interface PlanOptions {
  /** File that receives a new group when the group exists nowhere (default: the root file). */
  newGroupFile?: string;
  /** Groups the program reads, to warn when another group overrides an edited value. */
  readGroups?: readonly string[];
}

interface Pos {
  file: string;
  index: number;
}

/** Group header line index for every line (−1 before the first header). */
function sectionHeaders(lines: readonly CnfLine[]): number[] {
  const out: number[] = [];
  let cur = -1;
  lines.forEach((l, i) => {
    if (l.kind === 'group') cur = i;
    out.push(cur);
  });
  return out;
}

function inGroup(lines: readonly CnfLine[], headers: number[], i: number, group: string): boolean {
  const h = headers[i]!;
  const hl = h >= 0 ? lines[h] : undefined;
  return hl?.kind === 'group' && sameGroup(hl.group, group);
}

/** A new "key = value" line laid out like a neighbouring option (Debian pads names so "=" lines up). */
function formatNew(key: string, value: string | null, like: OptionLine | undefined, aligned = false): string {
  if (value === null) return key;
  const v = encodeValue(value);
  const eq = like ? like.prefix.indexOf('=') : -1;
  if (!like || eq < 0) return `${key} = ${v}`;
  const before = like.prefix.slice(0, eq);
  const width = eq - /^\s*/.exec(before)![0].length;
  const pad = aligned || /\S\s{2,}$/.test(before);
  const left = pad && /\s$/.test(before) && key.length < width ? key.padEnd(width) : /\s$/.test(before) ? key + ' ' : key;
  return `${left}=${like.prefix.slice(eq + 1)}${v}`;
}

function rewrite(line: OptionLine, key: string, value: string | null): OptionLine {
  const sameName = canonicalName(line.name) === canonicalName(key) && !booleanPrefix(line.name);
  let raw: string;
  if (sameName && value !== null && line.value !== null) raw = line.prefix + encodeValue(value) + line.suffix;
  else {
    const indent = /^\s*/.exec(line.raw)![0];
    const name = sameName ? line.name : key;
    raw = indent + (value === null ? name : formatNew(name, value, line.value !== null ? line : undefined)) + (line.suffix.trim() ? line.suffix : '');
  }
  return optionLine(raw, line.group!, line.eol);
}

function commentedTemplate(l: CnfLine, key: string): boolean {
  if (l.kind !== 'comment') return false;
  const body = l.raw.trim().replace(/^[#;]+\s*/, '');
  const m = /^([A-Za-z0-9_-]+)\s*(=|$)/.exec(body);
  return !!m && canonicalName(m[1]!) === canonicalName(key);
}

class Editor {
  docs = new Map<string, CnfLine[]>();
  constructor(
    private tree: MyCnfTree,
    private opts: PlanOptions,
  ) {
    for (const f of tree.files) this.docs.set(f.path, [...f.doc.lines]);
  }

  /** Whether the file pads option names so that "=" lines up (then new lines do too). */
  private aligned(file: string): boolean {
    return this.docs.get(file)!.some((l) => l.kind === 'option' && /\S\s{2,}=/.test(l.prefix));
  }

  private eolOf(file: string): '\n' | '\r\n' {
    return this.tree.file(file)!.doc.lineEnding;
  }

  /** Files in reading order (duplicates dropped). */
  private order(): string[] {
    return [...new Set(this.tree.files.map((f) => f.path))];
  }

  private occurrences(group: string, key: string, value: string | null | undefined, withBooleanForms: boolean): Pos[] {
    const want = canonicalName(key);
    const out: Pos[] = [];
    for (const file of this.order()) {
      const lines = this.docs.get(file)!;
      lines.forEach((l, index) => {
        if (l.kind !== 'option' || l.group === null || !sameGroup(l.group, group)) return;
        const b = booleanPrefix(l.name);
        const hit = canonicalName(l.name) === want || (withBooleanForms && b?.option === want);
        if (hit && (value === undefined || l.value === value)) out.push({ file, index });
      });
    }
    return out;
  }

  private insertLine(pos: Pos, raw: string, group: string): void {
    const lines = this.docs.get(pos.file)!;
    const eol = this.eolOf(pos.file);
    // The line we insert after may be the last one, without a line ending: give it one.
    const prev = lines[pos.index - 1];
    if (prev && prev.eol === '') lines[pos.index - 1] = { ...prev, eol };
    lines.splice(pos.index, 0, optionLine(raw, group, eol));
  }

  /** Where a new occurrence of key goes, and a neighbour to copy the layout from. */
  private insertionPoint(group: string, key: string): { pos: Pos; like?: OptionLine } | undefined {
    let fallback: { pos: Pos; like?: OptionLine } | undefined;
    const files = this.order();
    // Prefer the root file's section, then the last section anywhere.
    const ranked = [this.tree.root, ...files.filter((f) => f !== this.tree.root).reverse()].filter((f) => this.docs.has(f));
    for (const file of ranked) {
      const lines = this.docs.get(file)!;
      const headers = sectionHeaders(lines);
      let lastOpt = -1;
      let lastHeader = -1;
      let template = -1;
      let like: OptionLine | undefined;
      lines.forEach((l, i) => {
        if (l.kind === 'group' && sameGroup(l.group, group)) lastHeader = i;
        if (!inGroup(lines, headers, i, group)) return;
        if (headers[i] !== lastHeader) return;
        if (l.kind === 'option') {
          lastOpt = i;
          like = l;
        }
        if (commentedTemplate(l, key)) template = i;
      });
      if (lastHeader < 0) continue;
      const at = template >= 0 ? template + 1 : lastOpt >= 0 ? lastOpt + 1 : lastHeader + 1;
      const hit = { pos: { file, index: at }, ...(like ? { like } : {}) };
      if (file === this.tree.root || template >= 0) return hit;
      fallback ??= hit;
    }
    return fallback;
  }

  private appendGroup(group: string, key: string, value: string | null): void {
    const file = this.opts.newGroupFile ?? this.tree.root;
    const lines = this.docs.get(file);
    if (!lines) throw new ReplicaDeskError('MYCNF_NO_SUCH_FILE', `${file} is not part of this option file tree.`, { file });
    const eol = this.eolOf(file);
    const last = lines[lines.length - 1];
    if (last && last.eol === '') lines[lines.length - 1] = { ...last, eol };
    const header = parseLines(`[${group}]`).lines[0]!;
    if (lines.length && lines[lines.length - 1]!.kind !== 'blank') lines.push({ kind: 'blank', raw: '', eol });
    lines.push({ ...header, eol });
    lines.push(optionLine(formatNew(key, value, undefined), group, eol));
  }

  set(group: string, key: string, value: string | null): void {
    const occ = this.occurrences(group, key, undefined, true);
    if (occ.length === 0) return this.insert(group, key, value);
    const last = occ[occ.length - 1]!;
    const lines = this.docs.get(last.file)!;
    const cur = lines[last.index] as OptionLine;
    if (!(canonicalName(cur.name) === canonicalName(key) && !booleanPrefix(cur.name) && cur.value === value)) {
      lines[last.index] = rewrite(cur, key, value);
    }
    // Remove the others, last first so indexes stay valid.
    for (const p of occ.slice(0, -1).reverse()) this.docs.get(p.file)!.splice(p.index, 1);
  }

  add(group: string, key: string, value: string | null): void {
    if (this.occurrences(group, key, value, false).length) return;
    const occ = this.occurrences(group, key, undefined, false);
    if (occ.length) {
      const last = occ[occ.length - 1]!;
      const like = this.docs.get(last.file)![last.index] as OptionLine;
      const indent = /^\s*/.exec(like.raw)![0];
      this.insertLine({ file: last.file, index: last.index + 1 }, indent + formatNew(key, value, like.value !== null ? like : undefined, this.aligned(last.file)), group);
      return;
    }
    this.insert(group, key, value);
  }

  private insert(group: string, key: string, value: string | null): void {
    const at = this.insertionPoint(group, key);
    if (!at) return this.appendGroup(group, key, value);
    this.insertLine(at.pos, formatNew(key, value, at.like, this.aligned(at.pos.file)), group);
  }

  remove(group: string, key: string, value: string | null | undefined): number {
    const occ = this.occurrences(group, key, value, value === undefined);
    for (const p of [...occ].reverse()) this.docs.get(p.file)!.splice(p.index, 1);
    return occ.length;
  }
}

/** Computes the result of `edits` without writing anything. Throws MYCNF_INVALID_VALUE for a bad value. */
export function planEdits(tree: MyCnfTree, edits: readonly MyCnfEdit[], opts: PlanOptions = {}): MyCnfPlan {
  const ed = new Editor(tree, opts);
  const warnings: string[] = [];
  for (const e of edits) {
    if (!e.group.trim() || /[\[\]\r\n]/.test(e.group)) throw new ReplicaDeskError('MYCNF_INVALID_GROUP', `"${e.group}" is not a valid group name (write it without brackets, e.g. mysqld).`, { group: e.group });
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(e.key)) throw new ReplicaDeskError('MYCNF_INVALID_KEY', `"${e.key}" is not a valid option name (letters, digits, "-" and "_").`, { key: e.key });
    if (e.op !== 'remove') {
      const why = checkOptionValue(e.key, e.value);
      if (why) throw new ReplicaDeskError('MYCNF_INVALID_VALUE', `[${e.group}] ${e.key} = ${e.value ?? '(no value)'}: ${e.key} ${why}.`, { group: e.group, key: e.key, value: e.value });
    }
    if (e.op === 'set') ed.set(e.group, e.key, e.value);
    else if (e.op === 'add') ed.add(e.group, e.key, e.value);
    else if (ed.remove(e.group, e.key, e.value) === 0) warnings.push(`[${e.group}] ${e.key}${e.value !== undefined ? ` = ${e.value}` : ''} was not set; nothing to remove.`);
  }
  const docs = new Map<string, MyCnfDocument>();
  const changes: MyCnfFileChange[] = [];
  for (const f of tree.files) {
    if (docs.has(f.path)) continue;
    const after = f.doc.withLines(ed.docs.get(f.path)!);
    docs.set(f.path, after);
    const b = f.doc.toString();
    const a = after.toString();
    if (a !== b) changes.push({ file: f.path, before: b, after: a, diff: unifiedDiff(b, a, f.path) });
  }
  const result = tree.withDocs(docs);
  if (opts.readGroups) {
    for (const e of edits) {
      if (e.op !== 'set') continue;
      const eff = result.effective(opts.readGroups, e.key);
      if (eff && !sameGroup(eff.group, e.group) && eff.value !== e.value) {
        warnings.push(`${e.key} is also set to ${eff.value ?? '(no value)'} in [${eff.group}] at ${eff.file}:${eff.line}, which is read later and wins; change or remove it too.`);
      }
    }
  }
  return { edits: [...edits], changes, diff: changes.map((c) => c.diff).join(''), warnings, result };
}
