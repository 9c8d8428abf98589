import { useEffect, useState } from 'react';
import type { ReplicaDeskApi } from '../../core/api/contract';
import type { ChannelSummary, FanoutSummary, HistoryEntry, ServiceInfo } from '../../core/api/types';
import { LANGUAGES, useI18n, type Lang } from './i18n';

interface Snapshot {
  info: ServiceInfo;
  channels: ChannelSummary[];
  fanouts: FanoutSummary[];
  history: HistoryEntry[];
}

export function App({ api }: { api: ReplicaDeskApi | { error: 'no-token' } }) {
  const { t, lang, setLang } = useI18n();
  const [snap, setSnap] = useState<Snapshot>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    if ('error' in api) return;
    let alive = true;
    const load = async () => {
      try {
        const [info, channels, fanouts, history] = await Promise.all([
          api.call('service.info', {}),
          api.call('channels.list', {}),
          api.call('fanouts.list', {}),
          api.call('history.list', { limit: 20 }),
        ]);
        if (alive) (setSnap({ info, channels, fanouts, history }), setError(undefined));
      } catch (err) {
        if (alive) setError((err as Error).message);
      }
    };
    void load();
    const off = api.onEvent((e) => {
      setSnap((s) => {
        if (!s) return s;
        if (e.type === 'history') return { ...s, history: [e.entry, ...s.history].slice(0, 20) };
        if (e.type === 'channels') return { ...s, channels: e.channels };
        if (e.type === 'fanouts') return { ...s, fanouts: e.fanouts };
        return s;
      });
    });
    return () => {
      alive = false;
      off();
    };
  }, [api]);

  return (
    <div className="app">
      <header className="app-header">
        <div>
          <h1>{t('app.title')}</h1>
          <p className="tagline">{t('app.tagline')}</p>
        </div>
        <label className="lang">
          {t('lang.label')}{' '}
          <select value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
            {Object.entries(LANGUAGES).map(([code, name]) => (
              <option key={code} value={code}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </header>
      <main>
        {'error' in api ? (
          <p role="alert" className="notice error">{t('status.noToken')}</p>
        ) : error ? (
          <p role="alert" className="notice error">{t('status.error', { message: error })}</p>
        ) : !snap ? (
          <p className="notice" aria-live="polite">{t('status.loading')}</p>
        ) : (
          <Dashboard snap={snap} />
        )}
      </main>
    </div>
  );
}

function Dashboard({ snap }: { snap: Snapshot }) {
  const { t, formatDate } = useI18n();
  const { info } = snap;
  return (
    <>
      <section aria-labelledby="channels-h" className="card">
        <h2 id="channels-h">{t('channels.heading')}</h2>
        {snap.channels.length === 0 ? (
          <p className="empty">{t('channels.empty')}</p>
        ) : (
          <ul>
            {snap.channels.map((c) => (
              <li key={c.name}>
                <strong>{c.name}</strong> — {t('channels.io')}: {c.slaveIoRunning}, {t('channels.sql')}: {c.slaveSqlRunning}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="fanouts-h" className="card">
        <h2 id="fanouts-h">{t('fanouts.heading')}</h2>
        {snap.fanouts.length === 0 ? (
          <p className="empty">{t('fanouts.empty')}</p>
        ) : (
          <ul>
            {snap.fanouts.map((f) => (
              <li key={f.name}>
                <strong>{f.name}</strong> — {t('fanouts.nodes', { count: f.nodes })}, {f.running ? t('fanouts.running') : t('fanouts.stopped')}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="history-h" className="card">
        <h2 id="history-h">{t('history.heading')}</h2>
        {snap.history.length === 0 ? (
          <p className="empty">{t('history.empty')}</p>
        ) : (
          <ol className="history">
            {snap.history.map((h) => (
              <li key={h.id} className={`sev-${h.severity}`}>
                <time dateTime={h.at}>{formatDate(h.at)}</time> <span className="sev">{t(`severity.${h.severity}`)}</span> {h.message}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="service-h" className="card">
        <h2 id="service-h">{t('service.heading')}</h2>
        <dl className="facts">
          <dt>{t('service.version')}</dt>
          <dd data-testid="service-version">{info.version}</dd>
          <dt>{t('service.mode')}</dt>
          <dd data-testid="service-mode">{t(info.mode === 'desktop' ? 'service.mode.desktop' : 'service.mode.headless')}</dd>
          <dt>{t('service.dataDir')}</dt>
          <dd>
            <code>{info.dataDir}</code>
          </dd>
          <dt>{t('service.since')}</dt>
          <dd>{formatDate(info.startedAt)}</dd>
          <dt>{t('service.secrets')}</dt>
          <dd className={info.secretStore.encrypted ? '' : 'error'}>
            {t(info.secretStore.encrypted ? 'service.secrets.encrypted' : 'service.secrets.plain', { kind: info.secretStore.kind })}
          </dd>
        </dl>
      </section>
    </>
  );
}
