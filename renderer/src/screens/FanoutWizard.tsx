import { useMemo, useState } from 'react';
import type { ApiResult } from '../../../core/api/contract';
import { useService } from '../api/service-state';
import { DataTable, type Column } from '../components/DataTable';
import { Field } from '../components/Field';
import { StatusBadge } from '../components/StatusBadge';
import { Notice } from '../components/Notice';
import { ProgressBar } from '../components/ProgressBar';
import { useAction } from '../components/useAction';
import { Wizard } from '../components/Wizard';
import { useI18n } from '../i18n';
import { problemAt } from './problem-text';
import { defaultPaths } from '../model/default-paths';
import { isUnitName } from '../model/forms';
import { backendEdits, readBackends, type PgpoolBackendRow } from '../model/pgpool';
import { href, navigate } from '../router';
import { pgpoolOps } from '../services/setup';
import { backendsValid, PgpoolBackends } from './PgpoolBackends';
import { emptyNewSetup, newSetupParams, newSetupValid, NewPgpoolSetup, type NewSetupForm } from './NewPgpoolSetup';

type Plan = ApiResult<'pgpool.plan'>;
type Created = ApiResult<'fanouts.create'>;
type Checked = ApiResult<'fanouts.check'>;
type BackendCheck = Checked['backends'][number];

/**
 * Set up a PostgreSQL fan-out the way pgpool-II users know it: from their pgpool.conf (pool_hba.conf and
 * pool_passwd beside it hold who may sign in) → the servers and their weights, changed in the file with a
 * diff first → ReplicaDesk checks the file → start.
 */
