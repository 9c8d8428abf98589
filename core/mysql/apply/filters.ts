/**
 * replicate-* filters with MySQL's rules (the replica's Rpl_filter):
 *
 * 1. --replicate-rewrite-db is applied first; every other rule sees the rewritten database name.
 * 2. Database level: if any --replicate-do-db exists, only those databases pass; otherwise a database in
 *    --replicate-ignore-db is dropped. Statement-based events (QUERY) are judged by their DEFAULT database
 *    (the USE in force on the master), not by the tables they name; row events by the table's database.
 * 3. Table level (only when table rules exist), for each table the event changes: do-table → apply;
 *    ignore-table → skip; wild-do-table → apply; wild-ignore-table → skip; if no table matched, apply
 *    unless do-table or wild-do-table rules exist.
 * Transaction keywords (BEGIN, COMMIT, ...) are never filtered. Names compare case-sensitively (as on a
 * server with lower_case_table_names=0); wild patterns use LIKE syntax (% _ and \ to escape).
 */
import type { ReplicationFilters } from '../channel/config';

export interface TableRef {
  db: string;
  table: string;
}

export class ReplicationFilter {
  private readonly doDb: Set<string>;
  private readonly ignoreDb: Set<string>;
  private readonly doTable: Set<string>;
  private readonly ignoreTable: Set<string>;
  private readonly wildDo: RegExp[];
  private readonly wildIgnore: RegExp[];
  private readonly rewrite: Map<string, string>;

  constructor(readonly rules: ReplicationFilters) {
    this.doDb = new Set(rules.doDb);
    this.ignoreDb = new Set(rules.ignoreDb);
    this.doTable = new Set(rules.doTable);
    this.ignoreTable = new Set(rules.ignoreTable);
    this.wildDo = rules.wildDoTable.map(likePattern);
    this.wildIgnore = rules.wildIgnoreTable.map(likePattern);
    this.rewrite = new Map(rules.rewriteDb.map((r) => [r.from, r.to]));
  }

  get hasTableRules(): boolean {
    return this.doTable.size + this.ignoreTable.size + this.wildDo.length + this.wildIgnore.length > 0;
  }

  /** --replicate-rewrite-db. */
  rewriteDb(db: string): string {
    return this.rewrite.get(db) ?? db;
  }

  /** Database-level rule for an (already rewritten) database; '' means "no default database". */
  dbOk(db: string): boolean {
    if (this.doDb.size > 0) return db !== '' && this.doDb.has(db);
    if (this.ignoreDb.size > 0) return db === '' || !this.ignoreDb.has(db);
    return true;
  }

  /** Table-level rules for the tables an event changes (already rewritten). */
  tablesOk(tables: TableRef[]): boolean {
    if (!this.hasTableRules) return true;
    for (const t of tables) {
      const key = `${t.db}.${t.table}`;
      if (this.doTable.has(key)) return true;
      if (this.ignoreTable.has(key)) return false;
      if (this.wildDo.some((re) => re.test(key))) return true;
      if (this.wildIgnore.some((re) => re.test(key))) return false;
    }
    return !(this.doTable.size > 0 || this.wildDo.length > 0);
  }

  /**
   * Whether any table of database `db` can pass: with do-table / wild-do-table rules, only databases those
   * rules name. What an initial copy of the channel's data uses to choose databases (it must not create, or
   * with "replace" drop, databases the channel never writes to).
   */
  schemaMayPass(db: string): boolean {
    if (!this.dbOk(db)) return false;
    if (this.doTable.size === 0 && this.wildDo.length === 0) return true;
    for (const key of this.doTable) if (key.startsWith(`${db}.`)) return true;
    return this.rules.wildDoTable.some((p) => likePattern(dbPartOf(p)).test(db));
  }

  /** A row event on `db.table` (rewritten). */
  rowsOk(db: string, table: string): boolean {
    return this.dbOk(db) && this.tablesOk([{ db, table }]);
  }

  /** A statement (QUERY event) with default database `defaultDb` (rewritten) changing `tables`. */
  statementOk(defaultDb: string, tables: TableRef[]): boolean {
    return this.dbOk(defaultDb) && (tables.length === 0 || this.tablesOk(tables));
  }
}

/** The database part of a wild-do-table pattern: up to its first unescaped dot. */
function dbPartOf(pattern: string): string {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '.') return pattern.slice(0, i);
  }
  return pattern;
}

/** A LIKE pattern (`db%.tbl_`) as an anchored RegExp. */
export function likePattern(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += escapeRe(c);
  }
  return new RegExp(re + '$', 's');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Parses "from->to" (the my.cnf form of replicate-rewrite-db). */
export function parseRewriteRule(text: string): { from: string; to: string } {
  const m = /^\s*([^\s]+?)\s*->\s*([^\s]+)\s*$/.exec(text);
  if (!m) throw new RangeError(`"${text}" is not a rewrite rule; write FROM_DB->TO_DB`);
  return { from: m[1]!, to: m[2]! };
}
