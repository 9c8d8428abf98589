/**
 * pgpool.conf as text, one entry per line, kept byte for byte so an editor can change one value and leave
 * every comment, blank line and spacing as the user wrote it.
 *
 * Grammar (pgpool-II's own lexer): `key [=] value`, value = 'quoted string' (a backslash protects the next
 * character, the quotes are removed but nothing is unescaped), an unquoted word, a number with an optional
 * unit, or a real; `#` starts a comment that runs to the end of the line. `include = 'file'` pulls in another
 * file at that point.
 */

export type LineEnding = '' | '\n' | '\r\n';

interface LineBase {
  /** The line as written, without its ending. */
  raw: string;
  eol: LineEnding;
}

export interface BlankLine extends LineBase {
  kind: 'blank';
}
export interface CommentLine extends LineBase {
  kind: 'comment';
}
export interface SettingLine extends LineBase {
  kind: 'setting';
  key: string;
  /** The value as pgpool sees it: quotes removed, nothing unescaped. */
  value: string;
  quoted: boolean;
  /** Span of the value token in `raw` (quotes included), so an edit replaces exactly that. */
  valueStart: number;
  valueEnd: number;
}
export interface InvalidLine extends LineBase {
  kind: 'invalid';
  message: string;
  /** 0-based column where the problem is. */
  column: number;
}
export type ConfLine = BlankLine | CommentLine | SettingLine | InvalidLine;

export interface LineProblem {
  file: string;
  /** 1-based. */
  line: number;
  column?: number;
  message: string;
}

const KEY_START = /[A-Za-z_\u0080-\u00ff]/;
const KEY_CHAR = /[A-Za-z0-9_\u0080-\u00ff]/;

/** Parses one line (no line ending inside). */
export function parseLine(raw: string, eol: LineEnding): ConfLine {
  let i = 0;
  const n = raw.length;
  const skipSpace = () => {
    while (i < n && (raw[i] === ' ' || raw[i] === '\t' || raw[i] === '\r')) i++;
  };
  skipSpace();
  if (i === n) return { kind: 'blank', raw, eol };
  if (raw[i] === '#') return { kind: 'comment', raw, eol };
  if (!KEY_START.test(raw[i]!)) return { kind: 'invalid', raw, eol, column: i, message: `unexpected "${raw[i]}" where a parameter name should start` };
  const keyStart = i;
  while (i < n && KEY_CHAR.test(raw[i]!)) i++;
  const key = raw.slice(keyStart, i);
  skipSpace();
  if (raw[i] === '=') {
    i++;
    skipSpace();
  }
  if (i === n || raw[i] === '#') return { kind: 'invalid', raw, eol, column: i, message: `parameter "${key}" has no value` };
  const valueStart = i;
  let value: string;
  let quoted = false;
  if (raw[i] === "'") {
    quoted = true;
    i++;
    while (i < n && raw[i] !== "'") i += raw[i] === '\\' && i + 1 < n ? 2 : 1;
    if (i >= n) return { kind: 'invalid', raw, eol, column: valueStart, message: `the quoted value of "${key}" is not closed (a ' is missing)` };
    value = raw.slice(valueStart + 1, i);
    i++;
  } else {
    while (i < n && raw[i] !== ' ' && raw[i] !== '\t' && raw[i] !== '#' && raw[i] !== "'" && raw[i] !== '=' && raw[i] !== '\r') i++;
    value = raw.slice(valueStart, i);
  }
  const valueEnd = i;
  skipSpace();
  if (i < n && raw[i] !== '#') {
    return { kind: 'invalid', raw, eol, column: i, message: `unexpected text after the value of "${key}"; put one parameter per line and quote values that contain spaces` };
  }
  return { kind: 'setting', raw, eol, key, value, quoted, valueStart, valueEnd };
}

