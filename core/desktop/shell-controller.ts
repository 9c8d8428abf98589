import type { ApiEvent } from '../api/contract';
import { dispatch, METHOD_PARAMS } from '../api/methods';
import type { ChannelSummary, FanoutSummary } from '../api/types';
import type { Logger } from '../log/logger';
import { nullLogger } from '../log/logger';
import type { Service } from '../service';
import { desktopChannel, desktopFanout, withStatus } from './from-api';
import { computeTrayState, DEFAULT_HEALTH_OPTIONS, type Health, type HealthOptions, type TrayState } from './health';
import { DESKTOP_LANGS, desktopTranslator, type DesktopLang, type Translate } from './messages';
import { DEFAULT_NOTIFICATION_POLICY, NotificationRules, type DesktopNotification, type NotificationPolicy } from './notifications';
import { buildTrayMenu, trayTooltip, type TrayAction, type TrayMenuItem } from './tray-menu';

/** What the controller paints on; Electron main implements it with Tray, Menu and Notification. */
export interface ShellView {
  setTray(view: { health: Health; tooltip: string; menu: TrayMenuItem[] }): void;
  notify(notification: DesktopNotification): void;
  /** open / open-unit / toggle-open-at-login / quit belong to the window and the OS, not the engine. */
  handle(action: Exclude<TrayAction, { type: 'start-all' } | { type: 'stop-all' }>): void;
}

export interface ShellControllerOptions {
  service: Pick<Service, 'handlers' | 'events'>;
  view: ShellView;
  lang: DesktopLang;
  openAtLogin: () => boolean;
  /** Lag changes without an event; a slow poll keeps the tray honest. */
  pollMs?: number;
  health?: HealthOptions;
  notifications?: NotificationPolicy;
  logger?: Logger;
  now?: () => number;
}

const has = (method: string) => Object.prototype.hasOwnProperty.call(METHOD_PARAMS, method);

/**
 * The tray's brain, in plain Node: keeps the latest channel and fan-out summaries (from events, and a poll
 * through the same `dispatch` every transport uses), derives the icon, tooltip and menu, raises
 * notifications through the rules, and runs "start all" / "stop all".
 */
export class ShellController {
  private channels: ChannelSummary[] = [];
  private fanouts: FanoutSummary[] = [];
  private t: Translate;
  private readonly rules: NotificationRules;
  private timer: NodeJS.Timeout | undefined;
  private readonly logger: Logger;
  private readonly onEvent = (e: ApiEvent) => {
    if (e.type === 'settings') return this.applySetting(e.key, e.value);
    if (e.type === 'channels') this.channels = e.channels;
    else if (e.type === 'channel.status') this.channels = this.channels.map((c) => (c.name === e.name ? withStatus(c, e.status) : c));
    else if (e.type === 'fanouts') this.fanouts = e.fanouts;
    else return;
    this.render(true);
  };
  private lastState: TrayState | undefined;
  /** The language in use: the one chosen in the window (ui.lang), else the OS's (opts.lang). */
  private lang: DesktopLang;
  private health: HealthOptions;
  private notificationsOn = true;

  constructor(private readonly opts: ShellControllerOptions) {
    this.lang = opts.lang;
    this.health = { ...DEFAULT_HEALTH_OPTIONS, ...opts.health };
    this.t = desktopTranslator(opts.lang);
    this.rules = new NotificationRules(this.t, { ...DEFAULT_NOTIFICATION_POLICY, ...opts.notifications });
    this.logger = opts.logger ?? nullLogger;
  }

  /** True when the service can start and stop at least one kind of unit (the methods arrive with the engines). */
  static canStartStop(): boolean {
    return (has('channels.startAll') && has('channels.stopAll')) || (has('fanouts.start') && has('fanouts.stop'));
  }

