/**
 * The pre-flight decisions: facts in, verdicts out. Pure, so every branch (MySQL ones included, which we
 * cannot start here) is unit-tested from version strings and variable values.
 */
import { type Localized, localize } from '../messages/localize';
import { atLeast, describeVersion, dialectFor, supportLevel } from '../flavor';
import { hasGlobal, hasOnSchemas, quoteAccount } from './grants';
import {
  type CheckFix,
  type CheckId,
  type CheckResult,
  type CheckStatus,
  type ConnectFailure,
  type PreflightFacts,
  type ServerFacts,
  isFailure,
} from './types';

/** Plugins our replica client can authenticate with (mysql2 and the replication protocol agree on these). */
export const SUPPORTED_AUTH_PLUGINS = ['mysql_native_password', 'caching_sha2_password', 'sha256_password'];

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 10 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

function days(seconds: number): number {
  return Math.round((seconds / 86400) * 10) / 10;
}

function result(id: CheckId, status: CheckStatus, observed: string, expected: string, explanation: Localized, howToFix?: Localized, fix?: CheckFix[]): CheckResult {
  const r: CheckResult = { id, status, observed, expected, explanation };
  if (howToFix) r.howToFix = howToFix;
  if (fix?.length) r.fix = fix;
  return r;
}

const mycnf = (on: CheckFix['on'], lines: string, restart = true): CheckFix => ({ kind: 'mycnf', on, code: `[mysqld]\n${lines}`, restart });
const sql = (on: CheckFix['on'], code: string): CheckFix => ({ kind: 'sql', on, code });

function v(f: ServerFacts, name: string): string {
  return f.vars[name] ?? '';
}
function on(value: string): boolean {
  return /^(1|on|yes|true)$/i.test(value);
}

export function connectCheck(role: 'master' | 'target', facts: ServerFacts | ConnectFailure): CheckResult {
  const id: CheckId = role === 'master' ? 'master_connect' : 'target_connect';
  const expected = 'connected';
  if (!isFailure(facts)) {
    const plugin = facts.authPlugin ?? 'unknown';
    const observed = `connected as ${facts.currentUser} (${describeVersion(facts.version)}, auth ${plugin})`;
    if (facts.authPlugin && !SUPPORTED_AUTH_PLUGINS.includes(facts.authPlugin)) {
      return result(id, 'warn', observed, `auth plugin one of ${SUPPORTED_AUTH_PLUGINS.join(', ')}`, localize('connect.pluginUnsupported', { role, plugin }), localize('connect.plugin.fix', {}), [
        sql(role, facts.version.flavor === 'mariadb' ? `ALTER USER ${quoteAccount(facts.currentUser)} IDENTIFIED VIA mysql_native_password USING PASSWORD('<password>');` : `ALTER USER ${quoteAccount(facts.currentUser)} IDENTIFIED WITH caching_sha2_password BY '<password>';`),
      ]);
    }
    return result(id, 'pass', observed, expected, localize('connect.ok', { role, who: facts.currentUser, plugin }));
  }
  const f = facts;
  const where = `${f.host}:${f.port}`;
  const observed = `${f.code}: ${f.message}`;
  const account = quoteAccount(`${f.user}@%`);
  switch (f.code) {
    case 'ECONNREFUSED':
      return result(id, 'fail', observed, expected, localize('connect.refused', { role, where }), localize('connect.refused.fix', { role }), [mycnf(role, 'bind-address = 0.0.0.0')]);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return result(id, 'fail', observed, expected, localize('connect.unreachable', { role, where }), localize('connect.unreachable.fix', { port: f.port }));
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return result(id, 'fail', observed, expected, localize('connect.unknownHost', { role, host: f.host }), localize('connect.unknownHost.fix', {}));
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_HOST_NOT_PRIVILEGED':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return result(id, 'fail', observed, expected, localize('connect.denied', { role, user: f.user }), localize('connect.denied.fix', { role }), [
        sql(role, `CREATE USER ${account} IDENTIFIED BY '<password>';`),
      ]);
    case 'AUTH_PLUGIN':
      return result(id, 'fail', observed, expected, localize('connect.pluginUnsupported', { role, plugin: f.message }), localize('connect.plugin.fix', {}), [
        sql(role, `ALTER USER ${account} IDENTIFIED BY '<password>';`),
      ]);
    default:
      return result(id, 'fail', observed, expected, localize('connect.other', { role, message: f.message }));
  }
}

