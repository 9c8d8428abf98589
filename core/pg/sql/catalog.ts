/**
 * Catalog facts the rewrite and the sequence locks need (column DEFAULTs, owned sequences, function
 * volatility), asked of the main node once and cached per database until a DDL statement passes through.
 * This file builds the questions and reads the answers; the session runs them on its main connection (so a
 * table created in the same, uncommitted transaction is seen).
 */
import { type RelName, timeSitesOf } from './classify';
import type { ColumnFacts, TableFacts } from './rewrite';
import type { RoutineFacts } from './trigger-facts';

export interface ColumnCatalog extends ColumnFacts {
  /** OIDs of sequences its DEFAULT or IDENTITY draws from. */
  sequences: number[];
  generated: boolean;
}

export interface TableCatalog extends TableFacts {
  columns: ColumnCatalog[];
}

export function sqlLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualifiedName(rel: RelName): string {
  return rel.schema ? `${quoteIdent(rel.schema)}.${quoteIdent(rel.name)}` : quoteIdent(rel.name);
}

/** Columns of a table in order, with DEFAULT text and the sequences behind DEFAULT/IDENTITY; no rows if there is no such table. */
export function tableFactsSql(rel: RelName): string {
  return (
    'SELECT a.attname, pg_catalog.pg_get_expr(d.adbin, d.adrelid), ' +
    "(SELECT pg_catalog.string_agg(dep.refobjid::text, ',') FROM pg_catalog.pg_depend dep JOIN pg_catalog.pg_class s ON s.oid = dep.refobjid AND s.relkind = 'S' " +
    "WHERE dep.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND dep.objid = d.oid AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass), " +
    "(SELECT pg_catalog.string_agg(dep.objid::text, ',') FROM pg_catalog.pg_depend dep WHERE a.attidentity <> '' " +
    "AND dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum AND dep.deptype = 'i'), " +
    'a.attgenerated ' +
    'FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum ' +
    `WHERE a.attrelid = pg_catalog.to_regclass(${sqlLiteral(qualifiedName(rel))}) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`
  );
}

export function parseTableFacts(rows: (string | null)[][]): TableCatalog {
  const columns: ColumnCatalog[] = rows.map((r) => {
    const [name, def, defSeqs, identSeqs, generated] = r;
    const sequences = [defSeqs, identSeqs].flatMap((s) => (s ? s.split(',').map(Number) : []));
    const col: ColumnCatalog = { name: name!, sequences, generated: !!generated };
    if (def && !generated) {
      col.defaultExpr = def;
      const t = timeSitesOf(def);
      if (t && t.sites.length && !t.broken) col.timeDefault = { tokens: t.tokens, sites: t.sites };
    }
    return col;
  });
  return { exists: rows.length > 0, columns };
}

/** Which of the named functions are user-defined and VOLATILE (so may write); `schema.name` entries are qualified. */
export function volatilitySql(names: string[]): string {
  const conds = names.map((n) => {
    const dot = n.indexOf('.');
    return dot > 0 ? `(n.nspname = ${sqlLiteral(n.slice(0, dot))} AND p.proname = ${sqlLiteral(n.slice(dot + 1))})` : `p.proname = ${sqlLiteral(n)}`;
  });
  return (
    "SELECT CASE WHEN n.nspname = 'pg_catalog' THEN p.proname ELSE p.proname END, n.nspname, pg_catalog.bool_or(p.provolatile = 'v' AND p.oid >= 16384) " +
    'FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace ' +
    `WHERE ${conds.join(' OR ')} GROUP BY p.proname, n.nspname`
  );
}

/** name (and schema.name) → may write. Names the catalog does not know are left out (the query fails anyway). */
export function parseVolatility(names: string[], rows: (string | null)[][]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const n of names) {
    const dot = n.indexOf('.');
    const matching = rows.filter((r) => (dot > 0 ? r[1] === n.slice(0, dot) && r[0] === n.slice(dot + 1) : r[0] === n));
    out.set(n, matching.some((r) => r[2] === 't'));
  }
  return out;
}