  async start(): Promise<void> {
    this.opts.service.events.on('event', this.onEvent);
    // The window's choices, kept by the service; later changes arrive as 'settings' events.
    if (has('settings.get')) {
      for (const key of ['ui.lang', 'ui.lagAlertSeconds', 'ui.notifications'] as const) {
        const r = (await this.call('settings.get', { key })) as { value?: string | null } | undefined;
        this.applySetting(key, r?.value ?? null, false);
      }
    }
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.opts.pollMs ?? 5000);
    this.timer.unref?.();
  }

  stop(): void {
    this.opts.service.events.off('event', this.onEvent);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  setLang(lang: DesktopLang): void {
    this.lang = lang;
    this.t = desktopTranslator(lang);
    this.rules.setTranslator(this.t);
    this.render(false);
  }

  get language(): DesktopLang {
    return this.lang;
  }

  get state(): TrayState | undefined {
    return this.lastState;
  }

  /** A setting from the service: unknown or invalid values fall back to the defaults, never throw. */
  private applySetting(key: string, value: string | null, paint = true): void {
    if (key === 'ui.lang') {
      const lang = value && value !== 'auto' && value in DESKTOP_LANGS ? (value as DesktopLang) : this.opts.lang;
      if (lang === this.lang) return;
      this.lang = lang;
      this.t = desktopTranslator(lang);
      this.rules.setTranslator(this.t);
    } else if (key === 'ui.lagAlertSeconds') {
      const n = Number(value);
      const seconds = value !== null && Number.isInteger(n) && n >= 1 ? n : (this.opts.health?.lagWarnSeconds ?? DEFAULT_HEALTH_OPTIONS.lagWarnSeconds);
      this.health = { ...this.health, lagWarnSeconds: seconds };
      this.rules.setLagWarnSeconds(seconds);
    } else if (key === 'ui.notifications') {
      this.notificationsOn = value !== 'off';
      return;
    } else return;
    if (paint) this.render(false);
  }

  async refresh(): Promise<void> {
    const [channels, fanouts] = await Promise.all([this.call('channels.list', {}), this.call('fanouts.list', {})]);
    if (Array.isArray(channels)) this.channels = channels as ChannelSummary[];
    if (Array.isArray(fanouts)) this.fanouts = fanouts as FanoutSummary[];
    this.render(true);
  }

  /** Re-paints the tray; `judge` also feeds the notification rules (not on a mere language change). */
  render(judge: boolean): void {
    const channels = this.channels.map(desktopChannel);
    const fanouts = this.fanouts.map(desktopFanout);
    const state = computeTrayState(channels, fanouts, this.health);
    this.lastState = state;
    this.opts.view.setTray({
      health: state.health,
      tooltip: trayTooltip(this.t, state),
      menu: buildTrayMenu(this.t, { state, openAtLogin: this.opts.openAtLogin(), canStartStop: ShellController.canStartStop() }),
    });
    if (!judge) return;
    // Rules are judged even while notifications are off, so turning them on later does not announce
    // problems that were already there.
    for (const n of this.rules.evaluate(channels, fanouts, (this.opts.now ?? Date.now)())) {
      if (!this.notificationsOn) continue;
      this.logger.info('Desktop notification.', { key: n.key, title: n.title });
      this.opts.view.notify(n);
    }
  }

  async perform(action: TrayAction): Promise<void> {
    if (action.type !== 'start-all' && action.type !== 'stop-all') return this.opts.view.handle(action);
    const verb = action.type === 'start-all' ? 'start' : 'stop';
    const calls: Promise<unknown>[] = [];
    if (has(`channels.${verb}All`)) calls.push(this.call(`channels.${verb}All`, {}));
    if (has(`fanouts.${verb}`)) calls.push(...this.fanouts.map((f) => this.call(`fanouts.${verb}`, { name: f.name })));
    await Promise.all(calls);
    await this.refresh();
  }

  /** Calls through dispatch like any transport; failures are logged, never thrown into Electron's loop. */
  private async call(method: string, params: unknown): Promise<unknown> {
    const res = await dispatch(this.opts.service.handlers, { method, params });
    if (res.ok) return res.result;
    this.logger.warn('Tray call failed.', { method, code: res.error.code, message: res.error.message });
    return undefined;
  }
}
