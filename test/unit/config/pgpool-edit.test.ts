import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PgpoolConfDocument } from '../../../core/config/pgpool/document';
import { applyPgpoolPlan, loadPgpoolConf, planPgpoolEdits } from '../../../core/config/pgpool/edit';
import { applyPoolHbaPlan, planPoolHbaEdits } from '../../../core/config/pgpool/hba-edit';
import { PoolHbaDocument } from '../../../core/config/pgpool/pool-hba';
import { validatePgpoolDocument } from '../../../core/config/pgpool/validate';

// Laid out like pgpool-II 4.3's pgpool.conf.sample: section banners, commented-out defaults, explanations
// indented under each setting, a Japanese comment, an unterminated last line.
const SAMPLE = `# ----------------------------
# pgPool-II configuration file
# ----------------------------
#
# This file consists of lines of the form:
#
#   name = value
#
# Whitespace may be used.  Comments are introduced with "#" anywhere on a line.

#------------------------------------------------------------------------------
# BACKEND CLUSTERING MODE
# Choose one of: 'streaming_replication', 'native_replication',
#\t'logical_replication', 'slony', 'raw' or 'snapshot_isolation'
# (change requires restart)
#------------------------------------------------------------------------------

backend_clustering_mode = 'native_replication'

#------------------------------------------------------------------------------
# CONNECTIONS
#------------------------------------------------------------------------------

# - pgpool Connection Settings -

listen_addresses = '*'
                                   # Host name or IP address to listen on:
                                   # '*' for all, '' for no TCP/IP connections
                                   # (change requires restart)
port = 9999
                                   # Port number
                                   # (change requires restart)
#socket_dir = '/tmp'
                                   # Unix domain socket path

# - Backend Connection Settings -

backend_hostname0 = 'db1.office.lan'
                                   # Host name or IP address to connect to for backend 0
backend_port0 = 5432
                                   # Port number for backend 0
backend_weight0 = 1
                                   # Weight for backend 0 (only in load balancing mode)
backend_data_directory0 = '/var/lib/postgresql/15/main'
                                   # Data directory for backend 0
backend_flag0 = 'ALLOW_TO_FAILOVER'
                                   # Controls various backend behavior
                                   # ALLOW_TO_FAILOVER, DISALLOW_TO_FAILOVER
                                   # or ALWAYS_PRIMARY
backend_hostname1 = 'db2.office.lan'   # 経理サーバー
backend_port1 = 5432
backend_weight1 = 1
backend_flag1 = 'ALLOW_TO_FAILOVER'

#backend_hostname2 = 'host3'
#backend_port2 = 5433

# - Authentication -

enable_pool_hba = on
                                   # Use pool_hba.conf for client authentication
pool_passwd = 'pool_passwd'
authentication_timeout = 1min

#------------------------------------------------------------------------------
# POOLS
#------------------------------------------------------------------------------

num_init_children = 32
max_pool = 4
#client_idle_limit = 0
                                   # Client is disconnected after being idle for that many seconds
                                   # 0 means no disconnection

#------------------------------------------------------------------------------
# HEALTH CHECK GLOBAL PARAMETERS
#------------------------------------------------------------------------------

health_check_period = 10\t\t# Health check period
health_check_user = 'pgpool'
# end of file`;

function doc(text = SAMPLE): PgpoolConfDocument {
  return PgpoolConfDocument.parse(text, '/etc/pgpool2/pgpool.conf');
}

/** Lines removed and added by a diff body (ignoring headers and context). */
function changedLines(diff: string): { removed: string[]; added: string[] } {
  const body = diff.split('\n').filter((l) => !l.startsWith('---') && !l.startsWith('+++') && !l.startsWith('@@'));
  return { removed: body.filter((l) => l.startsWith('-')).map((l) => l.slice(1)), added: body.filter((l) => l.startsWith('+')).map((l) => l.slice(1)) };
}

test('a sample-like pgpool.conf round-trips byte for byte, also in CRLF and with no edits', () => {
  assert.equal(doc().toString(), SAMPLE);
  const crlf = SAMPLE.replace(/\n/g, '\r\n');
  assert.equal(PgpoolConfDocument.parse(crlf, 'x').toString(), crlf);
  const plan = planPgpoolEdits(doc(), []);
  assert.equal(plan.after.toString(), SAMPLE);
  assert.equal(plan.diff, '');
  assert.equal(plan.needs, 'none');
  assert.deepEqual(validatePgpoolDocument(doc()), []);
});

