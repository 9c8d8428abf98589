/**
 * The tables a statement changes, for table-level replication filters on statement-based events (DDL,
 * and DML logged as statements). Not a SQL parser: a tokenizer plus the shapes MySQL replicates
 * (CREATE/ALTER/DROP/RENAME/TRUNCATE TABLE, CREATE/DROP INDEX, INSERT/REPLACE, UPDATE, DELETE, LOAD DATA).
 * Statements it does not recognise change no table as far as table filters are concerned, which is also
 * what MySQL does for statements without tables (they pass on the database rules alone).
 */
import type { TableRef } from './filters';

type Tok = { kind: 'word' | 'quoted' | 'punct' | 'string'; text: string };

export function tokenize(sql: string, limit = 400): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n && out.length < limit) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#' || (c === '-' && sql[i + 1] === '-' && /\s/.test(sql[i + 2] ?? ' '))) {
      while (i < n && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      // Executable comments /*!NNNNN ... */ and /*M!... */ are part of the statement: keep their body.
      const m = /^\/\*(M?!\d*)/.exec(sql.slice(i, i + 12));
      if (m) {
        i += m[0].length;
        continue;
      }
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === '*' && sql[i + 1] === '/') {
      i += 2;
      continue;
    }
    if (c === '`') {
      let s = '';
      i++;
      while (i < n) {
        if (sql[i] === '`') {
          if (sql[i + 1] === '`') {
            s += '`';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += sql[i++];
      }
      out.push({ kind: 'quoted', text: s });
      continue;
    }
    if (c === "'" || c === '"') {
      i++;
      while (i < n && sql[i] !== c) i += sql[i] === '\\' ? 2 : 1;
      i++;
      out.push({ kind: 'string', text: '' });
      continue;
    }
    if (/[A-Za-z0-9_$\u0080-\uffff]/.test(c)) {
      let j = i;
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j]!)) j++;
      out.push({ kind: 'word', text: sql.slice(i, j) });
      i = j;
      continue;
    }
    out.push({ kind: 'punct', text: c });
    i++;
  }
  return out;
}

class Cursor {
  i = 0;
  constructor(readonly t: Tok[]) {}
  peekWord(k = 0): string {
    const x = this.t[this.i + k];
    return x && x.kind === 'word' ? x.text.toUpperCase() : '';
  }
  acceptWord(...words: string[]): boolean {
    if (words.includes(this.peekWord())) {
      this.i++;
      return true;
    }
    return false;
  }
  acceptPunct(p: string): boolean {
    const x = this.t[this.i];
    if (x && x.kind === 'punct' && x.text === p) {
      this.i++;
      return true;
    }
    return false;
  }
  /** [db.]name, resolving an unqualified name against the default database. */
  name(defaultDb: string): TableRef | undefined {
    const a = this.t[this.i];
    if (!a || (a.kind !== 'word' && a.kind !== 'quoted')) return undefined;
    this.i++;
    if (this.t[this.i]?.kind === 'punct' && this.t[this.i]!.text === '.') {
      const b = this.t[this.i + 1];
      if (b && (b.kind === 'word' || b.kind === 'quoted')) {
        this.i += 2;
        return { db: a.text, table: b.text };
      }
    }
    return { db: defaultDb, table: a.text };
  }
  skipTo(word: string): boolean {
    while (this.i < this.t.length) {
      if (this.peekWord() === word) return true;
      this.i++;
    }
    return false;
  }
}

