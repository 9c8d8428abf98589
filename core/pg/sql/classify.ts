/**
 * What a statement does, as far as routing and determinism care, decided from PostgreSQL's own parse tree
 * (libpg-query). Results are cached by the lexer's key (numbers folded), so pgbench's endless variations of
 * one statement are parsed once.
 */
import { loadModule, parseSync } from 'libpg-query';
import { TK_IDENT, TK_OP, type Tokens, isOp, matchingParen, tokenAt, tokenize } from './lexer';
import { visitTree } from './tree';

export type StmtKind = 'read' | 'write' | 'tx' | 'session' | 'show-pool-nodes' | 'empty' | 'invalid';
export type TxKind = 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback-to' | 'prepare' | 'commit-prepared' | 'rollback-prepared';

/** How a time value replaces a function: the cast applied to the main node's timestamp. */
export type TimeCast = 'timestamptz' | 'date' | 'timetz' | 'time' | 'timestamp';

export interface TimeSite {
  /** First and last token (inclusive) of the call, e.g. `now ( )` or `CURRENT_TIME ( 2 )`. */
  first: number;
  last: number;
  cast: TimeCast;
  /** Precision for CURRENT_TIME(p) and friends. */
  precision?: number;
}

export interface RelName {
  schema?: string;
  name: string;
}

export interface InsertShape {
  relation: RelName;
  /** Explicit column list, or null for "all columns in order". */
  cols: string[] | null;
  /** Token of the ")" closing the column list (null without a list). */
  colsCloseTok: number | null;
  /** Token of VALUES, or of the SELECT that feeds the insert; -1 when it could not be located. */
  sourceTok: number;
  /** INSERT ... SELECT with a column list: the last token of the query that feeds it (before ON CONFLICT / RETURNING). */
  sourceLastTok?: number;
  /** For VALUES: each row's "(" and ")" tokens. */
  rows: [number, number][];
  /** Number of expressions in each VALUES row. */
  rowWidths: number[];
  /** DEFAULT VALUES: its two tokens. */
  defaultValues: [number, number] | null;
  /** INSERT ... SELECT (or VALUES with a WITH/ORDER BY we cannot splice into). */
  fromSelect: boolean;
  /** DEFAULT keywords inside VALUES rows: token, row, position in row. */
  defaults: { tok: number; row: number; pos: number }[];
  /** ON CONFLICT / RETURNING do not matter for the rewrite; OVERRIDING SYSTEM VALUE does not either. */
}

export interface Classified {
  kind: StmtKind;
  tx?: TxKind;
  /** BEGIN/START/SET TRANSACTION with ISOLATION LEVEL SERIALIZABLE. */
  serializable: boolean;
  /** Cannot run inside a transaction block (VACUUM, CREATE DATABASE, ...). */
  noTxBlock: boolean;
  statements: number;
  /** A multi-statement query that also has BEGIN/COMMIT/... inside. */
  txInMulti: boolean;
  /** now()/CURRENT_* calls in a writing statement, for the other nodes' copy. */
  timeSites: TimeSite[];
  /** Volatile functions that differ per node (random(), gen_random_uuid(), clock_timestamp()...). */
  volatileCalls: string[];
  /** Function names whose volatility decides whether a read is really a read. */
  unknownFunctions: string[];
  insert?: InsertShape;
  /** UPDATE ... SET col = DEFAULT: table, and tokens with their column. */
  updateDefaults?: { relation: RelName; sites: { tok: number; col: string }[] };
  /** Relation COPY FROM writes into (sequences may advance). */
  copyFrom?: RelName;
  /** COPY FROM: its column list and the tokens of the relation name, for the other nodes' rewrite. */
  copyShape?: { cols: string[] | null; relFirst: number; relLast: number };
  copyIn: boolean;
  copyOut: boolean;
  /** Literal sequence names given to nextval()/setval(). */
  sequences: string[];
  /** nextval() with a non-literal argument: sequence unknown. */
  dynamicNextval: boolean;
  /** Tables the statement inserts into, updates, deletes from or copies into (their triggers run too). */
  writeTargets: RelName[];
  /** Functions a writing statement calls that are not well-known built-ins (their bodies run on each node). */
  calledFunctions: string[];
  /** Changes the catalog (cached table facts must be forgotten). */
  ddl: boolean;
  sqlPrepare?: { name: string; inner: Classified };
  sqlExecute?: string;
  /** /*REPLICATION*\/ at the start: send to every node. */
  forceReplicate: boolean;
  /** /*NO LOAD BALANCE*\/ at the start: read from the main node. */
  noLoadBalance: boolean;
  /** Rewrite sites could not be matched to tokens: the statement cannot be made deterministic. */
  rewriteBroken: boolean;
  /** The parser's message when the text is not valid SQL (it is still sent: the server reports the error). */
  syntaxError?: string;
}

