import { StatusBadge, type Tone } from '../components/StatusBadge';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n/en';
import type { CheckStatus, PreflightCheck } from '../model/preflight';

const TONE: Record<CheckStatus, Tone> = { pass: 'ok', warn: 'warn', fail: 'error', skip: 'idle' };
const LABEL: Record<CheckStatus, MessageKey> = { pass: 'check.pass', warn: 'check.warn', fail: 'check.fail', skip: 'check.skip' };
const WHERE: Record<'master' | 'target' | 'backup-pc', MessageKey> = { master: 'check.onMaster', target: 'check.onTarget', 'backup-pc': 'check.onBackupPc' };

/** Pre-flight results, failures first, each with what it means and the exact fix to copy. */
export function PreflightResults({ checks }: { checks: readonly PreflightCheck[] }) {
  const { t, localized } = useI18n();
  const order: Record<CheckStatus, number> = { fail: 0, warn: 1, skip: 2, pass: 3 };
  const sorted = [...checks].sort((a, b) => order[a.status] - order[b.status]);
  return (
    <ul className="checks">
      {sorted.map((c) => (
        <li key={c.id} className={`check check-${c.status}`}>
          <div className="check-head">
            <StatusBadge tone={TONE[c.status]} label={t(LABEL[c.status])} /> <code>{c.id}</code>
          </div>
          <p>{localized(c.explanation)}</p>
          {c.status !== 'pass' ? (
            <p className="secondary">
              {t('check.observed', { observed: c.observed || '—', expected: c.expected || '—' })}
            </p>
          ) : null}
          {c.howToFix ? <p>{localized(c.howToFix)}</p> : null}
          {c.fix?.map((f, i) => (
            <div key={i} className="fix">
              <div className="secondary">
                {t(WHERE[f.on])}
                {f.restart ? ` · ${t('check.restart')}` : ''}
              </div>
              <pre className="mono code-block">{f.code}</pre>
            </div>
          ))}
        </li>
      ))}
    </ul>
  );
}
