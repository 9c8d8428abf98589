import { useEffect, useMemo, useState } from 'react';
import { useService } from '../api/service-state';
import { Card } from '../components/Card';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { useAction } from '../components/useAction';
import { useI18n } from '../i18n';
import { href } from '../router';
import { configOps } from '../services/setup';

type Kind = 'mycnf' | 'pgpool';

/**
 * my.cnf and pgpool.conf, edited through the config engine: the file as it is, a preview of the change
 * as a diff with the engine's checks, and a save that keeps a backup of the old file.
 */
export function Editors({ kind }: { kind: Kind }) {
  const { t } = useI18n();
  const svc = useService();
  const ops = useMemo(() => configOps(svc.api), [svc.api]);
  const [file, setFile] = useState<{ path: string; text: string }>();
  const [text, setText] = useState('');
  const [preview, setPreview] = useState<{ diff: string; problems: { line: number; message: string }[] }>();
  const [saved, setSaved] = useState<string>();
  const [confirm, setConfirm] = useState(false);
  const [run, action] = useAction();
  const available = !!(ops.load && ops.preview && ops.save);

  useEffect(() => {
    setFile(undefined);
    setPreview(undefined);
    setSaved(undefined);
    if (!ops.load) return;
    void run(async () => {
      const f = await ops.load!(kind);
      setFile(f);
      setText(f.text);
    });
  }, [kind, ops, run]);

  const title = kind === 'mycnf' ? 'my.cnf' : 'pgpool.conf';
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
      <p className="lead">{t(kind === 'mycnf' ? 'editors.mycnfLead' : 'editors.pgpoolLead')}</p>
      {!available ? <Notice tone="warn" title={t('setup.unavailableTitle')}>{t('editors.unavailable')}</Notice> : null}
      {action.error ? <Notice tone="error" title={t('action.failed')}>{action.error}</Notice> : null}
      {saved ? <Notice tone="ok" title={t('editors.saved')}>{t('editors.backup', { path: saved })}</Notice> : null}
      {file ? (
        <Card title={`${title} — ${file.path}`}>
          <Field label={t('editors.raw')}>
            {(p) => (
              <textarea
                {...p}
                className="mono editor"
                rows={20}
                spellCheck={false}
                value={text}
                onChange={(e) => {
                  setText(e.target.value);
                  setPreview(undefined);
                }}
              />
            )}
          </Field>
          <div className="button-row">
            <button type="button" disabled={action.busy || text === file.text} onClick={() => void run(async () => setPreview(await ops.preview!(kind, text)))}>
              {t('editors.preview')}
            </button>
            <button type="button" className="primary" disabled={action.busy || !preview || preview.problems.length > 0} onClick={() => setConfirm(true)}>
              {t('editors.save')}
            </button>
          </div>
          {preview ? (
            <>
              {preview.problems.map((p) => (
                <Notice key={`${p.line}:${p.message}`} tone="error">
                  {t('editors.problem', { line: p.line, message: p.message })}
                </Notice>
              ))}
              <pre className="mono code-block diff">{preview.diff}</pre>
            </>
          ) : null}
        </Card>
      ) : null}
      <ConfirmDialog
        open={confirm}
        title={t('editors.confirmTitle', { file: title })}
        confirmLabel={t('editors.save')}
        cancelLabel={t('action.cancel')}
        onCancel={() => setConfirm(false)}
        onConfirm={() => {
          setConfirm(false);
          void run(async () => {
            const r = await ops.save!(kind, text);
            setSaved(r.backup);
            setFile({ path: file!.path, text });
            setPreview(undefined);
          });
        }}
      >
        <p>{t('editors.confirmBody')}</p>
      </ConfirmDialog>
    </div>
  );
}