let loaded: Promise<void> | undefined;
/** The parser is WASM; load it once before the first classify(). */
export function loadSqlParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

type Node = Record<string, unknown>;

const TIME_FUNCS: Record<string, TimeCast> = { now: 'timestamptz', transaction_timestamp: 'timestamptz' };
const SVF_CAST: Record<string, TimeCast> = {
  SVFOP_CURRENT_DATE: 'date',
  SVFOP_CURRENT_TIME: 'timetz',
  SVFOP_CURRENT_TIME_N: 'timetz',
  SVFOP_CURRENT_TIMESTAMP: 'timestamptz',
  SVFOP_CURRENT_TIMESTAMP_N: 'timestamptz',
  SVFOP_LOCALTIME: 'time',
  SVFOP_LOCALTIME_N: 'time',
  SVFOP_LOCALTIMESTAMP: 'timestamp',
  SVFOP_LOCALTIMESTAMP_N: 'timestamp',
};
const VOLATILE_WARN = new Set(['random', 'random_normal', 'gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'clock_timestamp', 'statement_timestamp', 'timeofday', 'setseed', 'txid_current', 'pg_current_xact_id', 'inet_server_addr', 'pg_backend_pid']);
/** Built-in functions with effects beyond their result. */
const WRITE_FUNCS = new Set([
  'nextval', 'setval', 'set_config', 'pg_notify',
  'pg_advisory_lock', 'pg_advisory_lock_shared', 'pg_advisory_xact_lock', 'pg_advisory_xact_lock_shared', 'pg_try_advisory_lock',
  'pg_try_advisory_lock_shared', 'pg_try_advisory_xact_lock', 'pg_try_advisory_xact_lock_shared', 'pg_advisory_unlock',
  'pg_advisory_unlock_shared', 'pg_advisory_unlock_all',
  'lo_creat', 'lo_create', 'lo_import', 'lo_export', 'lo_unlink', 'lo_open', 'lo_close', 'lo_write', 'lowrite', 'lo_put', 'lo_truncate', 'lo_truncate64', 'lo_from_bytea', 'lo_lseek', 'lo_lseek64',
  'pg_cancel_backend', 'pg_terminate_backend', 'pg_reload_conf', 'pg_rotate_logfile', 'pg_switch_wal', 'pg_create_restore_point',
  'pg_stat_reset', 'pg_stat_reset_shared', 'pg_stat_reset_single_table_counters', 'pg_stat_reset_single_function_counters', 'pg_stat_reset_slru',
  'pg_create_physical_replication_slot', 'pg_create_logical_replication_slot', 'pg_drop_replication_slot', 'pg_import_system_collations',
  'dblink_exec', 'dblink', 'dblink_send_query', 'pg_sleep_for_update',
]);
/** Common built-ins known to be side-effect free, so reads using them need no catalog lookup. */
const READ_FUNCS = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'coalesce', 'nullif', 'greatest', 'least', 'lower', 'upper', 'length', 'char_length', 'substr', 'substring',
  'trim', 'btrim', 'ltrim', 'rtrim', 'replace', 'concat', 'concat_ws', 'format', 'abs', 'round', 'floor', 'ceil', 'ceiling', 'mod', 'power', 'sqrt',
  'now', 'current_timestamp', 'date_trunc', 'date_part', 'extract', 'to_char', 'to_date', 'to_timestamp', 'to_number', 'age', 'array_agg', 'string_agg',
  'json_agg', 'jsonb_agg', 'json_build_object', 'jsonb_build_object', 'row_number', 'rank', 'dense_rank', 'lag', 'lead', 'bool_and', 'bool_or', 'every',
  'array_length', 'unnest', 'generate_series', 'position', 'strpos', 'left', 'right', 'md5', 'encode', 'decode', 'version', 'current_setting',
  'pg_backend_pid', 'random', 'clock_timestamp', 'statement_timestamp', 'timeofday', 'transaction_timestamp', 'pg_sleep', 'current_database',
  'current_schema', 'current_user', 'session_user', 'pg_typeof', 'format_type', 'pg_get_expr', 'pg_table_size', 'pg_relation_size',
  'pg_total_relation_size', 'pg_database_size', 'has_table_privilege', 'to_regclass', 'quote_ident', 'quote_literal', 'quote_nullable',
  'regexp_replace', 'regexp_matches', 'split_part', 'string_to_array', 'array_to_string', 'sum', 'stddev', 'variance', 'percentile_cont',
]);
const NO_TX_BLOCK = new Set(['VacuumStmt', 'CreatedbStmt', 'DropdbStmt', 'AlterSystemStmt', 'CreateTableSpaceStmt', 'DropTableSpaceStmt', 'CreateSubscriptionStmt', 'DropSubscriptionStmt', 'AlterSubscriptionStmt']);
const SESSION_STMTS = new Set(['VariableSetStmt', 'DiscardStmt', 'ListenStmt', 'UnlistenStmt', 'PrepareStmt', 'DeallocateStmt', 'DeclareCursorStmt', 'FetchStmt', 'ClosePortalStmt', 'LoadStmt']);
const DML = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
const NOT_DDL = new Set([...DML, 'SelectStmt', 'TransactionStmt', 'VariableSetStmt', 'VariableShowStmt', 'ExplainStmt', 'CopyStmt', 'LockStmt', 'NotifyStmt', 'DoStmt', 'CallStmt', ...SESSION_STMTS, 'ExecuteStmt', 'CheckPointStmt', 'VacuumStmt']);

