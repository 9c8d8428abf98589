import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { KeyFileSecretBox } from '../../core/secrets/keyfile-box';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rd-secret-'));

test('the key file is created readable by its owner only, and reused', () => {
  const dir = tmp();
  const a = KeyFileSecretBox.openOrCreate(dir);
  assert.equal(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777, 0o600);
  const sealed = a.seal('s3cret');
  assert.notEqual(sealed, 's3cret');
  assert.equal(KeyFileSecretBox.openOrCreate(dir).open(sealed), 's3cret');
});

test('sealing the same text twice gives different ciphertexts (random IV)', () => {
  const box = KeyFileSecretBox.openOrCreate(tmp());
  assert.notEqual(box.seal('x'), box.seal('x'));
});

test('a tampered ciphertext or another key is refused with a typed error', () => {
  const box = KeyFileSecretBox.openOrCreate(tmp());
  const sealed = Buffer.from(box.seal('hello'), 'base64');
  sealed[sealed.length - 1]! ^= 1;
  assert.throws(() => box.open(sealed.toString('base64')), { code: 'SECRET_CORRUPT' });
  assert.throws(() => KeyFileSecretBox.openOrCreate(tmp()).open(box.seal('hello')), { code: 'SECRET_CORRUPT' });
  assert.throws(() => box.open('AAAA'), { code: 'SECRET_CORRUPT' });
});

test('a key file other users can read is refused with the chmod to fix it', { skip: process.platform === 'win32' ? 'POSIX permissions only' : false }, () => {
  const dir = tmp();
  KeyFileSecretBox.openOrCreate(dir);
  fs.chmodSync(path.join(dir, 'secret.key'), 0o644);
  assert.throws(() => KeyFileSecretBox.openOrCreate(dir), (err: Error & { code?: string }) => err.code === 'PRIVATE_FILE_EXPOSED' && /chmod 600/.test(err.message));
});
