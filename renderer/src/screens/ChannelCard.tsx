import { useEffect, useRef, useState } from 'react';
import type { ChannelSummary, JobState } from '../../../core/api/types';
import { Card } from '../components/Card';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { RemoveAction } from '../components/RemoveAction';
import { Field } from '../components/Field';
import { LineChart } from '../components/LineChart';
import { Notice } from '../components/Notice';
import { ProgressBar } from '../components/ProgressBar';
import { StatusBadge, type Tone } from '../components/StatusBadge';
import { useAction } from '../components/useAction';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n/en';
import { channelHealth, desktopChannel, type HealthOptions, type HealthReason } from '../model/health';
import { CHART_WINDOW_MS, lastHour, type MetricSample } from '../model/metrics';
import { errorMeaning } from '../model/replication-errors';
import { bytesBehind, currentError, desktopChannelFromStatus, SLAVE_STATUS_FIELDS, type SlaveStatus } from '../model/slave-status';
import { phaseKey } from '../model/phases';
import { threadStateKey } from '../model/thread-states';
import type { ChannelOps } from '../services/capabilities';
import { CloneProgressBar, isCloneProgress } from './CloneProgressBar';

export const REASON_KEY: Record<HealthReason, MessageKey> = {
  replicating: 'health.replicating',
  lagging: 'health.lagging',
  reconnecting: 'health.reconnecting',
  stopped: 'health.stopped',
  'io-error': 'health.io-error',
  'sql-error': 'health.sql-error',
  serving: 'health.serving',
  'node-detached': 'health.node-detached',
  'node-recovering': 'health.node-recovering',
  'all-nodes-down': 'health.all-nodes-down',
  'fanout-error': 'health.fanout-error',
};

function runningTone(v: 'Yes' | 'No' | 'Connecting'): Tone {
  return v === 'Yes' ? 'ok' : v === 'Connecting' ? 'warn' : 'idle';
}

/**
 * One replica channel, as SHOW SLAVE STATUS would show it, in plain words. Renders from the summary the
 * service always sends; the full status row, the chart samples and the actions appear when the service
 * offers them (see services/capabilities.ts).
 */