function skipped(id: CheckId, role: 'master' | 'target'): CheckResult {
  return result(id, 'skip', 'not checked', '', localize('skip.noConnection', { role }));
}

export function versionCheck(m: ServerFacts, t: ServerFacts | undefined): CheckResult {
  const d = dialectFor(m.version);
  const statements = `${d.changeSourceTo} / ${d.startReplica} / ${d.showReplicaStatus}`;
  const observed = `master ${describeVersion(m.version)}${t ? `, target ${describeVersion(t.version)}` : ''}; statements: ${statements}`;
  const expected = 'MariaDB 10.3+ or MySQL 5.7+';
  const level = supportLevel(m.version);
  if (level === 'unsupported') return result('version', 'fail', observed, expected, localize('version.unsupported', { master: m.version.text }), localize('version.upgrade.fix', {}));
  if (level === 'old') return result('version', 'warn', observed, expected, localize('version.old', { master: describeVersion(m.version) }), localize('version.upgrade.fix', {}));
  if (t && t.version.flavor === m.version.flavor && !atLeast(t.version, m.version.major, m.version.minor)) {
    return result('version', 'warn', observed, `target ${describeVersion(t.version)} or newer than the master`, localize('version.targetOlder', { master: describeVersion(m.version), target: describeVersion(t.version) }), localize('version.targetOlder.fix', {}));
  }
  if (t && t.version.flavor === 'mariadb' && m.version.flavor === 'mysql') {
    return result('version', 'warn', observed, expected, localize('version.mysqlToMariadb', { master: describeVersion(m.version), target: describeVersion(t.version) }));
  }
  return result('version', 'pass', observed, expected, localize('version.ok', { master: describeVersion(m.version), statements }));
}

export function logBinCheck(m: ServerFacts): CheckResult {
  if (on(v(m, 'log_bin'))) return result('log_bin', 'pass', `ON (${v(m, 'log_bin_basename') || 'binlog'})`, 'ON', localize('logBin.on', {}));
  return result('log_bin', 'fail', 'OFF', 'ON', localize('logBin.off', {}), localize('logBin.fix', {}), [mycnf('master', 'log-bin = mysql-bin')]);
}

export function binlogFormatCheck(m: ServerFacts): CheckResult {
  const f = v(m, 'binlog_format').toUpperCase();
  if (f === 'ROW') return result('binlog_format', 'pass', f, 'ROW', localize('binlogFormat.row', {}));
  return result('binlog_format', 'warn', f || 'unknown', 'ROW', localize('binlogFormat.other', { format: f }), localize('binlogFormat.fix', {}), [
    sql('master', "SET GLOBAL binlog_format = 'ROW';"),
    mycnf('master', 'binlog_format = ROW'),
  ]);
}

export function serverIdCheck(m: ServerFacts, t: ServerFacts | undefined, others: PreflightFacts['otherMasters']): CheckResult {
  const id = Number(v(m, 'server_id'));
  const taken = new Set<number>([...(t ? [Number(v(t, 'server_id'))] : []), ...others.map((o) => o.serverId), 0]);
  let suggestion = Math.max(...taken, id) + 1;
  while (taken.has(suggestion)) suggestion++;
  const fix = [mycnf('master', `server-id = ${suggestion}`), sql('master', `SET GLOBAL server_id = ${suggestion};`)];
  const expected = 'non-zero, unique among the master, the backup server and every other channel';
  if (!id) return result('server_id', 'fail', '0', expected, localize('serverId.zero', {}), localize('serverId.fix', { id: suggestion }), fix);
  if (t && Number(v(t, 'server_id')) === id) return result('server_id', 'fail', `${id} (target also ${id})`, expected, localize('serverId.sameAsTarget', { id }), localize('serverId.fix', { id: suggestion }), fix);
  const clash = others.find((o) => o.serverId === id);
  if (clash) return result('server_id', 'fail', `${id} (channel ${clash.channel} also ${id})`, expected, localize('serverId.sameAsChannel', { id, channel: clash.channel }), localize('serverId.fix', { id: suggestion }), fix);
  return result('server_id', 'pass', String(id), expected, localize('serverId.ok', { id }));
}

