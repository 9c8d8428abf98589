import { useCallback, useEffect, useMemo, useState } from 'react';
import type { HistoryEntry, Severity } from '../../../core/api/types';
import { useService } from '../api/service-state';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { StatusBadge, type Tone } from '../components/StatusBadge';
import { useI18n } from '../i18n';
import { historyMeaning } from '../model/history-kinds';

const PAGE = 50;
const SEVERITY_TONE: Record<Severity, Tone> = { info: 'info', warning: 'warn', error: 'error' };

/** Entries as a list: when, how serious, where, what happened, and what it meant. */
export function HistoryList({ entries, compact = false }: { entries: readonly HistoryEntry[]; compact?: boolean }) {
  const { t, formatDate } = useI18n();
  if (entries.length === 0) return <p className="empty">{t('history.empty')}</p>;
  return (
    <ol className={`history${compact ? ' compact' : ''}`}>
      {entries.map((h) => {
        const meaning = historyMeaning(h.kind);
        return (
          <li key={h.id} className={`history-entry sev-${h.severity}`}>
            <div className="history-head">
              <time dateTime={h.at}>{formatDate(h.at)}</time>
              <StatusBadge tone={SEVERITY_TONE[h.severity]} label={t(`severity.${h.severity}`)} />
              <span className="history-source" data-untranslated>
                {h.source}
              </span>
            </div>
            {/* The engine records its messages in English; the meaning below is the translated part. */}
            <div className="history-message" data-untranslated>
              {h.message}
            </div>
            {!compact && meaning ? <div className="history-meaning">{t(meaning)}</div> : null}
            {!compact && h.detail ? (
              <details>
                <summary>{t('history.details')}</summary>
                <pre className="mono">{JSON.stringify(h.detail, null, 2)}</pre>
              </details>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

/**
 * The whole history, filterable by severity and source on the service (so old entries are found too), and
 * by words in this page. New entries arrive live when they match the filters.
 */
export function HistoryScreen() {
  const { t } = useI18n();
  const svc = useService();
  const [severity, setSeverity] = useState<Severity | ''>('');
  const [source, setSource] = useState('');
  const [text, setText] = useState('');
  const [entries, setEntries] = useState<HistoryEntry[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);

  const load = useCallback(
    async (beforeId?: number) => {
      setLoading(true);
      try {
        const page = await svc.api.call('history.list', {
          limit: PAGE,
          ...(beforeId ? { beforeId } : {}),
          ...(severity ? { severity } : {}),
          ...(source ? { source } : {}),
        });
        setEntries((old) => (beforeId ? [...old, ...page] : page));
        setMore(page.length === PAGE);
        setError(undefined);
      } catch (err) {
        setError((err as Error).message);
      } finally {
        setLoading(false);
      }
    },
    [svc.api, severity, source],
  );

  useEffect(() => void load(), [load]);
  useEffect(
    () =>
      svc.onEvent((e) => {
        if (e.type !== 'history') return;
        if ((severity && e.entry.severity !== severity) || (source && e.entry.source !== source)) return;
        setEntries((old) => (old.some((h) => h.id === e.entry.id) ? old : [e.entry, ...old]));
      }),
    [svc, severity, source],
  );

  const sources = useMemo(() => {
    // Sources as the engines record them: "channel:NAME", "fanout:NAME", "service".
    const all = new Set<string>(['service', ...svc.channels.map((c) => `channel:${c.name}`), ...svc.fanouts.map((f) => `fanout:${f.name}`), ...entries.map((h) => h.source)]);
    if (source) all.add(source);
    return [...all].sort();
  }, [svc.channels, svc.fanouts, entries, source]);

  const needle = text.trim().toLowerCase();
  const shown = needle ? entries.filter((h) => `${h.message} ${h.kind} ${h.source}`.toLowerCase().includes(needle)) : entries;

  return (
    <div>
      <h1 className="screen-title">{t('nav.history')}</h1>
      <p className="lead">{t('history.lead')}</p>
      <div className="filters" role="search" aria-label={t('history.filters')}>
        <Field label={t('history.severity')}>
          {(p) => (
            <select {...p} value={severity} onChange={(e) => setSeverity(e.target.value as Severity | '')}>
              <option value="">{t('history.all')}</option>
              <option value="error">{t('severity.error')}</option>
              <option value="warning">{t('severity.warning')}</option>
              <option value="info">{t('severity.info')}</option>
            </select>
          )}
        </Field>
        <Field label={t('history.source')}>
          {(p) => (
            <select {...p} value={source} onChange={(e) => setSource(e.target.value)}>
              <option value="">{t('history.all')}</option>
              {sources.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('history.search')}>{(p) => <input {...p} type="search" value={text} onChange={(e) => setText(e.target.value)} />}</Field>
      </div>
      {error ? <Notice tone="error" title={t('history.loadFailed')}>{error}</Notice> : null}
      <p className="secondary" aria-live="polite">
        {t('history.count', { count: shown.length })}
      </p>
      <HistoryList entries={shown} />
      {more ? (
        <button type="button" onClick={() => void load(entries[entries.length - 1]?.id)} disabled={loading} aria-busy={loading || undefined}>
          {loading ? t('action.working') : t('history.older')}
        </button>
      ) : null}
    </div>
  );
}