function str(n: unknown): string | undefined {
  const s = (n as { String?: { sval?: string } } | undefined)?.String?.sval;
  return typeof s === 'string' ? s : undefined;
}

/** 'text' or 'text'::regclass → text. */
function stringLiteral(n: Node | undefined): string | undefined {
  if (!n) return undefined;
  const c = n.A_Const as Node | undefined;
  if (c) {
    const v = (c.sval as { sval?: string } | undefined)?.sval;
    return typeof v === 'string' ? v : undefined;
  }
  const cast = n.TypeCast as Node | undefined;
  return cast ? stringLiteral(cast.arg as Node) : undefined;
}

/** The integer literal 0 (the parser leaves the value out when it is zero). */
function isZeroLiteral(n: Node | undefined): boolean {
  const c = n?.A_Const as Node | undefined;
  const iv = c?.ival as { ival?: number } | undefined;
  return !!iv && !iv.ival;
}

/**
 * A call that makes a large object with an OID the server picks (lo_creat, lo_import without an OID,
 * lo_create(0), lo_from_bytea(0, ...)): each node picks its own, so the OIDs the rows refer to differ.
 */
function picksLargeObjectOid(f: { schema?: string; name: string; node: Node }): boolean {
  if (f.schema && f.schema !== 'pg_catalog') return false;
  const args = (f.node.args as Node[] | undefined) ?? [];
  switch (f.name) {
    case 'lo_creat':
      return true;
    case 'lo_import':
      return args.length < 2 || isZeroLiteral(args[1]);
    case 'lo_create':
    case 'lo_from_bytea':
      return isZeroLiteral(args[0]);
    default:
      return false;
  }
}

function funcName(fc: Node): { schema?: string; name: string } {
  const parts = ((fc.funcname as unknown[]) ?? []).map(str).filter((s): s is string => s !== undefined);
  const name = parts[parts.length - 1] ?? '';
  return parts.length > 1 ? { schema: parts[parts.length - 2], name } : { name };
}

function isolationSerializable(options: unknown): boolean {
  for (const o of (options as Node[] | undefined) ?? []) {
    const d = o.DefElem as Node | undefined;
    if (d?.defname === 'transaction_isolation') {
      const v = ((d.arg as Node)?.A_Const as Node)?.sval as { sval?: string } | undefined;
      if (v?.sval?.toLowerCase() === 'serializable') return true;
    }
  }
  return false;
}

interface Walk {
  funcs: { name: string; schema?: string; loc: number; node: Node }[];
  svfs: { op: string; typmod: number; loc: number }[];
  dmlInside: boolean;
  selectInto: boolean;
  locking: boolean;
  defaults: number[];
  /** Tables written by data-modifying statements nested in the walked one (WITH ... INSERT, etc.). */
  targets: RelName[];
}

function walk(root: unknown, w: Walk): void {
  visitTree(root, (key, v, atRoot) => {
    if (key === 'FuncCall') {
      const fc = v as Node;
      const f = funcName(fc);
      w.funcs.push({ ...f, loc: fc.location as number, node: fc });
    } else if (key === 'SQLValueFunction') {
      const s = v as Node;
      w.svfs.push({ op: s.op as string, typmod: (s.typmod as number) ?? -1, loc: s.location as number });
    } else if (key === 'SetToDefault') {
      w.defaults.push((v as Node).location as number);
    } else if (!atRoot && DML.has(key)) {
      w.dmlInside = true;
      const rel = relOf((v as Node).relation as Node);
      if (rel) w.targets.push(rel);
    } else if (key === 'intoClause') {
      w.selectInto = true;
    } else if (key === 'lockingClause') {
      w.locking = true;
    }
  });
}

