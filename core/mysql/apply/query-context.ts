/**
 * The session a statement-based event (QUERY) must run in to do on the target what it did on the master:
 * the default database, sql_mode, character sets, time zone, timestamp, auto-increment settings, and the
 * INTVAR / RAND / USER_VAR events that precede it (LAST_INSERT_ID, INSERT_ID, RAND() seeds, @variables).
 * Pure: builds the SET statements, as mysqlbinlog prints them before each statement.
 */
import { charsetOfCollation } from '../binlog/charsets';
import type { IntvarEvent, QueryEvent, RandEvent, UserVarEvent } from '../binlog/events';
import { quoteId, quoteString } from './sql-text';

/** OPTION_* bits of the QUERY event's flags2 status variable. */
const OPTION_AUTO_IS_NULL = 1 << 14;
const OPTION_NO_CHECK_CONSTRAINT_CHECKS = 1 << 18;
const OPTION_NO_FOREIGN_KEY_CHECKS = 1 << 26;
const OPTION_RELAXED_UNIQUE_CHECKS = 1 << 27;

export type ContextEvent = IntvarEvent | RandEvent | UserVarEvent;

export interface QueryContextOptions {
  /** The database the statement runs in on the target (after replicate-rewrite-db). */
  database: string;
  targetIsMariaDb: boolean;
  sourceIsMariaDb: boolean;
  /** Whether SET pseudo_thread_id is allowed for our user (temporary tables need it). */
  canSetPseudoThreadId: boolean;
  /** Collation names by id, read from the target (for user variables). */
  collationName: (id: number) => string | undefined;
}

export function queryContextStatements(q: QueryEvent, before: ContextEvent[], o: QueryContextOptions): string[] {
  const sv = q.statusVars;
  const sets: string[] = [];
  const micro = sv.hrnow ?? sv.microseconds;
  sets.push(`@@session.timestamp=${q.timestamp}${micro !== undefined ? '.' + String(micro).padStart(6, '0') : ''}`);
  if (o.canSetPseudoThreadId) sets.push(`@@session.pseudo_thread_id=${q.threadId}`);
  if (sv.flags2 !== undefined) {
    const f = sv.flags2;
    sets.push(`@@session.foreign_key_checks=${f & OPTION_NO_FOREIGN_KEY_CHECKS ? 0 : 1}`);
    sets.push(`@@session.sql_auto_is_null=${f & OPTION_AUTO_IS_NULL ? 1 : 0}`);
    sets.push(`@@session.unique_checks=${f & OPTION_RELAXED_UNIQUE_CHECKS ? 0 : 1}`);
    if (o.sourceIsMariaDb && o.targetIsMariaDb) sets.push(`@@session.check_constraint_checks=${f & OPTION_NO_CHECK_CONSTRAINT_CHECKS ? 0 : 1}`);
  }
  if (sv.sqlMode !== undefined) sets.push(`@@session.sql_mode=${sv.sqlMode.toString()}`);
  if (sv.autoIncrementIncrement !== undefined) sets.push(`@@session.auto_increment_increment=${sv.autoIncrementIncrement}`);
  if (sv.autoIncrementOffset !== undefined) sets.push(`@@session.auto_increment_offset=${sv.autoIncrementOffset}`);
  // The event stores collation ids; MariaDB only takes names here (MySQL takes either).
  const coll = (id: number) => {
    const name = o.collationName(id);
    return name ? quoteString(name) : String(id);
  };
  if (sv.charsetClient !== undefined) {
    const cs = charsetOfCollation(sv.charsetClient)?.name;
    sets.push(`@@session.character_set_client=${cs ? quoteString(cs === 'utf8mb3' && o.targetIsMariaDb ? 'utf8' : cs) : sv.charsetClient}`);
  }
  if (sv.collationConnection !== undefined) sets.push(`@@session.collation_connection=${coll(sv.collationConnection)}`);
  if (sv.collationServer !== undefined) sets.push(`@@session.collation_server=${coll(sv.collationServer)}`);
  if (sv.timeZone !== undefined) sets.push(`@@session.time_zone=${quoteString(sv.timeZone)}`);
  if (sv.lcTimeNames !== undefined) sets.push(`@@session.lc_time_names=${sv.lcTimeNames}`);
  if (sv.explicitDefaultsForTimestamp !== undefined) sets.push(`@@session.explicit_defaults_for_timestamp=${sv.explicitDefaultsForTimestamp ? 1 : 0}`);
  if (!o.targetIsMariaDb && sv.defaultCollationForUtf8mb4 !== undefined) sets.push(`@@session.default_collation_for_utf8mb4=${sv.defaultCollationForUtf8mb4}`);
  const out = [`SET ${sets.join(', ')}`];
  if (o.database) out.push(`USE ${quoteId(o.database)}`);
  if (o.database && sv.collationDatabase !== undefined) out.push(`SET @@session.collation_database=${coll(sv.collationDatabase)}`);
  for (const ev of before) out.push(contextEventSql(ev, o));
  return out;
}

