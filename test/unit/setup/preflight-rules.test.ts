import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectFor, parseServerVersion, supportLevel } from '../../../core/setup/flavor';
import { hasGlobal, parseGrant, quoteAccount, redactGrant } from '../../../core/setup/preflight/grants';
import { evaluatePreflight, retentionCheck, SUPPORTED_AUTH_PLUGINS } from '../../../core/setup/preflight/rules';
import type { PreflightFacts, ServerFacts } from '../../../core/setup/preflight/types';
import { en } from '../../../core/setup/messages/en';
import { ja } from '../../../core/setup/messages/ja';
import { zh } from '../../../core/setup/messages/zh';

test('dialect follows the flavour and version: REPLICA/SOURCE only on MySQL 8.0.22+/8.0.23+', () => {
  const d = (v: string, c = '') => dialectFor(parseServerVersion(v, c));
  assert.equal(d('8.0.21').startReplica, 'START SLAVE');
  assert.equal(d('8.0.22').startReplica, 'START REPLICA');
  assert.equal(d('8.0.22').changeSourceTo, 'CHANGE MASTER TO');
  assert.equal(d('8.0.23').changeSourceTo, 'CHANGE REPLICATION SOURCE TO');
  assert.equal(d('8.0.23').sourceOptionPrefix, 'SOURCE_');
  assert.equal(d('8.0.36').showBinlogStatus, 'SHOW MASTER STATUS');
  assert.equal(d('8.4.3').showBinlogStatus, 'SHOW BINARY LOG STATUS');
  assert.equal(d('8.4.3').showReplicaStatus, 'SHOW REPLICA STATUS');
  assert.equal(d('5.7.44-log').showReplicaStatus, 'SHOW SLAVE STATUS');
  // MariaDB keeps the classic words at every version; the handshake prefix 5.5.5- is not the version.
  const m = parseServerVersion('5.5.5-10.4.32-MariaDB');
  assert.deepEqual([m.flavor, m.major, m.minor, m.patch], ['mariadb', 10, 4, 32]);
  assert.equal(d('11.4.2-MariaDB').changeSourceTo, 'CHANGE MASTER TO');
  assert.equal(d('10.11.19-MariaDB-0+deb12u1-log').positionPrivilege, 'BINLOG MONITOR');
  assert.equal(d('10.4.32-MariaDB').positionPrivilege, 'REPLICATION CLIENT');
  assert.equal(d('8.0.36', 'MySQL Community Server - GPL').positionPrivilege, 'REPLICATION CLIENT');
  assert.equal(supportLevel(parseServerVersion('5.6.51')), 'old');
  assert.equal(supportLevel(parseServerVersion('5.5.62')), 'unsupported');
  assert.equal(supportLevel(parseServerVersion('garbage')), 'unsupported');
});

test('grants: global privileges, ALL PRIVILEGES, quoting and redaction', () => {
  const g = ["GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `repl`@`10.%` IDENTIFIED BY PASSWORD '*ABCDEF'", 'GRANT SELECT, SHOW VIEW ON `sales`.* TO `repl`@`10.%`'];
  assert.ok(hasGlobal(g, ['REPLICATION SLAVE']));
  assert.ok(!hasGlobal(g, ['SELECT']));
  assert.deepEqual([...parseGrant(g[1]!)!.privileges], ['SELECT', 'SHOW VIEW']);
  assert.equal(parseGrant(g[1]!)!.schema, 'sales');
  assert.ok(hasGlobal(['GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION'], ['REPLICATION SLAVE']));
  assert.equal(quoteAccount("o'hara@10.1.%"), "'o\\'hara'@'10.1.%'");
  assert.doesNotMatch(redactGrant(g[0]!), /ABCDEF/);
});

function facts(over: Partial<Record<string, string>> = {}, more: Partial<ServerFacts> = {}): ServerFacts {
  return {
    version: parseServerVersion('10.11.19-MariaDB'),
    vars: {
      server_id: '1', log_bin: 'ON', binlog_format: 'ROW', binlog_row_image: 'FULL', gtid_domain_id: '0', gtid_binlog_pos: '0-1-5',
      expire_logs_days: '30', binlog_expire_logs_seconds: '0', max_allowed_packet: String(16 << 20), character_set_server: 'utf8mb4',
      collation_server: 'utf8mb4_general_ci', lower_case_table_names: '0', read_only: 'OFF', ...over,
    } as Record<string, string>,
    currentUser: 'repl@%',
    grants: ['GRANT SELECT, RELOAD, REPLICATION SLAVE, BINLOG MONITOR, SHOW VIEW, EVENT, TRIGGER ON *.* TO `repl`@`%`'],
    authPlugin: 'mysql_native_password',
    engines: { INNODB: 'DEFAULT', ARIA: 'YES', MYISAM: 'YES' },
    tables: [{ schema: 'sales', name: 'Orders', engine: 'InnoDB', collation: 'utf8mb4_general_ci', bytes: 1 << 20 }],
    collations: ['utf8mb4_general_ci'],
    ...more,
  };
}
function all(m: ServerFacts, t: ServerFacts, extra: Partial<PreflightFacts> = {}) {
  const r = evaluatePreflight({ master: m, target: t, otherMasters: [], disks: [], maxOfflineSeconds: 7 * 86400, relayHeadroomBytes: 1 << 30, ...extra });
  return Object.fromEntries(r.map((x) => [x.id, x]));
}