export function ChannelCard({
  summary,
  status,
  samples,
  measuredSince,
  ops,
  focused,
  job,
  healthOptions,
  now = Date.now(),
}: {
  summary: ChannelSummary;
  status?: SlaveStatus;
  samples?: MetricSample[];
  /** Set when the samples are the window's own, measured since this time. */
  measuredSince?: string;
  ops: ChannelOps;
  focused?: boolean;
  /** The latest job that works on this channel (a fresh copy), from this window or any other. */
  job?: JobState;
  /** The lag limit chosen in Preferences (the tray uses the same). */
  healthOptions?: HealthOptions;
  now?: number;
}) {
  const { t, formatDuration, formatBytes, formatNumber, formatTime } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  // The full row, when there is one, says more than the summary (errors, lag); both go through the same rules.
  const d = status ? desktopChannelFromStatus(status) : desktopChannel(summary);
  const health = channelHealth(d, healthOptions);
  const io = status?.Slave_IO_Running ?? summary.slaveIoRunning;
  const sql = status?.Slave_SQL_Running ?? summary.slaveSqlRunning;
  const lag = status ? status.Seconds_Behind_Master : (health.lagSeconds ?? null);
  const behindBytes = status ? bytesBehind(status) : null;
  const err = status
    ? currentError(status)
    : d.sql === 'stopped' && d.sqlError
      ? { thread: 'sql' as const, ...d.sqlError }
      : d.io === 'stopped' && d.ioError
        ? { thread: 'io' as const, ...d.ioError }
        : undefined;

  useEffect(() => {
    if (focused) {
      ref.current?.scrollIntoView({ block: 'start' });
      ref.current?.querySelector<HTMLElement>('[data-focus-target]')?.focus();
    }
  }, [focused]);

  const tone: Tone = health.health === 'idle' ? 'idle' : health.health;
  const [run, action] = useAction();
  // While a job works on the channel (it stops and starts the channel itself), the buttons would fight it.
  const jobRunning = job?.status === 'running';
  const busy = action.busy || jobRunning;

  return (
    <div ref={ref} className={`unit-card${focused ? ' focused' : ''}`} data-testid={`channel-${summary.name}`}>
      <Card
        level={3}
        title={
          <span tabIndex={-1} data-focus-target>
            <span className="unit-kind">MySQL</span> {summary.name}
          </span>
        }
        actions={
          <>
            <StatusBadge tone={tone} label={t(REASON_KEY[health.reason], { lag: formatDuration(lag ?? 0) })} />
            {ops.start && (io !== 'Yes' || sql !== 'Yes') ? (
              <button type="button" disabled={busy} aria-busy={action.busy || undefined} onClick={() => void run(() => ops.start!(summary.name))}>
                {action.busy ? t('action.working') : t('channel.start')}
              </button>
            ) : null}
            {ops.stop && (io !== 'No' || sql !== 'No') ? (
              <button type="button" disabled={busy} aria-busy={action.busy || undefined} onClick={() => void run(() => ops.stop!(summary.name))}>
                {action.busy ? t('action.working') : t('channel.stop')}
              </button>
            ) : null}
          </>
        }
      >
        {action.error ? <Notice tone="error" title={t('action.failed')}>{action.error}</Notice> : null}
        {job ? <ChannelJob job={job} /> : null}
        <dl className="facts threads">
          <dt>{t('channel.io')}</dt>
          <dd>
            <StatusBadge tone={runningTone(io)} label={t(io === 'Yes' ? 'running.yes' : io === 'Connecting' ? 'running.connecting' : 'running.no')} /> <code className="raw">Slave_IO_Running: {io}</code>
            {status?.Slave_IO_State ? <ThreadState thread="io" state={status.Slave_IO_State} /> : null}
          </dd>
          <dt>{t('channel.sql')}</dt>
          <dd>
            <StatusBadge tone={runningTone(sql)} label={t(sql === 'Yes' ? 'running.yes' : 'running.no')} /> <code className="raw">Slave_SQL_Running: {sql}</code>
            {status?.Slave_SQL_Running_State ? <ThreadState thread="sql" state={status.Slave_SQL_Running_State} /> : null}
          </dd>
          <dt>{t('channel.lag')}</dt>
          <dd>
            {lag === null ? t('channel.lagUnknown') : lag === 0 ? t('channel.lagNone') : t('channel.lagValue', { time: formatDuration(lag) })}
            {behindBytes ? <span className="secondary"> · {t('channel.lagBytes', { bytes: formatBytes(behindBytes) })}</span> : null}
            <code className="raw">Seconds_Behind_Master: {lag === null ? 'NULL' : lag}</code>
          </dd>
        </dl>

        {err && !jobRunning ? <ErrorPanel name={summary.name} thread={err.thread} errno={err.errno} message={err.message} ops={ops} /> : null}

        {status ? <Positions status={status} /> : null}

        {samples ? <Charts samples={samples} now={now} /> : null}
        {samples && measuredSince ? <p className="secondary">{t('chart.since', { time: formatTime(measuredSince) })}</p> : null}

        {status ? (
          <details className="all-fields">
            <summary>{t('channel.allFields')}</summary>
            <dl className="facts mono" data-untranslated>
              {SLAVE_STATUS_FIELDS.filter((f) => status[f] !== undefined).map((f) => (
                <div key={f} className="fact-row">
                  <dt>{f}</dt>
                  <dd>{status[f] === null ? 'NULL' : typeof status[f] === 'number' ? formatNumber(status[f], { useGrouping: false }) : String(status[f])}</dd>
                </div>
              ))}
            </dl>
          </details>
        ) : null}
        {ops.remove && io === 'No' && sql === 'No' && !jobRunning ? (
          <RemoveAction
            label={t('channel.remove')}
            title={t('channel.removeTitle', { name: summary.name })}
            warning={t('channel.removeWarning')}
            busy={action.busy}
            onRemove={() => void run(() => ops.remove!(summary.name))}
          />
        ) : null}
        {status?.Last_SQL_Error_Timestamp || status?.Last_IO_Error_Timestamp ? (
          <p className="secondary">{t('channel.errorAt', { time: formatTime(status.Last_SQL_Error_Timestamp || status.Last_IO_Error_Timestamp || '') })}</p>
        ) : null}
      </Card>
    </div>
  );
}

const RECLONE_STEP: Record<string, MessageKey> = {
  stopping: 'reclone.step.stopping',
  repointing: 'reclone.step.repointing',
  starting: 'reclone.step.starting',
};

