import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ChecksumAlg } from '../../../core/mysql/binlog/constants';
import { crc32 } from '../../../core/mysql/binlog/crc32';
import { Channel } from '../../../core/mysql/channel/channel';
import { ChannelLock } from '../../../core/mysql/channel/channel-lock';
import { normalizeConfig } from '../../../core/mysql/channel/config';
import { ChannelStateRepo } from '../../../core/mysql/channel/state-repo';
import { scanEvents } from '../../../core/mysql/relay/relay-format';
import { RelayLogSet } from '../../../core/mysql/relay/relay-log-set';
import { RelayReader } from '../../../core/mysql/relay/relay-reader';
import { RelayWriter } from '../../../core/mysql/relay/relay-writer';
import { KeyFileSecretBox } from '../../../core/secrets/keyfile-box';
import { StateStore } from '../../../core/state/store';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rd-relay-unit-'));
}

/** A minimal MariaDB-style FDE with CRC32 (enough for the relay layers, which only need its checksum byte). */
function fde(): Buffer {
  const body = Buffer.alloc(2 + 50 + 4 + 1 + 10 + 1);
  body.writeUInt16LE(4, 0);
  body.write('10.11.6-MariaDB-log', 2, 'latin1');
  body[56] = 19;
  body[body.length - 1] = ChecksumAlg.CRC32;
  return event(15, body, 0);
}

function event(type: number, body: Buffer, logPos: number): Buffer {
  const ev = Buffer.alloc(19 + body.length + 4);
  ev.writeUInt32LE(1700000000, 0);
  ev[4] = type;
  ev.writeUInt32LE(1, 5);
  ev.writeUInt32LE(ev.length, 9);
  ev.writeUInt32LE(logPos, 13);
  body.copy(ev, 19);
  ev.writeUInt32LE(crc32(ev, 0, ev.length - 4), ev.length - 4);
  return ev;
}

const xid = (logPos: number) => event(16, Buffer.alloc(8, 1), logPos);