test('a well-configured pair passes everything it can measure', () => {
  const r = all(facts(), facts({ server_id: '2', read_only: 'ON' }, { grants: ['GRANT ALL PRIVILEGES ON *.* TO `admin`@`%`'] }), {
    disks: [{ path: '/var/lib/replicadesk', what: 'relay-log', freeBytes: 100 * 1024 ** 3, totalBytes: 200 * 1024 ** 3 }],
  });
  for (const [id, c] of Object.entries(r)) assert.equal(c.status, 'pass', `${id}: ${c.observed} / ${c.explanation.en}`);
});

test('each check fails or warns on the condition it guards, with a fix in every language', () => {
  const t = facts({ server_id: '2' });
  const cases: [string, ServerFacts, ServerFacts, string, RegExp?][] = [
    ['log_bin', facts({ log_bin: 'OFF' }), t, 'fail', /log-bin = mysql-bin/],
    ['binlog_format', facts({ binlog_format: 'STATEMENT' }), t, 'warn', /binlog_format = ROW/],
    ['server_id', facts({ server_id: '0' }), t, 'fail', /server-id = 3/],
    ['server_id', facts({ server_id: '2' }), t, 'fail', /server-id = 3/],
    ['binlog_row_image', facts({ binlog_row_image: 'MINIMAL' }), t, 'warn', /FULL/],
    ['replication_privileges', facts({}, { grants: ['GRANT SELECT ON *.* TO `repl`@`%`'] }), t, 'fail', /GRANT REPLICATION SLAVE, BINLOG MONITOR ON \*\.\* TO 'repl'@'%';/],
    ['copy_privileges', facts({}, { grants: ['GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `repl`@`%`'] }), t, 'warn', /SELECT, SHOW VIEW, TRIGGER, EVENT, RELOAD/],
    ['binlog_retention', facts({ expire_logs_days: '0' }), t, 'warn', /binlog_expire_logs_seconds = 1209600/],
    ['binlog_retention', facts({ expire_logs_days: '3' }), t, 'fail'],
    ['binlog_retention', facts({ expire_logs_days: '10' }), t, 'warn'],
    ['max_allowed_packet', facts({ max_allowed_packet: String(64 << 20) }), t, 'fail', /max_allowed_packet = 64M/],
    ['character_sets', facts({ character_set_server: 'latin1', collation_server: 'latin1_swedish_ci' }), t, 'warn', /character-set-server = latin1/],
    ['character_sets', facts({}, { tables: [{ schema: 's', name: 't', engine: 'InnoDB', collation: 'utf8mb4_0900_ai_ci', bytes: 0 }] }), t, 'fail'],
    ['lower_case_table_names', facts(), facts({ server_id: '2', lower_case_table_names: '1' }), 'fail', /lower_case_table_names = 0/],
    ['lower_case_table_names', facts({}, { tables: [] }), facts({ server_id: '2', lower_case_table_names: '1' }), 'warn'],
    ['storage_engines', facts({}, { tables: [{ schema: 's', name: 't', engine: 'ROCKSDB', collation: null, bytes: 0 }] }), t, 'fail', /ENGINE=InnoDB/],
    ['storage_engines', facts({}, { tables: [{ schema: 's', name: 't', engine: 'MyISAM', collation: null, bytes: 0 }] }), t, 'warn'],
    ['target_read_only', facts(), t, 'warn', /read_only = ON/],
    ['target_read_only', facts(), facts({ server_id: '2', read_only: 'ON' }, { grants: ['GRANT SELECT, INSERT ON *.* TO `app`@`%`'], currentUser: 'app@%' }), 'fail', /READ_ONLY ADMIN/],
    ['version', facts({}, { version: parseServerVersion('10.11.2-MariaDB') }), facts({ server_id: '2' }, { version: parseServerVersion('10.6.1-MariaDB') }), 'warn'],
    ['master_connect', facts({}, { authPlugin: 'ed25519' }), t, 'warn', /mysql_native_password/],
  ];
  for (const [id, m, tt, status, fix] of cases) {
    const c = all(m, tt)[id]!;
    assert.equal(c.status, status, `${id} (${c.observed})`);
    for (const lang of ['en', 'ja', 'zh'] as const) {
      assert.ok(c.explanation[lang].length > 10, `${id} explanation in ${lang}`);
      assert.ok(c.howToFix?.[lang], `${id} how-to-fix in ${lang}`);
    }
    if (fix) assert.match(c.fix!.map((f) => f.code).join('\n'), fix, id);
  }
  // Another channel's master with the same server id, or the same GTID domain.
  const r = all(facts({ server_id: '5' }), t, { otherMasters: [{ channel: 'shop', serverId: 5, gtidDomainId: 0 }] });
  assert.equal(r.server_id!.status, 'fail');
  assert.match(r.server_id!.explanation.ja, /shop/);
  assert.equal(r.gtid!.status, 'warn');
});