export function FanoutWizard() {
  const { t } = useI18n();
  const svc = useService();
  const ops = useMemo(() => pgpoolOps(svc.api), [svc.api]);
  const [step, setStep] = useState(0);
  const [touched, setTouched] = useState<Record<number, boolean>>({});
  const [name, setName] = useState('');
  const [path, setPath] = useState(() => defaultPaths(svc.info?.platform).pgpool);
  const [loaded, setLoaded] = useState<{ path: string; text: string; problems: { severity: string; line: number; message: string }[]; original: { backends: PgpoolBackendRow[]; port: string } }>();
  const [form, setForm] = useState<{ backends: PgpoolBackendRow[]; port: string }>({ backends: [], port: '9999' });
  const [plan, setPlan] = useState<Plan>();
  const [created, setCreated] = useState<Created>();
  const [checked, setChecked] = useState<Checked>();
  // Use the person's pgpool.conf, or write a new setup (pgpool.create) in a folder of the data dir.
  const [mode, setMode] = useState<'file' | 'new'>('file');
  const sep = svc.info?.platform === 'win32' ? '\\' : '/';
  const [setup, setSetup] = useState<NewSetupForm>(() => emptyNewSetup(svc.info ? `${svc.info.dataDir}${sep}pgpool` : ''));
  const [keyFile, setKeyFile] = useState<string>();
  const [listen, setListen] = useState<string | null>();
  const [run, action, clearAction] = useAction();
  const steps = [
    { id: 'file', title: t('fanout.step.file') },
    { id: 'backends', title: t('fanout.step.backends') },
    { id: 'check', title: t('fanout.step.check') },
    { id: 'start', title: t('fanout.step.start') },
  ];
  const show = !!touched[step];
  const nameOk = isUnitName(name) && !svc.fanouts.some((f) => f.name === name);
  const edits = loaded ? backendEdits(loaded.original, form) : [];
  const blocking = created?.diagnostics.filter((d) => d.severity === 'error') ?? [];
  // A server that does not answer stops the start; one that refuses the check account is a warning (the
  // applications' own accounts may still get in, but health checks would set it aside).
  const unreachable = checked?.backends.filter((b) => !b.reachable) ?? [];
  const refused = checked?.backends.filter((b) => b.reachable && b.login !== 'ok') ?? [];
  const checkAgain = () =>
    void run(async () => {
      setChecked(undefined);
      setChecked(await ops.checkBackends(loaded!.path, keyFile));
    });

  const next = () => {
    setTouched((o) => ({ ...o, [step]: true }));
    if (step === 0 && mode === 'new') {
      if (!nameOk || !newSetupValid(setup)) return;
      void run(async () => {
        const made = await ops.createSetup(newSetupParams(setup));
        setKeyFile(made.keyFile);
        const r = await ops.read(made.configPath);
        const original = readBackends(r.text);
        setLoaded({ path: made.configPath, text: r.text, problems: r.problems, original });
        setForm({ backends: original.backends.map((b) => ({ ...b })), port: original.port });
        setCreated(await ops.createFanout(name, made.configPath, made.keyFile));
        setChecked(undefined);
        // The servers were just entered: straight to the check.
        setStep(2);
        setChecked(await ops.checkBackends(made.configPath, made.keyFile));
      });
    } else if (step === 0) {
      if (!nameOk || !path.trim()) return;
      void run(async () => {
        const r = await ops.read(path.trim());
        const original = readBackends(r.text);
        setLoaded({ path: path.trim(), text: r.text, problems: r.problems, original });
        setForm({ backends: original.backends.map((b) => ({ ...b })), port: original.port });
        setPlan(undefined);
        setStep(1);
      });
    } else if (step === 1) {
      if (!backendsValid(form) || !loaded) return;
      if (edits.length && !plan) {
        void run(async () => setPlan(await ops.plan(loaded.path, edits)));
        return;
      }
      void run(async () => {
        if (edits.length) await ops.apply(loaded.path, edits);
        setCreated(await ops.createFanout(name, loaded.path));
        setChecked(undefined);
        setStep(2);
        setChecked(await ops.checkBackends(loaded.path));
      });
    } else if (step === 2) {
      if (blocking.length || !checked || unreachable.length) return;
      void run(async () => {
        setListen((await ops.startFanout(name)).listen ?? null);
        setStep(3);
      });
    } else navigate('dashboard', 'fanout', name);
  };

  const nextLabel =
    step === 1 && edits.length && !plan ? t('fanout.previewChanges') : step === 1 && edits.length ? t('fanout.saveAndCheck') : step === 2 ? t('fanout.startNow') : step === 3 ? t('add.openDashboard') : undefined;

  return (
    <Wizard
      title={t('nav.fanoutSetup')}
      steps={steps}
      current={step}
      onStep={(i) => {
        clearAction();
        // Once defined, the fan-out exists: going back to the file would define it twice.
        if (created && i < 2) return;
        setStep(Math.max(0, i));
      }}
      onNext={next}
      onCancel={() => navigate('dashboard')}
      nextLabel={nextLabel}
      nextDisabled={(step === 0 && show && (!nameOk || (mode === 'file' ? !path.trim() : !newSetupValid(setup)))) || (step === 1 && show && !backendsValid(form)) || (step === 2 && (blocking.length > 0 || !checked || unreachable.length > 0))}
      busy={action.busy}
    >
      {action.error ? <Notice tone="error" title={t('action.failed')}>{action.error}</Notice> : null}
      {step === 0 ? (
        <>
          <p className="lead">{t('fanout.lead')}</p>
          <Field label={t('fanout.name')} required hint={t('add.nameHint')} error={show && !nameOk ? t(isUnitName(name) ? 'validate.nameTaken' : 'validate.name') : undefined}>
            {(p) => <input {...p} spellCheck={false} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <fieldset className="choices">
            <legend className="field-label">{t('fanout.mode')}</legend>
            <label className="choice">
              <input type="radio" name="fanout-mode" checked={mode === 'file'} onChange={() => setMode('file')} />
              <span>
                <strong>{t('fanout.mode.file')}</strong>
                <span className="field-hint">{t('fanout.mode.fileHint')}</span>
              </span>
            </label>
            <label className="choice">
              <input type="radio" name="fanout-mode" checked={mode === 'new'} onChange={() => setMode('new')} />
              <span>
                <strong>{t('fanout.mode.new')}</strong>
                <span className="field-hint">{t('fanout.mode.newHint')}</span>
              </span>
            </label>
          </fieldset>
          {mode === 'file' ? (
            <>
              <Field label={t('fanout.confPath')} required hint={t('fanout.confPathHint')} error={show && !path.trim() ? t('validate.required') : undefined}>
                {(p) => <input {...p} className="mono" spellCheck={false} value={path} onChange={(e) => setPath(e.target.value)} />}
              </Field>
              <Notice tone="info">{t('fanout.authLead')}</Notice>
            </>
          ) : (
            <NewPgpoolSetup form={setup} onChange={setSetup} showErrors={show} />
          )}
        </>
      ) : null}
      {step === 1 && loaded ? (
        <>
          <p className="lead">{t('fanout.backendsLead', { path: loaded.path })}</p>
          {loaded.problems.map((p, i) => (
            <Notice key={i} tone={p.severity === 'error' ? 'error' : 'warn'}>
              {problemAt(t, { file: loaded.path, line: p.line, message: p.message })}
            </Notice>
          ))}
          <PgpoolBackends
            backends={form.backends}
            port={form.port}
            showErrors={show}
            onChange={(v) => {
              setForm(v);
              setPlan(undefined);
            }}
          />
          {plan ? (
            <>
              <h3>{t('mycnf.diff')}</h3>
              {plan.problems.map((p, i) => (
                <Notice key={i} tone={p.introduced && p.severity === 'error' ? 'error' : 'warn'}>
                  {problemAt(t, { file: loaded.path, line: p.line, message: p.message })}
                </Notice>
              ))}
              <pre className="mono code-block diff" data-testid="pgpool-diff">
                {plan.diff || t('mycnf.noChange')}
              </pre>
              <p className="secondary">{t('fanout.backupNote')}</p>
            </>
          ) : null}
        </>
      ) : null}
      {step === 2 && created ? (
        <>
          {blocking.length ? <Notice tone="error">{t('fanout.checkFailed')}</Notice> : <Notice tone="ok">{t('fanout.checkOk', { count: created.summary.nodes })}</Notice>}
          <ul className="checks">
            {created.diagnostics.map((d, i) => (
              <li key={i} className="check">
                <span className={d.severity === 'error' ? 'field-error' : 'secondary'}>{problemAt(t, { file: d.file, line: d.line, message: d.message })}</span>
              </li>
            ))}
          </ul>
          {blocking.length ? (
            <p>
              <a href={href('editors', 'pgpool')}>{t('fanout.fixInEditor')}</a>
            </p>
          ) : null}
          <h3>{t('fanout.backendCheck')}</h3>
          {checked ? (
            <>
              <BackendChecks rows={checked.backends} />
              {unreachable.length ? (
                <Notice tone="error">{t('fanout.check.unreachableHelp', { count: unreachable.length })}</Notice>
              ) : refused.length ? (
                <Notice tone="warn">{t('fanout.check.refusedHelp', { count: refused.length })}</Notice>
              ) : (
                <Notice tone="ok">{t('fanout.check.allOk', { count: checked.backends.length })}</Notice>
              )}
              <div className="button-row">
                <button type="button" disabled={action.busy} onClick={checkAgain}>
                  {t('fanout.checkAgain')}
                </button>
              </div>
            </>
          ) : action.busy ? (
            <ProgressBar label={t('fanout.checking')} />
          ) : (
            <div className="button-row">
              <button type="button" onClick={checkAgain}>
                {t('fanout.checkAgain')}
              </button>
            </div>
          )}
        </>
      ) : null}
      {step === 3 ? (
        listen !== undefined ? (
          <Notice tone="ok" title={t('fanout.started', { port: listen ?? form.port })}>
            <a href={href('dashboard', 'fanout', name)}>{t('add.openDashboard')}</a>
          </Notice>
        ) : (
          <ProgressBar label={t('fanout.starting')} />
        )
      ) : null}
    </Wizard>
  );
}

/** Each backend of the file as the service's login found it: reachable, signed in, which server. */
function BackendChecks({ rows }: { rows: readonly BackendCheck[] }) {
  const { t, formatNumber } = useI18n();
  const columns: Column<BackendCheck>[] = [
    { key: 'node', header: t('node.col.id'), render: (b) => b.nodeId, numeric: true },
    { key: 'server', header: t('fanout.check.server'), render: (b) => <code>{`${b.hostname}:${b.port}`}</code> },
    { key: 'weight', header: t('node.col.weight'), render: (b) => formatNumber(b.weight, { maximumFractionDigits: 3 }), numeric: true },
    {
      key: 'result',
      header: t('fanout.check.result'),
      // What the server said goes under the verdict, wrapping: a column of its own would push the table sideways.
      render: (b) => (
        <div className="check-result">
          <StatusBadge
            tone={b.login === 'ok' ? 'ok' : b.reachable ? 'warn' : 'error'}
            label={t(b.login === 'ok' ? 'fanout.check.ok' : b.reachable ? 'fanout.check.refused' : 'fanout.check.unreachable', { user: b.user })}
          />
          {b.message ? <code className="raw-error check-message">{b.message}</code> : null}
        </div>
      ),
    },
    { key: 'version', header: t('fanout.check.version'), render: (b) => (b.serverVersion ? <code>{b.serverVersion}</code> : '—') },
    { key: 'ms', header: t('fanout.check.time'), render: (b) => t('fanout.check.ms', { ms: formatNumber(b.ms) }), numeric: true },
  ];
  return <DataTable caption={t('fanout.backendCheck')} captionHidden columns={columns} rows={rows} rowKey={(b) => String(b.nodeId)} />;
}
