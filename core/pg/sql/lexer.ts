/**
 * A small SQL tokenizer over the statement's bytes (as a latin1 string, so character offsets are byte
 * offsets, matching the parser's locations). It does two things only:
 *  - a cache key in which numeric literals are replaced by a marker, so `WHERE aid = 17` and `WHERE aid = 42`
 *    share one classification (strings stay in the key: a sequence name or 'now' in a string matters);
 *  - token boundaries, so a rewrite found once in the parse tree can be applied to later texts with the same
 *    key by token index, without parsing them again.
 * Classification itself always comes from PostgreSQL's real parser; this only has to find where strings,
 * quoted names, comments and numbers start and end.
 */

export const TK_IDENT = 1;
export const TK_QIDENT = 2;
export const TK_STRING = 3;
export const TK_NUMBER = 4;
export const TK_PARAM = 5;
export const TK_OP = 6;

export interface Tokens {
  count: number;
  start: Int32Array;
  end: Int32Array;
  type: Uint8Array;
  /** The cache key. */
  key: string;
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}
function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Marker for a number in the key: a byte that cannot appear in SQL text outside strings and comments. */
const NUM_MARK = '\u0001';

/** Reused by tokenize(text, true): most statements are read-only and their tokens are dropped at once. */
let scratch = { start: new Int32Array(256), end: new Int32Array(256), type: new Uint8Array(256) };

/** A copy of tokens that may live on (tokenize(..., true) hands out shared arrays). */
export function cloneTokens(t: Tokens): Tokens {
  return { count: t.count, start: t.start.slice(0, t.count), end: t.end.slice(0, t.count), type: t.type.slice(0, t.count), key: t.key };
}

export function tokenize(text: string, shared = false): Tokens {
  const n = text.length;
  let cap = shared ? scratch.start.length : 64;
  let start = shared ? scratch.start : new Int32Array(cap);
  let end = shared ? scratch.end : new Int32Array(cap);
  let type = shared ? scratch.type : new Uint8Array(cap);
  let count = 0;
  let key = '';
  let keyFrom = 0;
  const push = (s: number, e: number, t: number) => {
    if (count === cap) {
      cap *= 2;
      const ns = new Int32Array(cap);
      ns.set(start);
      start = ns;
      const ne = new Int32Array(cap);
      ne.set(end);
      end = ne;
      const nt = new Uint8Array(cap);
      nt.set(type);
      type = nt;
    }
    start[count] = s;
    end[count] = e;
    type[count] = t;
    count++;
  };
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    // white space
    if (c === 32 || c === 10 || c === 9 || c === 13 || c === 12) {
      i++;
      continue;
    }
    // -- comment
    if (c === 45 && text.charCodeAt(i + 1) === 45) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    // /* comment */ (nested)
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        const d = text.charCodeAt(i);
        if (d === 47 && text.charCodeAt(i + 1) === 42) {
          depth++;
          i += 2;
        } else if (d === 42 && text.charCodeAt(i + 1) === 47) {
          depth--;
          i += 2;
        } else i++;
      }
      continue;
    }
    const s = i;
    // E'...' (backslash escapes), B'..', X'..', N'..', U&'..', U&".."
    if ((c === 69 || c === 101) && text.charCodeAt(i + 1) === 39) {
      i = scanQuoted(text, i + 1, true);
      push(s, i, TK_STRING);
      continue;
    }
    if ((c === 66 || c === 98 || c === 88 || c === 120 || c === 78 || c === 110) && text.charCodeAt(i + 1) === 39) {
      i = scanQuoted(text, i + 1, false);
      push(s, i, TK_STRING);
      continue;
    }
    if ((c === 85 || c === 117) && text.charCodeAt(i + 1) === 38 && (text.charCodeAt(i + 2) === 39 || text.charCodeAt(i + 2) === 34)) {
      const q = text.charCodeAt(i + 2);
      i = q === 39 ? scanQuoted(text, i + 2, false) : scanQuotedIdent(text, i + 2);
      push(s, i, q === 39 ? TK_STRING : TK_QIDENT);
      continue;
    }
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentChar(text.charCodeAt(i))) i++;
      push(s, i, TK_IDENT);
      continue;
    }
    if (c === 39) {
      i = scanQuoted(text, i, false);
      push(s, i, TK_STRING);
      continue;
    }
    if (c === 34) {
      i = scanQuotedIdent(text, i);
      push(s, i, TK_QIDENT);
      continue;
    }
    if (c === 36) {
      // $1 parameter, or $tag$ ... $tag$ dollar quoting
      if (isDigit(text.charCodeAt(i + 1))) {
        i++;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
        push(s, i, TK_PARAM);
        continue;
      }
      let j = i + 1;
      while (j < n && text.charCodeAt(j) !== 36 && isIdentChar(text.charCodeAt(j)) && text.charCodeAt(j) !== 36) j++;
      if (text.charCodeAt(j) === 36 && (j === i + 1 || isIdentStart(text.charCodeAt(i + 1)))) {
        const tag = text.slice(i, j + 1);
        const close = text.indexOf(tag, j + 1);
        i = close < 0 ? n : close + tag.length;
        push(s, i, TK_STRING);
        continue;
      }
      i++;
      push(s, i, TK_OP);
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      i = scanNumber(text, i);
      push(s, i, TK_NUMBER);
      key += text.slice(keyFrom, s) + NUM_MARK;
      keyFrom = i;
      continue;
    }
    i++;
    push(s, i, TK_OP);
  }
  key = keyFrom === 0 ? text : key + text.slice(keyFrom);
  if (shared) scratch = { start, end, type };
  return { count, start, end, type, key };
}

