import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serialize } from 'pg-protocol';
import { ScramClient, ScramServer, parseScramVerifier, scramKeysFromPassword } from '../../../core/pg/auth/scram';
import { md5Matches, md5Response, md5Stored } from '../../../core/pg/auth/md5';
import { BackendFramer, commandTag, decodeFields, readyStatus } from '../../../core/pg/protocol/backend-framer';
import {
  FE,
  FrontendParser,
  type StartupPacket,
  decodeBind,
  decodeExecute,
  decodeParse,
  decodeTarget,
  queryTextRange,
} from '../../../core/pg/protocol/frontend-parser';
import { commandComplete, errorResponse, readyForQuery } from '../../../core/pg/protocol/server-messages';

interface Seen {
  startups: StartupPacket[];
  messages: { type: string; raw: Buffer }[];
  errors: string[];
}

function collect(): { parser: FrontendParser; seen: Seen } {
  const seen: Seen = { startups: [], messages: [], errors: [] };
  const parser = new FrontendParser({
    startup: (p) => seen.startups.push(p),
    message: (type, raw) => seen.messages.push({ type: String.fromCharCode(type), raw: Buffer.from(raw) }),
    protocolError: (m) => seen.errors.push(m),
  });
  return { parser, seen };
}

const session = Buffer.concat([
  serialize.startup({ user: 'alice', database: 'shop', application_name: 'test' }),
  serialize.query('SELECT 1; INSERT INTO t VALUES (\'x\')'),
  serialize.parse({ name: 'p1', text: 'UPDATE t SET v = $1 WHERE id = $2', types: [25, 23] }),
  serialize.bind({ portal: '', statement: 'p1', values: ['hello', null] }),
  serialize.describe({ type: 'P', name: '' }),
  serialize.execute({ portal: '', rows: 0 }),
  serialize.sync(),
  serialize.copyData(Buffer.alloc(70000, 0x61)),
  serialize.copyDone(),
  serialize.end(),
]);

function check(seen: Seen): void {
  assert.deepEqual(seen.errors, []);
  assert.equal(seen.startups.length, 1);
  const s = seen.startups[0]!;
  assert.equal(s.kind, 'startup');
  if (s.kind === 'startup') assert.deepEqual([...s.params], [['user', 'alice'], ['database', 'shop'], ['application_name', 'test'], ['client_encoding', 'UTF8']]);
  assert.deepEqual(seen.messages.map((m) => m.type), ['Q', 'P', 'B', 'D', 'E', 'S', 'd', 'c', 'X']);
  const q = seen.messages[0]!.raw;
  const [a, b] = queryTextRange(q);
  assert.equal(q.toString('utf8', a, b), "SELECT 1; INSERT INTO t VALUES ('x')");
  const p = decodeParse(seen.messages[1]!.raw);
  assert.equal(p.name, 'p1');
  assert.deepEqual(p.paramTypes, [25, 23]);
  assert.equal(seen.messages[1]!.raw.toString('utf8', p.textStart, p.textEnd), 'UPDATE t SET v = $1 WHERE id = $2');
  const bind = decodeBind(seen.messages[2]!.raw);
  assert.equal(bind.statement, 'p1');
  assert.equal(bind.params.length, 2);
  assert.equal(seen.messages[2]!.raw.toString('utf8', ...bind.params[0]!), 'hello');
  assert.equal(bind.params[1], null);
  assert.deepEqual(decodeTarget(seen.messages[3]!.raw), { kind: 'P', name: '' });
  assert.deepEqual(decodeExecute(seen.messages[4]!.raw), { portal: '', maxRows: 0 });
  assert.equal(seen.messages[6]!.raw.length, 70005);
}

test('client messages parse the same in one chunk and split at every byte boundary of the header region', () => {
  const whole = collect();
  whole.parser.push(session);
  check(whole.seen);
  // Every split point for the first 400 bytes, and a sample across the big CopyData.
  const points = [...Array.from({ length: 400 }, (_, i) => i + 1), 1000, 35000, 69999, 70010, session.length - 6, session.length - 1];
  for (const at of points) {
    const c = collect();
    c.parser.push(session.subarray(0, at));
    c.parser.push(session.subarray(at));
    check(c.seen);
  }
});

test('client messages arriving one byte at a time, and in random chunk sizes', () => {
  const c = collect();
  for (let i = 0; i < session.length; i++) c.parser.push(session.subarray(i, i + 1));
  check(c.seen);
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 3000) + 1;
  for (let round = 0; round < 20; round++) {
    const r = collect();
    for (let pos = 0; pos < session.length; ) {
      const n = rnd();
      r.parser.push(session.subarray(pos, pos + n));
      pos += n;
    }
    check(r.seen);
  }
});

test('SSLRequest holds the following bytes until the owner resumes; CancelRequest decodes', () => {
  const c = collect();
  c.parser.push(Buffer.concat([serialize.requestSsl(), serialize.startup({ user: 'u' })]));
  assert.deepEqual(c.seen.startups.map((s) => s.kind), ['ssl-request']);
  assert.ok(c.parser.bufferedBytes > 0, 'bytes sent before the answer are visible (and refused before TLS)');
  c.parser.resume();
  assert.deepEqual(c.seen.startups.map((s) => s.kind), ['ssl-request', 'startup']);
  const k = collect();
  k.parser.push(serialize.cancel(1234, -99));
  assert.deepEqual(k.seen.startups, [{ kind: 'cancel', pid: 1234, secret: -99 }]);
});

