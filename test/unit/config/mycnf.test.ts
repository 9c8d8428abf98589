import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ReplicaDeskError } from '../../../core/errors';
import { applyPlan, MyCnfDocument, MyCnfTree, planEdits, serverGroups, unifiedDiff } from '../../../core/config/mycnf';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rd-mycnf-'));
}
function write(dir: string, rel: string, content: string | Buffer): string {
  const f = path.join(dir, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, content);
  return f;
}
function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const d = unifiedDiff(before, after, 'x').split('\n').slice(2);
  return { removed: d.filter((l) => l.startsWith('-')).map((l) => l.slice(1)), added: d.filter((l) => l.startsWith('+')).map((l) => l.slice(1)) };
}

const DEBIAN_ROOT = '/etc/mysql/my.cnf';
const debianSkip = fs.existsSync(DEBIAN_ROOT) ? false : `${DEBIAN_ROOT} is absent (Debian package mariadb-server not installed)`;
if (debianSkip) console.log(`skip: ${debianSkip}`);

test("Debian's MariaDB option tree round-trips byte for byte and resolves like the server", { skip: debianSkip }, async () => {
  const tree = await MyCnfTree.load(DEBIAN_ROOT);
  assert.ok(tree.files.length >= 5, `expected the includes to be followed, got ${tree.files.map((f) => f.path).join(', ')}`);
  for (const f of tree.files) assert.ok(Buffer.from(f.original).equals(f.doc.toBytes()), `${f.path} did not round-trip`);
  const server = tree.files.find((f) => f.path.endsWith('mariadb.conf.d/50-server.cnf'));
  assert.ok(server, 'mariadb.conf.d/50-server.cnf is read through !includedir');
  assert.equal(tree.problems.filter((p) => p.severity === 'error').length, 0, JSON.stringify(tree.problems));
  const bind = tree.effective(serverGroups('mariadb', '10.11'), 'bind_address');
  assert.equal(bind?.value, '127.0.0.1');
  assert.equal(bind?.file, server.path);
  assert.match(server.doc.lines[bind!.line - 1]!.raw, /^bind-address\s+= 127\.0\.0\.1/);
  // Reading order: files of conf.d come before mariadb.conf.d, each folder sorted.
  const order = tree.files.map((f) => f.path);
  assert.ok(order.findIndex((p) => p.includes('/conf.d/')) < order.findIndex((p) => p.includes('mariadb.conf.d')));
  const inDir = order.filter((p) => p.includes('mariadb.conf.d'));
  assert.deepEqual(inDir, [...inDir].sort());

  // Setting server-id lands right under Debian's commented template line, aligned like its neighbours.
  const plan = planEdits(tree, [{ op: 'set', group: 'mysqld', key: 'server-id', value: '7' }], { readGroups: serverGroups('mariadb') });
  assert.equal(plan.changes.length, 1);
  assert.equal(plan.changes[0]!.file, server.path);
  const { removed, added } = changedLines(plan.changes[0]!.before, plan.changes[0]!.after);
  assert.deepEqual(removed, []);
  assert.equal(added.length, 1);
  assert.match(added[0]!, /^server-id\s+= 7$/);
  const after = plan.changes[0]!.after.split('\n');
  assert.match(after[after.indexOf(added[0]!) - 1]!, /^#server-id\s+= 1/);
  assert.equal(plan.result.effective(serverGroups('mariadb'), 'server_id')?.value, '7');
});

test('comments in Japanese (UTF-8) and in Shift_JIS bytes, CRLF and a missing last newline all round-trip', () => {
  const ja = '# レプリケーション マスター設定\r\n[mysqld]\r\nserver-id = 1 # マスターのID\r\nlog-bin\r\ncharacter-set-server = utf8';
  const doc = MyCnfDocument.fromBytes(Buffer.from(ja, 'utf8'), 'ja.cnf');
  assert.equal(doc.encoding, 'utf8');
  assert.ok(doc.toBytes().equals(Buffer.from(ja, 'utf8')));
  const opt = doc.lines[2]!;
  assert.equal(opt.kind === 'option' && opt.value, '1');
  // "# マスター" in Shift_JIS: 0x83 0x7d ... is not valid UTF-8.
  const sjis = Buffer.concat([Buffer.from('[mysqld]\n# '), Buffer.from([0x83, 0x7d, 0x83, 0x58, 0x83, 0x5e, 0x81, 0x5b]), Buffer.from('\nserver-id=3\n')]);
  const d2 = MyCnfDocument.fromBytes(sjis, 'sjis.cnf');
  assert.equal(d2.encoding, 'latin1');
  assert.ok(d2.toBytes().equals(sjis));
  // A UTF-8 byte order mark survives too.
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[client]\nport=3306\n')]);
  assert.ok(MyCnfDocument.fromBytes(bom, 'bom.cnf').toBytes().equals(bom));
});

test('any text round-trips, whatever it contains', () => {
  const pieces = ['[mysqld]', 'a=b', ' x = "q#z" # c', '\r', '\n', '\r\n', '!include x', '!bogus', '[', '=', ';c', '#', ' ', '\t', 'é', '漢字', "'", '"', '\\', 'k'];
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % pieces.length);
  for (let n = 0; n < 500; n++) {
    let s = '';
    for (let k = 0; k < 30; k++) s += pieces[rnd()];
    assert.equal(MyCnfDocument.parse(s, 'f').toString(), s);
  }
});

