import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { BINLOG_MAGIC } from '../../../core/mysql/binlog/constants';
import { IoThread } from '../../../core/mysql/source/io-thread';
import type { IoCheckpoint } from '../../../core/mysql/relay/relay-log-set';
import { RelayLogSet } from '../../../core/mysql/relay/relay-log-set';
import { scanEvents } from '../../../core/mysql/relay/relay-format';
import type { MariaDbInstance } from '../../servers/mariadb';
import { endpointOf, execFileP, masterStatus, ownMariaDb, tempDir, waitUntil } from './helpers';

let master: MariaDbInstance;
let dispose: () => Promise<void>;

before(async () => {
  const own = await ownMariaDb('iomaster', 11, { extraArgs: ['--max-allowed-packet=64M'] });
  master = own.db;
  dispose = own.dispose;
});
after(async () => dispose?.());

function ioThread(relay: RelayLogSet, start: { file: string; pos: number }, saved: IoCheckpoint[], extra: Partial<ConstructorParameters<typeof IoThread>[0]> = {}) {
  return new IoThread(
    {
      channel: 'io',
      master: endpointOf(master),
      serverId: 777,
      replicaUuid: '00000000-0000-4000-8000-000000000777',
      useGtid: false,
      connectRetrySec: 1,
      heartbeatPeriodSec: 1,
      netTimeoutSec: 5,
      maxRelayLogSize: 1 << 30,
      relayLogSpaceLimit: 0,
      relay,
      saveCheckpoint: async (cp) => void saved.push(cp),
      ...extra,
    },
    { source: start, gtid: '', lastEventTime: 0 },
  );
}

