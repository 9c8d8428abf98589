import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ChecksumAlg } from '../../../core/mysql/binlog/constants';
import { buildArtificialRotate, buildRelayFileHeader, eventChecksumOk, fdeChecksumAlg, parseRotate, scanEvents } from '../../../core/mysql/relay/relay-format';
import { TransactionBoundaryTracker } from '../../../core/mysql/relay/transaction-boundary';

const FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures/binlog');
const haveFixtures = fs.existsSync(FIXTURES);
const skip = haveFixtures ? false : `binlog fixtures not found at ${FIXTURES}`;
if (skip) console.log(`relay-format tests: ${skip}`);

function fixture(rel: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, rel));
}

function events(buf: Buffer): Buffer[] {
  return scanEvents(buf, 4).events.map((e) => buf.subarray(e.offset, e.offset + e.size));
}

test('the checksum algorithm is read from the FDE, for CRC32 and NONE files and for MariaDB', { skip }, () => {
  const crc = events(fixture('mysql-binlog-connector-java/mysql-bin.checksum-crc32'));
  const none = events(fixture('mysql-binlog-connector-java/mysql-bin.checksum-none'));
  const maria = events(fixture('rust_mysql_common/mariadb-bin.000001'));
  const maria10 = events(fixture('binlog-parser/mysql-bin.07'));
  assert.equal(fdeChecksumAlg(crc[0]!), ChecksumAlg.CRC32);
  assert.equal(fdeChecksumAlg(none[0]!), ChecksumAlg.OFF);
  assert.equal(fdeChecksumAlg(maria[0]!), ChecksumAlg.CRC32);
  assert.equal(fdeChecksumAlg(maria10[0]!), ChecksumAlg.OFF);
  // Every event of the CRC32 files verifies (the FDE even with the in-use flag the server cleared or set).
  for (const ev of [...crc, ...maria]) assert.ok(eventChecksumOk(ev, ChecksumAlg.CRC32), `event type ${ev[4]}`);
  const bad = Buffer.from(crc[3]!);
  bad[bad.length - 8] ^= 0x01;
  assert.ok(!eventChecksumOk(bad, ChecksumAlg.CRC32));
});

test('our artificial ROTATE is a valid event mariadb-binlog would read, with or without CRC32', () => {
  for (const alg of [ChecksumAlg.CRC32, ChecksumAlg.OFF]) {
    const ev = buildArtificialRotate({ sourceFile: 'binlog.000042', position: 123456789012, serverId: 7, checksumAlg: alg });
    assert.equal(ev[4], 4);
    assert.equal(ev.readUInt32LE(9), ev.length);
    assert.equal(ev.readUInt32LE(13), 0);
    assert.ok(eventChecksumOk(ev, alg));
    assert.deepEqual(parseRotate(ev, alg), { file: 'binlog.000042', position: 123456789012 });
  }
});

test('a relay header is magic + FDE + ROTATE, and scanning stops at a torn tail or an impossible size', { skip }, () => {
  const src = fixture('rust_mysql_common/mariadb-bin.000001');
  const fde = events(src)[0]!;
  const header = buildRelayFileHeader(fde, 'mariadb-bin.000001', 4, 1);
  const body = Buffer.concat(events(src).slice(1));
  const file = Buffer.concat([header, body]);
  const whole = scanEvents(file, 4);
  assert.equal(whole.end, file.length);
  assert.equal(whole.events.length, events(src).length + 1);
  const torn = scanEvents(file.subarray(0, file.length - 3), 4);
  assert.equal(torn.end, file.length - whole.events[whole.events.length - 1]!.size);
  assert.equal(torn.corruptAt, undefined);
  const corrupt = Buffer.from(file);
  corrupt.writeUInt32LE(5, header.length + 9);
  assert.equal(scanEvents(corrupt, 4).corruptAt, header.length);
});

test('transaction boundaries: MariaDB GTID groups end at XID, DDL groups after their statement', { skip }, () => {
  for (const name of ['rust_mysql_common/mariadb-bin.000001', 'binlog-parser/mysql-bin.07']) {
    const evs = events(fixture(name));
    const alg = fdeChecksumAlg(evs[0]!);
    const t = new TransactionBoundaryTracker(alg === ChecksumAlg.CRC32 ? 4 : 0);
    const marks = evs.map((e) => `${e[4]}${t.observe(e) ? '|' : ''}`);
    // Every GTID starts a group that is open until its end, and the file ends between groups.
    const joined = marks.join(' ');
    assert.ok(!t.inGroup, `${name}: ${joined}`);
    for (const m of joined.matchAll(/162 ([^|]*)\|/g)) assert.ok(!m[1]!.includes('162'), `${name}: nested group in ${joined}`);
    assert.ok(t.lastCompleted?.gtid.match(/^0-\d+-\d+$/), `${name}: ${t.lastCompleted?.gtid}`);
  }
});

test('transaction boundaries: MySQL GTID + BEGIN ... XID, GTID + DDL, and compressed payloads', { skip }, () => {
  for (const name of ['mysql-binlog-connector-java/mysql-bin.checksum-crc32', 'rust_mysql_common/transaction_compression.000001', 'mysql-binlog-connector-rust/mysql-bin.000057']) {
    const evs = events(fixture(name));
    const alg = fdeChecksumAlg(evs[0]!);
    const t = new TransactionBoundaryTracker(alg === ChecksumAlg.CRC32 ? 4 : 0);
    let groups = 0;
    let open = false;
    for (const e of evs) {
      const type = e[4]!;
      if (type === 33 || type === 34) {
        assert.ok(!open, `${name}: GTID inside an open group`);
        open = true;
      }
      if (t.observe(e) && open) {
        open = false;
        groups++;
      }
    }
    assert.ok(groups > 0, name);
    assert.ok(!t.inGroup, name);
  }
});
