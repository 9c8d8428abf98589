import assert from 'node:assert/strict';
import { test } from 'node:test';

/**
 * The renderer's pure rules (form checks, the statement shown for review, thread states, error meanings),
 * run in Node. They belong to the renderer's TypeScript project, so they are loaded at run time here; the
 * compiler checks their types where they live.
 */
const load = (m: string): any => require(`../../renderer/src/model/${m}`);
const forms = load('forms');
const threads = load('thread-states');
const errors = load('replication-errors');
const history = load('history-kinds');
const metrics = load('metrics');
const status = load('slave-status');
const pool = load('pool-node');

test('the CHANGE MASTER TO shown for review quotes values and never shows the password', () => {
  const master = { host: "db'1", port: '3306', user: 'r\\epl', password: 'secret' };
  const s: string = forms.changeMasterStatement('office1', master, { mode: 'position', file: 'mysql-bin.000024', pos: '98', gtid: '' });
  assert.match(s, /^CHANGE MASTER 'office1' TO\n/);
  assert.match(s, /MASTER_HOST='db\\'1'/);
  assert.match(s, /MASTER_USER='r\\\\epl'/);
  assert.match(s, /MASTER_LOG_FILE='mysql-bin.000024',\n  MASTER_LOG_POS=98;$/);
  assert.ok(!s.includes('secret'));
  const g: string = forms.changeMasterStatement('o', master, { mode: 'gtid', file: '', pos: '', gtid: '0-1-1234' });
  assert.match(g, /^SET GLOBAL gtid_slave_pos = '0-1-1234';\n/);
  assert.match(g, /MASTER_USE_GTID=slave_pos;$/);
});

test('form checks: endpoints, names, positions, filters, backends', () => {
  assert.deepEqual(forms.checkEndpoint({ host: 'db 1', port: '70000', user: '', password: '' }), { host: 'host', port: 'port', user: 'required', password: 'required' });
  assert.deepEqual(forms.checkEndpoint({ host: 'db1', port: '3306', user: 'repl', password: 'x' }), {});
  assert.equal(forms.isUnitName('office-1_a'), true);
  assert.equal(forms.isUnitName('-office'), false);
  assert.equal(forms.isUnitName('a/b'), false);
  assert.deepEqual(forms.checkStart({ mode: 'position', file: 'mysql-bin.000024', pos: '3', gtid: '' }), { pos: 'position' });
  assert.deepEqual(forms.checkStart({ mode: 'position', file: '../x.1', pos: '4', gtid: '' }), { file: 'position' });
  assert.deepEqual(forms.checkStart({ mode: 'gtid', file: '', pos: '', gtid: '0-1-5, 1-2-9' }), {});
  assert.deepEqual(forms.checkFilters({ replicateDoDb: 'shop\nsales', replicateIgnoreDb: 'a.b', replicateDoTable: 'shop.orders', replicateIgnoreTable: 'orders', replicateWildDoTable: 'shop.%', replicateWildIgnoreTable: '' }), {
    replicateIgnoreDb: 'filter',
    replicateIgnoreTable: 'filter',
  });
  assert.deepEqual(forms.checkBackend({ host: 'pg1', port: '5432', weight: '0.5' }), {});
  assert.deepEqual(forms.checkBackend({ host: '', port: 'x', weight: '-1' }), { host: 'required', port: 'port', weight: 'weight' });
  assert.equal(forms.pgpoolBackendLines([{ host: 'pg1', port: '5432', weight: '1' }]), "backend_hostname0 = 'pg1'\nbackend_port0 = 5432\nbackend_weight0 = 1");
});

test('thread states in words: old and new MySQL wording, MariaDB wording, unknown ones left alone', () => {
  assert.equal(threads.threadStateKey('io', 'Waiting for master to send event'), 'thread.io.waiting');
  assert.equal(threads.threadStateKey('io', 'Waiting for source to send event'), 'thread.io.waiting');
  assert.equal(threads.threadStateKey('io', 'Reconnecting after a failed master event read'), 'thread.io.reconnecting');
  assert.equal(threads.threadStateKey('sql', 'Slave has read all relay log; waiting for more updates'), 'thread.sql.caughtUp');
  assert.equal(threads.threadStateKey('sql', 'Has read all relay log; waiting for the slave I/O thread to update it'), 'thread.sql.caughtUp');
  assert.equal(threads.threadStateKey('sql', 'Replica has read all relay log; waiting for more updates'), 'thread.sql.caughtUp');
  assert.equal(threads.threadStateKey('sql', 'Reading event from the relay log'), 'thread.sql.applying');
  assert.equal(threads.threadStateKey('sql', 'Something new in MySQL 9'), undefined);
  assert.equal(threads.threadStateKey('io', ''), undefined);
});

test('error meanings offer only actions that make sense', () => {
  assert.deepEqual(errors.errorMeaning(1236).actions, ['reclone'], 'purged binlogs: skipping cannot help');
  assert.ok(errors.errorMeaning(1062).actions.includes('skip'));
  assert.deepEqual(errors.errorMeaning(2003).actions, ['retry']);
  assert.equal(errors.errorMeaning(99999).key, 'error.unknown');
});

test('history kinds the engines record have a meaning', () => {
  for (const kind of ['service.started', 'service.stopped', 'stop.failed', 'io.error', 'io.stopped', 'io.connected', 'sql.error', 'sql.stopped', 'sql.warning', 'relay.truncated', 'relay.recovered', 'relay.recovery-failed', 'channel.reset', 'channel.created', 'channel.deleted', 'channel.skip', 'channels.resume.failed', 'fanout.created', 'fanout.started', 'fanout.start.failed', 'fanout.stopped', 'fanout.node.down', 'fanout.node.up', 'fanout.mismatch', 'fanout.warning']) {
    assert.ok(history.historyMeaning(kind), kind);
  }
  assert.equal(history.historyMeaning('something.else'), undefined);
  assert.equal(history.historyMeaning('fanout.node.recovering'), 'historyKind.node.recovering', 'being recovered is not "recovered"');
});

test('the chart keeps the last hour, in order; errors and bytes behind come from the right fields', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  const at = (min: number) => new Date(now - min * 60_000).toISOString();
  const kept = metrics.lastHour([{ at: at(5), secondsBehindMaster: 1, eventsPerSecond: 1 }, { at: at(90), secondsBehindMaster: 2, eventsPerSecond: 2 }, { at: at(30), secondsBehindMaster: 3, eventsPerSecond: 3 }], now);
  assert.deepEqual(kept.map((s: { secondsBehindMaster: number }) => s.secondsBehindMaster), [3, 1]);
  const row = { Slave_IO_Running: 'Yes', Slave_SQL_Running: 'No', Last_IO_Errno: 2003, Last_IO_Error: 'old', Last_SQL_Errno: 1062, Last_SQL_Error: 'dup' };
  assert.deepEqual(status.currentError(row), { thread: 'sql', errno: 1062, message: 'dup' }, "the stopped thread's error, not a running one's old error");
  assert.equal(status.bytesBehind({ Master_Log_File: 'b.2', Read_Master_Log_Pos: 500, Relay_Master_Log_File: 'b.1', Exec_Master_Log_Pos: 100 }), null, 'across files: unknown');
  assert.equal(status.bytesBehind({ Master_Log_File: 'b.1', Read_Master_Log_Pos: 500, Relay_Master_Log_File: 'b.1', Exec_Master_Log_Pos: 100 }), 400);
  assert.equal(status.bytesBehind({ Master_Log_File: 'b.2', Read_Master_Log_Pos: 500, Relay_Master_Log_File: 'b.1', Exec_Master_Log_Pos: 100, Relay_Bytes_Behind: 77 }), 77, "the engine's figure wins");
  assert.deepEqual(pool.nodeActions('down'), ['recover', 'attach']);
  assert.deepEqual(pool.nodeActions('recovering'), []);
});