export function parseLines(text: string): ConfLine[] {
  const lines: ConfLine[] = [];
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) {
      lines.push(parseLine(text.slice(pos), ''));
      break;
    }
    const crlf = nl > pos && text[nl - 1] === '\r';
    lines.push(parseLine(text.slice(pos, crlf ? nl - 1 : nl), crlf ? '\r\n' : '\n'));
    pos = nl + 1;
  }
  return lines;
}

/** Quotes a value for pgpool.conf. pgpool cannot express a single quote inside a value, so we refuse it. */
export function quoteValue(value: string): string {
  if (value.includes("'") || value.includes('\n')) throw new Error(`pgpool.conf values cannot contain quotes or line breaks: ${JSON.stringify(value)}`);
  return `'${value}'`;
}

export class PgpoolConfDocument {
  constructor(
    readonly path: string,
    readonly lines: readonly ConfLine[],
    readonly encoding: 'utf8' | 'latin1' = 'utf8',
  ) {}

  static parse(text: string, path: string, encoding: 'utf8' | 'latin1' = 'utf8'): PgpoolConfDocument {
    return new PgpoolConfDocument(path, parseLines(text), encoding);
  }

  /** Non-UTF-8 files (old Windows editors) are held as latin1 so they still write back byte for byte. */
  static fromBytes(bytes: Uint8Array, path: string): PgpoolConfDocument {
    try {
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
      return PgpoolConfDocument.parse(text, path, 'utf8');
    } catch {
      return PgpoolConfDocument.parse(Buffer.from(bytes).toString('latin1'), path, 'latin1');
    }
  }

  toString(): string {
    let s = '';
    for (const l of this.lines) s += l.raw + l.eol;
    return s;
  }

  toBytes(): Buffer {
    return Buffer.from(this.toString(), this.encoding);
  }

  /** Settings in file order, with their 1-based line numbers. A later line overrides an earlier one. */
  settings(): { key: string; value: string; quoted: boolean; line: number }[] {
    const out: { key: string; value: string; quoted: boolean; line: number }[] = [];
    this.lines.forEach((l, i) => {
      if (l.kind === 'setting') out.push({ key: l.key, value: l.value, quoted: l.quoted, line: i + 1 });
    });
    return out;
  }

  problems(): LineProblem[] {
    const out: LineProblem[] = [];
    this.lines.forEach((l, i) => {
      if (l.kind === 'invalid') out.push({ file: this.path, line: i + 1, column: l.column + 1, message: l.message });
    });
    return out;
  }

  /** Index of the line that decides `key` (the last one), or -1. */
  lineOf(key: string): number {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const l = this.lines[i]!;
      if (l.kind === 'setting' && l.key === key) return i;
    }
    return -1;
  }

  /**
   * A copy with `key` set to `value` (already in pgpool syntax, e.g. from quoteValue or a bare number).
   * Only the value token of the deciding line changes; a missing key is appended at the end.
   */
  withValue(key: string, valueText: string): PgpoolConfDocument {
    const lines = [...this.lines];
    const idx = this.lineOf(key);
    if (idx >= 0) {
      const l = lines[idx] as SettingLine;
      lines[idx] = parseLine(l.raw.slice(0, l.valueStart) + valueText + l.raw.slice(l.valueEnd), l.eol);
    } else {
      const eol = this.dominantEol();
      if (lines.length && lines[lines.length - 1]!.eol === '') {
        const last = lines[lines.length - 1]!;
        lines[lines.length - 1] = { ...last, eol } as ConfLine;
      }
      lines.push(parseLine(`${key} = ${valueText}`, eol));
    }
    return new PgpoolConfDocument(this.path, lines, this.encoding);
  }

  private dominantEol(): '\n' | '\r\n' {
    let crlf = 0;
    let lf = 0;
    for (const l of this.lines) {
      if (l.eol === '\r\n') crlf++;
      else if (l.eol === '\n') lf++;
    }
    return crlf > lf ? '\r\n' : '\n';
  }
}
