import type { I18n } from '../i18n';

/** "file line N: message", or "file: message" when the problem is the whole file (line 0: missing, unreadable). */
export function problemAt(t: I18n['t'], p: { file: string; line: number; message: string }): string {
  return p.line > 0 ? t('mycnf.problemAt', p) : t('mycnf.problemIn', { file: p.file, message: p.message });
}
