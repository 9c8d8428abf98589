import { ReplicaDeskError } from '../../errors';
import { unifiedDiff } from '../mycnf/diff';
import { type WrittenFile, writeFileAtomic } from '../mycnf/write';
import type { LineEnding } from './document';
import { type HbaConnType, type HbaMethod, PoolHbaDocument } from './pool-hba';
import type { PgpoolProblem } from './validate';

/** A rule as fields (formatted in pg_hba's sample column layout) or as one line written by the user. */
export type HbaRuleInput =
  | string
  | {
      type: HbaConnType;
      databases: string[];
      users: string[];
      /** CIDR (10.0.0.0/8) or "all"; absent for local rules. */
      address?: string;
      method: HbaMethod;
      options?: Record<string, string>;
    };

/**
 * pool_hba.conf edits. Rules are named by their 1-based line in the file as it was read (what `rules()` reports),
 * so a list of edits made in a UI stays meaningful however earlier edits shift the lines.
 * - add-rule: before the rule on line `before`, else right after the last rule (order decides: first match wins);
 * - remove-rule / set-rule: that line (set-rule keeps its trailing comment);
 * - move-rule: the line, byte for byte, before the rule on line `before`, or after the last rule when absent.
 */
export type PoolHbaEdit =
  | { op: 'add-rule'; rule: HbaRuleInput; before?: number }
  | { op: 'remove-rule'; line: number }
  | { op: 'set-rule'; line: number; rule: HbaRuleInput }
  | { op: 'move-rule'; line: number; before?: number };

export interface PoolHbaPlan {
  file: string;
  edits: PoolHbaEdit[];
  beforeText: string;
  afterText: string;
  after: PoolHbaDocument;
  diff: string;
  problems: (PgpoolProblem & { introduced: boolean })[];
  /** pgpool re-reads pool_hba.conf on reload; ReplicaDesk's fan-out too. */
  needs: 'none' | 'reload';
}

interface WorkLine {
  raw: string;
  eol: LineEnding;
  /** 1-based line in the file as read; undefined for lines the edits wrote. */
  origin?: number;
  /** Written or moved by an edit. */
  touched?: boolean;
}

function quoteName(n: string): string {
  if (/^"[^"]*"$/.test(n) || /^[A-Za-z0-9_.\-+@$]+$/.test(n)) return n;
  if (n.includes('"')) throw new Error(`a name in pool_hba.conf cannot contain a double quote: ${n}`);
  return `"${n}"`;
}

/** PostgreSQL's sample layout: columns at 0, 8, 24, 40, 64. */
export function formatHbaRule(rule: HbaRuleInput): string {
  if (typeof rule === 'string') return rule;
  const cols = [rule.type, rule.databases.map(quoteName).join(','), rule.users.map(quoteName).join(',')];
  if (rule.type !== 'local') cols.push(rule.address ?? 'all');
  else cols.push('');
  const widths = [8, 16, 16, 24];
  let s = cols.map((c, i) => (c.length >= widths[i]! ? `${c} ` : c.padEnd(widths[i]!))).join('');
  s += rule.method;
  for (const [k, v] of Object.entries(rule.options ?? {})) s += ` ${k}=${v}`;
  return s;
}

function trailingComment(raw: string): string {
  let inQuote = false;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '"') inQuote = !inQuote;
    else if (raw[i] === '#' && !inQuote) {
      let j = i;
      while (j > 0 && (raw[j - 1] === ' ' || raw[j - 1] === '\t')) j--;
      return raw.slice(j);
    }
  }
  return '';
}