function relOf(rv: Node | undefined): RelName | undefined {
  if (!rv || typeof rv.relname !== 'string') return undefined;
  return rv.schemaname ? { schema: rv.schemaname as string, name: rv.relname as string } : { name: rv.relname as string };
}

function empty(kind: StmtKind): Classified {
  return {
    kind,
    serializable: false,
    noTxBlock: false,
    statements: 0,
    txInMulti: false,
    timeSites: [],
    volatileCalls: [],
    unknownFunctions: [],
    copyIn: false,
    copyOut: false,
    sequences: [],
    dynamicNextval: false,
    writeTargets: [],
    calledFunctions: [],
    ddl: false,
    forceReplicate: false,
    noLoadBalance: false,
    rewriteBroken: false,
  };
}

const TX_KINDS: Record<string, TxKind> = {
  TRANS_STMT_BEGIN: 'begin',
  TRANS_STMT_START: 'begin',
  TRANS_STMT_COMMIT: 'commit',
  TRANS_STMT_ROLLBACK: 'rollback',
  TRANS_STMT_SAVEPOINT: 'savepoint',
  TRANS_STMT_RELEASE: 'release',
  TRANS_STMT_ROLLBACK_TO: 'rollback-to',
  TRANS_STMT_PREPARE: 'prepare',
  TRANS_STMT_COMMIT_PREPARED: 'commit-prepared',
  TRANS_STMT_ROLLBACK_PREPARED: 'rollback-prepared',
};

