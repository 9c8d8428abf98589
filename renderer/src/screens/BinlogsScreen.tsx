import { useMemo, useState } from 'react';
import type { ApiResult } from '../../../core/api/contract';
import { useService } from '../api/service-state';
import { Card } from '../components/Card';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DataTable } from '../components/DataTable';
import { Notice } from '../components/Notice';
import { StatusBadge, type Tone } from '../components/StatusBadge';
import { useAction } from '../components/useAction';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n/en';
import { checkEndpoint, type EndpointForm } from '../model/forms';
import { href } from '../router';
import { endpoint } from '../services/setup';
import { EndpointFields } from './EndpointFields';

type Listing = ApiResult<'purge.list'>;
type Outcome = ApiResult<'purge.run'>;
const TONE: Record<Listing['files'][number]['status'], Tone> = { purgeable: 'info', needed: 'warn', current: 'ok', kept: 'idle' };
const LABEL: Record<Listing['files'][number]['status'], MessageKey> = { purgeable: 'binlogs.purgeable', needed: 'binlogs.needed', current: 'binlogs.current', kept: 'binlogs.kept' };

/**
 * The master's binary logs (SHOW MASTER LOGS) and which of them can go: only what every backup has
 * already read. PURGE BINARY LOGS TO runs only after the person has seen exactly what it deletes.
 */
export function BinlogsScreen() {
  const { t, formatBytes, localized } = useI18n();
  const svc = useService();
  const [master, setMaster] = useState<EndpointForm>({ host: '', port: '3306', user: 'root', password: '' });
  const [touched, setTouched] = useState(false);
  const [listing, setListing] = useState<Listing>();
  const [outcome, setOutcome] = useState<Outcome>();
  const [confirm, setConfirm] = useState(false);
  const [run, action] = useAction();
  const errors = checkEndpoint(master);
  const valid = !Object.keys(errors).length;
  const list = () => run(async () => setListing(await svc.api.call('purge.list', { master: endpoint(master) })));
  const purgeTo = listing?.purgeTo;
  const statement = useMemo(() => (purgeTo ? `PURGE BINARY LOGS TO '${purgeTo.replace(/'/g, "''")}';` : ''), [purgeTo]);

  return (
    <div>
      <h1 className="screen-title">{t('nav.binlogs')}</h1>
      <p className="lead">{t('binlogs.lead')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setTouched(true);
          if (valid) void list();
        }}
        noValidate
      >
        <EndpointFields idPrefix="binlog-master" legend={t('master.admin')} hint={t('binlogs.adminHint')} value={master} onChange={setMaster} errors={errors} showErrors={touched} />
        <button type="submit" className="primary" disabled={action.busy || (touched && !valid)}>
          {listing ? t('binlogs.refresh') : t('binlogs.list')}
        </button>
      </form>
      {action.error ? <Notice tone="error" title={t('action.failed')}>{action.error}</Notice> : null}
      {outcome ? (
        <Notice tone="ok" title={t('binlogs.purged', { count: outcome.deleted.length, bytes: formatBytes(outcome.freedBytes) })}>
          {outcome.kept.map((k) => (
            <div key={k.name}>{t('binlogs.keptBecause', { name: k.name, reason: k.reason })}</div>
          ))}
        </Notice>
      ) : null}
      {listing ? (
        <Card title={t('binlogs.files', { count: listing.files.length, bytes: formatBytes(listing.totalBytes) })}>
          {listing.broken.length ? (
            <Notice tone="error">
              {t('binlogs.broken', { channels: listing.broken.map((b) => b.channel).join(', ') })}
              {/* The fresh copy is started from the backup's card; channels of this service have one. */}
              {listing.broken.some((b) => svc.channels.some((c) => c.name === b.channel)) ? (
                <ul className="inline-links">
                  {listing.broken
                    .filter((b) => svc.channels.some((c) => c.name === b.channel))
                    .map((b) => (
                      <li key={b.channel}>
                        <a href={href('dashboard', 'channel', b.channel)}>{t('binlogs.openCard', { name: b.channel })}</a>
                      </li>
                    ))}
                </ul>
              ) : null}
            </Notice>
          ) : null}
          {listing.dumpThreads ? <Notice tone="warn">{t('binlogs.dumpThreads', { count: listing.dumpThreads })}</Notice> : null}
          <DataTable
            caption={t('binlogs.caption')}
            captionHidden
            columns={[
              { key: 'name', header: 'Log_name', render: (f) => <code>{f.name}</code> },
              { key: 'size', header: 'File_size', render: (f) => formatBytes(f.size), numeric: true },
              { key: 'status', header: t('node.col.status'), render: (f) => <StatusBadge tone={TONE[f.status]} label={t(LABEL[f.status])} /> },
              { key: 'why', header: t('binlogs.why'), render: (f) => localized(f.explanation) },
            ]}
            rows={listing.files}
            rowKey={(f) => f.name}
          />
          <div className="button-row spaced">
            {purgeTo ? (
              <button type="button" className="danger" disabled={action.busy} onClick={() => setConfirm(true)}>
                {t('binlogs.purge', { count: listing.purgeable.length, bytes: formatBytes(listing.purgeableBytes) })}
              </button>
            ) : (
              <span className="secondary">{t('binlogs.nothing')}</span>
            )}
          </div>
        </Card>
      ) : null}
      <ConfirmDialog
        open={confirm}
        title={t('binlogs.confirmTitle', { count: listing?.purgeable.length ?? 0 })}
        confirmLabel={t('binlogs.confirm')}
        cancelLabel={t('action.cancel')}
        danger
        onCancel={() => setConfirm(false)}
        onConfirm={() => {
          setConfirm(false);
          void run(async () => {
            setOutcome(await svc.api.call('purge.run', { master: endpoint(master), purgeTo: purgeTo! }));
            setListing(await svc.api.call('purge.list', { master: endpoint(master) }));
          });
        }}
      >
        <p>{t('binlogs.confirmBody')}</p>
        <pre className="mono code-block">{statement}</pre>
      </ConfirmDialog>
    </div>
  );
}