function scanQuoted(text: string, openQuote: number, backslash: boolean): number {
  let i = openQuote + 1;
  const n = text.length;
  while (i < n) {
    const d = text.charCodeAt(i);
    if (backslash && d === 92) {
      i += 2;
      continue;
    }
    if (d === 39) {
      if (text.charCodeAt(i + 1) === 39) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return n;
}

function scanQuotedIdent(text: string, openQuote: number): number {
  let i = openQuote + 1;
  const n = text.length;
  while (i < n) {
    if (text.charCodeAt(i) === 34) {
      if (text.charCodeAt(i + 1) === 34) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return n;
}

function scanNumber(text: string, i: number): number {
  const n = text.length;
  if (text.charCodeAt(i) === 48 && /[xXoObB]/.test(text[i + 1] ?? '')) {
    i += 2;
    while (i < n && /[0-9a-fA-F_]/.test(text[i]!)) i++;
    return i;
  }
  while (i < n && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 95)) i++;
  // "1..2" is two numbers around a range operator in PL/pgSQL; keep the dots out.
  if (text.charCodeAt(i) === 46 && text.charCodeAt(i + 1) !== 46) {
    i++;
    while (i < n && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 95)) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    let j = i + 1;
    if (text.charCodeAt(j) === 43 || text.charCodeAt(j) === 45) j++;
    if (isDigit(text.charCodeAt(j))) {
      i = j;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
    }
  }
  return i;
}

/** Index of the token that starts at byte offset `pos`, or -1. */
export function tokenAt(t: Tokens, pos: number): number {
  let lo = 0;
  let hi = t.count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = t.start[mid]!;
    if (s === pos) return mid;
    if (s < pos) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Index of the token that closes the parenthesis opened at token `open` (which must be "("), or -1. */
export function matchingParen(text: string, t: Tokens, open: number): number {
  let depth = 0;
  for (let k = open; k < t.count; k++) {
    if (t.type[k] !== TK_OP) continue;
    const ch = text.charCodeAt(t.start[k]!);
    if (ch === 40) depth++;
    else if (ch === 41) {
      depth--;
      if (depth === 0) return k;
    }
  }
  return -1;
}

export function isOp(text: string, t: Tokens, k: number, ch: string): boolean {
  return k >= 0 && k < t.count && t.type[k] === TK_OP && text.charCodeAt(t.start[k]!) === ch.charCodeAt(0);
}
