import { useMemo, useState } from 'react';
import { takeHandOff } from '../api/handoff';
import { useService } from '../api/service-state';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { ProgressBar } from '../components/ProgressBar';
import { useAction } from '../components/useAction';
import { Wizard } from '../components/Wizard';
import { useI18n } from '../i18n';
import { phaseKey } from '../model/phases';
import type { MessageKey } from '../i18n/en';
import {
  changeMasterStatement,
  checkEndpoint,
  checkFilters,
  checkStart,
  isUnitName,
  lines,
  type EndpointForm,
  type FilterForm,
  type StartForm,
} from '../model/forms';
import { preflightPassed, type CloneProgress, type PreflightCheck } from '../model/preflight';
import { href, navigate } from '../router';
import { setupOps } from '../services/setup';
import { EndpointFields, ERROR_KEY } from './EndpointFields';
import { PreflightResults } from './PreflightResults';

const FILTERS: { key: keyof FilterForm; option: string; help: MessageKey }[] = [
  { key: 'replicateDoDb', option: 'replicate-do-db', help: 'filters.doDb' },
  { key: 'replicateIgnoreDb', option: 'replicate-ignore-db', help: 'filters.ignoreDb' },
  { key: 'replicateDoTable', option: 'replicate-do-table', help: 'filters.doTable' },
  { key: 'replicateIgnoreTable', option: 'replicate-ignore-table', help: 'filters.ignoreTable' },
  { key: 'replicateWildDoTable', option: 'replicate-wild-do-table', help: 'filters.wildDoTable' },
  { key: 'replicateWildIgnoreTable', option: 'replicate-wild-ignore-table', help: 'filters.wildIgnoreTable' },
];

const emptyEndpoint = (port: string, host = ''): EndpointForm => ({ host, port, user: '', password: '' });

/**
 * Add a backup replica: connect to the master → pre-flight with fixes → what to copy (replicate-*
 * filters) → start from an initial copy or a given position → review (as CHANGE MASTER TO) → start.
 */
