import { useMemo, useState } from 'react';
import type { MyCnfPlanView, MyCnfView } from '../../../core/api/contract';
import { useService } from '../api/service-state';
import { Card } from '../components/Card';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DataTable } from '../components/DataTable';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { useAction } from '../components/useAction';
import { useI18n } from '../i18n';
import { problemAt } from './problem-text';
import { defaultPaths } from '../model/default-paths';
import type { MessageKey } from '../i18n/en';
import { canonicalOption, checkValue, isGroupName, isOptionName, REPLICATION_OPTIONS, type KnownOption } from '../model/mycnf-fields';
import { href } from '../router';
import { backendEdits, readBackends, type PgpoolBackendRow, type PgpoolEditOp } from '../model/pgpool';
import { configOps, pgpoolOps, type MyCnfEditOp } from '../services/setup';
import { backendsValid, PgpoolBackends } from './PgpoolBackends';
import type { ApiResult } from '../../../core/api/contract';

type Kind = 'mycnf' | 'pgpool';
const VALUE_ERROR: Record<string, MessageKey> = { number: 'mycnf.err.number', choice: 'mycnf.err.choice', bool: 'mycnf.err.bool', size: 'mycnf.err.size', days: 'mycnf.err.days' };

/**
 * Settings files, edited through the config engine: grouped and typed fields, the raw files, a diff of the
 * change before anything is written, and a save that keeps a backup of each changed file.
 */
export function Editors({ kind }: { kind: Kind }) {
  const { t } = useI18n();
  return (
    <div>
      <h1 className="screen-title">{t('nav.editors')}</h1>
      <nav className="tabs" aria-label={t('editors.files')}>
        <a href={href('editors', 'mycnf')} aria-current={kind === 'mycnf' ? 'page' : undefined}>
          my.cnf
        </a>
        <a href={href('editors', 'pgpool')} aria-current={kind === 'pgpool' ? 'page' : undefined}>
          pgpool.conf
        </a>
      </nav>
      {kind === 'mycnf' ? <MyCnfEditor /> : <PgpoolEditor />}
    </div>
  );
}

/** Pending changes, keyed by group + canonical option name; null value with remove = delete the line(s). */
type Pending = Map<string, MyCnfEditOp>;
const pendingKey = (group: string, key: string) => `${group}\n${canonicalOption(key)}`;

