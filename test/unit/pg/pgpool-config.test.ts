import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PGPOOL_PARAMS, resolveParamName } from '../../../core/config/pgpool/catalog';
import { PgpoolConfDocument, quoteValue } from '../../../core/config/pgpool/document';
import { PoolHbaDocument } from '../../../core/config/pgpool/pool-hba';
import { decryptAesSecret, encryptAesSecret, md5Secret, PasswordBook, PoolPasswdDocument } from '../../../core/config/pgpool/pool-passwd';
import { readPgpoolSettings } from '../../../core/config/pgpool/settings';
import { parseBool, parseInteger } from '../../../core/config/pgpool/values';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rd-pgpoolconf-'));
}

test('pgpool.conf round-trips byte for byte: comments, CRLF, tabs, no final newline', () => {
  const text = "# top comment\r\nport = 9999   # trailing\r\n\r\n\tlisten_addresses='*'\nbackend_hostname0 = 'db1'  \n#backend_port0 = 5432\ninsert_lock off";
  const doc = PgpoolConfDocument.parse(text, 'x.conf');
  assert.equal(doc.toString(), text);
  assert.deepEqual(
    doc.settings().map((s) => [s.key, s.value, s.line]),
    [
      ['port', '9999', 2],
      ['listen_addresses', '*', 4],
      ['backend_hostname0', 'db1', 5],
      ['insert_lock', 'off', 7],
    ],
  );
  assert.deepEqual(doc.problems(), []);
});

test('editing a value changes only that token and keeps the comment on the line', () => {
  const text = "port = 9999   # the port\nlisten_addresses = 'localhost' # where\n";
  const doc = PgpoolConfDocument.parse(text, 'x.conf').withValue('port', '5433').withValue('listen_addresses', quoteValue('*'));
  assert.equal(doc.toString(), "port = 5433   # the port\nlisten_addresses = '*' # where\n");
  const added = doc.withValue('load_balance_mode', 'off');
  assert.equal(added.toString(), "port = 5433   # the port\nlisten_addresses = '*' # where\nload_balance_mode = off\n");
  assert.throws(() => quoteValue("it's"));
});

test('a non-UTF-8 file (Shift_JIS comment) writes back byte for byte', () => {
  const bytes = Buffer.concat([Buffer.from('# '), Buffer.from([0x83, 0x65, 0x83, 0x58, 0x83, 0x67]), Buffer.from('\nport = 5433\n')]);
  const doc = PgpoolConfDocument.fromBytes(bytes, 'sjis.conf');
  assert.ok(doc.toBytes().equals(bytes));
  assert.equal(doc.settings()[0]!.value, '5433');
});

test('syntax problems are reported with line and column', () => {
  const doc = PgpoolConfDocument.parse("port = 1\nlisten_addresses = 'open\n= 3\nport 5 extra\n", 'bad.conf');
  const p = doc.problems();
  assert.deepEqual(p.map((x) => x.line), [2, 3, 4]);
  assert.match(p[0]!.message, /not closed/);
  assert.equal(p[0]!.column, 20);
});

test('values: booleans with prefixes, integers with units, ranges', () => {
  assert.equal(parseBool('on'), true);
  assert.equal(parseBool('OFF'), false);
  assert.equal(parseBool('t'), true);
  assert.equal(parseBool('o'), undefined);
  assert.equal(parseBool('maybe'), undefined);
  assert.equal(parseInteger('5min', 's'), 300);
  assert.equal(parseInteger('1500ms', 's'), 2);
  assert.equal(parseInteger('10MB', 'kB'), 10240);
  assert.equal(parseInteger('0x10'), 16);
  assert.match(String(parseInteger('5 parsecs', 's')), /unknown unit/);
});

