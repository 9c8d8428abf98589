import { useEffect, useRef } from 'react';
import type { ReplicaDeskApi } from '../../core/api/contract';
import { ServiceProvider, useService } from './api/service-state';
import { Notice } from './components/Notice';
import { initialLang, isLangChoice, LANGUAGES, useI18n, type LangChoice } from './i18n';
import type { MessageKey } from './i18n/en';
import { href, useRoute, type Screen } from './router';
import { AddBackupWizard } from './screens/AddBackupWizard';
import { BinlogsScreen } from './screens/BinlogsScreen';
import { Dashboard } from './screens/Dashboard';
import { Editors } from './screens/Editors';
import { FanoutWizard } from './screens/FanoutWizard';
import { HistoryScreen } from './screens/History';
import { PreferencesScreen } from './screens/Preferences';
import { PrepareMasterWizard } from './screens/PrepareMasterWizard';

const NAV: { screen: Screen; key: MessageKey; rest?: string }[] = [
  { screen: 'dashboard', key: 'nav.dashboard' },
  { screen: 'add-backup', key: 'nav.addBackup' },
  { screen: 'prepare-master', key: 'nav.prepareMaster' },
  { screen: 'fanout-setup', key: 'nav.fanoutSetup' },
  { screen: 'editors', key: 'nav.editors', rest: 'mycnf' },
  { screen: 'binlogs', key: 'nav.binlogs' },
  { screen: 'history', key: 'nav.history' },
  { screen: 'preferences', key: 'nav.preferences' },
];

export function App({ api }: { api: ReplicaDeskApi | { error: 'no-token' } }) {
  const { t } = useI18n();
  return (
    <div className="app">
      {/* Not href="#main": the hash is the router's. */}
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        {t('app.skip')}
      </a>
      <Header />
      {'error' in api ? (
        <main id="main" className="main" tabIndex={-1}>
          <Notice tone="error" title={t('status.noTokenTitle')}>
            {t('status.noToken')}
          </Notice>
        </main>
      ) : (
        <ServiceProvider api={api}>
          <Shell />
        </ServiceProvider>
      )}
    </div>
  );
}

function Header() {
  const { t, choice, setLang } = useI18n();
  const system = initialLang(null, navigator.languages);
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-name">{t('app.title')}</span>
        <span className="tagline">{t('app.tagline')}</span>
      </div>
      <label className="lang">
        <span>{t('lang.label')}</span>
        <select value={choice} onChange={(e) => setLang(e.target.value as LangChoice)} data-testid="lang-select">
          <option value="auto">{t('lang.auto', { name: LANGUAGES[system] })}</option>
          {Object.entries(LANGUAGES).map(([code, name]) => (
            <option key={code} value={code} lang={code === 'zh' ? 'zh-CN' : code}>
              {name}
            </option>
          ))}
        </select>
      </label>
    </header>
  );
}

function Shell() {
  const { t } = useI18n();
  const route = useRoute();
  const svc = useService();
  const first = useRef(true);
  // After moving to another screen, focus its title, so keyboard and screen-reader users start there
  // (a unit's card takes focus itself when the route names one).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (route.rest.length && route.screen === 'dashboard') return;
    const title = document.querySelector<HTMLElement>('#main h1');
    title?.setAttribute('tabindex', '-1');
    title?.focus();
  }, [route.screen, route.rest.join('/')]);
  return (
    <div className="layout">
      <LangSync />
      <nav className="side-nav" aria-label={t('nav.label')}>
        <ul>
          {NAV.map((n) => (
            <li key={n.screen}>
              <a href={n.rest ? href(n.screen, n.rest) : href(n.screen)} aria-current={route.screen === n.screen ? 'page' : undefined}>
                {t(n.key)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="main" tabIndex={-1}>
        {svc.stopping ? <Notice tone="warn" title={t('status.stoppingTitle')}>{t('status.stopping')}</Notice> : null}
        {svc.status === 'error' ? (
          <Notice tone="error" title={t('status.errorTitle')}>
            {t('status.error', { message: svc.error ?? '' })}{' '}
            <button type="button" onClick={() => void svc.refresh()}>
              {t('action.retry')}
            </button>
          </Notice>
        ) : null}
        {svc.status === 'connecting' ? (
          <p className="notice" aria-live="polite">
            {t('status.loading')}
          </p>
        ) : svc.status === 'ready' || svc.info ? (
          <ScreenFor screen={route.screen} rest={route.rest} />
        ) : null}
      </main>
    </div>
  );
}

function ScreenFor({ screen, rest }: { screen: Screen; rest: string[] }) {
  switch (screen) {
    case 'dashboard':
      return <Dashboard route={{ screen, rest }} />;
    case 'add-backup':
      return <AddBackupWizard />;
    case 'prepare-master':
      return <PrepareMasterWizard />;
    case 'fanout-setup':
      return <FanoutWizard />;
    case 'editors':
      return <Editors kind={rest[0] === 'pgpool' ? 'pgpool' : 'mycnf'} />;
    case 'binlogs':
      return <BinlogsScreen />;
    case 'history':
      return <HistoryScreen />;
    case 'preferences':
      return <PreferencesScreen />;
  }
}

/**
 * One language for the whole app: the service keeps the choice (ui.lang), so the tray menu and desktop
 * notifications follow what was chosen in the window, and every open window follows a change made in another.
 */
function LangSync() {
  const { api, onEvent } = useService();
  const { adoptLang, onChosen } = useI18n();
  useEffect(() => {
    let alive = true;
    const adopt = (v: string | null) => {
      if (alive && isLangChoice(v)) adoptLang(v);
    };
    api.call('settings.get', { key: 'ui.lang' }).then(
      (r) => adopt(r.value),
      () => undefined, // an older service without settings: the window's own choice stands
    );
    const offEvents = onEvent((e) => {
      if (e.type === 'settings' && e.key === 'ui.lang') adopt(e.value);
    });
    const offChosen = onChosen((l) => void api.call('settings.set', { key: 'ui.lang', value: l }).catch(() => undefined));
    return () => {
      alive = false;
      offEvents();
      offChosen();
    };
  }, [api, onEvent, adoptLang, onChosen]);
  return null;
}