/** Classifies one parsed statement; text/tokens are the whole query's (locations are offsets in it). */
function classifyStmt(stmt: Node, text: string, tokens: Tokens, out: Classified): StmtKind {
  const type = Object.keys(stmt)[0]!;
  const body = stmt[type] as Node;
  const w: Walk = { funcs: [], svfs: [], dmlInside: false, selectInto: false, locking: false, defaults: [], targets: [] };
  walk(body, w);
  for (const f of w.funcs) {
    if ((VOLATILE_WARN.has(f.name) || picksLargeObjectOid(f)) && !out.volatileCalls.includes(f.name)) out.volatileCalls.push(f.name);
    if (f.name === 'nextval' || f.name === 'setval') {
      const name = stringLiteral((f.node.args as Node[] | undefined)?.[0]);
      if (name) {
        if (!out.sequences.includes(name)) out.sequences.push(name);
      } else if (f.name === 'nextval') out.dynamicNextval = true;
    }
  }
  let kind: StmtKind;
  switch (type) {
    case 'SelectStmt': {
      if (w.selectInto || w.locking || w.dmlInside) kind = 'write';
      else {
        kind = 'read';
        for (const f of w.funcs) {
          if (f.schema && f.schema !== 'pg_catalog') {
            if (!out.unknownFunctions.includes(`${f.schema}.${f.name}`)) out.unknownFunctions.push(`${f.schema}.${f.name}`);
            continue;
          }
          if (WRITE_FUNCS.has(f.name)) kind = 'write';
          else if (!READ_FUNCS.has(f.name) && !out.unknownFunctions.includes(f.name)) out.unknownFunctions.push(f.name);
        }
      }
      break;
    }
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
      kind = 'write';
      break;
    case 'TransactionStmt': {
      kind = 'tx';
      out.tx = TX_KINDS[body.kind as string] ?? 'begin';
      if (out.tx === 'begin') out.serializable = isolationSerializable(body.options);
      if (out.tx === 'commit-prepared' || out.tx === 'rollback-prepared') out.noTxBlock = true;
      break;
    }
    case 'VariableSetStmt':
      kind = 'session';
      if (body.name === 'TRANSACTION' || body.name === 'SESSION CHARACTERISTICS') out.serializable = isolationSerializable(body.args);
      break;
    case 'VariableShowStmt':
      kind = (body.name as string)?.toLowerCase() === 'pool_nodes' ? 'show-pool-nodes' : 'read';
      break;
    case 'ExplainStmt': {
      const analyze = ((body.options as Node[] | undefined) ?? []).some((o) => (o.DefElem as Node)?.defname === 'analyze');
      const inner = body.query as Node;
      const innerType = inner ? Object.keys(inner)[0]! : '';
      kind = analyze && innerType !== 'SelectStmt' ? 'write' : analyze && (w.dmlInside || w.locking || w.selectInto) ? 'write' : 'read';
      break;
    }
    case 'CopyStmt': {
      if (body.is_from) {
        kind = 'write';
        out.copyFrom = relOf(body.relation as Node);
        if (!body.filename) out.copyIn = true;
        const relFirst = tokenAt(tokens, ((body.relation as Node | undefined)?.location as number) ?? -1);
        if (relFirst >= 0) {
          let relLast = relFirst;
          while (isOp(text, tokens, relLast + 1, '.') && relLast + 2 < tokens.count) relLast += 2;
          const cols = ((body.attlist as unknown[] | undefined) ?? null)?.map((a) => str(a) ?? '') ?? null;
          out.copyShape = { cols, relFirst, relLast };
        }
      } else {
        kind = w.dmlInside ? 'write' : 'read';
        if (!body.filename) out.copyOut = true;
      }
      break;
    }
    case 'PrepareStmt': {
      kind = 'session';
      const inner = empty('write');
      inner.kind = classifyStmt(body.query as Node, text, tokens, inner);
      out.sqlPrepare = { name: body.name as string, inner };
      break;
    }
    case 'ExecuteStmt':
      kind = 'write'; // refined by the session from its PREPAREd statements
      out.sqlExecute = body.name as string;
      break;
    default:
      kind = SESSION_STMTS.has(type) ? 'session' : 'write';
  }
  if (NO_TX_BLOCK.has(type)) out.noTxBlock = true;
  if (type === 'IndexStmt' && body.concurrent) out.noTxBlock = true;
  if (type === 'ReindexStmt' && JSON.stringify(body.params ?? []).includes('"concurrently"')) out.noTxBlock = true;
  if (type === 'DiscardStmt' && body.target === 'DISCARD_ALL') out.noTxBlock = true;
  if (type === 'ClusterStmt' && !body.relation) out.noTxBlock = true;
  if (!NOT_DDL.has(type)) out.ddl = true;

  if (kind === 'write') {
    const top = DML.has(type) ? relOf(body.relation as Node) : type === 'CopyStmt' ? out.copyFrom : undefined;
    for (const rel of top ? [top, ...w.targets] : w.targets) addTarget(out.writeTargets, rel);
    // CALL holds its procedure as a bare FuncCall (not wrapped like calls inside expressions).
    const called = type === 'CallStmt' && body.funccall ? [funcName(body.funccall as Node), ...w.funcs] : w.funcs;
    for (const f of called) {
      const name = userFunction(f);
      if (name && !out.calledFunctions.includes(name)) out.calledFunctions.push(name);
    }
  }
  // Time functions and DEFAULTs matter only where the statement is replayed on other nodes.
  if (kind === 'write' || kind === 'session') {
    for (const f of w.funcs) {
      const cast = TIME_FUNCS[f.name];
      if (cast && (!f.schema || f.schema === 'pg_catalog') && !((f.node.args as unknown[]) ?? []).length) addFuncSite(out, text, tokens, f.loc, cast);
    }
    for (const s of w.svfs) {
      const cast = SVF_CAST[s.op];
      if (cast) addSvfSite(out, text, tokens, s.loc, cast, s.op.endsWith('_N') ? s.typmod : undefined);
    }
    if (type === 'InsertStmt') out.insert = insertShape(body, text, tokens, out);
    if (type === 'UpdateStmt') {
      const rel = relOf(body.relation as Node);
      const sites: { tok: number; col: string }[] = [];
      for (const t of (body.targetList as Node[] | undefined) ?? []) {
        const rt = t.ResTarget as Node;
        const d = (rt?.val as Node | undefined)?.SetToDefault as Node | undefined;
        if (d && typeof rt.name === 'string' && !rt.indirection) {
          const tok = tokenAt(tokens, d.location as number);
          if (tok < 0) out.rewriteBroken = true;
          else sites.push({ tok, col: rt.name });
        }
      }
      if (rel && sites.length) out.updateDefaults = { relation: rel, sites };
    }
  }
  return kind;
}

/** A call that may be to a user's function (not pg_catalog's, not one of the built-ins we know): its name. */
function userFunction(f: { schema?: string; name: string }): string | undefined {
  if (f.schema === 'pg_catalog' || f.schema === 'information_schema') return undefined;
  if (!f.schema && (READ_FUNCS.has(f.name) || WRITE_FUNCS.has(f.name) || VOLATILE_WARN.has(f.name) || TIME_FUNCS[f.name])) return undefined;
  return f.schema ? `${f.schema}.${f.name}` : f.name;
}

function addTarget(list: RelName[], rel: RelName): void {
  if (!list.some((r) => r.name === rel.name && r.schema === rel.schema)) list.push(rel);
}

