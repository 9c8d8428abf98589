/**
 * Seals credentials before they touch disk. The desktop app uses Electron's safeStorage (the OS keychain);
 * headless mode uses a 0600 key file. The sealed text is opaque and only the same box can open it.
 */
export interface SecretBox {
  /** Stable name stored next to each sealed value, e.g. "keyfile-aes256gcm" or "electron-safestorage". */
  readonly kind: string;
  seal(plain: string): string;
  open(sealed: string): string;
}