export function rowImageCheck(m: ServerFacts): CheckResult {
  const img = (v(m, 'binlog_row_image') || 'FULL').toUpperCase();
  if (img === 'FULL') return result('binlog_row_image', 'pass', img, 'FULL', localize('rowImage.full', {}));
  return result('binlog_row_image', 'warn', img, 'FULL', localize('rowImage.partial', { image: img }), localize('rowImage.fix', {}), [
    sql('master', "SET GLOBAL binlog_row_image = 'FULL';"),
    mycnf('master', 'binlog_row_image = FULL'),
  ]);
}

export function gtidCheck(m: ServerFacts, others: PreflightFacts['otherMasters']): CheckResult {
  if (m.version.flavor === 'mariadb') {
    const domain = Number(v(m, 'gtid_domain_id') || 0);
    const pos = v(m, 'gtid_binlog_pos') || '(empty)';
    const observed = `gtid_domain_id=${domain}, gtid_binlog_pos=${pos}`;
    const clash = others.find((o) => o.gtidDomainId === domain);
    if (clash) {
      return result('gtid', 'warn', observed, 'a gtid_domain_id no other channel uses', localize('gtid.domainClash', { domain, channel: clash.channel }), localize('gtid.domain.fix', {}), [
        mycnf('master', `gtid_domain_id = ${Math.max(domain, ...others.map((o) => o.gtidDomainId ?? 0)) + 1}`),
      ]);
    }
    return result('gtid', 'pass', observed, 'MariaDB GTID (always on)', localize('gtid.mariadb', { domain }));
  }
  const mode = (v(m, 'gtid_mode') || 'OFF').toUpperCase();
  if (mode === 'ON') return result('gtid', 'pass', `gtid_mode=ON`, 'ON or OFF', localize('gtid.mysqlOn', {}));
  if (mode === 'OFF') return result('gtid', 'pass', `gtid_mode=OFF`, 'ON or OFF', localize('gtid.mysqlOff', {}));
  return result('gtid', 'warn', `gtid_mode=${mode}`, 'ON or OFF', localize('gtid.mysqlTransition', { mode }), localize('gtid.mysqlTransition.fix', {}));
}

export function replicationPrivilegesCheck(m: ServerFacts): CheckResult {
  const d = dialectFor(m.version);
  const missing: string[] = [];
  if (!hasGlobal(m.grants, ['REPLICATION SLAVE', 'REPLICATION REPLICA'])) missing.push('REPLICATION SLAVE');
  if (!hasGlobal(m.grants, ['REPLICATION CLIENT', 'BINLOG MONITOR', 'SUPER'])) missing.push(d.positionPrivilege);
  const expected = `REPLICATION SLAVE, ${d.positionPrivilege} ON *.*`;
  if (!missing.length) return result('replication_privileges', 'pass', 'REPLICATION SLAVE and ' + d.positionPrivilege, expected, localize('privs.ok', { account: m.currentUser }));
  return result('replication_privileges', 'fail', `missing ${missing.join(', ')}`, expected, localize('privs.missing', { account: m.currentUser, missing: missing.join(', ') }), localize('privs.fix', {}), [
    sql('master', `GRANT ${missing.join(', ')} ON *.* TO ${quoteAccount(m.currentUser)};`),
  ]);
}

export function copyPrivilegesCheck(m: ServerFacts, schemas: string[]): CheckResult {
  const needs = ['SELECT', 'SHOW VIEW', 'TRIGGER', 'EVENT'];
  const missing = needs.filter((p) => !hasOnSchemas(m.grants, p, schemas));
  // Several parallel streams at one position need a brief global read lock (RELOAD) on MySQL, and on MariaDB
  // for more than one stream; without it the copy falls back to a single stream.
  const reload = hasGlobal(m.grants, ['RELOAD']);
  const expected = `${needs.join(', ')} on the copied databases, RELOAD for parallel copying`;
  if (!missing.length && reload) return result('copy_privileges', 'pass', needs.join(', ') + ', RELOAD', expected, localize('copyPrivs.ok', {}));
  const all = [...missing, ...(reload ? [] : ['RELOAD'])];
  return result('copy_privileges', 'warn', `missing ${all.join(', ')}`, expected, localize('copyPrivs.missing', { missing: all.join(', ') }), localize('copyPrivs.fix', {}), [
    sql('master', `GRANT ${all.join(', ')} ON *.* TO ${quoteAccount(m.currentUser)};`),
  ]);
}

