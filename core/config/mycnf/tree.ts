import fsp from 'node:fs/promises';
import path from 'node:path';
import { ReplicaDeskError } from '../../errors';
import { MyCnfDocument } from './document';
import { booleanPrefix, canonicalName, sameGroup } from './names';

/** File access used while following includes; tests and the service may substitute their own. */
export interface CnfFileReader {
  readFile(file: string): Promise<Uint8Array>;
  readdir(dir: string): Promise<string[]>;
}

export const nodeFileReader: CnfFileReader = {
  readFile: (f) => fsp.readFile(f),
  readdir: (d) => fsp.readdir(d),
};

export interface CnfProblem {
  severity: 'error' | 'warning';
  file: string;
  /** 1-based; 0 when the problem is about the file as a whole. */
  line: number;
  message: string;
}

export interface CnfFile {
  path: string;
  doc: MyCnfDocument;
  /** The bytes read from disk, to notice a change by someone else before writing. */
  original: Uint8Array;
  /** Where this file was pulled in (`!include` / `!includedir`), absent for the root file. */
  includedFrom?: { file: string; line: number };
}

/** One option occurrence, with where it is written. */
export interface OptionRef {
  file: string;
  /** 1-based. */
  line: number;
  group: string;
  name: string;
  /** Canonical name ("-" → "_", "loose_" stripped). */
  option: string;
  value: string | null;
}

/** Debian nests three levels; the server stops at 10, and so do we (it also breaks include loops). */
const MAX_DEPTH = 10;

/** On Windows the server reads *.ini and *.cnf from an !includedir, elsewhere only *.cnf. */
function includedirMatches(name: string, platform: NodeJS.Platform): boolean {
  return platform === 'win32' ? /\.(cnf|ini)$/i.test(name) : name.endsWith('.cnf');
}

/** An option file with everything it includes, in the order the server reads them. */
export class MyCnfTree {
  private constructor(
    readonly root: string,
    readonly files: CnfFile[],
    readonly problems: CnfProblem[],
  ) {}