/** A job working on this channel (a fresh copy), wherever it was started: its step, or how it ended. */
function ChannelJob({ job }: { job: JobState }) {
  const { t, formatTime } = useI18n();
  const p = job.progress as { step?: string } | null;
  if (job.status === 'running') {
    return (
      <div className="channel-job" role="status" data-testid="channel-job">
        {p?.step === 'copying' && isCloneProgress(p) ? (
          <CloneProgressBar progress={p} label={t('reclone.step.copying', { phase: phaseKey(p.phase) ? t(phaseKey(p.phase)!) : p.phase })} />
        ) : (
          <ProgressBar label={p?.step && RECLONE_STEP[p.step] ? t(RECLONE_STEP[p.step]!) : t('reclone.step.stopping')} />
        )}
      </div>
    );
  }
  const at = job.endedAt ? formatTime(job.endedAt) : '';
  return (
    <div className="channel-job" data-testid="channel-job">
      {job.status === 'succeeded' ? (
        <Notice tone="ok">{t('reclone.done', { time: at })}</Notice>
      ) : job.status === 'cancelled' ? (
        <Notice tone="warn">{t('reclone.cancelled', { time: at })}</Notice>
      ) : (
        <Notice tone="error" title={t('reclone.failed', { time: at })}>
          <span data-untranslated>{job.error?.message ?? ''}</span>
        </Notice>
      )}
    </div>
  );
}

function ThreadState({ thread, state }: { thread: 'io' | 'sql'; state: string }) {
  const { t } = useI18n();
  const key = threadStateKey(thread, state);
  return (
    <div className="thread-state">
      {key ? <span>{t(key)}</span> : null} <code className="raw">{state}</code>
    </div>
  );
}

function Positions({ status: s }: { status: SlaveStatus }) {
  const { t, formatBytes } = useI18n();
  const pos = (file: string, p: number) => (file ? `${file} : ${p}` : '—');
  return (
    <dl className="facts positions">
      <dt>{t('channel.master')}</dt>
      <dd>
        <code>
          {s.Master_User}@{s.Master_Host}:{s.Master_Port}
        </code>
      </dd>
      <dt>{t('channel.readPos')}</dt>
      <dd>
        <code>{pos(s.Master_Log_File, s.Read_Master_Log_Pos)}</code> <span className="raw">Master_Log_File / Read_Master_Log_Pos</span>
      </dd>
      <dt>{t('channel.execPos')}</dt>
      <dd>
        <code>{pos(s.Relay_Master_Log_File, s.Exec_Master_Log_Pos)}</code> <span className="raw">Relay_Master_Log_File / Exec_Master_Log_Pos</span>
      </dd>
      <dt>{t('channel.relayPos')}</dt>
      <dd>
        <code>{pos(s.Relay_Log_File, s.Relay_Log_Pos)}</code> <span className="raw">Relay_Log_File / Relay_Log_Pos</span>
      </dd>
      <dt>{t('channel.relaySpace')}</dt>
      <dd>
        {formatBytes(s.Relay_Log_Space)} <span className="raw">Relay_Log_Space</span>
      </dd>
      {s.Using_Gtid && s.Using_Gtid !== 'No' ? (
        <>
          <dt>{t('channel.gtid')}</dt>
          <dd>
            <code>{s.Gtid_IO_Pos || '—'}</code> <span className="raw">Using_Gtid: {s.Using_Gtid}</span>
          </dd>
        </>
      ) : null}
    </dl>
  );
}