export function planPoolHbaEdits(doc: PoolHbaDocument, edits: PoolHbaEdit[]): PoolHbaPlan {
  const beforeText = doc.toString();
  const lines: WorkLine[] = doc.lines.map((l, i) => ({ raw: l.raw, eol: l.eol, origin: i + 1 }));
  const ruleLines = new Set(doc.rules().map((r) => r.line));
  const eol: LineEnding = doc.lines.filter((l) => l.eol === '\r\n').length > doc.lines.length / 2 ? '\r\n' : '\n';
  const editProblems: { message: string; line: number }[] = [];

  const find = (line: number): number => lines.findIndex((l) => l.origin === line);
  const checkRule = (line: number, what: string): number => {
    const i = find(line);
    if (i < 0 || !ruleLines.has(line)) {
      editProblems.push({ line, message: `line ${line} ${i < 0 ? 'was already removed by an earlier edit' : 'is not a rule'}; cannot ${what} it` });
      return -1;
    }
    return i;
  };
  /** Index to insert at: before the rule on `before`, else after the last rule line (or at the end). */
  const insertAt = (before: number | undefined): number => {
    if (before !== undefined) {
      const i = checkRule(before, 'insert before');
      return i < 0 ? -1 : i;
    }
    let last = -1;
    lines.forEach((l, i) => {
      if (l.origin === undefined ? /^\s*[^#\s]/.test(l.raw) : ruleLines.has(l.origin)) last = i;
    });
    return last + 1 || lines.length;
  };
  const put = (at: number, line: WorkLine): void => {
    if (at === lines.length && at > 0 && lines[at - 1]!.eol === '') lines[at - 1] = { ...lines[at - 1]!, eol };
    lines.splice(at, 0, { ...line, eol: line.eol || eol, touched: true });
  };
  const format = (rule: HbaRuleInput, line: number): string | undefined => {
    try {
      const text = formatHbaRule(rule);
      if (text.includes('\n')) throw new Error('a rule is one line');
      return text;
    } catch (err) {
      editProblems.push({ line, message: (err as Error).message });
      return undefined;
    }
  };

  for (const e of edits) {
    switch (e.op) {
      case 'add-rule': {
        const text = format(e.rule, e.before ?? 0);
        const at = insertAt(e.before);
        if (text !== undefined && at >= 0) put(at, { raw: text, eol });
        break;
      }
      case 'remove-rule': {
        const i = checkRule(e.line, 'remove');
        if (i >= 0) {
          const [gone] = lines.splice(i, 1);
          // Removing the last line must not glue the new last line to nothing: keep the file's ending state.
          if (i === lines.length && i > 0 && gone!.eol === '') lines[i - 1] = { ...lines[i - 1]!, eol: '' };
        }
        break;
      }
      case 'set-rule': {
        const i = checkRule(e.line, 'change');
        const text = format(e.rule, e.line);
        if (i >= 0 && text !== undefined) lines[i] = { raw: text + trailingComment(lines[i]!.raw), eol: lines[i]!.eol, origin: e.line, touched: true };
        break;
      }
      case 'move-rule': {
        const i = checkRule(e.line, 'move');
        if (i < 0 || e.before === e.line) break;
        const [moving] = lines.splice(i, 1);
        if (i === lines.length && i > 0 && moving!.eol === '') lines[i - 1] = { ...lines[i - 1]!, eol: '' };
        const at = insertAt(e.before);
        // The moved line keeps its bytes; only its position (and so its line number) changes.
        if (at < 0) lines.splice(i, 0, moving!);
        else put(at, moving!);
        break;
      }
    }
  }

  const afterText = lines.map((l) => l.raw + l.eol).join('');
  const after = PoolHbaDocument.parse(afterText, doc.path);
  const problems: PoolHbaPlan['problems'] = editProblems.map((p) => ({ severity: 'error' as const, file: doc.path, line: p.line, message: p.message, introduced: true }));
  for (const p of after.problems()) {
    const fatal = !/not supported by ReplicaDesk/.test(p.message);
    problems.push({ severity: fatal ? 'error' : 'warning', file: p.file, line: p.line, message: p.message, introduced: lines[p.line - 1]?.touched === true });
  }
  return {
    file: doc.path,
    edits,
    beforeText,
    afterText,
    after,
    diff: unifiedDiff(beforeText, afterText, doc.path),
    problems,
    needs: afterText === beforeText ? 'none' : 'reload',
  };
}

/** Writes a pool_hba.conf plan atomically with a backup; refuses plans whose edits introduce errors. */
export async function applyPoolHbaPlan(plan: PoolHbaPlan, opts: { backup?: boolean; now?: Date } = {}): Promise<WrittenFile | undefined> {
  const bad = plan.problems.filter((p) => p.introduced && p.severity === 'error');
  if (bad.length) {
    const list = bad.map((p) => `${p.file}:${p.line}: ${p.message}`).join('; ');
    throw new ReplicaDeskError('POOL_HBA_INVALID_EDIT', `Nothing was written: ${list}. Correct the rule and try again.`, { file: plan.file, problems: bad });
  }
  if (!plan.diff) return undefined;
  try {
    return await writeFileAtomic(plan.file, Buffer.from(plan.afterText, 'utf8'), { expected: Buffer.from(plan.beforeText, 'utf8'), ...opts });
  } catch (err) {
    if (err instanceof ReplicaDeskError && err.code === 'MYCNF_CHANGED_ON_DISK') {
      throw new ReplicaDeskError('POOL_HBA_CHANGED_ON_DISK', `${plan.file} was changed by someone else since it was read. Nothing was written; read it again and redo the edit.`, { file: plan.file });
    }
    if (err instanceof ReplicaDeskError) throw err;
    throw new ReplicaDeskError('POOL_HBA_WRITE_FAILED', `Could not write ${plan.file}: ${(err as Error).message}.`, { file: plan.file });
  }
}