function addFuncSite(out: Classified, text: string, tokens: Tokens, loc: number, cast: TimeCast): void {
  const first = tokenAt(tokens, loc);
  let k = first;
  // Skip a qualified name (pg_catalog . now) to the "(".
  while (k >= 0 && k < tokens.count && !isOp(text, tokens, k, '(')) k++;
  const last = k < tokens.count ? matchingParen(text, tokens, k) : -1;
  if (first < 0 || last < 0) out.rewriteBroken = true;
  else out.timeSites.push({ first, last, cast });
}

function addSvfSite(out: Classified, text: string, tokens: Tokens, loc: number, cast: TimeCast, precision: number | undefined): void {
  const first = tokenAt(tokens, loc);
  if (first < 0 || tokens.type[first] !== TK_IDENT) {
    out.rewriteBroken = true;
    return;
  }
  let last = first;
  if (precision !== undefined) {
    last = isOp(text, tokens, first + 1, '(') ? matchingParen(text, tokens, first + 1) : -1;
    if (last < 0) {
      out.rewriteBroken = true;
      return;
    }
  }
  out.timeSites.push(precision !== undefined ? { first, last, cast, precision } : { first, last, cast });
}

function insertShape(body: Node, text: string, tokens: Tokens, out: Classified): InsertShape | undefined {
  const relation = relOf(body.relation as Node);
  if (!relation) return undefined;
  const colsNodes = (body.cols as Node[] | undefined) ?? null;
  const cols = colsNodes ? colsNodes.map((c) => (c.ResTarget as Node).name as string) : null;
  let colsCloseTok: number | null = null;
  if (colsNodes) {
    const lastCol = tokenAt(tokens, (colsNodes[colsNodes.length - 1]!.ResTarget as Node).location as number);
    let k = lastCol;
    let depth = 0;
    // The list may end with indirection (col[1], col.field); find the ")" at our level.
    for (; k >= 0 && k < tokens.count; k++) {
      if (isOp(text, tokens, k, '(') || isOp(text, tokens, k, '[')) depth++;
      else if (isOp(text, tokens, k, ']')) depth--;
      else if (isOp(text, tokens, k, ')')) {
        if (depth === 0) break;
        depth--;
      }
    }
    colsCloseTok = k >= 0 && k < tokens.count ? k : null;
    if (colsCloseTok === null) out.rewriteBroken = true;
  }
  const shape: InsertShape = { relation, cols, colsCloseTok, sourceTok: -1, rows: [], rowWidths: [], defaultValues: null, fromSelect: false, defaults: [] };
  const sel = (body.selectStmt as Node | undefined)?.SelectStmt as Node | undefined;
  if (!sel) {
    // DEFAULT VALUES: the two tokens after the relation (and alias).
    for (let k = 0; k + 1 < tokens.count; k++) {
      if (tokens.type[k] === TK_IDENT && text.slice(tokens.start[k]!, tokens.end[k]!).toLowerCase() === 'default' && text.slice(tokens.start[k + 1]!, tokens.end[k + 1]!).toLowerCase() === 'values') {
        shape.defaultValues = [k, k + 1];
        break;
      }
    }
    if (!shape.defaultValues) out.rewriteBroken = true;
    return shape;
  }
  const values = sel.valuesLists as Node[] | undefined;
  if (!values || sel.withClause || sel.sortClause || sel.limitCount) {
    shape.fromSelect = true;
    if (colsCloseTok !== null) locateSource(body, text, tokens, shape, colsCloseTok);
    return shape;
  }
  // Locate VALUES: the first token after the column list (or relation) spelled VALUES.
  const from = colsCloseTok ?? tokenAt(tokens, (body.relation as Node).location as number);
  for (let k = Math.max(from, 0); k < tokens.count; k++) {
    if (tokens.type[k] === TK_IDENT && text.slice(tokens.start[k]!, tokens.end[k]!).toLowerCase() === 'values') {
      shape.sourceTok = k;
      break;
    }
  }
  if (shape.sourceTok < 0) {
    out.rewriteBroken = true;
    return shape;
  }
  let k = shape.sourceTok + 1;
  for (let r = 0; r < values.length; r++) {
    if (!isOp(text, tokens, k, '(')) {
      out.rewriteBroken = true;
      return shape;
    }
    const close = matchingParen(text, tokens, k);
    if (close < 0) {
      out.rewriteBroken = true;
      return shape;
    }
    shape.rows.push([k, close]);
    const items = ((values[r]!.List as Node).items as Node[]) ?? [];
    shape.rowWidths.push(items.length);
    items.forEach((it, pos) => {
      const d = it.SetToDefault as Node | undefined;
      if (d) {
        const tok = tokenAt(tokens, d.location as number);
        if (tok < 0) out.rewriteBroken = true;
        else shape.defaults.push({ tok, row: r, pos });
      }
    });
    k = close + 1;
    if (r < values.length - 1) {
      if (!isOp(text, tokens, k, ',')) {
        out.rewriteBroken = true;
        return shape;
      }
      k++;
    }
  }
  return shape;
}