test('MySQL masters: gtid_mode, retention in seconds, privileges named REPLICATION CLIENT', () => {
  const my = (vars: Record<string, string>, grants?: string[]) =>
    facts({ gtid_domain_id: '', gtid_binlog_pos: '', expire_logs_days: '0', binlog_expire_logs_seconds: '2592000', ...vars }, { version: parseServerVersion('8.0.36'), ...(grants ? { grants } : {}) });
  const t = facts({ server_id: '2' });
  assert.equal(all(my({ gtid_mode: 'ON' }), t).gtid!.status, 'pass');
  assert.equal(all(my({ gtid_mode: 'OFF_PERMISSIVE' }), t).gtid!.status, 'warn');
  assert.equal(retentionCheck(my({}), 7 * 86400).status, 'pass');
  const p = all(my({}, ['GRANT REPLICATION SLAVE ON *.* TO `repl`@`%`']), t).replication_privileges!;
  assert.equal(p.status, 'fail');
  assert.match(p.fix![0]!.code, /GRANT REPLICATION CLIENT ON/);
  assert.match(all(my({}), t).version!.observed, /CHANGE REPLICATION SOURCE TO \/ START REPLICA/);
  assert.match(all(my({}), t).version!.explanation.en, /MySQL 8\.0\.36/);
  assert.equal(all(my({}), t).version!.status, 'warn', 'MySQL into MariaDB is flagged');
});

test('connection failures are explained by cause, and dependent checks are skipped, not failed', () => {
  const t = facts({ server_id: '2' });
  const fail = (code: string) => all({ code, message: 'x', host: '10.0.0.5', port: 3306, user: 'repl' } as never, t);
  assert.match(fail('ECONNREFUSED').master_connect!.fix![0]!.code, /bind-address = 0\.0\.0\.0/);
  assert.match(fail('ER_ACCESS_DENIED_ERROR').master_connect!.explanation.en, /refused the login of "repl"/);
  assert.match(fail('ETIMEDOUT').master_connect!.howToFix!.zh, /3306/);
  const r = fail('ENOTFOUND');
  assert.equal(r.master_connect!.status, 'fail');
  assert.equal(r.log_bin!.status, 'skip');
  assert.equal(r.max_allowed_packet!.status, 'skip');
  assert.equal(r.target_read_only!.status, 'warn');
});

test('disk: fails when the copy and relay logs do not fit, warns when tight', () => {
  const t = facts({ server_id: '2' });
  const m = facts({}, { tables: [{ schema: 's', name: 't', engine: 'InnoDB', collation: null, bytes: 10 * 1024 ** 3 }] });
  const disk = (free: number) => all(m, t, { disks: [{ path: '/d', what: 'target-datadir', freeBytes: free, totalBytes: 1e13 }, { path: '/d/relay', what: 'relay-log', freeBytes: free, totalBytes: 1e13 }] }).free_disk!;
  assert.equal(disk(5 * 1024 ** 3).status, 'fail');
  assert.equal(disk(20 * 1024 ** 3).status, 'warn');
  assert.equal(disk(100 * 1024 ** 3).status, 'pass');
  assert.ok(SUPPORTED_AUTH_PLUGINS.includes('caching_sha2_password'));
});

test('every message exists in en, ja and zh (and the typed catalogs agree at run time too)', () => {
  assert.deepEqual(Object.keys(ja).sort(), Object.keys(en).sort());
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
});
