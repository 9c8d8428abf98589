import { useEffect, useState } from 'react';
import { lagWarnSeconds, useService } from '../api/service-state';
import { Card } from '../components/Card';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { useAction } from '../components/useAction';
import { initialLang, LANGUAGES, useI18n, type LangChoice } from '../i18n';
import { DEFAULT_HEALTH_OPTIONS } from '../model/health';

const MAX_MINUTES = 10_080; // a week

/**
 * What the app does for everyone using it, kept by the service: the language (window, tray and
 * notifications), when a backup counts as falling behind (dashboard colour, tray colour, the lag alert),
 * and whether the desktop app shows notifications at all.
 */
export function PreferencesScreen() {
  const { t, choice, setLang, formatDuration } = useI18n();
  const svc = useService();
  const savedSeconds = lagWarnSeconds(svc.settings, DEFAULT_HEALTH_OPTIONS.lagWarnSeconds);
  const savedNotify = svc.settings['ui.notifications'] !== 'off';
  const [minutes, setMinutes] = useState(String(Math.max(1, Math.round(savedSeconds / 60))));
  const [notify, setNotify] = useState(savedNotify);
  const [saved, setSaved] = useState(false);
  const [run, action] = useAction();
  // Another window (or this one) saved: show what the service now keeps.
  useEffect(() => setMinutes(String(Math.max(1, Math.round(savedSeconds / 60)))), [savedSeconds]);
  useEffect(() => setNotify(savedNotify), [savedNotify]);
  const n = Number(minutes);
  const minutesValid = Number.isInteger(n) && n >= 1 && n <= MAX_MINUTES;
  const changed = (minutesValid && n * 60 !== savedSeconds) || notify !== savedNotify;
  const system = initialLang(null, navigator.languages);

  const save = () => {
    if (!minutesValid) return;
    setSaved(false);
    void run(async () => {
      if (n * 60 !== savedSeconds) await svc.api.call('settings.set', { key: 'ui.lagAlertSeconds', value: String(n * 60) });
      if (notify !== savedNotify) await svc.api.call('settings.set', { key: 'ui.notifications', value: notify ? 'on' : 'off' });
      setSaved(true);
    });
  };

  return (
    <div className="preferences">
      <h1 className="screen-title">{t('nav.preferences')}</h1>
      <p className="lead">{t('prefs.lead')}</p>
      <Card title={t('prefs.language')}>
        <Field label={t('lang.label')} hint={t('prefs.languageHint')}>
          {(p) => (
            <select {...p} className="narrow" value={choice} onChange={(e) => setLang(e.target.value as LangChoice)}>
              <option value="auto">{t('lang.auto', { name: LANGUAGES[system] })}</option>
              {Object.entries(LANGUAGES).map(([code, name]) => (
                <option key={code} value={code} lang={code === 'zh' ? 'zh-CN' : code}>
                  {name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </Card>
      <Card title={t('prefs.alerts')}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <Field
            label={t('prefs.lagLimit')}
            hint={t('prefs.lagLimitHint', { now: formatDuration(savedSeconds) })}
            error={minutesValid ? undefined : t('validate.range', { min: 1, max: MAX_MINUTES })}
          >
            {(p) => <input {...p} className="narrow" type="number" min={1} max={MAX_MINUTES} value={minutes} onChange={(e) => (setMinutes(e.target.value), setSaved(false))} />}
          </Field>
          <fieldset className="choices">
            <legend className="field-label">{t('prefs.notifications')}</legend>
            <label className="choice">
              <input type="checkbox" checked={notify} onChange={(e) => (setNotify(e.target.checked), setSaved(false))} />
              <span>
                <strong>{t('prefs.notificationsOn')}</strong>
                <span className="field-hint">{t(svc.info?.mode === 'headless' ? 'prefs.notificationsHeadless' : 'prefs.notificationsHint')}</span>
              </span>
            </label>
          </fieldset>
          {action.error ? <Notice tone="error" title={t('action.failed')}>{action.error}</Notice> : null}
          {saved && !changed ? <Notice tone="ok">{t('prefs.saved')}</Notice> : null}
          <div className="button-row">
            <button type="submit" className="primary" disabled={action.busy || !changed || !minutesValid}>
              {action.busy ? t('action.working') : t('prefs.save')}
            </button>
          </div>
        </form>
      </Card>
    </div>
  );
}
