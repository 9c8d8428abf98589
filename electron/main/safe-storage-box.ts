import { safeStorage } from 'electron';
import type { SecretBox } from '../../core/secrets/secret-box';

/** Seals credentials with the OS keychain through Electron's safeStorage. */
export class SafeStorageSecretBox implements SecretBox {
  readonly kind = 'electron-safestorage';

  /** False on Linux without a secret service, where safeStorage falls back to a hard-coded key. */
  static isReallyEncrypted(): boolean {
    if (!safeStorage.isEncryptionAvailable()) return false;
    const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
    return backend !== 'basic_text' && backend !== 'unknown';
  }

  seal(plain: string): string {
    return safeStorage.encryptString(plain).toString('base64');
  }

  open(sealed: string): string {
    return safeStorage.decryptString(Buffer.from(sealed, 'base64'));
  }
}
