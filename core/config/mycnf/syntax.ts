/**
 * MySQL/MariaDB option-file syntax, line by line, as the server's own reader (mysys my_default) sees it.
 * Pure: text in, line records out. Every line keeps its raw text and its line ending so that serializing an
 * untouched file gives back the same bytes.
 */

export type LineEnding = '\n' | '\r\n' | '';

interface LineBase {
  /** The line as written, without its line ending. */
  raw: string;
  eol: LineEnding;
}

export interface BlankLine extends LineBase {
  kind: 'blank';
}
export interface CommentLine extends LineBase {
  kind: 'comment';
}
export interface GroupLine extends LineBase {
  kind: 'group';
  /** Group name as written (trimmed). Groups match case-insensitively, as in the server. */
  group: string;
}
export interface OptionLine extends LineBase {
  kind: 'option';
  /** The group this option belongs to (null when it comes before any group, which the server rejects). */
  group: string | null;
  /** Option name as written (trimmed), e.g. "log-bin" or "loose_server_id". */
  name: string;
  /** Decoded value (quotes removed, escapes applied), or null for a key without "=" (e.g. "skip-name-resolve"). */
  value: string | null;
  /**
   * Raw text before the value (indent, name, "=", spaces), the value as written, and everything after it
   * (trailing spaces, "# comment"). Rewriting a value keeps prefix and suffix, so alignment and comments stay.
   */
  prefix: string;
  rawValue: string;
  suffix: string;
}
export interface IncludeLine extends LineBase {
  kind: 'include' | 'includedir';
  /** Path as written after the directive (trimmed). */
  path: string;
}
export interface InvalidLine extends LineBase {
  kind: 'invalid';
  message: string;
}

export type CnfLine = BlankLine | CommentLine | GroupLine | OptionLine | IncludeLine | InvalidLine;

export interface ParsedLines {
  lines: CnfLine[];
}

/** Splits text into lines, keeping each line's ending ("\r\n", "\n", or "" for a last line without one). */
export function splitLines(text: string): { raw: string; eol: LineEnding }[] {
  const out: { raw: string; eol: LineEnding }[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      out.push({ raw: text.slice(start), eol: '' });
      break;
    }
    const crlf = nl > start && text.charCodeAt(nl - 1) === 13;
    out.push({ raw: text.slice(start, crlf ? nl - 1 : nl), eol: crlf ? '\r\n' : '\n' });
    start = nl + 1;
  }
  return out;
}

const WS = /[ \t\f\v\r]/;
function isWs(ch: string | undefined): boolean {
  return ch !== undefined && WS.test(ch);
}

/**
 * Index where an end-of-line "# comment" starts, ignoring "#" inside quotes and after a backslash; the
 * line length when there is none. Mirrors the server, which also lets a comment start mid-line.
 */
export function commentStart(s: string): number {
  let quote = '';
  let escape = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if ((ch === "'" || ch === '"') && !escape) {
      if (!quote) quote = ch;
      else if (quote === ch) quote = '';
    }
    if (!quote && ch === '#') return i;
    escape = !escape && ch === '\\';
  }
  return s.length;
}

/**
 * Decodes a value as the server does: surrounding matching quotes removed, then the escapes \b \t \n \r
 * \\ \s (space) \" \' applied; any other backslash is kept as written (so Windows paths survive).
 */
export function decodeValue(raw: string): string {
  let v = raw;
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) v = v.slice(1, -1);
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const ch = v[i]!;
    if (ch === '\\' && i < v.length - 1) {
      const next = v[++i]!;
      switch (next) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 's': out += ' '; break;
        case '"': out += '"'; break;
        case "'": out += "'"; break;
        case '\\': out += '\\'; break;
        default: out += '\\' + next;
      }
    } else out += ch;
  }
  return out;
}