test('set changes only the value token of the deciding line and says reload or restart', () => {
  const p = planPgpoolEdits(doc(), [{ op: 'set', key: 'health_check_period', value: 30 }]);
  assert.deepEqual(changedLines(p.diff), { removed: ['health_check_period = 10\t\t# Health check period'], added: ['health_check_period = 30\t\t# Health check period'] });
  assert.equal(p.needs, 'reload');
  const before = SAMPLE.split('\n');
  const after = p.after.toString().split('\n');
  assert.equal(after.length, before.length);
  assert.deepEqual(after.filter((l, i) => l !== before[i]), ['health_check_period = 30\t\t# Health check period']);

  const r = planPgpoolEdits(doc(), [{ op: 'set', key: 'port', value: 5433 }]);
  assert.equal(r.needs, 'restart');
  assert.deepEqual(r.changed, [{ key: 'port', needs: 'restart' }]);

  // Same value written differently: nothing to reload.
  const same = planPgpoolEdits(doc(), [{ op: 'set', key: 'authentication_timeout', value: '60s' }]);
  assert.notEqual(same.diff, '');
  assert.equal(same.needs, 'none');

  // Strings are quoted, booleans written as on/off.
  const s = planPgpoolEdits(doc(), [
    { op: 'set', key: 'listen_addresses', value: 'localhost' },
    { op: 'set', key: 'enable_pool_hba', value: false },
  ]);
  assert.deepEqual(changedLines(s.diff).added, ["listen_addresses = 'localhost'", 'enable_pool_hba = off']);
});