/** Effective retention in seconds; 0 = never purged automatically. */
export function retentionSeconds(m: ServerFacts): number {
  const secs = Number(v(m, 'binlog_expire_logs_seconds') || 0);
  if (secs > 0) return secs;
  return Math.round(Number(v(m, 'expire_logs_days') || 0) * 86400);
}

export function retentionCheck(m: ServerFacts, maxOfflineSeconds: number): CheckResult {
  const secs = retentionSeconds(m);
  const want = Math.max(maxOfflineSeconds * 2, 7 * 86400);
  const wantDays = Math.ceil(want / 86400);
  const fix: CheckFix[] =
    m.version.flavor === 'mysql' || atLeast(m.version, 10, 6)
      ? [sql('master', `SET GLOBAL binlog_expire_logs_seconds = ${wantDays * 86400};`), mycnf('master', `binlog_expire_logs_seconds = ${wantDays * 86400}`)]
      : [sql('master', `SET GLOBAL expire_logs_days = ${wantDays};`), mycnf('master', `expire_logs_days = ${wantDays}`)];
  const expected = `at least ${days(want)} days (twice the ${days(maxOfflineSeconds)} days the backup PC may be off)`;
  if (secs === 0) return result('binlog_retention', 'warn', 'never (0)', expected, localize('retention.forever', {}), localize('retention.forever.fix', { days: wantDays }), fix);
  const observed = `${days(secs)} days`;
  if (secs < maxOfflineSeconds || secs < 86400) {
    return result('binlog_retention', 'fail', observed, expected, localize('retention.tooShort', { days: days(secs), offline: days(maxOfflineSeconds) }), localize('retention.fix', { days: wantDays }), fix);
  }
  if (secs < want) return result('binlog_retention', 'warn', observed, expected, localize('retention.short', { days: days(secs), offline: days(maxOfflineSeconds) }), localize('retention.fix', { days: wantDays }), fix);
  return result('binlog_retention', 'pass', observed, expected, localize('retention.ok', { days: days(secs), offline: days(maxOfflineSeconds) }));
}

export function packetCheck(m: ServerFacts, t: ServerFacts): CheckResult {
  const mp = Number(v(m, 'max_allowed_packet'));
  const tp = Number(v(t, 'max_allowed_packet'));
  const observed = `master ${formatBytes(mp)}, target ${formatBytes(tp)}`;
  if (tp >= mp) return result('max_allowed_packet', 'pass', observed, 'target ≥ master', localize('packet.ok', {}));
  const mb = Math.ceil(mp / 1048576);
  return result('max_allowed_packet', 'fail', observed, 'target ≥ master', localize('packet.small', { master: formatBytes(mp), target: formatBytes(tp) }), localize('packet.fix', {}), [
    sql('target', `SET GLOBAL max_allowed_packet = ${mb * 1048576};`),
    mycnf('target', `max_allowed_packet = ${mb}M`, false),
  ]);
}

export function charsetCheck(m: ServerFacts, t: ServerFacts, tables: ServerFacts['tables']): CheckResult {
  const mc = `${v(m, 'character_set_server')}/${v(m, 'collation_server')}`;
  const tc = `${v(t, 'character_set_server')}/${v(t, 'collation_server')}`;
  const known = new Set(t.collations.map((c) => c.toLowerCase()));
  const used = [...new Set(tables.map((x) => x.collation).filter((c): c is string => !!c))];
  const missing = used.filter((c) => !known.has(c.toLowerCase()));
  const observed = `master ${mc}, target ${tc}`;
  if (missing.length) {
    return result('character_sets', 'fail', `${observed}; unknown on target: ${missing.join(', ')}`, 'every collation used on the master exists on the target', localize('charset.missingCollations', { list: missing.join(', ') }), localize('charset.missing.fix', {}));
  }
  if (v(m, 'character_set_server') !== v(t, 'character_set_server')) {
    return result('character_sets', 'warn', observed, 'the same server character set', localize('charset.differ', { master: mc, target: tc }), localize('charset.differ.fix', {}), [
      mycnf('target', `character-set-server = ${v(m, 'character_set_server')}\ncollation-server = ${v(m, 'collation_server')}`),
    ]);
  }
  return result('character_sets', 'pass', observed, 'the same server character set', localize('charset.ok', { charset: v(m, 'character_set_server') }));
}

