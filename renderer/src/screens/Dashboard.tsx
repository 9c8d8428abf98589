import { useMemo, useState } from 'react';
import { channelJob, nodeRecoveries } from '../model/jobs';
import { lagWarnSeconds, useService } from '../api/service-state';
import { useChannelDetails, useFanoutNodes } from '../api/unit-details';
import { Card } from '../components/Card';
import { Notice } from '../components/Notice';
import { StatusBadge, type Tone } from '../components/StatusBadge';
import { useAction } from '../components/useAction';
import { useI18n } from '../i18n';
import { computeTrayState, DEFAULT_HEALTH_OPTIONS, desktopChannel, desktopFanout } from '../model/health';
import { href, type Route } from '../router';
import { canStartStopAll, channelOps, fanoutOps } from '../services/capabilities';
import { ChannelCard } from './ChannelCard';
import { FanoutCard } from './FanoutCard';
import { HistoryList } from './History';
import { JobsCard } from './JobsCard';

/** "Is my data safe right now, and if not, what do I do?": the answer first, then each unit's card. */
export function Dashboard({ route }: { route: Route }) {
  const { t } = useI18n();
  const svc = useService();
  const cOps = useMemo(() => channelOps(svc.api), [svc.api]);
  const fOps = useMemo(() => fanoutOps(svc.api), [svc.api]);
  const healthOptions = { lagWarnSeconds: lagWarnSeconds(svc.settings, DEFAULT_HEALTH_OPTIONS.lagWarnSeconds) };
  const state = computeTrayState(svc.channels.map(desktopChannel), svc.fanouts.map(desktopFanout), healthOptions);
  const [focusKind, focusName] = route.rest;
  const [run, action] = useAction();
  const allOps = canStartStopAll(cOps, fOps);
  const channelDetails = useChannelDetails(svc.channels.map((c) => c.name), cOps, svc.onEvent);
  const fanoutNodes = useFanoutNodes(svc.fanouts.map((f) => f.name), fOps);
  // Recovery jobs started from a card: fan-out name → node id → job id; their progress comes as job events.
  // Jobs that name their target (any window, the CLI) land on the right card without this map.
  const [recoveryJobs, setRecoveryJobs] = useState(new Map<string, Map<number, string>>());
  const recoveriesOf = (name: string) => nodeRecoveries(svc.jobs, name, recoveryJobs.get(name));
  const now = Date.now();

  const overall: { tone: Tone; text: string } =
    state.health === 'error'
      ? { tone: 'error', text: t('overall.error', { count: state.counts.error }) }
      : state.health === 'warn'
        ? { tone: 'warn', text: t('overall.warn', { count: state.counts.warn }) }
        : state.health === 'ok'
          ? { tone: 'ok', text: t('overall.ok') }
          : { tone: 'idle', text: t('overall.idle') };

  return (
    <div className="dashboard">
      <h1 className="screen-title">{t('nav.dashboard')}</h1>
      <div className={`overall overall-${overall.tone}`} role="status" data-testid="overall">
        <StatusBadge tone={overall.tone} label={overall.text} />
        {allOps && state.units.length ? (
          <span className="button-row">
            <button type="button" disabled={action.busy} onClick={() => void run(() => Promise.all([cOps.startAll?.(), ...(fOps.start ? svc.fanouts.map((f) => fOps.start!(f.name)) : [])]))}>
              {t('dashboard.startAll')}
            </button>
            <button type="button" disabled={action.busy} onClick={() => void run(() => Promise.all([cOps.stopAll?.(), ...(fOps.stop ? svc.fanouts.map((f) => fOps.stop!(f.name)) : [])]))}>
              {t('dashboard.stopAll')}
            </button>
          </span>
        ) : null}
      </div>
      {action.error ? <Notice tone="error" title={t('action.failed')}>{action.error}</Notice> : null}
      {svc.info && !svc.info.secretStore.encrypted ? (
        <Notice tone="warn" title={t('secrets.plainTitle')}>
          {t('secrets.plainBody', { kind: svc.info.secretStore.kind })}
        </Notice>
      ) : null}

      <JobsCard />

      <section aria-labelledby="channels-h" className="unit-section">
        <h2 id="channels-h">{t('channels.heading')}</h2>
        {svc.channels.length === 0 ? (
          <div className="empty-state">
            <p>{t('channels.empty')}</p>
            <a className="button primary" href={href('add-backup')}>
              {t('nav.addBackup')}
            </a>{' '}
            <a className="button" href={href('prepare-master')}>
              {t('nav.prepareMaster')}
            </a>
          </div>
        ) : (
          <div className="unit-grid">
            {svc.channels.map((c) => (
              <ChannelCard
                key={c.name}
                summary={c}
                {...(channelDetails.get(c.name)?.status ? { status: channelDetails.get(c.name)!.status! } : {})}
                {...(channelDetails.get(c.name) ? { samples: channelDetails.get(c.name)!.samples } : {})}
                {...(channelDetails.get(c.name)?.measuredSince ? { measuredSince: channelDetails.get(c.name)!.measuredSince! } : {})}
                ops={cOps}
                healthOptions={healthOptions}
                {...(channelJob(svc.jobs, c.name, now) ? { job: channelJob(svc.jobs, c.name, now)! } : {})}
                focused={focusKind === 'channel' && focusName === c.name}
              />
            ))}
          </div>
        )}
      </section>

      <section aria-labelledby="fanouts-h" className="unit-section">
        <h2 id="fanouts-h">{t('fanouts.heading')}</h2>
        {svc.fanouts.length === 0 ? (
          <div className="empty-state">
            <p>{t('fanouts.empty')}</p>
            <a className="button" href={href('fanout-setup')}>
              {t('nav.fanoutSetup')}
            </a>
          </div>
        ) : (
          <div className="unit-grid">
            {svc.fanouts.map((f) => (
              <FanoutCard
                key={f.name}
                summary={f}
                {...(fanoutNodes.get(f.name) && f.running ? { nodes: fanoutNodes.get(f.name)! } : {})}
                recoveries={recoveriesOf(f.name)}
                onRecoveryStarted={(nodeId, jobId) =>
                  setRecoveryJobs((old) => new Map(old).set(f.name, new Map(old.get(f.name) ?? []).set(nodeId, jobId)))
                }
                ops={fOps}
                focused={focusKind === 'fanout' && focusName === f.name}
              />
            ))}
          </div>
        )}
      </section>

      <div className="two-columns">
        <Card title={t('history.recent')} actions={<a href={href('history')}>{t('history.seeAll')}</a>}>
          <HistoryList entries={svc.recent.slice(0, 8)} compact />
        </Card>
        <ServiceFacts />
      </div>
    </div>
  );
}

function ServiceFacts() {
  const { t, formatDate } = useI18n();
  const { info } = useService();
  if (!info) return null;
  return (
    <Card title={t('service.heading')}>
      <dl className="facts">
        <dt>{t('service.version')}</dt>
        <dd data-testid="service-version">{info.version}</dd>
        <dt>{t('service.mode')}</dt>
        <dd data-testid="service-mode">{t(info.mode === 'desktop' ? 'service.mode.desktop' : 'service.mode.headless')}</dd>
        <dt>{t('service.dataDir')}</dt>
        <dd>
          <code>{info.dataDir}</code>
        </dd>
        <dt>{t('service.since')}</dt>
        <dd>{formatDate(info.startedAt)}</dd>
        <dt>{t('service.secrets')}</dt>
        <dd>
          <StatusBadge tone={info.secretStore.encrypted ? 'ok' : 'warn'} label={t(info.secretStore.encrypted ? 'service.secrets.encrypted' : 'service.secrets.plain', { kind: info.secretStore.kind })} />
        </dd>
      </dl>
    </Card>
  );
}