test('the I/O thread writes the binlog into the relay log byte for byte, as mariadb-binlog --raw receives it', async () => {
  const c = await master.connect();
  const dir = tempDir('rd-io-');
  try {
    await c.query('FLUSH BINARY LOGS');
    const start = await masterStatus(c);
    await c.query('CREATE DATABASE io1');
    await c.query('CREATE TABLE io1.t (id INT PRIMARY KEY, v LONGBLOB)');
    // Rows of many sizes, including one event above 16 MiB (split over two protocol packets).
    for (let i = 0; i < 50; i++) await c.query('INSERT INTO io1.t VALUES (?, ?)', [i, Buffer.alloc(i * 997, i)]);
    await c.query('INSERT INTO io1.t VALUES (1000, REPEAT(\'x\', 17 * 1024 * 1024))');
    await c.query('BEGIN');
    await c.query('UPDATE io1.t SET v = NULL WHERE id < 10');
    await c.query('COMMIT');
    const end = await masterStatus(c);
    assert.equal(end.file, start.file);

    const relay = new RelayLogSet(dir, 'io-relay-bin');
    await relay.load();
    const saved: IoCheckpoint[] = [];
    const io = ioThread(relay, start, saved);
    io.start();
    await waitUntil('the relay log to reach the master end', 30_000, () => relay.published && relay.published.source.pos >= end.pos);
    await io.stop();
    assert.equal(io.status().running, 'No');

    const files = relay.files();
    assert.equal(files.length, 1);
    const relayBytes = fs.readFileSync(relay.pathOf(files[0]!));
    const scan = scanEvents(relayBytes, BINLOG_MAGIC.length);
    assert.equal(scan.end, relayBytes.length, 'relay file ends on a whole event');
    // Our file: magic, FDE, our artificial ROTATE, then the master's events.
    const fde = scan.events[0]!;
    const rotate = scan.events[1]!;
    assert.equal(relayBytes[rotate.offset + 4], 4);
    const ours = Buffer.concat([relayBytes.subarray(0, rotate.offset), relayBytes.subarray(rotate.offset + rotate.size)]);

    const rawDir = tempDir('rd-raw-');
    await execFileP('mariadb-binlog', ['--read-from-remote-server', '--raw', `--host=127.0.0.1`, `--port=${master.port}`, `--user=${master.user}`, `--password=${master.password}`, `--result-file=${rawDir}/`, start.file]);
    const raw = fs.readFileSync(path.join(rawDir, start.file));
    fs.rmSync(rawDir, { recursive: true, force: true });
    assert.ok(raw.length >= end.pos);
    assert.equal(fde.size, scanEvents(raw, 4).events[0]!.size);
    // The master sends its FDE with log_pos 0 and leaves out GTID_LIST / BINLOG_CHECKPOINT for a GTID-aware
    // replica; from the first transaction on, the relay log must be the binlog byte for byte.
    const firstTrx = (b: Buffer) => scanEvents(b, 4).events.find((e) => b[e.offset + 4] === 162)!.offset;
    const oursTrx = ours.subarray(firstTrx(ours));
    const rawTrx = raw.subarray(firstTrx(raw), end.pos);
    assert.equal(oursTrx.length, rawTrx.length, 'relay holds exactly the master binlog up to the end position');
    assert.ok(oursTrx.equals(rawTrx), 'relay events are byte-identical to the master binlog');

    // The last checkpoint names the master position and the relay end, and the relay log is readable.
    const last = saved[saved.length - 1]!;
    assert.deepEqual(last.source, end);
    assert.equal(last.relay.pos, relayBytes.length);
    const { stdout } = await execFileP('mariadb-binlog', ['--base64-output=decode-rows', '-v', relay.pathOf(files[0]!)], { maxBuffer: 256 << 20 });
    assert.match(stdout, /CREATE TABLE io1\.t/);
    assert.match(stdout, /### UPDATE `io1`\.`t`/);
    assert.match(stdout, new RegExp(`end_log_pos ${end.pos} `));
  } finally {
    await c.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('rotation at max_relay_log_size happens between transactions, and a new I/O start opens a new file', async () => {
  const c = await master.connect();
  const dir = tempDir('rd-io-');
  try {
    await c.query('CREATE DATABASE IF NOT EXISTS io2');
    await c.query('CREATE TABLE io2.t (id INT PRIMARY KEY, v VARCHAR(2000))');
    const start = await masterStatus(c);
    for (let i = 0; i < 40; i++) {
      await c.query('BEGIN');
      for (let j = 0; j < 5; j++) await c.query('INSERT INTO io2.t VALUES (?, REPEAT("a", 1500))', [i * 10 + j]);
      await c.query('COMMIT');
    }
    const mid = await masterStatus(c);
    const relay = new RelayLogSet(dir, 'io-relay-bin');
    await relay.load();
    const saved: IoCheckpoint[] = [];
    const io = ioThread(relay, start, saved, { maxRelayLogSize: 20_000 });
    io.start();
    await waitUntil('first batch', 20_000, () => relay.published && relay.published.source.pos >= mid.pos);
    await io.stop();
    const firstRun = relay.files().length;
    assert.ok(firstRun >= 3, `expected several relay files, got ${firstRun}`);
    // Every file holds whole transactions: each starts with FDE + ROTATE and ends right after an XID.
    for (const f of relay.files()) {
      const b = fs.readFileSync(relay.pathOf(f));
      const ev = scanEvents(b, 4);
      assert.equal(ev.end, b.length);
      assert.equal(b[ev.events[0]!.offset + 4], 15);
      assert.equal(b[ev.events[1]!.offset + 4], 4);
      const lastType = b[ev.events[ev.events.length - 1]!.offset + 4];
      assert.ok(lastType === 16 || ev.events.length === 2, `file ${f} ends with event type ${lastType}`);
    }
    await c.query('INSERT INTO io2.t VALUES (9999, "z")');
    const end = await masterStatus(c);
    const io2 = ioThread(relay, saved[saved.length - 1]!.source, saved, { maxRelayLogSize: 20_000 });
    io2.start();
    await waitUntil('second run', 20_000, () => relay.published && relay.published.source.pos >= end.pos).catch((err) => {
      console.log(io2.status(), relay.published, end);
      throw err;
    });
    await io2.stop();
    assert.equal(relay.files().length, firstRun + 1, 'a new I/O start opens a new relay file');
    const index = fs.readFileSync(relay.indexFile, 'utf8').trim().split('\n');
    assert.deepEqual(index, relay.files().map((f) => `./${f}`));
  } finally {
    await c.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a binlog the master does not have stops the I/O thread with error 1236 and says what to do', async () => {
  const dir = tempDir('rd-io-');
  try {
    const relay = new RelayLogSet(dir, 'io-relay-bin');
    await relay.load();
    const io = ioThread(relay, { file: 'binlog.999999', pos: 4 }, []);
    const stopped = new Promise((r) => io.once('stopped', r));
    io.start();
    await stopped;
    const st = io.status();
    assert.equal(st.running, 'No');
    assert.equal(st.lastError?.errno, 1236);
    assert.match(st.lastError!.message, /Got fatal error 1236 from master/);
    assert.match(st.lastError!.message, /re-clone/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