/**
 * The token range of the query feeding INSERT (cols) <query>: after the column list (and OVERRIDING ...
 * VALUE), up to ON CONFLICT, RETURNING or the end of the statement. Left unset when unsure.
 */
function locateSource(body: Node, text: string, tokens: Tokens, shape: InsertShape, colsCloseTok: number): void {
  const word = (k: number) => (k >= 0 && k < tokens.count && tokens.type[k] === TK_IDENT ? text.slice(tokens.start[k]!, tokens.end[k]!).toLowerCase() : '');
  let first = colsCloseTok + 1;
  if (word(first) === 'overriding') first += 3;
  let stop = tokens.count;
  const conflict = body.onConflictClause as Node | undefined;
  if (conflict) stop = Math.min(stop, tokenAt(tokens, (((conflict.OnConflictClause as Node | undefined) ?? conflict).location as number | undefined) ?? -1));
  // libpg-query 17+ wraps the list in returningClause (PostgreSQL 18's RETURNING OLD/NEW); older ones do not.
  const returning = (body.returningList ?? (body.returningClause as Node | undefined)?.exprs) as Node[] | undefined;
  if (returning?.length) {
    const firstItem = tokenAt(tokens, ((returning[0]!.ResTarget as Node | undefined)?.location as number | undefined) ?? -1);
    if (firstItem > 0) stop = Math.min(stop, firstItem - 1);
    if (word(firstItem - 1) !== 'returning') return;
  }
  // The end of this statement: a ";" at the top level.
  let depth = 0;
  for (let k = first; k < stop; k++) {
    if (isOp(text, tokens, k, '(')) depth++;
    else if (isOp(text, tokens, k, ')')) depth--;
    else if (depth === 0 && isOp(text, tokens, k, ';')) {
      stop = k;
      break;
    }
  }
  if (stop < 0 || stop <= first || depth < 0) return;
  if (conflict && word(stop) !== 'on') return;
  shape.sourceTok = first;
  shape.sourceLastTok = stop - 1;
}

function merge(into: Classified, kind: StmtKind, first: boolean): void {
  if (first) {
    into.kind = kind;
    return;
  }
  const rank: Record<StmtKind, number> = { empty: 0, read: 1, 'show-pool-nodes': 1, session: 2, tx: 3, write: 4, invalid: 5 };
  if (rank[kind] > rank[into.kind]) into.kind = kind;
}

/** Classifies a whole query text (one or more statements). */
export function classifyText(text: string, tokens: Tokens = tokenize(text)): Classified {
  const out = empty('empty');
  const head = text.trimStart();
  if (head.startsWith('/*REPLICATION*/')) out.forceReplicate = true;
  if (head.startsWith('/*NO LOAD BALANCE*/')) out.noLoadBalance = true;
  let parsed: { stmts?: { stmt: Node }[] };
  try {
    // The parser wants real characters; our text is bytes-as-latin1 so offsets match its byte locations.
    parsed = parseSync(Buffer.from(text, 'latin1').toString('utf8')) as unknown as { stmts?: { stmt: Node }[] };
  } catch (err) {
    out.kind = 'invalid';
    out.statements = 1;
    out.syntaxError = (err as Error).message;
    return out;
  }
  const stmts = parsed.stmts ?? [];
  out.statements = stmts.length;
  let sawTx = false;
  stmts.forEach((s, i) => {
    const kind = classifyStmt(s.stmt, text, tokens, out);
    if (kind === 'tx') sawTx = true;
    merge(out, kind, i === 0);
  });
  if (stmts.length > 1) {
    out.txInMulti = sawTx;
    if (sawTx) out.kind = 'write';
    // A multi-statement query runs in one implicit transaction, unless it has its own BEGIN/COMMIT.
    if (out.kind === 'tx') out.kind = 'write';
    out.tx = undefined;
  }
  if (out.forceReplicate && (out.kind === 'read' || out.kind === 'show-pool-nodes')) out.kind = 'write';
  return out;
}

export interface ClassifyResult {
  info: Classified;
  tokens: Tokens;
}

/**
 * Classification with a cache keyed by the lexer's key. The cache is bounded; statements with literals that
 * vary in strings still hit it when the same text comes back (as prepared statements and ORMs do).
 */
export class StatementClassifier {
  private readonly cache = new Map<string, Classified>();
  hits = 0;
  misses = 0;

  constructor(private readonly maxEntries = 20000) {}