function Charts({ samples, now }: { samples: MetricSample[]; now: number }) {
  const { t, formatDuration, formatNumber } = useI18n();
  const points = lastHour(samples, now);
  const from = now - CHART_WINDOW_MS;
  const lagPoints = points.map((p) => ({ t: Date.parse(p.at), v: p.secondsBehindMaster }));
  const ratePoints = points.map((p) => ({ t: Date.parse(p.at), v: p.eventsPerSecond }));
  const lags = lagPoints.map((p) => p.v).filter((v): v is number => v !== null);
  const rates = ratePoints.map((p) => p.v).filter((v): v is number => v !== null);
  const axis: [string, string, string] = [t('chart.minutesAgo', { n: 60 }), t('chart.minutesAgo', { n: 30 }), t('chart.now')];
  if (points.length === 0) return <p className="empty">{t('chart.noData')}</p>;
  return (
    <div className="charts">
      <LineChart
        points={lagPoints}
        from={from}
        to={now}
        title={t('chart.lag')}
        axisLabels={axis}
        formatValue={(v) => formatDuration(v)}
        summary={t('chart.lagSummary', { now: formatDuration(lags[lags.length - 1] ?? 0), max: formatDuration(Math.max(0, ...lags)) })}
        className="chart-lag"
      />
      <LineChart
        points={ratePoints}
        from={from}
        to={now}
        title={t('chart.rate')}
        axisLabels={axis}
        formatValue={(v) => formatNumber(v, { maximumFractionDigits: 1 })}
        summary={t('chart.rateSummary', {
          now: formatNumber(rates[rates.length - 1] ?? 0, { maximumFractionDigits: 1 }),
          avg: formatNumber(rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : 0, { maximumFractionDigits: 1 }),
        })}
        className="chart-rate"
      />
    </div>
  );
}

function ErrorPanel({ name, thread, errno, message, ops }: { name: string; thread: 'io' | 'sql'; errno: number; message: string; ops: ChannelOps }) {
  const { t } = useI18n();
  const meaning = errorMeaning(errno);
  const [dialog, setDialog] = useState<'skip' | 'reclone' | undefined>();
  const [count, setCount] = useState('1');
  const [run, action] = useAction();
  const countNum = Number(count);
  const countValid = Number.isInteger(countNum) && countNum >= 1 && countNum <= 1000;
  const available = meaning.actions.filter((a) => (a === 'retry' ? ops.retry : a === 'skip' ? ops.skip : ops.reclone));
  return (
    <div className="error-panel" role="group" aria-label={t('channel.errorHeading')}>
      <h4>
        {t(thread === 'sql' ? 'channel.sqlErrorHeading' : 'channel.ioErrorHeading', { errno })}
      </h4>
      <p className="error-meaning">{t(meaning.key)}</p>
      <p>
        <code className="raw-error">{message}</code>
      </p>
      {action.error ? <Notice tone="error" title={t('action.failed')}>{action.error}</Notice> : null}
      {available.length ? (
        <div className="button-row">
          {available.includes('retry') ? (
            <button type="button" className="primary" disabled={action.busy} onClick={() => void run(() => ops.retry!(name))}>
              {action.busy ? t('action.working') : t('channel.retry')}
            </button>
          ) : null}
          {available.includes('skip') ? (
            <button type="button" disabled={action.busy} onClick={() => setDialog('skip')}>
              {t('channel.skip')}
            </button>
          ) : null}
          {available.includes('reclone') ? (
            <button type="button" disabled={action.busy} onClick={() => setDialog('reclone')}>
              {t('channel.reclone')}
            </button>
          ) : null}
        </div>
      ) : (
        <p className="secondary">{t('channel.actionsUnavailable')}</p>
      )}
      <ConfirmDialog
        open={dialog === 'skip'}
        title={t('channel.skipTitle', { name })}
        confirmLabel={t('channel.skipConfirm', { count: countValid ? countNum : '?' })}
        cancelLabel={t('action.cancel')}
        danger
        confirmDisabled={!countValid}
        onCancel={() => setDialog(undefined)}
        onConfirm={() => {
          setDialog(undefined);
          void run(() => ops.skip!(name, countNum));
        }}
      >
        <Notice tone="warn">{t('channel.skipWarning')}</Notice>
        <Field label={t('channel.skipCount')} hint={t('channel.skipCountHint')} error={countValid ? undefined : t('validate.range', { min: 1, max: 1000 })}>
          {(p) => <input {...p} type="number" min={1} max={1000} value={count} onChange={(e) => setCount(e.target.value)} />}
        </Field>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === 'reclone'}
        title={t('channel.recloneTitle', { name })}
        confirmLabel={t('channel.recloneConfirm')}
        cancelLabel={t('action.cancel')}
        danger
        onCancel={() => setDialog(undefined)}
        onConfirm={() => {
          setDialog(undefined);
          void run(() => ops.reclone!(name));
        }}
      >
        <p>{t('channel.recloneWarning')}</p>
      </ConfirmDialog>
    </div>
  );
}