function contextEventSql(ev: ContextEvent, o: QueryContextOptions): string {
  switch (ev.kind) {
    case 'intvar':
      return ev.subtype === 1 ? `SET LAST_INSERT_ID=${ev.value}` : `SET INSERT_ID=${ev.value}`;
    case 'rand':
      return `SET @@RAND_SEED1=${ev.seed1}, @@RAND_SEED2=${ev.seed2}`;
    case 'user_var':
      return `SET @${quoteId(ev.name)}:=${userVarValue(ev, o)}`;
  }
}

function userVarValue(ev: UserVarEvent, o: QueryContextOptions): string {
  if (ev.isNull || ev.value === null || ev.value === undefined) return 'NULL';
  const v = ev.value;
  switch (ev.valueType) {
    case 1: // REAL_RESULT
      return typeof v === 'number' ? (Object.is(v, -0) ? '-0e0' : v.toExponential()) : String(v);
    case 2: // INT_RESULT
      return typeof v === 'bigint' && ev.unsigned && v < 0n ? (v + (1n << 64n)).toString() : String(v);
    case 4: // DECIMAL_RESULT
      return /^[+-]?\d*\.?\d*$/.test(String(v)) ? String(v) : quoteString(String(v));
    default: {
      // STRING_RESULT: keep the exact bytes and the variable's collation.
      const coll = ev.collationId !== undefined ? o.collationName(ev.collationId) : undefined;
      const cs = ev.collationId !== undefined ? charsetOfCollation(ev.collationId)?.name : undefined;
      const collate = coll ? ` COLLATE ${quoteId(coll)}` : '';
      if (Buffer.isBuffer(v)) return `${cs ? '_' + cs + ' ' : ''}X'${v.toString('hex')}'${cs ? collate : ''}`;
      const hex = `X'${Buffer.from(String(v), 'utf8').toString('hex')}'`;
      return cs && cs !== 'utf8mb4' ? `CONVERT(_utf8mb4 ${hex} USING ${cs})${collate}` : `_utf8mb4 ${hex}${cs ? collate : ''}`;
    }
  }
}

/** Statement words that begin/end event groups rather than change data. */
export function groupKeyword(query: string): 'BEGIN' | 'COMMIT' | 'ROLLBACK' | 'XA' | undefined {
  const t = query.trim().toUpperCase();
  if (t === 'BEGIN' || t.startsWith('START TRANSACTION')) return 'BEGIN';
  if (t === 'COMMIT') return 'COMMIT';
  if (t === 'ROLLBACK') return 'ROLLBACK';
  if (t.startsWith('XA ')) return 'XA';
  return undefined;
}

/** DDL (or anything that is not DML) invalidates cached table definitions. */
export function isDml(query: string): boolean {
  return /^\s*(\/\*.*?\*\/\s*)*(INSERT|UPDATE|DELETE|REPLACE|LOAD|SELECT|DO|CALL|SAVEPOINT|ROLLBACK\s+TO|RELEASE)\b/is.test(query);
}

/**
 * Errors meaning "this DDL already took effect". After a crash between a DDL and the position update that
 * follows it, the DDL runs again; these errors then mean it is already done.
 */
export const DDL_ALREADY_DONE_ERRNOS = new Set([
  1007, // database exists
  1008, // database does not exist (DROP)
  1050, // table exists
  1051, // unknown table (DROP)
  1054, // unknown column (DROP COLUMN)
  1060, // duplicate column
  1061, // duplicate key name
  1091, // can't drop field or key
  1146, // table does not exist
  1304, // procedure/function exists
  1305, // procedure/function does not exist
  1359, // trigger exists
  1360, // trigger does not exist
  1826, // duplicate foreign key constraint name
  1022, // duplicate key (constraint) on write
  4031, // MariaDB: constraint/sequence exists variants
]);
