import { useMemo, useState } from 'react';
import { useService } from '../api/service-state';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { ProgressBar } from '../components/ProgressBar';
import { useAction } from '../components/useAction';
import { Wizard } from '../components/Wizard';
import { useI18n } from '../i18n';
import { checkEndpoint, type EndpointForm } from '../model/forms';
import type { MasterPlan } from '../model/preflight';
import { href, navigate } from '../router';
import { setupOps, type MasterOutcome } from '../services/setup';
import { handOff } from '../api/handoff';
import { EndpointFields, ERROR_KEY } from './EndpointFields';

/**
 * Prepare an office server (master) to be backed up: the my.cnf lines and the replication account it
 * needs, applied by ReplicaDesk when the admin account may, or shown to copy; with the restart note.
 */
export function PrepareMasterWizard() {
  const { t, localized } = useI18n();
  const svc = useService();
  const ops = useMemo(() => setupOps(svc.api), [svc.api]);
  const [step, setStep] = useState(0);
  const [touched, setTouched] = useState(false);
  const [admin, setAdmin] = useState<EndpointForm>({ host: '', port: '3306', user: 'root', password: '' });
  const [replicaHost, setReplicaHost] = useState('%');
  const [replicationUser, setReplicationUser] = useState('replicadesk');
  const [plan, setPlan] = useState<MasterPlan & { user: { password?: string } }>();
  const [outcome, setOutcome] = useState<MasterOutcome>();
  const applied = !!outcome;
  const [run, action, clearAction] = useAction();
  const steps = [
    { id: 'connect', title: t('master.step.connect') },
    { id: 'plan', title: t('master.step.plan') },
    { id: 'done', title: t('master.step.done') },
  ];
  const adminErrors = checkEndpoint(admin);
  const hostError = replicaHost.trim() && !/\s/.test(replicaHost.trim()) ? undefined : 'host';
  const userError = /^[A-Za-z0-9_.-]{1,32}$/.test(replicationUser) ? undefined : 'required';
  const input = { admin, replicaHost: replicaHost.trim(), replicationUser };
  const connectValid = !Object.keys(adminErrors).length && !hostError && !userError;

  const next = () => {
    if (step === 0) {
      setTouched(true);
      if (!connectValid || !ops.masterPlan) return;
      setPlan(undefined);
      setStep(1);
      void run(async () => setPlan(await ops.masterPlan!(input)));
    } else if (step === 1) setStep(2);
    else {
      // The account just planned (and its password, when ReplicaDesk made one) goes into "Add a backup".
      handOff({ master: { host: admin.host.trim(), port: admin.port, user: replicationUser, password: plan?.user.password ?? '' } });
      navigate('add-backup');
    }
  };

  return (
    <Wizard
      title={t('nav.prepareMaster')}
      steps={steps}
      current={step}
      onStep={(i) => {
        clearAction();
        setStep(Math.max(0, i));
      }}
      onNext={next}
      onCancel={() => navigate('dashboard')}
      nextLabel={step === 2 ? t('master.continueToAdd') : undefined}
      nextDisabled={(step === 0 && ((touched && !connectValid) || !ops.masterPlan)) || (step === 1 && !plan)}
      busy={action.busy}
    >
      {step === 0 && !ops.masterPlan ? <Notice tone="warn" title={t('setup.unavailableTitle')}>{t('setup.unavailable')}</Notice> : null}
      {action.error ? <Notice tone="error" title={t('action.failed')}>{action.error}</Notice> : null}
      {step === 0 ? (
        <>
          <p className="lead">{t('master.lead')}</p>
          <EndpointFields idPrefix="admin" legend={t('master.admin')} hint={t('master.adminHint')} value={admin} onChange={setAdmin} errors={adminErrors} showErrors={touched} />
          <div className="field-row">
            <Field label={t('master.replicaHost')} required hint={t('master.replicaHostHint')} error={touched && hostError ? t(ERROR_KEY[hostError]!) : undefined}>
              {(p) => <input {...p} spellCheck={false} value={replicaHost} onChange={(e) => setReplicaHost(e.target.value)} />}
            </Field>
            <Field label={t('master.replicationUser')} required error={touched && userError ? t('validate.required') : undefined}>
              {(p) => <input {...p} spellCheck={false} value={replicationUser} onChange={(e) => setReplicationUser(e.target.value)} />}
            </Field>
          </div>
        </>
      ) : null}
      {step === 1 ? (
        plan ? (
          <>
            <p>{localized(plan.explanation)}</p>
            {plan.mycnfText ? (
              <>
                <h3>{t('master.mycnf')}</h3>
                <pre className="mono code-block" data-testid="mycnf-lines">
                  {plan.mycnfText}
                </pre>
              </>
            ) : (
              <Notice tone="ok">{t('master.mycnfNone')}</Notice>
            )}
            {plan.runtime.length || plan.user.statements.length ? (
              <>
                <h3>{t('master.statements')}</h3>
                <pre className="mono code-block">{[...plan.runtime, ...plan.user.statements].join('\n')}</pre>
              </>
            ) : null}
            {plan.restartNeeded ? (
              <Notice tone="warn" title={t('master.restartTitle')}>
                {t('master.restartBody', { settings: plan.restartFor.join(', ') })}
              </Notice>
            ) : null}
            <div className="button-row">
              {ops.applyMasterPlan ? (
                <button
                  type="button"
                  className="primary"
                  disabled={action.busy || applied}
                  onClick={() => void run(async () => setOutcome(await ops.applyMasterPlan!({ ...input, ...(plan.user.password ? { password: plan.user.password } : {}) })))}
                >
                  {applied ? t('master.applied') : t('master.apply')}
                </button>
              ) : null}
            </div>
            {outcome ? (
              <>
                <Notice tone={outcome.manual.length ? 'warn' : 'ok'} title={t('master.appliedCount', { count: outcome.applied.length })}>
                  {outcome.manual.length ? t('master.manualLead') : null}
                </Notice>
                {outcome.manual.map((m, i) => (
                  <div key={i} className="fix">
                    <pre className="mono code-block">{m.statement}</pre>
                    <p className="secondary">{m.error}</p>
                  </div>
                ))}
              </>
            ) : (
              <p className="secondary">{t('master.copyHint')}</p>
            )}
          </>
        ) : (
          <ProgressBar label={t('master.reading')} />
        )
      ) : null}
      {step === 2 ? (
        <>
          <Notice tone={plan?.restartNeeded ? 'warn' : 'ok'} title={t(applied ? 'master.doneApplied' : 'master.doneCopy')}>
            {plan?.restartNeeded ? t('master.restartBody', { settings: plan.restartFor.join(', ') }) : t('master.noRestart')}
          </Notice>
          <p>
            <a href={href('dashboard')}>{t('nav.dashboard')}</a>
          </p>
        </>
      ) : null}
    </Wizard>
  );
}