  /** Reads `root` and follows its includes. Throws MYCNF_UNREADABLE when the root file cannot be read. */
  static async load(root: string, reader: CnfFileReader = nodeFileReader, platform: NodeJS.Platform = process.platform): Promise<MyCnfTree> {
    const rootPath = path.resolve(root);
    const files: CnfFile[] = [];
    const problems: CnfProblem[] = [];
    const visiting = new Set<string>();

    const visit = async (file: string, depth: number, from?: { file: string; line: number }): Promise<void> => {
      let bytes: Uint8Array;
      try {
        bytes = await reader.readFile(file);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const why = e.code === 'ENOENT' ? 'does not exist' : e.code === 'EACCES' ? 'cannot be read (permission denied; run as an administrator)' : e.code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${e.message})`;
        if (!from) throw new ReplicaDeskError('MYCNF_UNREADABLE', `The option file ${file} ${why}.`, { file, errno: e.code });
        problems.push({ severity: 'warning', file: from.file, line: from.line, message: `${file} ${why}; the server skips it silently.` });
        return;
      }
      const doc = MyCnfDocument.fromBytes(bytes, file);
      files.push(from ? { path: file, doc, original: bytes, includedFrom: from } : { path: file, doc, original: bytes });
      for (const p of doc.problems()) problems.push({ severity: 'error', ...p, message: `${p.message} (the server refuses to start on this line)` });
      visiting.add(file);
      for (let i = 0; i < doc.lines.length; i++) {
        const l = doc.lines[i]!;
        if (l.kind !== 'include' && l.kind !== 'includedir') continue;
        const at = { file, line: i + 1 };
        const target = path.resolve(path.dirname(file), l.path);
        if (depth + 1 >= MAX_DEPTH) {
          problems.push({ severity: 'warning', ...at, message: `includes nested more than ${MAX_DEPTH} deep; ${target} is not read` });
          continue;
        }
        if (l.kind === 'include') {
          if (visiting.has(target)) problems.push({ severity: 'warning', ...at, message: `${target} includes itself (directly or through other files); skipped` });
          else await visit(target, depth + 1, at);
          continue;
        }
        let names: string[];
        try {
          names = (await reader.readdir(target)).filter((n) => includedirMatches(n, platform)).sort();
        } catch (err) {
          problems.push({ severity: 'warning', ...at, message: `folder ${target} cannot be listed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the server skips it` });
          continue;
        }
        for (const n of names) {
          const f = path.join(target, n);
          if (!visiting.has(f)) await visit(f, depth + 1, at);
        }
      }
      visiting.delete(file);
    };
    await visit(rootPath, 0);
    return new MyCnfTree(rootPath, files, problems);
  }

  /** A tree of one file held in memory (no includes followed), e.g. for a file the user pasted. */
  static fromText(text: string, file = 'my.cnf'): MyCnfTree {
    const doc = MyCnfDocument.parse(text, file);
    const problems: CnfProblem[] = doc.problems().map((p) => ({ severity: 'error', ...p }));
    return new MyCnfTree(file, [{ path: file, doc, original: doc.toBytes() }], problems);
  }

  /** Same files with some documents replaced (used by edit planning). */
  withDocs(docs: Map<string, MyCnfDocument>): MyCnfTree {
    return new MyCnfTree(
      this.root,
      this.files.map((f) => (docs.has(f.path) ? { ...f, doc: docs.get(f.path)! } : f)),
      this.problems,
    );
  }

  file(p: string): CnfFile | undefined {
    return this.files.find((f) => f.path === p);
  }

  /**
   * Every option in reading order: a file's lines in order, with an included file's options at the place
   * of its !include line.
   */
  options(): OptionRef[] {
    const out: OptionRef[] = [];
    const byPath = new Map(this.files.map((f) => [f.path, f]));
    const children = new Map<string, CnfFile[]>();
    for (const f of this.files) {
      if (!f.includedFrom) continue;
      const key = `${f.includedFrom.file}\n${f.includedFrom.line}`;
      children.set(key, [...(children.get(key) ?? []), f]);
    }
    const walk = (f: CnfFile) => {
      f.doc.lines.forEach((l, i) => {
        if (l.kind === 'option' && l.group !== null) {
          out.push({ file: f.path, line: i + 1, group: l.group, name: l.name, option: canonicalName(l.name), value: l.value });
        } else if (l.kind === 'include' || l.kind === 'includedir') {
          for (const c of children.get(`${f.path}\n${i + 1}`) ?? []) walk(c);
        }
      });
    };
    const root = byPath.get(this.root);
    if (root) walk(root);
    return out;
  }

  /** Occurrences of `key` in `group` (every one: repeated keys such as replicate-do-db are all returned). */
  get(group: string, key: string): OptionRef[] {
    const want = canonicalName(key);
    return this.options().filter((o) => sameGroup(o.group, group) && o.option === want);
  }

  /**
   * The value a program reading `groups` ends up with: the last occurrence in reading order wins, and a
   * "skip-" / "disable-" / "enable-" form counts as the option set to 0 / 1.
   */
  effective(groups: readonly string[], key: string): (OptionRef & { impliedBy?: string }) | undefined {
    const want = canonicalName(key);
    let found: (OptionRef & { impliedBy?: string }) | undefined;
    for (const o of this.options()) {
      if (!groups.some((g) => sameGroup(g, o.group))) continue;
      if (o.option === want) found = o;
      else {
        const b = booleanPrefix(o.name);
        if (b && b.option === want) found = { ...o, option: want, value: b.value, impliedBy: o.name };
      }
    }
    return found;
  }

  /** Files in reading order with their parse status, for "mycnf get" without arguments. */
  describe(): { file: string; lines: number; includedFrom?: { file: string; line: number } }[] {
    return this.files.map((f) => (f.includedFrom ? { file: f.path, lines: f.doc.lines.length, includedFrom: f.includedFrom } : { file: f.path, lines: f.doc.lines.length }));
  }
}