function MyCnfEditor() {
  const { t } = useI18n();
  const svc = useService();
  const ops = useMemo(() => configOps(svc.api), [svc.api]);
  const [path, setPath] = useState(() => defaultPaths(svc.info?.platform).mycnf);
  const [view, setView] = useState<MyCnfView>();
  const [loadedPath, setLoadedPath] = useState<string>();
  const [pending, setPending] = useState<Pending>(new Map());
  const [plan, setPlan] = useState<MyCnfPlanView>();
  const [saved, setSaved] = useState<{ file: string; backup?: string }[]>();
  const [confirm, setConfirm] = useState(false);
  const [newOpt, setNewOpt] = useState({ group: 'mysqld', key: '', value: '' });
  const [newTouched, setNewTouched] = useState(false);
  const [run, action] = useAction();

  const load = (p: string) =>
    run(async () => {
      const v = await ops.readMyCnf!(p);
      setView(v);
      setLoadedPath(p);
      setPending(new Map());
      setPlan(undefined);
    });

  const edits = [...pending.values()];
  const change = (op: MyCnfEditOp) => {
    const next = new Map(pending);
    next.set(pendingKey(op.group, op.key), op);
    setPending(next);
    setPlan(undefined);
    setSaved(undefined);
  };
  const undo = (group: string, key: string) => {
    const next = new Map(pending);
    next.delete(pendingKey(group, key));
    setPending(next);
    setPlan(undefined);
  };

  const groups = view ? [...new Set(view.options.map((o) => o.group))] : [];
  const serverGroup = groups.find((g) => /^(mysqld|mariadb|server)$/i.test(g)) ?? 'mysqld';
  const current = (group: string, key: string) => {
    const p = pending.get(pendingKey(group, key));
    if (p) return p.op === 'remove' ? undefined : p.value;
    const o = view?.options.filter((x) => x.group === group && x.option === canonicalOption(key)).pop();
    return o ? o.value : undefined;
  };
  const invalid = edits.some((e) => {
    const known = REPLICATION_OPTIONS.find((k) => k.key === canonicalOption(e.key));
    return e.op !== 'remove' && known && checkValue(known.type, e.value);
  });
  const newErrors = {
    group: isGroupName(newOpt.group) ? undefined : t('mycnf.err.group'),
    key: isOptionName(newOpt.key) ? undefined : t('mycnf.err.name'),
  };

  return (
    <>
      <p className="lead">{t('editors.mycnfLead')}</p>
      <OpenFileForm label={t('mycnf.path')} hint={t('mycnf.pathHint')} path={path} onPath={setPath} busy={action.busy} onOpen={(p) => void load(p)} />
      {action.error ? <Notice tone="error" title={t('action.failed')}>{action.error}</Notice> : null}
      {saved ? (
        <Notice tone="ok" title={t('editors.saved')}>
          {saved.map((w) => (
            <div key={w.file}>{w.backup ? t('editors.backup', { path: w.backup }) : w.file}</div>
          ))}
        </Notice>
      ) : null}
      {view && loadedPath ? (
        <>
          {view.problems.map((p, i) => (
            <Notice key={i} tone={p.severity === 'error' ? 'error' : 'warn'}>
              {problemAt(t, { file: p.file, line: p.line, message: p.message })}
            </Notice>
          ))}
          <Card title={t('mycnf.replication', { group: serverGroup })}>
            <p className="secondary">{t('mycnf.replicationHint')}</p>
            <div className="typed-fields">
              {REPLICATION_OPTIONS.map((k) => (
                <TypedField key={k.key} option={k} value={current(serverGroup, k.key)} onChange={(v) => change({ op: 'set', group: serverGroup, key: k.key, value: v })} />
              ))}
            </div>
          </Card>

          {groups.map((g) => (
            <Card key={g} title={`[${g}]`} level={3}>
              <DataTable
                caption={t('mycnf.groupCaption', { group: g })}
                captionHidden
                columns={[
                  { key: 'name', header: t('mycnf.col.option'), render: (o) => <code>{o.name}</code> },
                  {
                    key: 'value',
                    header: t('mycnf.col.value'),
                    render: (o) => {
                      const p = pending.get(pendingKey(g, o.name));
                      if (p?.op === 'remove') return <span className="secondary">{t('mycnf.removed')}</span>;
                      return (
                        <input
                          className="mono"
                          aria-label={t('mycnf.valueOf', { name: o.name })}
                          value={p ? (p.value ?? '') : (o.value ?? '')}
                          placeholder={o.value === null ? t('mycnf.flag') : undefined}
                          onChange={(e) => change({ op: 'set', group: g, key: o.name, value: e.target.value })}
                        />
                      );
                    },
                  },
                  { key: 'where', header: t('mycnf.col.where'), render: (o) => <span className="raw">{`${o.file.split(/[/\\]/).pop()}:${o.line}`}</span> },
                  {
                    key: 'actions',
                    header: t('node.col.actions'),
                    render: (o) =>
                      pending.has(pendingKey(g, o.name)) ? (
                        <button type="button" onClick={() => undo(g, o.name)} aria-label={t('mycnf.undoOf', { name: o.name })}>
                          {t('mycnf.undo')}
                        </button>
                      ) : (
                        <button type="button" onClick={() => change({ op: 'remove', group: g, key: o.name, value: null })} aria-label={t('mycnf.removeOf', { name: o.name })}>
                          {t('fanout.remove')}
                        </button>
                      ),
                  },
                ]}
                rows={view.options.filter((o) => o.group === g)}
                rowKey={(o) => `${o.file}:${o.line}`}
              />
            </Card>
          ))}

          <Card title={t('mycnf.add')} level={3}>
            <div className="field-row">
              <Field label={t('mycnf.group')} error={newTouched ? newErrors.group : undefined}>
                {(p) => <input {...p} className="mono narrow" spellCheck={false} value={newOpt.group} onChange={(e) => setNewOpt({ ...newOpt, group: e.target.value })} />}
              </Field>
              <Field label={t('mycnf.col.option')} error={newTouched ? newErrors.key : undefined}>
                {(p) => <input {...p} className="mono" spellCheck={false} value={newOpt.key} onChange={(e) => setNewOpt({ ...newOpt, key: e.target.value })} />}
              </Field>
              <Field label={t('mycnf.col.value')} hint={t('mycnf.flagHint')}>
                {(p) => <input {...p} className="mono" spellCheck={false} value={newOpt.value} onChange={(e) => setNewOpt({ ...newOpt, value: e.target.value })} />}
              </Field>
              <button
                type="button"
                className="field-button"
                onClick={() => {
                  setNewTouched(true);
                  if (newErrors.group || newErrors.key) return;
                  change({ op: 'set', group: newOpt.group.trim(), key: newOpt.key.trim(), value: newOpt.value.trim() === '' ? null : newOpt.value.trim() });
                  setNewOpt({ ...newOpt, key: '', value: '' });
                  setNewTouched(false);
                }}
              >
                {t('mycnf.addButton')}
              </button>
            </div>
          </Card>

          <details className="raw-files">
            <summary>{t('editors.raw')}</summary>
            {view.files.map((f) => (
              <div key={f.file}>
                <h3 className="mono">
                  {f.file}
                  {f.includedFrom ? <span className="raw"> {t('mycnf.includedFrom', { file: f.includedFrom.file, line: f.includedFrom.line })}</span> : null}
                </h3>
                <pre className="mono code-block">{f.text}</pre>
              </div>
            ))}
          </details>

          <div className="sticky-actions">
            <span className="secondary" aria-live="polite">
              {t('mycnf.pending', { count: edits.length })}
            </span>
            <button type="button" disabled={!edits.length || invalid || action.busy} onClick={() => void run(async () => setPlan(await ops.planMyCnf!(loadedPath, edits)))}>
              {t('editors.preview')}
            </button>
            <button type="button" className="primary" disabled={!plan || action.busy} onClick={() => setConfirm(true)}>
              {t('editors.save')}
            </button>
          </div>
          {plan ? (
            <Card title={t('mycnf.diff')}>
              {plan.warnings.map((w, i) => (
                <Notice key={i} tone="warn">
                  {w}
                </Notice>
              ))}
              <pre className="mono code-block diff" data-testid="mycnf-diff">
                {plan.diff || t('mycnf.noChange')}
              </pre>
            </Card>
          ) : null}
        </>
      ) : null}
      <ConfirmDialog
        open={confirm}
        title={t('editors.confirmTitle', { file: loadedPath ?? 'my.cnf' })}
        confirmLabel={t('editors.save')}
        cancelLabel={t('action.cancel')}
        onCancel={() => setConfirm(false)}
        onConfirm={() => {
          setConfirm(false);
          void run(async () => {
            const r = await ops.applyMyCnf!(loadedPath!, edits);
            setSaved(r.written.map((w) => ({ file: w.file, ...(w.backup ? { backup: w.backup } : {}) })));
            const v = await ops.readMyCnf!(loadedPath!);
            setView(v);
            setPending(new Map());
            setPlan(undefined);
          });
        }}
      >
        <p>{t('editors.confirmBody')}</p>
        {REPLICATION_OPTIONS.some((k) => k.restart && edits.some((e) => canonicalOption(e.key) === k.key)) ? <Notice tone="warn">{t('mycnf.restartNeeded')}</Notice> : null}
      </ConfirmDialog>
    </>
  );
}