/** Writes a value so that decodeValue() gives it back exactly; bare when that is unambiguous. */
export function encodeValue(value: string): string {
  const needsQuotes = value === '' || /[#"'\\\n\r\t\b]/.test(value) || /^\s|\s$/.test(value);
  if (!needsQuotes) return value;
  let out = '';
  for (const ch of value) {
    switch (ch) {
      case '\\': out += '\\\\'; break;
      case '"': out += '\\"'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      case '\b': out += '\\b'; break;
      default: out += ch;
    }
  }
  return `"${out}"`;
}

/** Parses one option line inside a known group (used for lines the editor writes). */
export function optionLine(raw: string, group: string, eol: LineEnding): OptionLine {
  const l = parseOption(raw, group);
  if (l.kind !== 'option') throw new Error(`not an option line: ${raw}`);
  return { ...l, eol };
}

function parseOption(raw: string, group: string | null): OptionLine | InvalidLine {
  const end = commentStart(raw);
  const content = raw.slice(0, end);
  const eq = content.indexOf('=');
  const nameEnd = eq < 0 ? content.length : eq;
  const name = content.slice(0, nameEnd).trim();
  if (!name) return { kind: 'invalid', raw, eol: '', message: 'an "=" without an option name before it' };
  let prefix: string;
  let rawValue = '';
  let suffix: string;
  let value: string | null = null;
  if (eq < 0) {
    // Key without value: the "value" span is empty and sits right after the name.
    let nameStop = content.length;
    while (nameStop > 0 && isWs(content[nameStop - 1])) nameStop--;
    prefix = raw.slice(0, nameStop);
    suffix = raw.slice(nameStop);
  } else {
    let vs = eq + 1;
    while (vs < content.length && isWs(content[vs])) vs++;
    let ve = content.length;
    while (ve > vs && isWs(content[ve - 1])) ve--;
    prefix = raw.slice(0, vs);
    rawValue = raw.slice(vs, ve);
    suffix = raw.slice(ve);
    value = decodeValue(rawValue);
  }
  const line: OptionLine = { kind: 'option', raw, eol: '', group, name, value, prefix, rawValue, suffix };
  return line;
}

/** Parses one file's text. Never throws: lines the server would reject become `invalid` lines. */
export function parseLines(text: string): ParsedLines {
  const lines: CnfLine[] = [];
  let group: string | null = null;
  for (const { raw, eol } of splitLines(text)) {
    const t = raw.trim();
    let line: CnfLine;
    if (t === '') line = { kind: 'blank', raw, eol };
    else if (t[0] === '#' || t[0] === ';') line = { kind: 'comment', raw, eol };
    else if (t[0] === '[') {
      const close = t.indexOf(']');
      if (close < 0) line = { kind: 'invalid', raw, eol, message: 'a group header without its closing "]"' };
      else {
        const name = t.slice(1, close).trim();
        if (!name) line = { kind: 'invalid', raw, eol, message: 'an empty group name "[]"' };
        else {
          group = name;
          line = { kind: 'group', raw, eol, group: name };
        }
      }
    } else if (t[0] === '!') {
      const m = /^!(includedir|include)(?:\s+(.*))?$/.exec(t);
      const p = m?.[2]?.trim();
      if (!m) line = { kind: 'invalid', raw, eol, message: `an unknown directive (only !include and !includedir exist)` };
      else if (!p) line = { kind: 'invalid', raw, eol, message: `!${m[1]} without a path after it` };
      else line = { kind: m[1] as 'include' | 'includedir', raw, eol, path: p };
    } else {
      line = parseOption(raw, group);
      line.eol = eol;
      if (line.kind === 'option' && group === null) {
        line = { kind: 'invalid', raw, eol, message: `option "${line.name}" comes before any [group] header` };
      }
    }
    lines.push(line);
  }
  return { lines };
}

export function serializeLines(lines: readonly CnfLine[]): string {
  let out = '';
  for (const l of lines) out += l.raw + l.eol;
  return out;
}
