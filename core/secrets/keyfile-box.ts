import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ReplicaDeskError } from '../errors';
import type { SecretBox } from './secret-box';
import { readPrivateFile, writePrivateFile } from './private-file';

const KEY_FILE = 'secret.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM with a random key kept in a file only the user can read (headless mode). */
export class KeyFileSecretBox implements SecretBox {
  readonly kind = 'keyfile-aes256gcm';

  private constructor(private readonly key: Buffer) {}

  static openOrCreate(dataDir: string): KeyFileSecretBox {
    const file = path.join(dataDir, KEY_FILE);
    if (fs.existsSync(file)) {
      const key = Buffer.from(readPrivateFile(file).trim(), 'base64');
      if (key.length !== KEY_BYTES) {
        throw new ReplicaDeskError('SECRET_KEY_CORRUPT', `The key file ${file} is damaged (expected ${KEY_BYTES} bytes of key). Restore it from a backup, or delete it and enter the stored passwords again.`, { file });
      }
      return new KeyFileSecretBox(key);
    }
    const key = crypto.randomBytes(KEY_BYTES);
    writePrivateFile(file, key.toString('base64') + '\n');
    return new KeyFileSecretBox(key);
  }

  seal(plain: string): string {
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new ReplicaDeskError('SECRET_CORRUPT', 'A stored credential is damaged and cannot be read. Enter the password again.');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new ReplicaDeskError('SECRET_CORRUPT', 'A stored credential cannot be opened with this key file (was secret.key replaced?). Enter the password again.', undefined, { cause: err });
    }
  }
}