/** The file path and its Open button, at the top of both editors. */
function OpenFileForm({ label, hint, path, onPath, busy, onOpen }: { label: string; hint: string; path: string; onPath: (p: string) => void; busy: boolean; onOpen: (path: string) => void }) {
  const { t } = useI18n();
  return (
    <form
      className="field-row"
      onSubmit={(e) => {
        e.preventDefault();
        onOpen(path.trim());
      }}
    >
      <Field label={label} hint={hint}>
        {(p) => <input {...p} className="mono" spellCheck={false} value={path} onChange={(e) => onPath(e.target.value)} />}
      </Field>
      <button type="submit" className="primary field-button" disabled={busy || !path.trim()}>
        {t('mycnf.open')}
      </button>
    </form>
  );
}

function TypedField({ option, value, onChange }: { option: KnownOption; value: string | null | undefined; onChange: (v: string | null) => void }) {
  const { t } = useI18n();
  const [touched, setTouched] = useState(false);
  const err = touched && value !== undefined ? checkValue(option.type, value) : undefined;
  const label = option.key;
  const hint = `${t(option.help)}${option.restart ? ` ${t('mycnf.restartOnly')}` : ''}`;
  const set = (v: string | null) => {
    setTouched(true);
    onChange(v);
  };
  return (
    <Field label={label} hint={hint} error={err ? t(VALUE_ERROR[err]!) : undefined}>
      {(p) =>
        option.type.kind === 'enum' ? (
          <select {...p} value={(value ?? '').toUpperCase()} onChange={(e) => set(e.target.value)}>
            <option value="">{t('mycnf.notSet')}</option>
            {option.type.values.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        ) : option.type.kind === 'bool' ? (
          <select {...p} value={value === undefined ? '' : value === null || /^(1|on|true|yes)$/i.test(value) ? 'ON' : 'OFF'} onChange={(e) => set(e.target.value)}>
            <option value="">{t('mycnf.notSet')}</option>
            <option value="ON">ON</option>
            <option value="OFF">OFF</option>
          </select>
        ) : (
          <input
            {...p}
            className="mono"
            spellCheck={false}
            inputMode={option.type.kind === 'uint' || option.type.kind === 'days' ? 'numeric' : undefined}
            value={value ?? ''}
            placeholder={value === undefined ? t('mycnf.notSet') : undefined}
            onChange={(e) => set(e.target.value)}
          />
        )
      }
    </Field>
  );
}

/** pgpool.conf: the servers as a form, any other parameter set or removed by name, a diff, then save. */
function PgpoolEditor() {
  const { t } = useI18n();
  const svc = useService();
  const ops = useMemo(() => pgpoolOps(svc.api), [svc.api]);
  const [path, setPath] = useState(() => defaultPaths(svc.info?.platform).pgpool);
  const [file, setFile] = useState<{ path: string; text: string; problems: { severity: string; line: number; message: string }[]; original: { backends: PgpoolBackendRow[]; port: string } }>();
  const [form, setForm] = useState<{ backends: PgpoolBackendRow[]; port: string }>({ backends: [], port: '' });
  const [params, setParams] = useState<PgpoolEditOp[]>([]);
  const [param, setParam] = useState({ key: '', value: '' });
  const [paramTouched, setParamTouched] = useState(false);
  const [plan, setPlan] = useState<ApiResult<'pgpool.plan'>>();
  const [saved, setSaved] = useState<string | null>();
  const [confirm, setConfirm] = useState(false);
  const [run, action] = useAction();
  const load = (p: string) =>
    run(async () => {
      const r = await ops.read(p);
      const original = readBackends(r.text);
      setFile({ path: p, text: r.text, problems: r.problems, original });
      setForm({ backends: original.backends.map((b) => ({ ...b })), port: original.port });
      setParams([]);
      setPlan(undefined);
    });
  const edits = file ? [...backendEdits(file.original, form), ...params] : [];
  const keyOk = /^[a-z_][a-z0-9_]*$/i.test(param.key.trim());
  const blocked = plan?.problems.some((p) => p.introduced && p.severity === 'error') ?? false;
  return (
    <>
      <p className="lead">{t('editors.pgpoolLead')}</p>
      <OpenFileForm label={t('fanout.confPath')} hint={t('fanout.confPathHint')} path={path} onPath={setPath} busy={action.busy} onOpen={(p) => void load(p)} />
      {action.error ? <Notice tone="error" title={t('action.failed')}>{action.error}</Notice> : null}
      {saved !== undefined ? <Notice tone="ok" title={t('editors.saved')}>{saved ? t('editors.backup', { path: saved }) : null}</Notice> : null}
      {file ? (
        <>
          {file.problems.map((p, i) => (
            <Notice key={i} tone={p.severity === 'error' ? 'error' : 'warn'}>
              {problemAt(t, { file: file.path, line: p.line, message: p.message })}
            </Notice>
          ))}
          <Card title={t('pgpool.servers')}>
            <PgpoolBackends backends={form.backends} port={form.port} showErrors onChange={(v) => (setForm(v), setPlan(undefined))} />
          </Card>
          <Card title={t('pgpool.other')} level={3}>
            <div className="field-row">
              <Field label={t('pgpool.param')} error={paramTouched && !keyOk ? t('mycnf.err.name') : undefined}>
                {(p) => <input {...p} className="mono" spellCheck={false} value={param.key} onChange={(e) => setParam({ ...param, key: e.target.value })} />}
              </Field>
              <Field label={t('mycnf.col.value')}>{(p) => <input {...p} className="mono" spellCheck={false} value={param.value} onChange={(e) => setParam({ ...param, value: e.target.value })} />}</Field>
              <button
                type="button"
                className="field-button"
                onClick={() => {
                  setParamTouched(true);
                  if (!keyOk) return;
                  setParams([...params.filter((x) => !('key' in x) || x.key !== param.key.trim()), { op: 'set', key: param.key.trim(), value: param.value }]);
                  setParam({ key: '', value: '' });
                  setParamTouched(false);
                  setPlan(undefined);
                }}
              >
                {t('pgpool.set')}
              </button>
              <button
                type="button"
                className="field-button"
                onClick={() => {
                  setParamTouched(true);
                  if (!keyOk) return;
                  setParams([...params.filter((x) => !('key' in x) || x.key !== param.key.trim()), { op: 'remove', key: param.key.trim() }]);
                  setParam({ key: '', value: '' });
                  setParamTouched(false);
                  setPlan(undefined);
                }}
              >
                {t('fanout.remove')}
              </button>
            </div>
            {params.length ? (
              <ul className="pending-params">
                {params.map((x, i) => (
                  <li key={i} className="mono">
                    {x.op === 'set' ? `${x.key} = ${String(x.value)}` : x.op === 'remove' ? t('pgpool.removing', { key: x.key }) : ''}{' '}
                    <button type="button" className="link" onClick={() => (setParams(params.filter((_, j) => j !== i)), setPlan(undefined))}>
                      {t('mycnf.undo')}
                    </button>
                  </li>
                ))}
              </ul>
            ) : null}
          </Card>
          <details className="raw-files">
            <summary>{t('editors.raw')}</summary>
            <pre className="mono code-block">{file.text}</pre>
          </details>
          <div className="sticky-actions">
            <span className="secondary" aria-live="polite">
              {t('mycnf.pending', { count: edits.length })}
            </span>
            <button type="button" disabled={!edits.length || !backendsValid(form) || action.busy} onClick={() => void run(async () => setPlan(await ops.plan(file.path, edits)))}>
              {t('editors.preview')}
            </button>
            <button type="button" className="primary" disabled={!plan || blocked || action.busy} onClick={() => setConfirm(true)}>
              {t('editors.save')}
            </button>
          </div>
          {plan ? (
            <Card title={t('mycnf.diff')}>
              {plan.problems.map((p, i) => (
                <Notice key={i} tone={p.introduced && p.severity === 'error' ? 'error' : 'warn'}>
                  {problemAt(t, { file: file.path, line: p.line, message: p.message })}
                </Notice>
              ))}
              {plan.needs !== 'none' ? <Notice tone="warn">{t(plan.needs === 'restart' ? 'pgpool.needsRestart' : 'pgpool.needsReload')}</Notice> : null}
              <pre className="mono code-block diff" data-testid="pgpool-diff">
                {plan.diff || t('mycnf.noChange')}
              </pre>
            </Card>
          ) : null}
        </>
      ) : null}
      <ConfirmDialog
        open={confirm}
        title={t('editors.confirmTitle', { file: file?.path ?? 'pgpool.conf' })}
        confirmLabel={t('editors.save')}
        cancelLabel={t('action.cancel')}
        onCancel={() => setConfirm(false)}
        onConfirm={() => {
          setConfirm(false);
          void run(async () => {
            const r = await ops.apply(file!.path, edits);
            setSaved(r.written?.backup ?? null);
            await load(file!.path);
          });
        }}
      >
        <p>{t('editors.confirmBody')}</p>
      </ConfirmDialog>
    </>
  );
}