test('catalog: every entry is well formed; per-node names resolve', () => {
  const names = new Set<string>();
  for (const p of PGPOOL_PARAMS) {
    assert.ok(!names.has(p.name), `duplicate ${p.name}`);
    names.add(p.name);
    if (p.type === 'enum') assert.ok(p.values?.includes(p.default as string), `${p.name} default not in values`);
    if (p.type === 'int' || p.type === 'real') {
      assert.ok(p.min === undefined || (p.default as number) >= p.min || p.scope === 'node', `${p.name} default below min`);
    }
  }
  assert.equal(resolveParamName('backend_port3')?.index, 3);
  assert.equal(resolveParamName('backend_port3')?.spec.name, 'backend_port');
  assert.equal(resolveParamName('backend_port'), undefined, 'backend_port has no global form');
  assert.equal(resolveParamName('health_check_period')?.index, undefined);
  assert.equal(resolveParamName('health_check_period1')?.index, 1);
  assert.equal(resolveParamName('backend_port01'), undefined);
  assert.equal(resolveParamName('backend_port128'), undefined);
  assert.equal(resolveParamName('port1'), undefined);
});

test('settings: typed values, per-node fallback, includes, and every unknown/unsupported line reported with file and line', () => {
  const dir = tmpDir();
  try {
    fs.writeFileSync(
      path.join(dir, 'pgpool.conf'),
      [
        "backend_clustering_mode = 'native_replication'",
        "listen_addresses = '*'",
        'port = 9999',
        "backend_hostname0 = 'db1'",
        'backend_port0 = 5432',
        'backend_weight0 = 1',
        "backend_hostname1 = 'db2'",
        'backend_port1 = 5433',
        'backend_weight1 = 0.5',
        'health_check_period = 10',
        'health_check_timeout1 = 5',
        "health_check_retry_delay = '2s'",
        'use_watchdog = on',
        'log_connections = on',
        'frobnicate = 3',
        'port = 99999',
        "include = 'conf.d/extra.conf'",
        "reset_query_list = 'ABORT; DISCARD ALL; SELECT 1'",
      ].join('\n') + '\n',
    );
    fs.mkdirSync(path.join(dir, 'conf.d'));
    fs.writeFileSync(path.join(dir, 'conf.d', 'extra.conf'), 'num_init_children = 64\n');
    const s = readPgpoolSettings(path.join(dir, 'pgpool.conf'));
    assert.equal(s.str('backend_clustering_mode'), 'native_replication');
    assert.equal(s.int('port'), 9999, 'the invalid later line does not override');
    assert.deepEqual(s.backendIndexes(), [0, 1]);
    assert.equal(s.str('backend_hostname', 1), 'db2');
    assert.equal(s.get('backend_weight', 1), 0.5);
    assert.equal(s.str('backend_flag', 1), 'ALLOW_TO_FAILOVER');
    assert.equal(s.int('health_check_period', 1), 10, 'per-node falls back to the global value');
    assert.equal(s.int('health_check_timeout', 1), 5);
    assert.equal(s.int('health_check_timeout', 0), 20);
    assert.equal(s.int('health_check_retry_delay'), 2);
    assert.equal(s.int('num_init_children'), 64);
    assert.deepEqual(s.list('reset_query_list'), ['ABORT', 'DISCARD ALL', 'SELECT 1']);
    const byParam = new Map(s.diagnostics.map((d) => [d.param, d]));
    assert.equal(byParam.get('frobnicate')?.kind, 'unknown');
    assert.equal(byParam.get('frobnicate')?.line, 15);
    assert.equal(byParam.get('frobnicate')?.file, path.join(dir, 'pgpool.conf'));
    assert.equal(byParam.get('use_watchdog')?.severity, 'warning');
    assert.equal(byParam.get('use_watchdog')?.kind, 'unsupported');
    assert.equal(byParam.get('log_connections')?.kind, 'ignored');
    const bad = s.diagnostics.find((d) => d.param === 'port' && d.kind === 'invalid-value');
    assert.equal(bad?.line, 16);
    assert.equal(bad?.severity, 'error');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const SAMPLE = '/usr/share/doc/pgpool2/examples/pgpool.conf.sample';
test('the pgpool-II sample configuration reads without syntax errors', { skip: fs.existsSync(SAMPLE) ? false : `${SAMPLE} is absent (Debian pgpool2 not installed)` }, () => {
  const s = readPgpoolSettings(SAMPLE);
  assert.deepEqual(s.diagnostics.filter((d) => d.severity === 'error' || d.kind === 'unknown'), []);
  assert.equal(PgpoolConfDocument.fromBytes(fs.readFileSync(SAMPLE), SAMPLE).toBytes().equals(fs.readFileSync(SAMPLE)), true);
});

test('pool_passwd: md5, TEXT, plain and AES entries (AES as pgpool\'s pg_enc writes it)', () => {
  // Generated by pgpool-II 4.3's `pg_enc -k <file with "secretkey"> mypassword`.
  const aes = 'AESGLnfFFp7OQXHBqHb9dPyoQ==';
  assert.equal(decryptAesSecret(aes, 'secretkey'), 'mypassword');
  assert.equal(encryptAesSecret('mypassword', 'secretkey'), aes);
  assert.throws(() => decryptAesSecret(aes, 'wrongkey'), /cannot be decrypted/);
  const text = `alice:md5${md5Secret('pw1', 'alice')}\nbob:TEXTpw2\n\ncarol:${aes}\ndave:plainpw\nbroken line\nwe\\:ird:x\n`;
  const doc = PoolPasswdDocument.parse(text, 'pool_passwd');
  assert.equal(doc.toString(), text);
  assert.deepEqual(doc.entries().map((e) => [e.user, e.kind]), [
    ['alice', 'md5'],
    ['bob', 'text'],
    ['carol', 'aes'],
    ['dave', 'plain'],
    ['we:ird', 'plain'],
  ]);
  assert.deepEqual(doc.problems().map((p) => p.line), [6]);
  const book = new PasswordBook(doc, 'secretkey');
  assert.equal(book.lookup('alice')?.md5, md5Secret('pw1', 'alice'));
  assert.equal(book.lookup('alice')?.password, undefined);
  assert.equal(book.lookup('bob')?.password, 'pw2');
  assert.equal(book.lookup('carol')?.password, 'mypassword');
  assert.equal(book.lookup('nobody'), undefined);
});

test('pool_passwd AES matches the installed pg_enc', { skip: fs.existsSync('/usr/sbin/pg_enc') ? false : 'pg_enc is not installed' }, () => {
  const dir = tmpDir();
  try {
    const key = path.join(dir, 'key');
    fs.writeFileSync(key, 'another key phrase\n', { mode: 0o600 });
    const out = execFileSync('/usr/sbin/pg_enc', ['-k', key, 's3cret-Ω'], { encoding: 'utf8' });
    const aes = /pool_passwd string: (AES\S+)/.exec(out)![1]!;
    assert.equal(decryptAesSecret(aes, 'another key phrase'), 's3cret-Ω');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('pool_hba.conf: first matching line decides; CIDR, netmask, ssl types, keywords', () => {
  const text = [
    '# TYPE DATABASE USER ADDRESS METHOD',
    'local all all trust',
    'host all bad 0.0.0.0/0 reject',
    'hostssl secure all 0.0.0.0/0 scram-sha-256',
    'hostnossl secure all 0.0.0.0/0 reject',
    'host sameuser all 10.0.0.0 255.0.0.0 md5',
    'host "Mixed",app all 127.0.0.1/32 scram-sha-256',
    'host all all ::1/128 trust',
    'host all all 192.168.0.0/16 ldap ldapserver=x',
    'host all',
  ].join('\n');
  const doc = PoolHbaDocument.parse(text, 'pool_hba.conf');
  assert.equal(doc.toString(), text);
  assert.deepEqual(doc.problems().map((p) => p.line), [9, 10]);
  const m = (address: string, database: string, user: string, ssl = false) => doc.match({ address, database, user, ssl })?.line;
  assert.equal(m('127.0.0.1', 'x', 'bad'), 3);
  assert.equal(m('127.0.0.1', 'secure', 'u', true), 4);
  assert.equal(m('127.0.0.1', 'secure', 'u', false), 5);
  assert.equal(m('10.1.2.3', 'joe', 'joe'), 6);
  assert.equal(m('10.1.2.3', 'other', 'joe'), undefined);
  assert.equal(m('::ffff:127.0.0.1', 'Mixed', 'u'), 7);
  assert.equal(m('127.0.0.1', 'mixed', 'u'), undefined, 'quoted names are case-sensitive');
  assert.equal(m('127.0.0.1', 'app', 'u'), 7);
  assert.equal(m('::1', 'db', 'u'), 8);
  assert.equal(doc.match({ address: '192.168.1.1', database: 'd', user: 'u', ssl: false })?.method, 'ldap');
});