  /**
   * `text` is the query's bytes as a latin1 string. With `shared`, the tokens live in reused arrays: valid
   * until the next shared call (clone them to keep them).
   */
  classify(text: string, shared = false): ClassifyResult {
    const tokens = tokenize(text, shared);
    let info = this.cache.get(tokens.key);
    if (info) {
      this.hits++;
      return { info, tokens };
    }
    this.misses++;
    info = classifyText(text, tokens);
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(tokens.key, info);
    return { info, tokens };
  }

  classifyBytes(buf: Buffer, start: number, end: number, shared = false): ClassifyResult {
    return this.classify(buf.toString('latin1', start, end), shared);
  }
}

export { TK_OP };

/** now()/CURRENT_* sites in any expression or statement text (e.g. a column DEFAULT from the catalog). */
export function timeSitesOf(text: string): { tokens: Tokens; sites: TimeSite[]; broken: boolean } | undefined {
  const wrapped = `SELECT ${text}`;
  const tokens = tokenize(wrapped);
  let parsed: { stmts?: { stmt: Node }[] };
  try {
    parsed = parseSync(Buffer.from(wrapped, 'latin1').toString('utf8')) as unknown as { stmts?: { stmt: Node }[] };
  } catch {
    return undefined;
  }
  const out = empty('write');
  const w: Walk = { funcs: [], svfs: [], dmlInside: false, selectInto: false, locking: false, defaults: [], targets: [] };
  walk(parsed.stmts?.[0]?.stmt, w);
  for (const f of w.funcs) {
    const cast = TIME_FUNCS[f.name];
    if (cast && (!f.schema || f.schema === 'pg_catalog') && !((f.node.args as unknown[]) ?? []).length) addFuncSite(out, wrapped, tokens, f.loc, cast);
  }
  for (const s of w.svfs) {
    const cast = SVF_CAST[s.op];
    if (cast) addSvfSite(out, wrapped, tokens, s.loc, cast, s.op.endsWith('_N') ? s.typmod : undefined);
  }
  return { tokens, sites: out.timeSites, broken: out.rewriteBroken };
}

/** What the statements of a routine body (a trigger function's SQL) call and write. */
export interface RoutineCalls {
  /** now()/CURRENT_* and friends: the node's own transaction time. */
  time: string[];
  /** Functions that differ per node (random(), clock_timestamp(), ...). */
  volatile: string[];
  /** Literal sequence names given to nextval()/setval(). */
  sequences: string[];
  dynamicNextval: boolean;
  /** Tables inserted into, updated or deleted from. */
  writes: RelName[];
  /** Functions called that may be the user's (their bodies matter too). */
  calls: string[];
}

/** Calls and writes in SQL text (one or more statements); undefined when it does not parse. */
export function routineCallsOf(sql: string): RoutineCalls | undefined {
  let parsed: { stmts?: { stmt: Node }[] };
  try {
    parsed = parseSync(sql) as unknown as { stmts?: { stmt: Node }[] };
  } catch {
    return undefined;
  }
  const out: RoutineCalls = { time: [], volatile: [], sequences: [], dynamicNextval: false, writes: [], calls: [] };
  const add = (list: string[], x: string) => {
    if (!list.includes(x)) list.push(x);
  };
  for (const { stmt } of parsed.stmts ?? []) {
    const type = Object.keys(stmt)[0]!;
    const body = stmt[type] as Node;
    const w: Walk = { funcs: [], svfs: [], dmlInside: false, selectInto: false, locking: false, defaults: [], targets: [] };
    walk(body, w);
    const top = DML.has(type) ? relOf(body.relation as Node) : undefined;
    for (const rel of top ? [top, ...w.targets] : w.targets) addTarget(out.writes, rel);
    for (const f of type === 'CallStmt' && body.funccall ? [{ ...funcName(body.funccall as Node), node: body.funccall as Node, loc: 0 }, ...w.funcs] : w.funcs) {
      const user = userFunction(f);
      if (user) add(out.calls, user);
      if (TIME_FUNCS[f.name] && (!f.schema || f.schema === 'pg_catalog')) add(out.time, f.name);
      if (VOLATILE_WARN.has(f.name) || picksLargeObjectOid(f)) add(out.volatile, f.name);
      if (f.name === 'nextval' || f.name === 'setval') {
        const name = stringLiteral((f.node.args as Node[] | undefined)?.[0]);
        if (name) add(out.sequences, name);
        else if (f.name === 'nextval') out.dynamicNextval = true;
      }
    }
    for (const v of w.svfs) if (SVF_CAST[v.op]) add(out.time, v.op.replace(/^SVFOP_/, '').replace(/_N$/, '').toLowerCase());
  }
  return out;
}
