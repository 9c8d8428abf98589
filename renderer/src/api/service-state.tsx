import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ApiEvent, ReplicaDeskApi } from '../../../core/api/contract';
import type { ChannelSummary, FanoutSummary, HistoryEntry, JobState, ServiceInfo, SettingKey } from '../../../core/api/types';
import { withStatus } from '../../../core/desktop/from-api';

export interface ServiceState {
  api: ReplicaDeskApi;
  status: 'connecting' | 'ready' | 'error';
  error?: string;
  info?: ServiceInfo;
  channels: ChannelSummary[];
  fanouts: FanoutSummary[];
  /** The newest history entries, newest first (the dashboard's "recent events"). */
  recent: HistoryEntry[];
  /** Long-running work (initial copies, recoveries): the latest state of each job seen, newest first. */
  jobs: JobState[];
  /** The service said it is stopping (the window will lose its engine). */
  stopping: boolean;
  /** Preferences kept by the service for every window and the tray (null: never set). */
  settings: Partial<Record<SettingKey, string | null>>;
  refresh(): Promise<void>;
  /** Subscribe to the raw event stream (screens that follow one unit closely). */
  onEvent(listener: (e: ApiEvent) => void): () => void;
}

const RECENT = 20;
const SETTING_KEYS: readonly SettingKey[] = ['ui.lang', 'ui.lagAlertSeconds', 'ui.notifications'];
const MAX_JOBS = 50;
const sortJobs = (jobs: JobState[]) => [...jobs].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
const RETRY_MS = 5000;
const Ctx = createContext<ServiceState | null>(null);

/**
 * Loads what every screen shares (service info, channels, fan-outs, recent history) once, keeps it live
 * from the event stream, and retries while the service cannot be reached.
 */
export function ServiceProvider({ api, children }: { api: ReplicaDeskApi; children: ReactNode }) {
  const [state, setState] = useState<Omit<ServiceState, 'api' | 'refresh' | 'onEvent'>>({ status: 'connecting', channels: [], fanouts: [], recent: [], jobs: [], stopping: false, settings: {} });
  const listeners = useRef(new Set<(e: ApiEvent) => void>());
  const alive = useRef(true);

  const refresh = useCallback(async () => {
    try {
      const [info, channels, fanouts, recent, jobs, settings] = await Promise.all([
        api.call('service.info', {}),
        api.call('channels.list', {}),
        api.call('fanouts.list', {}),
        api.call('history.list', { limit: RECENT }),
        api.call('jobs.list', {}),
        // Preferences are optional: a service that cannot give them leaves the defaults.
        Promise.all(SETTING_KEYS.map((key) => api.call('settings.get', { key }).catch(() => ({ key, value: null })))),
      ]);
      const kept = Object.fromEntries(settings.map((r) => [r.key, r.value]));
      if (alive.current) setState((s) => ({ ...s, status: 'ready', info, channels, fanouts, recent, jobs: sortJobs(jobs), stopping: false, error: undefined, settings: kept }));
    } catch (err) {
      if (alive.current) setState((s) => ({ ...s, status: 'error', error: (err as Error).message }));
    }
  }, [api]);

  useEffect(() => {
    alive.current = true;
    void refresh();
    const off = api.onEvent((e) => {
      setState((s) => {
        switch (e.type) {
          case 'history':
            return { ...s, recent: [e.entry, ...s.recent.filter((h) => h.id !== e.entry.id)].slice(0, RECENT) };
          case 'channels':
            return { ...s, channels: e.channels };
          case 'channel.status':
            return { ...s, channels: s.channels.map((c) => (c.name === e.name ? withStatus(c, e.status) : c)) };
          case 'fanouts':
            return { ...s, fanouts: e.fanouts };
          case 'job':
            return { ...s, jobs: sortJobs([e.job, ...s.jobs.filter((j) => j.id !== e.job.id)]).slice(0, MAX_JOBS) };
          case 'service.stopping':
            return { ...s, stopping: true };
          case 'settings':
            return { ...s, settings: { ...s.settings, [e.key]: e.value } };
          default:
            // An event this window does not know yet (a newer service): ignore it.
            return s;
        }
      });
      for (const l of listeners.current) l(e);
    });
    return () => {
      alive.current = false;
      off();
    };
  }, [api, refresh]);

  // While the service is unreachable (restarting, or the headless server was stopped), try again quietly.
  useEffect(() => {
    if (state.status !== 'error' && !state.stopping) return;
    const timer = setInterval(() => void refresh(), RETRY_MS);
    return () => clearInterval(timer);
  }, [state.status, state.stopping, refresh]);

  const onEvent = useCallback((l: (e: ApiEvent) => void) => {
    listeners.current.add(l);
    return () => void listeners.current.delete(l);
  }, []);
  const value = useMemo<ServiceState>(() => ({ ...state, api, refresh, onEvent }), [state, api, refresh, onEvent]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useService(): ServiceState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useService outside ServiceProvider');
  return v;
}

/** The lag limit chosen in Preferences (ui.lagAlertSeconds), else the tray's default: both judge alike. */
export function lagWarnSeconds(settings: ServiceState['settings'], fallback: number): number {
  const n = Number(settings['ui.lagAlertSeconds']);
  return settings['ui.lagAlertSeconds'] && Number.isInteger(n) && n >= 1 ? n : fallback;
}
