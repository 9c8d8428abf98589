import { Field } from '../components/Field';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n/en';
import type { EndpointForm, FieldErrors } from '../model/forms';

export const ERROR_KEY: Record<string, MessageKey> = {
  required: 'validate.required',
  port: 'validate.port',
  host: 'validate.host',
  name: 'validate.name',
  nameTaken: 'validate.nameTaken',
  weight: 'validate.weight',
  position: 'validate.position',
  filter: 'validate.filter',
};

/** Host, port, user and password of one MySQL/PostgreSQL server, with checks shown once touched. */
export function EndpointFields({
  legend,
  value,
  onChange,
  errors,
  showErrors,
  hint,
  idPrefix,
}: {
  legend: string;
  value: EndpointForm;
  onChange: (v: EndpointForm) => void;
  errors: FieldErrors<EndpointForm>;
  showErrors: boolean;
  hint?: string;
  idPrefix: string;
}) {
  const { t } = useI18n();
  const err = (k: keyof EndpointForm) => (showErrors && errors[k] ? t(ERROR_KEY[errors[k]]!) : undefined);
  const set = (k: keyof EndpointForm) => (e: { target: { value: string } }) => onChange({ ...value, [k]: e.target.value });
  return (
    <fieldset className="endpoint">
      <legend>{legend}</legend>
      {hint ? <p className="field-hint">{hint}</p> : null}
      <div className="field-row">
        <Field label={t('endpoint.host')} required error={err('host')}>
          {(p) => <input {...p} name={`${idPrefix}-host`} autoComplete="off" spellCheck={false} value={value.host} onChange={set('host')} />}
        </Field>
        <Field label={t('endpoint.port')} required error={err('port')}>
          {(p) => <input {...p} name={`${idPrefix}-port`} inputMode="numeric" className="narrow" value={value.port} onChange={set('port')} />}
        </Field>
      </div>
      <div className="field-row">
        <Field label={t('endpoint.user')} required error={err('user')}>
          {(p) => <input {...p} name={`${idPrefix}-user`} autoComplete="off" spellCheck={false} value={value.user} onChange={set('user')} />}
        </Field>
        <Field label={t('endpoint.password')} required error={err('password')} hint={t('endpoint.passwordHint')}>
          {(p) => <input {...p} name={`${idPrefix}-password`} type="password" autoComplete="new-password" value={value.password} onChange={set('password')} />}
        </Field>
      </div>
    </fieldset>
  );
}