export function lowerCaseCheck(m: ServerFacts, t: ServerFacts, tables: ServerFacts['tables']): CheckResult {
  const ml = Number(v(m, 'lower_case_table_names') || 0);
  const tl = Number(v(t, 'lower_case_table_names') || 0);
  const observed = `master ${ml}, target ${tl}`;
  if (ml === tl) return result('lower_case_table_names', 'pass', observed, 'equal', localize('lctn.ok', { value: ml }));
  const upper = tables.filter((x) => /[A-Z]/.test(x.schema + x.name)).length;
  if (ml === 0 && tl !== 0 && upper > 0) {
    return result('lower_case_table_names', 'fail', `${observed}; ${upper} tables with capital letters`, 'equal', localize('lctn.upperLost', { master: ml, target: tl, count: upper }), localize('lctn.fix', { value: ml }), [
      mycnf('target', `lower_case_table_names = ${ml}`),
    ]);
  }
  return result('lower_case_table_names', 'warn', observed, 'equal', localize('lctn.differ', { master: ml, target: tl }), localize('lctn.fix', { value: ml }), [mycnf('target', `lower_case_table_names = ${ml}`)]);
}

const TRANSACTIONAL = new Set(['INNODB', 'XTRADB', 'ROCKSDB', 'TOKUDB', 'NDBCLUSTER']);
const NO_DATA = new Set(['BLACKHOLE', 'FEDERATED', 'FEDERATEDX', 'CONNECT', 'SPIDER', 'SEQUENCE']);

export function enginesCheck(t: ServerFacts, tables: ServerFacts['tables']): CheckResult {
  const used = [...new Set(tables.map((x) => (x.engine ?? '').toUpperCase()).filter(Boolean))].sort();
  const missing = used.filter((e) => !/^(YES|DEFAULT)$/i.test(t.engines[e] ?? ''));
  const observed = used.length ? `used on the master: ${used.join(', ')}` : 'no tables';
  if (missing.length) {
    return result('storage_engines', 'fail', `${observed}; not available on target: ${missing.join(', ')}`, 'every engine available on the target', localize('engines.missing', { list: missing.join(', ') }), localize('engines.missing.fix', {}), [
      sql('master', tables.filter((x) => missing.includes((x.engine ?? '').toUpperCase())).slice(0, 20).map((x) => `ALTER TABLE \`${x.schema.replace(/`/g, '``')}\`.\`${x.name.replace(/`/g, '``')}\` ENGINE=InnoDB;`).join('\n')),
    ]);
  }
  const risky = used.filter((e) => !TRANSACTIONAL.has(e) && !NO_DATA.has(e));
  if (risky.length) {
    return result('storage_engines', 'warn', observed, 'InnoDB', localize('engines.nonTransactional', { list: risky.join(', ') }), localize('engines.nonTransactional.fix', {}));
  }
  return result('storage_engines', 'pass', observed, 'every engine available on the target', localize('engines.ok', { list: used.join(', ') || '-' }));
}

export function readOnlyCheck(t: ServerFacts): CheckResult {
  const ro = on(v(t, 'read_only'));
  const canWrite = hasGlobal(t.grants, ['SUPER', 'READ_ONLY ADMIN', 'CONNECTION ADMIN']);
  if (ro && !canWrite) {
    return result('target_read_only', 'fail', `read_only=ON, ${t.currentUser} cannot write past it`, 'read_only=ON and the applier may write', localize('readOnly.noPrivilege', { account: t.currentUser }), localize('readOnly.noPrivilege.fix', {}), [
      sql('target', `GRANT ${t.version.flavor === 'mariadb' && atLeast(t.version, 10, 11) ? 'READ_ONLY ADMIN' : 'SUPER'} ON *.* TO ${quoteAccount(t.currentUser)};`),
    ]);
  }
  if (ro) return result('target_read_only', 'pass', 'read_only=ON', 'read_only=ON', localize('readOnly.on', {}));
  return result('target_read_only', 'warn', 'read_only=OFF', 'read_only=ON', localize('readOnly.off', {}), localize('readOnly.fix', {}), [sql('target', 'SET GLOBAL read_only = ON;'), mycnf('target', 'read-only', false)]);
}