test("the editors propose the service machine's usual file paths, and none where there is no usual place", () => {
  const paths = load('default-paths');
  assert.deepEqual(paths.defaultPaths('linux'), { mycnf: '/etc/mysql/my.cnf', pgpool: '/etc/pgpool2/pgpool.conf' });
  assert.match(paths.defaultPaths('win32').mycnf, /^C:\\.*my\.ini$/);
  assert.equal(paths.defaultPaths('win32').pgpool, '', 'pgpool-II does not run on Windows: no made-up path');
  assert.deepEqual(paths.defaultPaths(undefined), paths.defaultPaths('linux'), 'an older service without platform: Linux paths');
});

test('jobs land on the right card: a channel\'s latest fresh copy, each node\'s latest recovery wherever it was started', () => {
  const jobs = load('jobs');
  const now = Date.parse('2026-11-21T12:00:00Z');
  const at = (min: number) => new Date(now - min * 60_000).toISOString();
  const job = (id: string, over: Record<string, unknown>) => ({ id, kind: 'reclone', title: id, status: 'running', startedAt: at(10), endedAt: null, progress: null, result: null, error: null, ...over });
  // Newest first, as the service state keeps them.
  const list = [
    job('r3', { kind: 'recovery', startedAt: at(2), target: { kind: 'fanout', name: 'pg', nodeId: 1 }, progress: { nodeId: 1, phase: 'copy', progress: 0.5 } }),
    job('c2', { startedAt: at(5), status: 'failed', endedAt: at(4), target: { kind: 'channel', name: 'office1' } }),
    job('r2', { kind: 'recovery', startedAt: at(6), status: 'failed', endedAt: at(5), target: { kind: 'fanout', name: 'pg', nodeId: 1 } }),
    job('r1', { kind: 'recovery', startedAt: at(7), status: 'succeeded', endedAt: at(6), target: { kind: 'fanout', name: 'pg', nodeId: 0 } }),
    job('c1', { startedAt: at(600), status: 'succeeded', endedAt: at(590), target: { kind: 'channel', name: 'office2' } }),
    job('x', { kind: 'clone' }),
  ];
  assert.equal(jobs.channelJob(list, 'office1', now)?.id, 'c2', 'the latest, even when it failed');
  assert.equal(jobs.channelJob(list, 'office2', now), undefined, 'ended long ago: no longer on the card');
  assert.equal(jobs.channelJob(list, 'pg', now), undefined, 'a fan-out job is not a channel job');
  const rec = jobs.nodeRecoveries(list, 'pg');
  assert.deepEqual(rec.get(1), { nodeId: 1, phase: 'copy', progress: 0.5 }, 'the newer running recovery wins over the failed one');
  assert.equal(rec.get(0).phase, 'attached');
  assert.equal(jobs.nodeRecoveries(list, 'other').size, 0);
  // A job this window started, from a service that sends no target.
  const untargeted = [job('u', { kind: 'recovery', progress: { nodeId: 4, phase: 'snapshot' } })];
  assert.equal(jobs.nodeRecoveries(untargeted, 'pg', new Map([[4, 'u']])).get(4).phase, 'snapshot');
});