test('a parameter that is not set goes under its commented-out sample line, or at the end', () => {
  const p = planPgpoolEdits(doc(), [{ op: 'set', key: 'client_idle_limit', value: 300 }]);
  const lines = p.after.toString().split('\n');
  const at = lines.indexOf('client_idle_limit = 300');
  assert.ok(at > 0);
  // After the sample line and its indented explanation, not between them.
  assert.equal(lines[at - 3], '#client_idle_limit = 0');
  assert.match(lines[at - 1]!, /^\s+# 0 means no disconnection/);
  assert.equal(changedLines(p.diff).removed.length, 0);
  assert.equal(p.needs, 'reload');

  const q = planPgpoolEdits(doc(), [{ op: 'set', key: 'replicate_select', value: true }]);
  // The last line had no line ending: it gets one, and the new line follows.
  assert.ok(q.after.toString().endsWith('# end of file\nreplicate_select = on\n'));
});

test('remove drops every line of the key and nothing else', () => {
  const text = `${SAMPLE}\nmax_pool = 8\n`;
  const p = planPgpoolEdits(doc(text), [{ op: 'remove', key: 'max_pool' }]);
  assert.deepEqual(changedLines(p.diff), { removed: ['max_pool = 4', 'max_pool = 8'], added: [] });
  assert.equal(p.needs, 'restart');
  assert.equal(p.after.lineOf('max_pool'), -1);
});

test('a new backend block is added after the last one, numbered after it, and needs only a reload', () => {
  const p = planPgpoolEdits(doc(), [{ op: 'add-backend', backend: { hostname: '192.168.1.30', port: 5432, weight: 1, flag: 'ALLOW_TO_FAILOVER' } }]);
  assert.deepEqual(changedLines(p.diff), {
    removed: [],
    added: ["backend_hostname2 = '192.168.1.30'", 'backend_port2 = 5432', 'backend_weight2 = 1', "backend_flag2 = 'ALLOW_TO_FAILOVER'", ''],
  });
  const lines = p.after.toString().split('\n');
  const at = lines.indexOf("backend_hostname2 = '192.168.1.30'");
  // Separated from the previous block by one blank line, as the sample does.
  assert.deepEqual(lines.slice(at - 2, at), ["backend_flag1 = 'ALLOW_TO_FAILOVER'", '']);
  assert.equal(lines[at + 4], '');
  assert.equal(p.needs, 'reload');
  assert.deepEqual(p.problems, []);

  // The first block of a file without any goes after the commented-out sample block.
  const bare = SAMPLE.split('\n').filter((l) => !/^backend_/.test(l)).join('\n');
  const q = planPgpoolEdits(doc(bare), [{ op: 'add-backend', backend: { hostname: 'h', port: 5432 } }]);
  const ql = q.after.toString().split('\n');
  assert.equal(ql[ql.indexOf("backend_hostname0 = 'h'") - 2], '#backend_port2 = 5433');

  // An existing number is refused.
  const dup = planPgpoolEdits(doc(), [{ op: 'add-backend', index: 1, backend: { hostname: 'x', port: 5432 } }]);
  assert.equal(dup.problems[0]!.introduced, true);
  assert.match(dup.problems[0]!.message, /backend 1 already exists/);
});

test('set-backend edits in place; changing an existing node needs a restart; remove-backend takes its explanations along', () => {
  const p = planPgpoolEdits(doc(), [{ op: 'set-backend', index: 1, backend: { hostname: '10.0.0.2', weight: 0.5, dataDirectory: '/srv/pg' } }]);
  assert.deepEqual(changedLines(p.diff), {
    removed: ["backend_hostname1 = 'db2.office.lan'   # 経理サーバー", 'backend_weight1 = 1'],
    added: ["backend_hostname1 = '10.0.0.2'   # 経理サーバー", 'backend_weight1 = 0.5', "backend_data_directory1 = '/srv/pg'"],
  });
  assert.equal(p.needs, 'restart');
  const w = planPgpoolEdits(doc(), [{ op: 'set-backend', index: 0, backend: { weight: 3 } }]);
  assert.equal(w.needs, 'reload');

  const r = planPgpoolEdits(doc(), [{ op: 'remove-backend', index: 0 }]);
  const { removed, added } = changedLines(r.diff);
  assert.equal(added.length, 0);
  assert.equal(removed.filter((l) => l.startsWith('backend_')).length, 5);
  assert.ok(removed.every((l) => l.startsWith('backend_') || /^\s+#/.test(l)));
  assert.ok(r.after.toString().includes("backend_hostname1 = 'db2.office.lan'"));
  assert.equal(r.needs, 'restart');
});

test('invalid values, unknown names and impossible edits are refused with file and line', async () => {
  const p = planPgpoolEdits(doc(), [
    { op: 'set', key: 'port', value: 80 },
    { op: 'set', key: 'load_balance_mode', value: 'maybe' },
    { op: 'set', key: 'backend_clustering_mode', value: 'sharding' },
    { op: 'set', key: 'num_init_childs', value: 10 },
    { op: 'set-backend', index: 1, backend: { flag: 'NEVER_FAIL' } },
  ]);
  const lines = p.after.toString().split('\n');
  const errs = p.problems.filter((x) => x.introduced);
  const at = (key: string) => errs.find((e) => e.param === key || e.message.includes(key));
  assert.equal(at('port')!.line, lines.indexOf('port = 80') + 1);
  assert.match(at('port')!.message, /outside the allowed range 1024 to 65535/);
  assert.equal(at('load_balance_mode')!.line, lines.indexOf('load_balance_mode = maybe') + 1);
  assert.match(at('backend_clustering_mode')!.message, /expects one of/);
  assert.match(at('num_init_childs')!.message, /not a pgpool-II 4.3 parameter/);
  assert.equal(at('num_init_childs')!.line, lines.findIndex((l) => l.startsWith('num_init_childs = ')) + 1);
  assert.equal(at('num_init_childs')!.severity, 'error');
  assert.equal(at('backend_flag1')!.line, lines.indexOf("backend_flag1 = 'NEVER_FAIL'") + 1);
  for (const e of errs) assert.equal(e.file, '/etc/pgpool2/pgpool.conf');
  await assert.rejects(applyPgpoolPlan(p), (err: Error & { code?: string }) => err.code === 'PGPOOL_CONF_INVALID_EDIT' && /pgpool\.conf:\d+: port is 80/.test(err.message));

  // Old mistakes elsewhere are reported with their lines but do not block an unrelated fix.
  const broken = SAMPLE.replace('max_pool = 4', 'max_pool = four').replace('port = 9999', 'portt = 9999');
  const q = planPgpoolEdits(doc(broken), [{ op: 'set', key: 'num_init_children', value: 16 }]);
  const old = q.problems.filter((x) => !x.introduced);
  assert.deepEqual(
    old.map((x) => [x.severity, x.line]),
    [
      ['warning', broken.split('\n').indexOf('portt = 9999') + 1],
      ['error', broken.split('\n').indexOf('max_pool = four') + 1],
    ],
  );
  assert.equal(q.problems.filter((x) => x.introduced).length, 0);

  // A quote cannot be expressed in pgpool.conf.
  const quote = planPgpoolEdits(doc(), [{ op: 'set', key: 'health_check_user', value: "o'brien" }]);
  assert.match(quote.problems[0]!.message, /cannot contain quotes/);
});

test('applyPgpoolPlan writes atomically with a backup and refuses a file changed meanwhile', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgpool-edit-'));
  try {
    const file = path.join(dir, 'pgpool.conf');
    fs.writeFileSync(file, SAMPLE, { mode: 0o640 });
    const plan = planPgpoolEdits(loadPgpoolConf(file), [{ op: 'set', key: 'num_init_children', value: 64 }]);
    const written = await applyPgpoolPlan(plan);
    assert.ok(written?.backup);
    assert.equal(fs.readFileSync(written.backup, 'utf8'), SAMPLE);
    assert.equal(fs.readFileSync(file, 'utf8'), SAMPLE.replace('num_init_children = 32', 'num_init_children = 64'));
    assert.equal(fs.statSync(file).mode & 0o777, 0o640);
    // The plan was made from the old content: refused now.
    await assert.rejects(applyPgpoolPlan(plan), (err: Error & { code?: string }) => err.code === 'PGPOOL_CONF_CHANGED_ON_DISK');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const HBA = `# pgpool Client Authentication Configuration File
# ===============================================
#
# TYPE  DATABASE    USER        CIDR-ADDRESS          METHOD

# "local" is for Unix domain socket connections only
local   all         all                               trust
# IPv4 local connections:
host    all         all         127.0.0.1/32          trust
host    sales       clerk       192.168.1.0/24        scram-sha-256   # 営業部
host    all         all         0.0.0.0/0             md5
`;

function hba(text = HBA): PoolHbaDocument {
  return PoolHbaDocument.parse(text, '/etc/pgpool2/pool_hba.conf');
}

test('pool_hba rules are added, changed, moved and removed in place', () => {
  const d = hba();
  assert.equal(d.toString(), HBA);
  const lineOf = (t: string) => HBA.split('\n').findIndex((l) => l.startsWith(t)) + 1;

  // Added before the catch-all (first match wins), in the sample's column layout.
  const add = planPoolHbaEdits(d, [{ op: 'add-rule', before: lineOf('host    all         all         0.0.0.0/0'), rule: { type: 'host', databases: ['stock'], users: ['warehouse'], address: '10.1.0.0/16', method: 'scram-sha-256' } }]);
  assert.deepEqual(changedLines(add.diff), { removed: [], added: ['host    stock           warehouse       10.1.0.0/16             scram-sha-256'] });
  const rules = add.after.rules();
  assert.equal(rules[3]!.databases[0], 'stock');
  assert.equal(rules[4]!.address?.kind, 'all');
  assert.equal(add.needs, 'reload');
  assert.deepEqual(add.problems, []);

  // Changed in place, keeping its comment.
  const set = planPoolHbaEdits(d, [{ op: 'set-rule', line: lineOf('host    sales'), rule: 'host    sales       clerk       192.168.2.0/24        md5' }]);
  assert.deepEqual(changedLines(set.diff), {
    removed: ['host    sales       clerk       192.168.1.0/24        scram-sha-256   # 営業部'],
    added: ['host    sales       clerk       192.168.2.0/24        md5   # 営業部'],
  });

  // Moved to the top of the rules, byte for byte; then one removed (lines named as read).
  const mv = planPoolHbaEdits(d, [
    { op: 'move-rule', line: lineOf('host    sales'), before: lineOf('local') },
    { op: 'remove-rule', line: lineOf('host    all         all         127.0.0.1') },
  ]);
  const after = mv.afterText.split('\n');
  assert.equal(after[lineOf('local') - 1], 'host    sales       clerk       192.168.1.0/24        scram-sha-256   # 営業部');
  assert.equal(after[lineOf('local')], 'local   all         all                               trust');
  assert.ok(!mv.afterText.includes('127.0.0.1'));
  assert.equal(mv.afterText.split('\n').length, HBA.split('\n').length - 1);
  for (const l of HBA.split('\n')) if (!l.includes('127.0.0.1')) assert.ok(after.includes(l), l);

  // A malformed rule is refused with its line; a comment line is not a rule.
  const bad = planPoolHbaEdits(d, [
    { op: 'add-rule', rule: 'host all all 10.0.0.0/99 md5' },
    { op: 'remove-rule', line: 1 },
  ]);
  const errs = bad.problems.filter((p) => p.introduced);
  assert.equal(errs.length, 2);
  assert.deepEqual(errs.map((e) => e.line).sort((a, b) => a - b), [1, bad.afterText.split('\n').indexOf('host all all 10.0.0.0/99 md5') + 1]);
});

test('applyPoolHbaPlan writes with a backup and refuses an invalid plan', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pool-hba-edit-'));
  try {
    const file = path.join(dir, 'pool_hba.conf');
    fs.writeFileSync(file, HBA);
    const d = PoolHbaDocument.load(file);
    const plan = planPoolHbaEdits(d, [{ op: 'add-rule', rule: { type: 'hostssl', databases: ['all'], users: ['backup user'], address: '10.0.0.0/8', method: 'scram-sha-256' } }]);
    const w = await applyPoolHbaPlan(plan);
    assert.equal(fs.readFileSync(w!.backup!, 'utf8'), HBA);
    const now = PoolHbaDocument.load(file);
    assert.deepEqual(now.rules().at(-1)!.users, ['"backup user"']);
    await assert.rejects(applyPoolHbaPlan(planPoolHbaEdits(now, [{ op: 'add-rule', rule: 'host all' }])), (err: Error & { code?: string }) => err.code === 'POOL_HBA_INVALID_EDIT');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