/** Advisory lock keys live in their own space so they do not meet an application's own advisory locks. */
const LOCK_SPACE = 0x52444c4bn; // "RDLK"

export function sequenceLockKey(seqOid: number): string {
  return ((LOCK_SPACE << 32n) | BigInt(seqOid >>> 0)).toString();
}

/**
 * One statement taking the transaction-scoped locks that order nextval() across sessions (pgpool's
 * insert_lock, but per sequence instead of per table, and on the main node only). Literal sequence names
 * are resolved by the server; unknown ones lock nothing.
 */
export function sequenceLockSql(oids: number[], names: string[]): string | undefined {
  const keys = [...new Set(oids)].sort((a, b) => a - b).map((o) => `pg_catalog.pg_advisory_xact_lock(${sequenceLockKey(o)})`);
  for (const n of [...new Set(names)].sort()) {
    keys.push(`pg_catalog.pg_advisory_xact_lock((${LOCK_SPACE}::int8 << 32) | pg_catalog.to_regclass(${sqlLiteral(n)})::oid::int8)`);
  }
  return keys.length ? `SELECT ${keys.join(', ')}` : undefined;
}

/** Per-database cache of catalog facts, dropped whole when DDL passes (cheap to refill, never stale). */
export class CatalogCache {
  private readonly tables = new Map<string, Map<string, TableCatalog>>();
  private readonly funcs = new Map<string, Map<string, boolean>>();
  private readonly triggers = new Map<string, Map<string, RoutineFacts>>();
  private readonly routines = new Map<string, Map<string, RoutineFacts>>();

  /**
   * A schema-qualified name means the same table for everyone; an unqualified one is resolved through the
   * session's search_path (and its temporary schema), so it is cached per `pathScope`, which the session
   * derives from what decides its search_path (user, startup options, SET search_path, temporary tables).
   */
  private key(rel: RelName, pathScope: string): string {
    return rel.schema ? `${rel.schema}\u0000${rel.name}` : `\u0001${pathScope}\u0000${rel.name}`;
  }

  /** Keys come from clients' statements: each database's map is bounded. */
  private static put<V>(maps: Map<string, Map<string, V>>, db: string, key: string, value: V): void {
    let m = maps.get(db);
    if (!m) maps.set(db, (m = new Map()));
    if (m.size > 5000) m.clear();
    m.set(key, value);
  }

  table(db: string, rel: RelName, pathScope: string): TableCatalog | undefined {
    return this.tables.get(db)?.get(this.key(rel, pathScope));
  }

  setTable(db: string, rel: RelName, pathScope: string, facts: TableCatalog): void {
    CatalogCache.put(this.tables, db, this.key(rel, pathScope), facts);
  }

  tableTriggers(db: string, rel: RelName, pathScope: string): RoutineFacts | undefined {
    return this.triggers.get(db)?.get(this.key(rel, pathScope));
  }

  setTableTriggers(db: string, rel: RelName, pathScope: string, facts: RoutineFacts): void {
    CatalogCache.put(this.triggers, db, this.key(rel, pathScope), facts);
  }

  /** A user's function by name (schema-qualified, or as the session's search_path finds it). */
  routine(db: string, name: string, pathScope: string): RoutineFacts | undefined {
    return this.routines.get(db)?.get(this.funcKey(name, pathScope));
  }

  setRoutine(db: string, name: string, pathScope: string, facts: RoutineFacts): void {
    CatalogCache.put(this.routines, db, this.funcKey(name, pathScope), facts);
  }

  private funcKey(name: string, pathScope: string): string {
    return name.includes('.') ? name : `\u0001${pathScope}\u0000${name}`;
  }

  functionWrites(db: string, name: string): boolean | undefined {
    return this.funcs.get(db)?.get(name);
  }

  setFunctions(db: string, facts: Map<string, boolean>): void {
    let m = this.funcs.get(db);
    if (!m) this.funcs.set(db, (m = new Map()));
    for (const [k, v] of facts) m.set(k, v);
  }

  invalidate(db: string): void {
    this.tables.delete(db);
    this.funcs.delete(db);
    this.triggers.delete(db);
    this.routines.delete(db);
  }
}
