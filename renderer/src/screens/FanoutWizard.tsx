import { useMemo, useState } from 'react';
import { useService } from '../api/service-state';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { ProgressBar } from '../components/ProgressBar';
import { StatusBadge } from '../components/StatusBadge';
import { useAction } from '../components/useAction';
import { Wizard } from '../components/Wizard';
import { useI18n } from '../i18n';
import { checkBackend, isPort, isUnitName, pgpoolBackendLines, type BackendForm } from '../model/forms';
import { href, navigate } from '../router';
import { setupOps, type BackendCheck } from '../services/setup';
import { ERROR_KEY } from './EndpointFields';

/**
 * Set up a PostgreSQL fan-out (pgpool-II replication mode): backends and weights, or an existing
 * pgpool.conf imported → authentication → check each backend → start.
 */
export function FanoutWizard() {
  const { t } = useI18n();
  const svc = useService();
  const ops = useMemo(() => setupOps(svc.api), [svc.api]);
  const [step, setStep] = useState(0);
  const [touched, setTouched] = useState<Record<number, boolean>>({});
  const [name, setName] = useState('');
  const [listenPort, setListenPort] = useState('9999');
  const [backends, setBackends] = useState<BackendForm[]>([
    { host: '', port: '5432', weight: '1' },
    { host: '', port: '5432', weight: '1' },
  ]);
  const [importText, setImportText] = useState('');
  const [user, setUser] = useState('postgres');
  const [password, setPassword] = useState('');
  const [results, setResults] = useState<BackendCheck[]>();
  const [started, setStarted] = useState(false);
  const [run, action, clearAction] = useAction();
  const steps = [
    { id: 'backends', title: t('fanout.step.backends') },
    { id: 'auth', title: t('fanout.step.auth') },
    { id: 'check', title: t('fanout.step.check') },
    { id: 'start', title: t('fanout.step.start') },
  ];
  const show = !!touched[step];
  const backendErrors = backends.map(checkBackend);
  const backendsValid = isUnitName(name) && isPort(listenPort) && backends.length >= 2 && backendErrors.every((e) => !Object.keys(e).length);
  const authValid = !!user.trim() && !!password;
  const input = { name, listenPort, backends, user: user.trim(), password };
  const missing = (step === 1 && !ops.checkBackends) || (step === 2 && !ops.createFanout);

  const next = () => {
    setTouched((o) => ({ ...o, [step]: true }));
    if (step === 0 && backendsValid) setStep(1);
    else if (step === 1 && authValid && ops.checkBackends) {
      setResults(undefined);
      setStep(2);
      void run(async () => setResults(await ops.checkBackends!(input)));
    } else if (step === 2 && ops.createFanout) {
      setStep(3);
      void run(async () => {
        await ops.createFanout!(input);
        setStarted(true);
      });
    } else if (step === 3) navigate('dashboard', 'fanout', name);
  };

  const setBackend = (i: number, b: BackendForm) => setBackends(backends.map((x, j) => (j === i ? b : x)));

  return (
    <Wizard
      title={t('nav.fanoutSetup')}
      steps={steps}
      current={step}
      onStep={(i) => {
        clearAction();
        setStep(Math.max(0, i));
      }}
      onNext={next}
      onCancel={() => navigate('dashboard')}
      nextLabel={step === 2 ? t('fanout.startNow') : step === 3 ? t('add.openDashboard') : undefined}
      nextDisabled={
        (step === 0 && show && !backendsValid) ||
        (step === 1 && show && !authValid) ||
        missing ||
        (step === 2 && (!results || results.some((r) => !r.ok))) ||
        (step === 3 && !started)
      }
      busy={action.busy}
    >
      {missing ? <Notice tone="warn" title={t('setup.unavailableTitle')}>{t('setup.unavailable')}</Notice> : null}
      {action.error ? <Notice tone="error" title={t('action.failed')}>{action.error}</Notice> : null}
      {step === 0 ? (
        <>
          <p className="lead">{t('fanout.lead')}</p>
          <div className="field-row">
            <Field label={t('fanout.name')} required hint={t('add.nameHint')} error={show && !isUnitName(name) ? t('validate.name') : undefined}>
              {(p) => <input {...p} spellCheck={false} value={name} onChange={(e) => setName(e.target.value)} />}
            </Field>
            <Field label={t('fanout.listenPort')} required hint={t('fanout.listenPortHint')} error={show && !isPort(listenPort) ? t('validate.port') : undefined}>
              {(p) => <input {...p} className="narrow" inputMode="numeric" value={listenPort} onChange={(e) => setListenPort(e.target.value)} />}
            </Field>
          </div>
          <fieldset>
            <legend>{t('fanout.backends')}</legend>
            <p className="field-hint">{t('fanout.backendsHint')}</p>
            {backends.map((b, i) => (
              <div key={i} className="field-row backend-row" role="group" aria-label={t('fanout.backendN', { n: i })}>
                <span className="backend-no" aria-hidden="true">
                  {i}
                </span>
                <Field label={`backend_hostname${i}`} required error={show && backendErrors[i]!.host ? t(ERROR_KEY[backendErrors[i]!.host!]!) : undefined}>
                  {(p) => <input {...p} spellCheck={false} value={b.host} onChange={(e) => setBackend(i, { ...b, host: e.target.value })} />}
                </Field>
                <Field label={`backend_port${i}`} required error={show && backendErrors[i]!.port ? t('validate.port') : undefined}>
                  {(p) => <input {...p} className="narrow" inputMode="numeric" value={b.port} onChange={(e) => setBackend(i, { ...b, port: e.target.value })} />}
                </Field>
                <Field label={`backend_weight${i}`} required error={show && backendErrors[i]!.weight ? t('validate.weight') : undefined}>
                  {(p) => <input {...p} className="narrow" inputMode="decimal" value={b.weight} onChange={(e) => setBackend(i, { ...b, weight: e.target.value })} />}
                </Field>
                <button type="button" onClick={() => setBackends(backends.filter((_, j) => j !== i))} disabled={backends.length <= 2} aria-label={t('fanout.removeBackend', { n: i })}>
                  {t('fanout.remove')}
                </button>
              </div>
            ))}
            <button type="button" onClick={() => setBackends([...backends, { host: '', port: '5432', weight: '1' }])}>
              {t('fanout.addBackend')}
            </button>
          </fieldset>
          <details className="import">
            <summary>{t('fanout.import')}</summary>
            <Field label="pgpool.conf" hint={t('fanout.importHint')}>
              {(p) => <textarea {...p} rows={6} className="mono" spellCheck={false} value={importText} onChange={(e) => setImportText(e.target.value)} />}
            </Field>
            {ops.importPgpoolConf ? (
              <button
                type="button"
                disabled={!importText.trim() || action.busy}
                onClick={() =>
                  void run(async () => {
                    const r = await ops.importPgpoolConf!(importText);
                    setBackends(r.backends);
                    setListenPort(r.listenPort);
                  })
                }
              >
                {t('fanout.importButton')}
              </button>
            ) : (
              <Notice tone="warn">{t('setup.unavailable')}</Notice>
            )}
          </details>
        </>
      ) : null}
      {step === 1 ? (
        <>
          <p className="lead">{t('fanout.authLead')}</p>
          <div className="field-row">
            <Field label={t('endpoint.user')} required error={touched[1] && !user.trim() ? t('validate.required') : undefined}>
              {(p) => <input {...p} spellCheck={false} autoComplete="off" value={user} onChange={(e) => setUser(e.target.value)} />}
            </Field>
            <Field label={t('endpoint.password')} required hint={t('endpoint.passwordHint')} error={touched[1] && !password ? t('validate.required') : undefined}>
              {(p) => <input {...p} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
            </Field>
          </div>
          <p>{t('fanout.reviewLines')}</p>
          <pre className="mono code-block">{`port = ${Number(listenPort)}\nreplication_mode = on\n${pgpoolBackendLines(backends)}`}</pre>
        </>
      ) : null}
      {step === 2 ? (
        results ? (
          <ul className="checks">
            {results.map((r) => (
              <li key={`${r.host}:${r.port}`} className="check">
                <StatusBadge tone={r.ok ? 'ok' : 'error'} label={r.ok ? t('check.pass') : t('check.fail')} /> <code>{`${r.host}:${r.port}`}</code> {r.message}
              </li>
            ))}
          </ul>
        ) : (
          <ProgressBar label={t('fanout.checking')} />
        )
      ) : null}
      {step === 3 ? (
        started ? (
          <Notice tone="ok" title={t('fanout.started', { port: listenPort })}>
            <a href={href('dashboard', 'fanout', name)}>{t('add.openDashboard')}</a>
          </Notice>
        ) : (
          <ProgressBar label={t('fanout.starting')} />
        )
      ) : null}
    </Wizard>
  );
}
