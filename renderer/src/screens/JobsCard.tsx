import type { JobState } from '../../../core/api/types';
import { useService } from '../api/service-state';
import { Card } from '../components/Card';
import { ProgressBar } from '../components/ProgressBar';
import { CloneProgressBar, isCloneProgress } from './CloneProgressBar';
import { StatusBadge, type Tone } from '../components/StatusBadge';
import { useAction } from '../components/useAction';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n/en';
import { cancelJob } from '../services/setup';

const TONE: Record<JobState['status'], Tone> = { running: 'info', succeeded: 'ok', failed: 'error', cancelled: 'idle' };
const LABEL: Record<JobState['status'], MessageKey> = { running: 'job.running', succeeded: 'job.succeeded', failed: 'job.failed', cancelled: 'job.cancelled' };
/** Finished jobs stay on the dashboard this long, so a copy that ended overnight is still seen. */
const KEEP_FINISHED_MS = 24 * 3600_000;

/** Long-running work (initial copies, recoveries) with its progress, live from job events. */
export function JobsCard() {
  const { t, formatDate } = useI18n();
  const svc = useService();
  const [run, action] = useAction();
  const now = Date.now();
  const jobs = svc.jobs.filter((j) => j.status === 'running' || (j.endedAt && now - Date.parse(j.endedAt) < KEEP_FINISHED_MS));
  if (!jobs.length) return null;
  return (
    <Card title={t('job.heading')}>
      <ul className="jobs">
        {jobs.map((j) => {
          const p = isCloneProgress(j.progress) ? j.progress : undefined;
          return (
            <li key={j.id} className="job" data-testid={`job-${j.id}`}>
              <div className="job-head">
                <JobTitle job={j} /> <StatusBadge tone={TONE[j.status]} label={t(LABEL[j.status])} />
                <span className="secondary">{formatDate(j.startedAt)}</span>
                {j.status === 'running' ? (
                  <button type="button" disabled={action.busy} onClick={() => void run(() => cancelJob(svc.api, j.id))}>
                    {t('job.cancel')}
                  </button>
                ) : null}
              </div>
              {j.status === 'running' && p ? (
                <CloneProgressBar progress={p} />
              ) : j.status === 'running' ? (
                <ProgressBar label={t('action.working')} />
              ) : null}
              {j.error ? (
                <p className="field-error" data-untranslated>
                  {j.error.message}
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
      {action.error ? <p className="field-error">{action.error}</p> : null}
    </Card>
  );
}

/**
 * The job in the window's language from its kind and target; the service's own (English) title only for a
 * kind this window does not know.
 */
function JobTitle({ job }: { job: JobState }) {
  const { t } = useI18n();
  const endpoints = /(\S+) → (\S+)$/.exec(job.title);
  const text =
    job.kind === 'clone' && endpoints
      ? t('job.title.clone', { from: endpoints[1]!, to: endpoints[2]! })
      : job.kind === 'reclone' && job.target
        ? t('job.title.reclone', { name: job.target.name })
        : job.kind === 'recovery' && job.target?.nodeId !== undefined
          ? t('job.title.recovery', { name: job.target.name, node: job.target.nodeId })
          : undefined;
  return text ? <strong>{text}</strong> : <strong data-untranslated>{job.title}</strong>;
}