test('relay files are numbered, listed in the index, purged, and numbering survives a full reset', async () => {
  const dir = tmp();
  const set = new RelayLogSet(dir, 'ch-relay-bin');
  await set.load();
  const a = await set.createFile(Buffer.from('fe62696e', 'hex'));
  const b = await set.createFile(Buffer.from('fe62696e', 'hex'));
  assert.deepEqual([a, b], ['ch-relay-bin.000001', 'ch-relay-bin.000002']);
  assert.equal(fs.readFileSync(set.indexFile, 'utf8'), './ch-relay-bin.000001\n./ch-relay-bin.000002\n');
  await set.purgeBefore(b);
  assert.deepEqual(set.files(), [b]);
  assert.ok(!fs.existsSync(set.pathOf(a)));
  await set.removeAll();
  const again = new RelayLogSet(dir, 'ch-relay-bin');
  await again.load();
  assert.equal(again.nextFileName(), 'ch-relay-bin.000003', 'a reset never reuses a number an old position may name');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the writer makes whole transactions durable at checkpoints and cuts a half transaction on close', async () => {
  const dir = tmp();
  const set = new RelayLogSet(dir, 'ch-relay-bin');
  await set.load();
  const w = new RelayWriter(set);
  const start = await w.startFile(fde(), { file: 'binlog.000001', pos: 4 }, 1, '', 0);
  w.append(xid(100));
  w.markBoundary({ file: 'binlog.000001', pos: 100 }, '0-1-1', 1);
  const half = xid(200);
  const cp = await w.flush();
  assert.equal(cp!.relay.pos, start.relay.pos + half.length);
  assert.deepEqual(cp!.source, { file: 'binlog.000001', pos: 100 });
  assert.equal(cp!.gtid, '0-1-1');
  // Half of a transaction written after the checkpoint: closing cuts it.
  w.append(Buffer.from(half.subarray(0, 10)));
  await w.flush();
  await w.closeFile();
  const bytes = fs.readFileSync(set.pathOf(w.currentFile));
  assert.equal(bytes.length, cp!.relay.pos);
  assert.equal(scanEvents(bytes, 4).end, bytes.length);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the reader follows published checkpoints across files and replays the FDE when starting mid-file', async () => {
  const dir = tmp();
  const set = new RelayLogSet(dir, 'ch-relay-bin');
  await set.load();
  const w = new RelayWriter(set);
  await w.startFile(fde(), { file: 'binlog.000001', pos: 4 }, 1, '', 0);
  for (let i = 1; i <= 3; i++) {
    w.append(xid(i * 100));
    w.markBoundary({ file: 'binlog.000001', pos: i * 100 }, '', 0);
  }
  set.publish((await w.flush())!);
  const r = new RelayReader(set, { file: w.currentFile, pos: 4 });
  const ac = new AbortController();
  const first = await r.next(ac.signal);
  assert.deepEqual(first.map((e) => e.raw[4]), [15, 4, 16, 16, 16], 'FDE, our ROTATE, three XIDs');
  assert.equal(r.hasMore(), false);
  // Next file; the reader waits for it to be published.
  const pending = r.next(ac.signal);
  const second = await w.startFile(fde(), { file: 'binlog.000002', pos: 4 }, 1, '', 0);
  set.publish(second);
  w.append(xid(400));
  w.markBoundary({ file: 'binlog.000002', pos: 400 }, '', 0);
  set.publish((await w.flush())!);
  const batch = await pending;
  assert.equal(batch[0]!.file, second.relay.file);
  const mid = new RelayReader(set, { file: first[3]!.file, pos: first[3]!.pos });
  const replay = await mid.next(ac.signal);
  assert.equal(replay[0]!.replayed, true);
  assert.equal(replay[0]!.raw[4], 15);
  ac.abort();
  assert.deepEqual(await r.next(ac.signal), []);
  await r.closeFile();
  await mid.closeFile();
  await w.closeFile();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('at start a channel cuts its relay log back to the position master.info recorded (torn tail, unrecorded files)', async () => {
  const dir = tmp();
  const store = await StateStore.open(dir);
  const repo = new ChannelStateRepo(store);
  const box = KeyFileSecretBox.openOrCreate(dir);
  const ep = { host: '127.0.0.1', port: 1, user: 'u' };
  const config = normalizeConfig({ name: 'c1', master: ep, target: ep });
  await repo.create(config, box, { master: 'a', target: 'b' });
  assert.equal(await store.getSecret(box, 'channel:c1:master'), 'a');
  const raw = await store.db.get<{ sealed: string }>('SELECT sealed FROM secrets WHERE ref = ?', ['channel:c1:master']);
  assert.ok(raw && !raw.sealed.includes('a"') && raw.sealed !== 'a', 'passwords are stored sealed');

  const set = new RelayLogSet(path.join(dir, 'relay', 'c1'), 'c1-relay-bin');
  await set.load();
  const w = new RelayWriter(set);
  await w.startFile(fde(), { file: 'binlog.000001', pos: 4 }, 1, '', 0);
  w.append(xid(100));
  w.markBoundary({ file: 'binlog.000001', pos: 100 }, '0-1-7', 5);
  const cp = (await w.flush())!;
  await repo.saveIoCheckpoint('c1', cp);
  // A crash after more bytes hit the disk, and after the next file was created, but before either was recorded.
  w.append(xid(200));
  w.append(Buffer.from(xid(300).subarray(0, 7)));
  await w.flush();
  const extra = await set.createFile(Buffer.from('fe62696e', 'hex'));

  const ch = new Channel(config, { master: 'a', target: 'b' }, repo, dir);
  const history: string[] = [];
  ch.on('history', (h) => history.push(h.message));
  await ch.init();
  assert.equal(fs.statSync(set.pathOf(cp.relay.file)).size, cp.relay.pos);
  assert.ok(!fs.existsSync(set.pathOf(extra)));
  assert.deepEqual(ch.relay.published, cp);
  assert.ok(history.some((h) => /cut back/.test(h)));
  const s = await ch.storedStatus();
  assert.equal(s.Read_Master_Log_Pos, 100);
  assert.equal(s.Gtid_IO_Pos, '0-1-7');
  await ch.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a channel lock held by another live process is refused; a stale one (dead pid) is taken over', async () => {
  const dir = tmp();
  const file = path.join(dir, 'c.lock');
  fs.writeFileSync(file, '1\n'); // pid 1 is always alive
  await assert.rejects(new ChannelLock(file).acquire('c'), (e: { code?: string; message: string }) => e.code === 'CHANNEL_LOCKED' && /pid 1/.test(e.message));
  fs.writeFileSync(file, '999999999\n');
  const lock = new ChannelLock(file);
  await lock.acquire('c');
  assert.equal(fs.readFileSync(file, 'utf8').trim(), String(process.pid));
  await lock.release();
  assert.ok(!fs.existsSync(file));
  fs.rmSync(dir, { recursive: true, force: true });
});