test('parsing: repeated keys, keys without values, - and _ , quotes, escapes, inline comments, prefixes', () => {
  const text = [
    '[client]',
    'password = "a#b\\"c"   # quoted: the # is part of the value',
    "socket='/tmp/my sock'",
    '[mysqld]',
    'replicate-do-db = sales',
    'replicate_do_db = stock',
    'skip-name-resolve',
    'loose-server_id = 4   # trailing comment',
    'datadir = C:\\mysql\\data',
    'init-connect = SET\\sNAMES\\tutf8',
    'log-bin',
    'skip-log-bin',
    '[MYSQLD]',
    'max_allowed_packet=64M',
  ].join('\n');
  const tree = MyCnfTree.fromText(text);
  assert.deepEqual(tree.get('client', 'password').map((o) => o.value), ['a#b"c']);
  assert.equal(tree.get('client', 'socket')[0]!.value, '/tmp/my sock');
  assert.deepEqual(tree.get('mysqld', 'replicate_do_db').map((o) => [o.value, o.line]), [['sales', 5], ['stock', 6]]);
  assert.equal(tree.get('mysqld', 'skip_name_resolve')[0]!.value, null);
  assert.equal(tree.get('mysqld', 'server-id')[0]!.value, '4');
  assert.equal(tree.get('mysqld', 'datadir')[0]!.value, 'C:\\mysql\\data', 'unknown escapes keep their backslash');
  assert.equal(tree.get('mysqld', 'init_connect')[0]!.value, 'SET NAMES\tutf8');
  // Group names match case-insensitively; skip-log-bin after log-bin turns it off.
  assert.equal(tree.get('mysqld', 'max-allowed-packet')[0]!.value, '64M');
  const eff = tree.effective(['mysqld'], 'log_bin');
  assert.equal(eff?.value, '0');
  assert.equal(eff?.impliedBy, 'skip-log-bin');
  assert.equal(eff?.line, 12);
});

test('lines the server would refuse are reported with file and line, and still kept as written', () => {
  const text = 'port = 3306\n[mysqld\n[mysqld]\n= 5\n!includ /x\n!include\nok=1\n';
  const tree = MyCnfTree.fromText(text, '/etc/bad.cnf');
  assert.deepEqual(
    tree.problems.map((p) => [p.file, p.line]),
    [['/etc/bad.cnf', 1], ['/etc/bad.cnf', 2], ['/etc/bad.cnf', 4], ['/etc/bad.cnf', 5], ['/etc/bad.cnf', 6]],
  );
  assert.match(tree.problems[0]!.message, /before any \[group\]/);
  assert.match(tree.problems[1]!.message, /closing "\]"/);
  assert.equal(tree.files[0]!.doc.toString(), text);
  assert.equal(tree.get('mysqld', 'ok')[0]!.value, '1');
});