export function diskCheck(facts: PreflightFacts, copyBytes: number): CheckResult {
  if (!facts.disks.length) return result('free_disk', 'skip', 'not measured', '', localize('disk.unknown', {}));
  // When relay log and target share a file system, both needs add up on it.
  const byFs = new Map<string, { free: number; need: number; paths: string[] }>();
  for (const d of facts.disks) {
    const key = `${d.freeBytes}/${d.totalBytes}`;
    const e = byFs.get(key) ?? { free: d.freeBytes, need: 0, paths: [] };
    e.need += d.what === 'relay-log' ? facts.relayHeadroomBytes : Math.ceil(copyBytes * 1.2);
    e.paths.push(d.path);
    byFs.set(key, e);
  }
  let worst: { status: CheckStatus; e: { free: number; need: number; paths: string[] } } | undefined;
  for (const e of byFs.values()) {
    const status: CheckStatus = e.free < e.need ? 'fail' : e.free < e.need * 2 ? 'warn' : 'pass';
    const rank = { pass: 0, skip: 0, warn: 1, fail: 2 };
    if (!worst || rank[status] > rank[worst.status]) worst = { status, e };
  }
  const { status, e } = worst!;
  const observed = `${formatBytes(e.free)} free on ${e.paths.join(', ')}`;
  const expected = `at least ${formatBytes(e.need)} (the copy, about ${formatBytes(copyBytes)}, plus relay logs)`;
  const p = { path: e.paths.join(', '), free: formatBytes(e.free), need: formatBytes(e.need) };
  if (status === 'pass') return result('free_disk', 'pass', observed, expected, localize('disk.ok', p));
  return result('free_disk', status, observed, expected, localize(status === 'fail' ? 'disk.short' : 'disk.low', p), localize('disk.fix', {}));
}

/** All checks, in the order a wizard shows them. */
export function evaluatePreflight(facts: PreflightFacts): CheckResult[] {
  const out: CheckResult[] = [connectCheck('master', facts.master), connectCheck('target', facts.target)];
  const m = isFailure(facts.master) ? undefined : facts.master;
  const t = isFailure(facts.target) ? undefined : facts.target;
  const tables = m ? m.tables.filter((x) => !facts.includeTable || facts.includeTable(x.schema, x.name)) : [];
  const schemas = [...new Set(tables.map((x) => x.schema))];
  const copyBytes = tables.reduce((s, x) => s + x.bytes, 0);
  const needM = (id: CheckId, f: (m: ServerFacts) => CheckResult) => out.push(m ? f(m) : skipped(id, 'master'));
  const needMT = (id: CheckId, f: (m: ServerFacts, t: ServerFacts) => CheckResult) => out.push(m && t ? f(m, t) : skipped(id, m ? 'target' : 'master'));
  needM('version', (m) => versionCheck(m, t));
  needM('log_bin', logBinCheck);
  needM('binlog_format', binlogFormatCheck);
  needM('server_id', (m) => serverIdCheck(m, t, facts.otherMasters));
  needM('binlog_row_image', rowImageCheck);
  needM('gtid', (m) => gtidCheck(m, facts.otherMasters));
  needM('replication_privileges', replicationPrivilegesCheck);
  needM('copy_privileges', (m) => copyPrivilegesCheck(m, schemas));
  needM('binlog_retention', (m) => retentionCheck(m, facts.maxOfflineSeconds));
  needMT('max_allowed_packet', packetCheck);
  needMT('character_sets', (m, t) => charsetCheck(m, t, tables));
  needMT('lower_case_table_names', (m, t) => lowerCaseCheck(m, t, tables));
  out.push(t ? enginesCheck(t, tables) : skipped('storage_engines', 'target'));
  out.push(t ? readOnlyCheck(t) : skipped('target_read_only', 'target'));
  out.push(diskCheck(facts, copyBytes));
  return out;
}