export function AddBackupWizard() {
  const { t, formatBytes, formatNumber, formatDuration } = useI18n();
  const svc = useService();
  const ops = useMemo(() => setupOps(svc.api), [svc.api]);
  const [step, setStep] = useState(0);
  const [touched, setTouched] = useState<Record<number, boolean>>({});
  const [name, setName] = useState('');
  const [master, setMaster] = useState<EndpointForm>(() => takeHandOff()?.master ?? emptyEndpoint('3306'));
  const [target, setTarget] = useState<EndpointForm>(emptyEndpoint('3306', '127.0.0.1'));
  const [filters, setFilters] = useState<FilterForm>({ replicateDoDb: '', replicateIgnoreDb: '', replicateDoTable: '', replicateIgnoreTable: '', replicateWildDoTable: '', replicateWildIgnoreTable: '' });
  const [start, setStart] = useState<StartForm>({ mode: 'clone', file: '', pos: '', gtid: '' });
  const [checks, setChecks] = useState<PreflightCheck[]>();
  const [progress, setProgress] = useState<CloneProgress>();
  const [done, setDone] = useState(false);
  const [run, action, clearAction] = useAction();

  const steps = [
    { id: 'connect', title: t('add.step.connect') },
    { id: 'preflight', title: t('add.step.preflight') },
    { id: 'filters', title: t('add.step.filters') },
    { id: 'start', title: t('add.step.start') },
    { id: 'review', title: t('add.step.review') },
    { id: 'run', title: t('add.step.run') },
  ];
  const input = { name, master, target, filters, start };
  const masterErrors = checkEndpoint(master);
  const targetErrors = checkEndpoint(target);
  const nameError = !isUnitName(name) ? 'name' : svc.channels.some((c) => c.name === name) ? 'nameTaken' : undefined;
  const filterErrors = checkFilters(filters);
  const startErrors = checkStart(start);
  const show = !!touched[step];

  const stepValid = [
    !nameError && !Object.keys(masterErrors).length && !Object.keys(targetErrors).length,
    !!checks && preflightPassed(checks),
    !Object.keys(filterErrors).length,
    !Object.keys(startErrors).length,
    true,
    done,
  ][step]!;

  const next = () => {
    setTouched((o) => ({ ...o, [step]: true }));
    if (step === 0) {
      if (!stepValid || !ops.preflight) return;
      setChecks(undefined);
      setStep(1);
      void run(async () => setChecks(await ops.preflight!(input)));
      return;
    }
    if (step === 4) {
      if (!ops.createChannel) return;
      setStep(5);
      void run(async () => {
        await ops.createChannel!(input, setProgress);
        setDone(true);
      });
      return;
    }
    if (step === 5) return navigate('dashboard', 'channel', name);
    if (stepValid) setStep(step + 1);
  };

  const missing = (step === 0 && !ops.preflight) || (step === 4 && !ops.createChannel);
  return (
    <Wizard
      title={t('nav.addBackup')}
      steps={steps}
      current={step}
      onStep={(i) => {
        clearAction();
        setStep(Math.max(0, i));
      }}
      onNext={next}
      onCancel={() => navigate('dashboard')}
      nextLabel={step === 4 ? t('add.startNow') : step === 5 ? t('add.openDashboard') : undefined}
      nextDisabled={(show && !stepValid) || missing || (step === 1 && !checks) || (step === 5 && !done)}
      busy={action.busy && step !== 5}
    >
      {missing ? <Notice tone="warn" title={t('setup.unavailableTitle')}>{t('setup.unavailable')}</Notice> : null}
      {action.error ? <Notice tone="error" title={t('action.failed')}>{action.error}</Notice> : null}

      {step === 0 ? (
        <>
          <p className="lead">{t('add.connect.lead')}</p>
          <Field label={t('add.name')} required hint={t('add.nameHint')} error={show && nameError ? t(ERROR_KEY[nameError]!) : undefined}>
            {(p) => <input {...p} name="channel-name" autoComplete="off" spellCheck={false} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <EndpointFields idPrefix="master" legend={t('add.master')} hint={t('add.masterHint')} value={master} onChange={setMaster} errors={masterErrors} showErrors={show} />
          <EndpointFields idPrefix="target" legend={t('add.target')} hint={t('add.targetHint')} value={target} onChange={setTarget} errors={targetErrors} showErrors={show} />
        </>
      ) : null}

      {step === 1 ? (
        checks ? (
          <>
            <Notice tone={preflightPassed(checks) ? 'ok' : 'error'}>{t(preflightPassed(checks) ? 'add.preflight.ok' : 'add.preflight.fail')}</Notice>
            <PreflightResults checks={checks} />
            <button type="button" onClick={() => void run(async () => setChecks(await ops.preflight!(input)))} disabled={action.busy}>
              {t('add.preflight.again')}
            </button>
          </>
        ) : (
          <ProgressBar label={t('add.preflight.running')} />
        )
      ) : null}

      {step === 2 ? (
        <>
          <p className="lead">{t('filters.lead')}</p>
          <div className="filter-grid">
            {FILTERS.map((f) => (
              <Field key={f.key} label={f.option} hint={t(f.help)} error={show && filterErrors[f.key] ? t('validate.filter') : undefined}>
                {(p) => <textarea {...p} rows={2} spellCheck={false} className="mono" value={filters[f.key]} onChange={(e) => setFilters({ ...filters, [f.key]: e.target.value })} />}
              </Field>
            ))}
          </div>
        </>
      ) : null}

      {step === 3 ? (
        <fieldset className="choices">
          <legend>{t('start.legend')}</legend>
          <label className="choice">
            <input type="radio" name="start-mode" checked={start.mode === 'clone'} onChange={() => setStart({ ...start, mode: 'clone' })} />
            <span>
              <strong>{t('start.clone')}</strong>
              <span className="field-hint">{t('start.cloneHint')}</span>
            </span>
          </label>
          <label className="choice">
            <input type="radio" name="start-mode" checked={start.mode === 'position'} onChange={() => setStart({ ...start, mode: 'position' })} />
            <span>
              <strong>{t('start.position')}</strong>
              <span className="field-hint">{t('start.positionHint')}</span>
            </span>
          </label>
          {start.mode === 'position' ? (
            <div className="field-row indent">
              <Field label="MASTER_LOG_FILE" required error={show && startErrors.file ? t('validate.binlogFile') : undefined}>
                {(p) => <input {...p} className="mono" spellCheck={false} placeholder="mysql-bin.000024" value={start.file} onChange={(e) => setStart({ ...start, file: e.target.value })} />}
              </Field>
              <Field label="MASTER_LOG_POS" required error={show && startErrors.pos ? t('validate.binlogPos') : undefined}>
                {(p) => <input {...p} className="mono narrow" inputMode="numeric" value={start.pos} onChange={(e) => setStart({ ...start, pos: e.target.value })} />}
              </Field>
            </div>
          ) : null}
          <label className="choice">
            <input type="radio" name="start-mode" checked={start.mode === 'gtid'} onChange={() => setStart({ ...start, mode: 'gtid' })} />
            <span>
              <strong>{t('start.gtid')}</strong>
              <span className="field-hint">{t('start.gtidHint')}</span>
            </span>
          </label>
          {start.mode === 'gtid' ? (
            <div className="indent">
              <Field label="gtid_slave_pos" required error={show && startErrors.gtid ? t('validate.gtid') : undefined}>
                {(p) => <input {...p} className="mono" spellCheck={false} placeholder="0-1-1234" value={start.gtid} onChange={(e) => setStart({ ...start, gtid: e.target.value })} />}
              </Field>
            </div>
          ) : null}
        </fieldset>
      ) : null}

      {step === 4 ? (
        <>
          <p className="lead">{t('review.lead')}</p>
          <dl className="facts">
            <dt>{t('add.name')}</dt>
            <dd>{name}</dd>
            <dt>{t('add.master')}</dt>
            <dd>
              <code>
                {master.user}@{master.host}:{master.port}
              </code>
            </dd>
            <dt>{t('add.target')}</dt>
            <dd>
              <code>
                {target.user}@{target.host}:{target.port}
              </code>
            </dd>
            <dt>{t('add.step.filters')}</dt>
            <dd>
              {FILTERS.some((f) => lines(filters[f.key]).length) ? (
                <pre className="mono code-block">
                  {FILTERS.flatMap((f) => lines(filters[f.key]).map((l) => `${f.option} = ${l}`)).join('\n')}
                </pre>
              ) : (
                t('review.everything')
              )}
            </dd>
            <dt>{t('add.step.start')}</dt>
            <dd>{t(start.mode === 'clone' ? 'start.clone' : start.mode === 'position' ? 'start.position' : 'start.gtid')}</dd>
          </dl>
          <p>{t('review.statement')}</p>
          <pre className="mono code-block" data-testid="change-master">
            {changeMasterStatement(name, master, start)}
          </pre>
        </>
      ) : null}

      {step === 5 ? (
        done ? (
          <Notice tone="ok" title={t('add.done')}>
            <a href={href('dashboard', 'channel', name)}>{t('add.openDashboard')}</a>
          </Notice>
        ) : progress ? (
          <>
            <ProgressBar
              label={t('clone.phase', { phase: phaseKey(progress.phase) ? t(phaseKey(progress.phase)!) : progress.phase })}
              value={progress.bytesTotal ? progress.bytesDone : progress.tablesDone}
              max={progress.bytesTotal || progress.tablesTotal || 1}
              detail={t('clone.detail', {
                tables: `${formatNumber(progress.tablesDone)} / ${formatNumber(progress.tablesTotal)}`,
                bytes: `${formatBytes(progress.bytesDone)} / ${formatBytes(progress.bytesTotal)}`,
                eta: progress.etaSeconds === null ? '—' : formatDuration(progress.etaSeconds),
              })}
            />
            {progress.current.length ? <p className="secondary mono">{progress.current.join(', ')}</p> : null}
          </>
        ) : (
          <ProgressBar label={t('add.starting')} />
        )
      ) : null}
    </Wizard>
  );
}