test('malformed input: bad lengths, unknown types, garbage startup → one protocol error, then silence', () => {
  const cases: Buffer[] = [
    Buffer.from([0, 0, 0, 3, 0, 0, 0, 0]),
    Buffer.from([0x7f, 0xff, 0xff, 0xff]),
    Buffer.concat([serialize.startup({ user: 'u' }), Buffer.from('Z\0\0\0\x04')]),
    Buffer.concat([serialize.startup({ user: 'u' }), Buffer.from([0x51, 0xff, 0xff, 0xff, 0xff])]),
    Buffer.concat([serialize.startup({ user: 'u' }), Buffer.from([0x51, 0, 0, 0, 2])]),
    Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
  ];
  for (const bytes of cases) {
    for (const at of [bytes.length, 1, 5]) {
      const c = collect();
      c.parser.push(bytes.subarray(0, at));
      c.parser.push(bytes.subarray(at));
      c.parser.push(serialize.query('SELECT 1'));
      assert.equal(c.seen.errors.length, 1, `one error for ${bytes.toString('hex')} split at ${at}`);
      assert.equal(c.seen.messages.length, 0);
    }
  }
  const noUser = collect();
  noUser.parser.push(serialize.startup({ database: 'x' }));
  assert.match(noUser.seen.errors[0]!, /no PostgreSQL user/);
});

test('decoders reject truncated bodies', () => {
  const bad = Buffer.from([FE.Bind, 0, 0, 0, 8, 0x41, 0, 0]);
  assert.throws(() => decodeBind(bad), /shorter|not terminated/);
  assert.throws(() => decodeTarget(Buffer.from([FE.Describe, 0, 0, 0, 6, 0x58, 0])), /subtype/);
});

test('backend framer: messages as ranges of the chunk, any split, large messages assembled once', () => {
  const stream = Buffer.concat([
    commandComplete('INSERT 0 1'),
    errorResponse({ code: '23505', message: 'duplicate key', detail: 'Key (id)=(1) already exists.' }),
    Buffer.concat([Buffer.from('D'), Buffer.from([0, 3, 0x0d, 0x40]), Buffer.alloc(200000 - 4, 7)]),
    readyForQuery('T'),
  ]);
  // The DataRow above: length field 0x00030d40 = 200000 → 200001 bytes with the type byte.
  const run = (chunks: Buffer[]) => {
    const f = new BackendFramer();
    const got: string[] = [];
    for (const ch of chunks) {
      f.push(ch, {
        message(type, buf, start, end) {
          if (type === 0x43) got.push('C:' + commandTag(buf, start, end));
          else if (type === 0x45) got.push('E:' + decodeFields(buf, start, end).C);
          else if (type === 0x5a) got.push('Z:' + readyStatus(buf, start));
          else got.push(`${String.fromCharCode(type)}:${end - start}`);
        },
        endOfChunk() {},
      });
    }
    return got;
  };
  const expected = ['C:INSERT 0 1', 'E:23505', 'D:200001', 'Z:T'];
  assert.deepEqual(run([stream]), expected);
  for (const at of [1, 3, 5, 12, 40, 60, 1000, 150000, stream.length - 3]) assert.deepEqual(run([stream.subarray(0, at), stream.subarray(at)]), expected);
  const pieces: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 997) pieces.push(stream.subarray(i, i + 997));
  assert.deepEqual(run(pieces), expected);
});

test('SCRAM-SHA-256: our client against our server, wrong password, unknown user, PostgreSQL verifier format', () => {
  const login = (serverKeys: ReturnType<typeof scramKeysFromPassword> | undefined, password: string) => {
    const server = new ScramServer(serverKeys);
    const client = new ScramClient(password);
    const s1 = server.clientFirst(client.first());
    assert.ok(s1.ok);
    const s2 = server.clientFinal(client.final(s1.ok ? s1.reply : ''));
    if (s2.ok) client.verify(s2.reply);
    return s2.ok;
  };
  const keys = scramKeysFromPassword('pässwörd');
  assert.equal(login(keys, 'pässwörd'), true);
  assert.equal(login(keys, 'password'), false);
  assert.equal(login(undefined, 'anything'), false);
  // A verifier as PostgreSQL's pg_authid stores it for password "harness-pw" (computed with the same salt here).
  const salt = Buffer.from('c2FsdHNhbHRzYWx0c2FsdA==', 'base64');
  const k = scramKeysFromPassword('harness-pw', salt, 4096);
  const verifier = `SCRAM-SHA-256$4096:${salt.toString('base64')}$${k.storedKey.toString('base64')}:${k.serverKey.toString('base64')}`;
  const parsed = parseScramVerifier(verifier)!;
  assert.equal(login(parsed, 'harness-pw'), true);
  const server = new ScramServer(keys);
  assert.equal(server.clientFirst('p=tls-server-end-point,,n=,r=abc').ok, false, 'channel binding is refused');
});

test('MD5: the answer a client computes matches', () => {
  const salt = Buffer.from([1, 2, 3, 4]);
  const stored = md5Stored('secret', 'bob');
  assert.equal(md5Matches(md5Response(stored, salt), stored, salt), true);
  assert.equal(md5Matches(md5Response(md5Stored('nope', 'bob'), salt), stored, salt), false);
});