/** Tables changed by `sql` when run with default database `defaultDb`. */
export function statementTables(sql: string, defaultDb: string): TableRef[] {
  const c = new Cursor(tokenize(sql));
  const out: TableRef[] = [];
  const push = (r: TableRef | undefined) => r && out.push(r);
  const first = c.peekWord();
  c.i++;
  switch (first) {
    case 'CREATE': {
      c.acceptWord('OR');
      c.acceptWord('REPLACE');
      c.acceptWord('TEMPORARY');
      if (c.acceptWord('TABLE')) {
        if (c.acceptWord('IF')) (c.acceptWord('NOT'), c.acceptWord('EXISTS'));
        push(c.name(defaultDb));
        return out;
      }
      c.acceptWord('UNIQUE', 'FULLTEXT', 'SPATIAL');
      if (c.acceptWord('INDEX') && c.skipTo('ON')) {
        c.i++;
        push(c.name(defaultDb));
      }
      return out;
    }
    case 'ALTER':
      c.acceptWord('ONLINE');
      c.acceptWord('IGNORE');
      if (c.acceptWord('TABLE')) {
        if (c.acceptWord('IF')) c.acceptWord('EXISTS');
        push(c.name(defaultDb));
      }
      return out;
    case 'DROP':
      c.acceptWord('TEMPORARY');
      if (c.acceptWord('TABLE', 'TABLES')) {
        if (c.acceptWord('IF')) c.acceptWord('EXISTS');
        do push(c.name(defaultDb));
        while (c.acceptPunct(','));
        return out;
      }
      c.acceptWord('ONLINE');
      if (c.acceptWord('INDEX') && c.skipTo('ON')) {
        c.i++;
        push(c.name(defaultDb));
      }
      return out;
    case 'RENAME':
      if (c.acceptWord('TABLE', 'TABLES')) {
        do {
          push(c.name(defaultDb));
          if (c.acceptWord('TO')) push(c.name(defaultDb));
        } while (c.acceptPunct(','));
      }
      return out;
    case 'TRUNCATE':
      c.acceptWord('TABLE');
      push(c.name(defaultDb));
      return out;
    case 'INSERT':
    case 'REPLACE':
      c.acceptWord('LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY');
      c.acceptWord('IGNORE');
      c.acceptWord('INTO');
      push(c.name(defaultDb));
      return out;
    case 'UPDATE':
      c.acceptWord('LOW_PRIORITY');
      c.acceptWord('IGNORE');
      // Single- or multi-table: every table named before SET may be updated.
      while (c.i < c.t.length && c.peekWord() !== 'SET') {
        const tok = c.t[c.i]!;
        if (tok.kind === 'word' && ['JOIN', 'INNER', 'LEFT', 'RIGHT', 'CROSS', 'STRAIGHT_JOIN', 'NATURAL', 'OUTER', 'ON', 'USING', 'AS'].includes(tok.text.toUpperCase())) {
          if (tok.text.toUpperCase() === 'ON' || tok.text.toUpperCase() === 'USING') {
            while (c.i < c.t.length && !['SET', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'CROSS', 'STRAIGHT_JOIN', 'NATURAL'].includes(c.peekWord())) c.i++;
            continue;
          }
          if (tok.text.toUpperCase() === 'AS') c.i++;
          c.i++;
          continue;
        }
        if (tok.kind === 'word' || tok.kind === 'quoted') {
          push(c.name(defaultDb));
          // An alias may follow.
          if (c.t[c.i]?.kind === 'word' && !['SET', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'CROSS', 'STRAIGHT_JOIN', 'NATURAL', 'AS', 'ON', 'USING'].includes(c.peekWord())) c.i++;
          continue;
        }
        c.i++;
      }
      return out;
    case 'DELETE': {
      c.acceptWord('LOW_PRIORITY');
      c.acceptWord('QUICK');
      c.acceptWord('IGNORE');
      if (c.acceptWord('FROM')) {
        push(c.name(defaultDb));
        return out;
      }
      // Multi-table DELETE t1, t2 FROM ...: the tables before FROM are the ones deleted from.
      do push(c.name(defaultDb));
      while (c.acceptPunct(','));
      return out;
    }
    case 'LOAD':
      if (c.skipTo('INTO')) {
        c.i++;
        c.acceptWord('TABLE');
        push(c.name(defaultDb));
      }
      return out;
    default:
      return out;
  }
}

/**
 * replicate-rewrite-db for CREATE/ALTER/DROP DATABASE: MySQL only rewrites the default database, so on a
 * MySQL replica `CREATE DATABASE shop` would create `shop`, not the renamed database, and the next
 * statement (USE renamed) would fail. We rename the database these statements name when it is the one
 * being rewritten. Returns undefined when the statement is not one of them or names another database.
 */
export function rewriteDatabaseStatement(sql: string, from: string, to: string): string | undefined {
  const m = /^(\s*(?:\/\*.*?\*\/\s*)*(?:CREATE|ALTER|DROP)\s+(?:DATABASE|SCHEMA)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?)(`(?:[^`]|``)+`|[A-Za-z0-9_$\u0080-\uffff]+)/is.exec(sql);
  if (!m) return undefined;
  const raw = m[2]!;
  const name = raw.startsWith('`') ? raw.slice(1, -1).replace(/``/g, '`') : raw;
  if (name !== from) return undefined;
  return m[1] + '`' + to.replace(/`/g, '``') + '`' + sql.slice(m[0].length);
}
