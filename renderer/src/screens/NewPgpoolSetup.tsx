import { Field } from '../components/Field';
import { useI18n } from '../i18n';
import { isUnitName, lines } from '../model/forms';
import type { PgpoolBackendRow } from '../model/pgpool';
import { backendsValid, PgpoolBackends } from './PgpoolBackends';

/** A fan-out written from nothing (pgpool.create): where, the servers, and who may sign in. */
export interface NewSetupForm {
  dir: string;
  port: string;
  backends: PgpoolBackendRow[];
  user: string;
  password: string;
  authMethod: 'scram-sha-256' | 'md5';
  clientNetworks: string;
  healthCheckPeriod: string;
}

export function emptyNewSetup(dir: string): NewSetupForm {
  const row = (): PgpoolBackendRow => ({ hostname: '', port: '5432', weight: '1' });
  return { dir, port: '9999', backends: [row(), row()], user: '', password: '', authMethod: 'scram-sha-256', clientNetworks: '', healthCheckPeriod: '10' };
}

const period = (v: string) => /^\d{1,5}$/.test(v.trim()) && Number(v) <= 86_400;

export function newSetupValid(f: NewSetupForm): boolean {
  return !!f.dir.trim() && backendsValid(f) && isUnitName(f.user.trim()) && f.password.length > 0 && period(f.healthCheckPeriod);
}

/** The service's setup as pgpool.create takes it. */
export function newSetupParams(f: NewSetupForm) {
  return {
    dir: f.dir.trim(),
    setup: {
      listenAddresses: '*',
      port: Number(f.port),
      backends: f.backends.map((b) => ({ hostname: b.hostname.trim(), port: Number(b.port), weight: Number(b.weight) })),
      users: [{ name: f.user.trim(), password: f.password }],
      authMethod: f.authMethod,
      clientNetworks: lines(f.clientNetworks),
      healthCheckPeriod: Number(f.healthCheckPeriod),
    },
  };
}

export function NewPgpoolSetup({ form, onChange, showErrors }: { form: NewSetupForm; onChange: (f: NewSetupForm) => void; showErrors: boolean }) {
  const { t } = useI18n();
  const set = (patch: Partial<NewSetupForm>) => onChange({ ...form, ...patch });
  return (
    <>
      <Field label={t('fanout.new.dir')} required hint={t('fanout.new.dirHint')} error={showErrors && !form.dir.trim() ? t('validate.required') : undefined}>
        {(p) => <input {...p} className="mono" spellCheck={false} value={form.dir} onChange={(e) => set({ dir: e.target.value })} />}
      </Field>
      <PgpoolBackends backends={form.backends} port={form.port} showErrors={showErrors} onChange={(v) => set(v)} />
      <fieldset>
        <legend>{t('fanout.new.auth')}</legend>
        <p className="field-hint">{t('fanout.new.authHint')}</p>
        <div className="field-row">
          <Field label={t('fanout.new.user')} required error={showErrors && !isUnitName(form.user.trim()) ? t('validate.name') : undefined}>
            {(p) => <input {...p} spellCheck={false} autoComplete="off" value={form.user} onChange={(e) => set({ user: e.target.value })} />}
          </Field>
          <Field label={t('fanout.new.password')} required error={showErrors && !form.password ? t('validate.required') : undefined}>
            {(p) => <input {...p} type="password" autoComplete="new-password" value={form.password} onChange={(e) => set({ password: e.target.value })} />}
          </Field>
          <Field label={t('fanout.new.method')} hint={t('fanout.new.methodHint')}>
            {(p) => (
              <select {...p} value={form.authMethod} onChange={(e) => set({ authMethod: e.target.value as NewSetupForm['authMethod'] })}>
                <option value="scram-sha-256">scram-sha-256</option>
                <option value="md5">md5</option>
              </select>
            )}
          </Field>
        </div>
        <Field label={t('fanout.new.networks')} hint={t('fanout.new.networksHint')}>
          {(p) => <textarea {...p} className="mono" rows={2} spellCheck={false} value={form.clientNetworks} onChange={(e) => set({ clientNetworks: e.target.value })} />}
        </Field>
        <Field label="health_check_period" hint={t('fanout.new.periodHint')} error={showErrors && !period(form.healthCheckPeriod) ? t('validate.range', { min: 0, max: 86400 }) : undefined}>
          {(p) => <input {...p} className="narrow" inputMode="numeric" value={form.healthCheckPeriod} onChange={(e) => set({ healthCheckPeriod: e.target.value })} />}
        </Field>
      </fieldset>
    </>
  );
}