test('edits touch only the intended lines: set, add, remove, new group, alignment and comments kept', () => {
  const before = [
    '# office server',
    '[mysqld]',
    'server-id       = 1   # keep this comment',
    'replicate-do-db = sales',
    '',
    '[client]',
    'port = 3306',
    '',
  ].join('\n');
  const tree = MyCnfTree.fromText(before, 'my.cnf');
  const plan = planEdits(tree, [
    { op: 'set', group: 'mysqld', key: 'server_id', value: '2' },
    { op: 'add', group: 'mysqld', key: 'replicate-do-db', value: 'stock' },
    { op: 'add', group: 'mysqld', key: 'replicate-do-db', value: 'sales' },
    { op: 'set', group: 'mysqld', key: 'binlog_format', value: 'ROW' },
    { op: 'remove', group: 'client', key: 'port' },
    { op: 'set', group: 'mysqldump', key: 'quick', value: null },
  ]);
  const after = plan.changes[0]!.after;
  assert.equal(
    after,
    [
      '# office server',
      '[mysqld]',
      'server-id       = 2   # keep this comment',
      'replicate-do-db = sales',
      'replicate-do-db = stock',
      'binlog_format   = ROW',
      '',
      '[client]',
      '',
      '[mysqldump]',
      'quick',
      '',
    ].join('\n'),
  );
  assert.match(plan.diff, /^--- my\.cnf\n\+\+\+ my\.cnf\n@@ /);
  assert.match(plan.diff, /\n-server-id       = 1   # keep this comment\n\+server-id       = 2   # keep this comment\n/);
  // Removing one value of a repeated key leaves the other.
  const p2 = planEdits(plan.result, [{ op: 'remove', group: 'mysqld', key: 'replicate_do_db', value: 'sales' }]);
  assert.deepEqual(p2.result.get('mysqld', 'replicate-do-db').map((o) => o.value), ['stock']);
  assert.deepEqual(planEdits(tree, [{ op: 'remove', group: 'mysqld', key: 'nothing' }]).warnings.length, 1);
  // set replaces a "skip-" form, and removes duplicates so exactly one line says what holds.
  const t3 = MyCnfTree.fromText('[mysqld]\nlog-bin = a\n#x\nskip-log-bin\n');
  const p3 = planEdits(t3, [{ op: 'set', group: 'mysqld', key: 'log_bin', value: 'mysql-bin' }]);
  assert.equal(p3.changes[0]!.after, '[mysqld]\n#x\nlog_bin = mysql-bin\n');
  // Values that need quoting are quoted and read back identically.
  const p4 = planEdits(t3, [{ op: 'set', group: 'client', key: 'password', value: ' p#w"\\ ' }]);
  assert.equal(p4.result.get('client', 'password')[0]!.value, ' p#w"\\ ');
});

test('bad values and names are refused before anything is written; overrides in later groups are flagged', () => {
  const tree = MyCnfTree.fromText('[mysqld]\nserver-id=1\n[mariadb]\nserver-id=9\n');
  const bad = (edit: Parameters<typeof planEdits>[1][number], code: string) =>
    assert.throws(() => planEdits(tree, [edit]), (e: unknown) => e instanceof ReplicaDeskError && e.code === code);
  bad({ op: 'set', group: 'mysqld', key: 'server-id', value: 'two' }, 'MYCNF_INVALID_VALUE');
  bad({ op: 'set', group: 'mysqld', key: 'binlog_format', value: 'ROWS' }, 'MYCNF_INVALID_VALUE');
  bad({ op: 'set', group: 'mysqld', key: 'max_allowed_packet', value: '64X' }, 'MYCNF_INVALID_VALUE');
  bad({ op: 'set', group: 'mysq]ld', key: 'x', value: '1' }, 'MYCNF_INVALID_GROUP');
  bad({ op: 'set', group: 'mysqld', key: 'a b', value: '1' }, 'MYCNF_INVALID_KEY');
  const plan = planEdits(tree, [{ op: 'set', group: 'mysqld', key: 'server-id', value: '2' }], { readGroups: serverGroups('mariadb') });
  assert.equal(plan.warnings.length, 1);
  assert.match(plan.warnings[0]!, /\[mariadb\] at my\.cnf:4/);
});

test('includes: followed relative and absolute, missing ones and loops reported, edits land in the right file', async () => {
  const dir = tmpDir();
  try {
    const root = write(dir, 'my.cnf', `[client]\nport=3306\n!include extra.cnf\n!includedir ${path.join(dir, 'conf.d')}\n!include missing.cnf\n`);
    write(dir, 'extra.cnf', '[mysqld]\nserver-id = 3\n!include my.cnf\n');
    write(dir, 'conf.d/20-b.cnf', '[mysqld]\nserver-id = 5\n');
    write(dir, 'conf.d/10-a.cnf', '[mysqld]\nbinlog_format = MIXED\n');
    write(dir, 'conf.d/notes.txt', '[mysqld]\nserver-id = 99\n');
    const tree = await MyCnfTree.load(root);
    assert.deepEqual(tree.files.map((f) => path.relative(dir, f.path)), ['my.cnf', 'extra.cnf', 'conf.d/10-a.cnf', 'conf.d/20-b.cnf']);
    const eff = tree.effective(['mysqld'], 'server_id');
    assert.equal(eff?.value, '5');
    assert.equal(path.relative(dir, eff!.file), 'conf.d/20-b.cnf');
    assert.equal(tree.problems.length, 2);
    assert.ok(tree.problems.some((p) => /includes itself/.test(p.message) && p.line === 3));
    assert.ok(tree.problems.some((p) => /missing\.cnf does not exist/.test(p.message) && p.line === 5));

    const plan = planEdits(tree, [{ op: 'set', group: 'mysqld', key: 'server-id', value: '8' }]);
    assert.equal(plan.changes.length, 2, 'the effective line rewritten, the shadowed one removed');
    const written = await applyPlan(tree, plan, { now: new Date('2025-01-02T03:04:05Z') });
    assert.equal(fs.readFileSync(path.join(dir, 'conf.d/20-b.cnf'), 'utf8'), '[mysqld]\nserver-id = 8\n');
    assert.equal(fs.readFileSync(path.join(dir, 'extra.cnf'), 'utf8'), '[mysqld]\n!include my.cnf\n');
    for (const w of written) {
      assert.ok(w.backup && w.backup.endsWith('.bak'), 'backup kept, and not named *.cnf so !includedir ignores it');
      assert.ok(fs.existsSync(w.backup));
    }
    assert.equal(fs.readFileSync(written.find((w) => w.file.endsWith('20-b.cnf'))!.backup!, 'utf8'), '[mysqld]\nserver-id = 5\n');
    const reread = await MyCnfTree.load(root);
    assert.equal(reread.effective(['mysqld'], 'server-id')?.value, '8');
    assert.deepEqual(fs.readdirSync(path.join(dir, 'conf.d')).filter((n) => n.includes('.tmp')), [], 'no temp file left');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('writing: through a symlink, refusing a file changed meanwhile, unreadable root file', async () => {
  const dir = tmpDir();
  try {
    const real = write(dir, 'alternatives/mariadb.cnf', '[mysqld]\nport = 3306\n');
    fs.chmodSync(real, 0o640);
    const link = path.join(dir, 'my.cnf');
    fs.symlinkSync(real, link);
    const tree = await MyCnfTree.load(link);
    const plan = planEdits(tree, [{ op: 'set', group: 'mysqld', key: 'port', value: '3307' }]);
    const [w] = await applyPlan(tree, plan);
    assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the symlink is kept, its target rewritten');
    assert.equal(w!.realFile, fs.realpathSync(real));
    assert.equal(fs.readFileSync(real, 'utf8'), '[mysqld]\nport = 3307\n');
    assert.equal(fs.statSync(real).mode & 0o777, 0o640);

    const t2 = await MyCnfTree.load(link);
    fs.appendFileSync(real, 'bind-address = 0.0.0.0\n');
    await assert.rejects(applyPlan(t2, planEdits(t2, [{ op: 'set', group: 'mysqld', key: 'port', value: '1' }])), (e: unknown) => e instanceof ReplicaDeskError && e.code === 'MYCNF_CHANGED_ON_DISK');
    assert.match(fs.readFileSync(real, 'utf8'), /port = 3307\nbind-address/);

    await assert.rejects(MyCnfTree.load(path.join(dir, 'nope.cnf')), (e: unknown) => e instanceof ReplicaDeskError && e.code === 'MYCNF_UNREADABLE' && /does not exist/.test(e.message));
    await assert.rejects(MyCnfTree.load(dir), (e: unknown) => e instanceof ReplicaDeskError && e.code === 'MYCNF_UNREADABLE' && /folder/.test(e.message));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the diff preview has the same hunks as GNU diff -u', { skip: fs.existsSync('/usr/bin/diff') ? false : 'no /usr/bin/diff' }, async () => {
  const { execFileSync } = await import('node:child_process');
  const dir = tmpDir();
  try {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let round = 0; round < 40; round++) {
      const a = Array.from({ length: 5 + rnd(40) }, (_, i) => `line ${i % 7}`);
      const b = [...a];
      for (let k = rnd(5) + 1; k > 0; k--) {
        const at = rnd(b.length + 1);
        if (rnd(2)) b.splice(at, 1);
        else b.splice(at, 0, `new ${k}`);
      }
      const before = a.join('\n') + '\n';
      const after = b.join('\n') + '\n';
      fs.writeFileSync(path.join(dir, 'a'), before);
      fs.writeFileSync(path.join(dir, 'b'), after);
      let gnu = '';
      try {
        execFileSync('/usr/bin/diff', ['-u', 'a', 'b'], { cwd: dir });
      } catch (e) {
        gnu = String((e as { stdout: Buffer }).stdout);
      }
      const ours = unifiedDiff(before, after, 'x');
      // Both are valid diffs; the hunk ranges must agree, and applying ours must give `after`.
      const ranges = (d: string) => d.split('\n').filter((l) => l.startsWith('@@')).map((l) => l.replace(/ @@.*/, ' @@'));
      assert.deepEqual(ranges(ours), ranges(gnu), `round ${round}`);
      const rebuilt = ours.split('\n').slice(2).filter((l) => l.startsWith(' ') || l.startsWith('+')).map((l) => l.slice(1));
      const kept = after.split('\n').slice(0, -1);
      assert.ok(rebuilt.every((l) => kept.includes(l)));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
