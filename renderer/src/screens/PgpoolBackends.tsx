import { Field } from '../components/Field';
import { useI18n } from '../i18n';
import { checkBackend, isPort } from '../model/forms';
import type { PgpoolBackendRow } from '../model/pgpool';
import { ERROR_KEY } from './EndpointFields';

/** The backend_* blocks and the port of a pgpool.conf, as a form (pgpool's own parameter names as labels). */
export function PgpoolBackends({
  backends,
  port,
  onChange,
  showErrors,
}: {
  backends: PgpoolBackendRow[];
  port: string;
  onChange: (v: { backends: PgpoolBackendRow[]; port: string }) => void;
  showErrors: boolean;
}) {
  const { t } = useI18n();
  const set = (i: number, b: PgpoolBackendRow) => onChange({ port, backends: backends.map((x, j) => (j === i ? b : x)) });
  return (
    <>
      <Field label={t('fanout.listenPort')} required hint={t('fanout.listenPortHint')} error={showErrors && !isPort(port) ? t('validate.port') : undefined}>
        {(p) => <input {...p} className="narrow" inputMode="numeric" value={port} onChange={(e) => onChange({ port: e.target.value, backends })} />}
      </Field>
      <fieldset>
        <legend>{t('fanout.backends')}</legend>
        <p className="field-hint">{t('fanout.backendsHint')}</p>
        {backends.map((b, i) => {
          const n = b.index ?? `+${i}`;
          const err = checkBackend({ host: b.hostname, port: b.port, weight: b.weight });
          return (
            <div key={i} className="field-row backend-row" role="group" aria-label={t('fanout.backendN', { n })}>
              <span className="backend-no" aria-hidden="true">
                {n}
              </span>
              <Field label={`backend_hostname${b.index ?? ''}`} required error={showErrors && err.host ? t(ERROR_KEY[err.host]!) : undefined}>
                {(p) => <input {...p} spellCheck={false} value={b.hostname} onChange={(e) => set(i, { ...b, hostname: e.target.value })} />}
              </Field>
              <Field label={`backend_port${b.index ?? ''}`} required error={showErrors && err.port ? t('validate.port') : undefined}>
                {(p) => <input {...p} className="narrow" inputMode="numeric" value={b.port} onChange={(e) => set(i, { ...b, port: e.target.value })} />}
              </Field>
              <Field label={`backend_weight${b.index ?? ''}`} required error={showErrors && err.weight ? t('validate.weight') : undefined}>
                {(p) => <input {...p} className="narrow" inputMode="decimal" value={b.weight} onChange={(e) => set(i, { ...b, weight: e.target.value })} />}
              </Field>
              <button type="button" onClick={() => onChange({ port, backends: backends.filter((_, j) => j !== i) })} disabled={backends.length <= 2} aria-label={t('fanout.removeBackend', { n })}>
                {t('fanout.remove')}
              </button>
            </div>
          );
        })}
        <button type="button" onClick={() => onChange({ port, backends: [...backends, { hostname: '', port: '5432', weight: '1' }] })}>
          {t('fanout.addBackend')}
        </button>
      </fieldset>
    </>
  );
}

export function backendsValid(v: { backends: PgpoolBackendRow[]; port: string }): boolean {
  return isPort(v.port) && v.backends.length >= 2 && v.backends.every((b) => !Object.keys(checkBackend({ host: b.hostname, port: b.port, weight: b.weight })).length);
}
