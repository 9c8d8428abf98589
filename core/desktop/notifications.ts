import type { DesktopChannel, DesktopFanout } from './health';
import { formatDuration, type Translate } from './messages';

/**
 * When to raise a desktop notification. A notification is for a *change* that needs a person: a thread
 * stopping on an error, lag passing the limit, a fan-out backend being detached. A condition that stays
 * true is announced once; one that flaps is announced at most once per `sameKeyIntervalMs`; and a burst
 * (a network outage stopping every channel at once) is capped, with one summary for the rest.
 */
export interface NotificationPolicy {
  lagWarnSeconds: number;
  /** After a lag alert, lag must fall below lagWarnSeconds × this before another one can fire. */
  lagRearmFraction: number;
  sameKeyIntervalMs: number;
  maxPerWindow: number;
  windowMs: number;
}

export const DEFAULT_NOTIFICATION_POLICY: NotificationPolicy = {
  lagWarnSeconds: 300,
  lagRearmFraction: 0.5,
  sameKeyIntervalMs: 15 * 60_000,
  maxPerWindow: 3,
  windowMs: 60_000,
};

export interface DesktopNotification {
  /** Stable identity of the condition, e.g. "channel:office1:sql-error:1062". */
  key: string;
  severity: 'warning' | 'error';
  title: string;
  body: string;
  /** The unit to show when the notification is clicked; absent for the summary. */
  unit?: { kind: 'channel' | 'fanout'; name: string };
}

interface Condition {
  key: string;
  severity: 'warning' | 'error';
  /** Conditions sharing a carry key are kept as they were while that part of a unit cannot be judged. */
  carry: string;
  make: (t: Translate) => Omit<DesktopNotification, 'key' | 'severity'>;
}

export class NotificationRules {
  private active = new Map<string, Condition>();
  private lastShown = new Map<string, number>();
  private shownAt: number[] = [];
  private held = 0;

  constructor(private t: Translate, private policy: NotificationPolicy = DEFAULT_NOTIFICATION_POLICY) {}

  setTranslator(t: Translate): void {
    this.t = t;
  }

  /** The lag limit chosen in the window (ui.lagAlertSeconds); the rest of the policy stays. */
  setLagWarnSeconds(seconds: number): void {
    this.policy = { ...this.policy, lagWarnSeconds: seconds };
  }

  /** Feeds one snapshot of every unit; returns what to show now (already de-duplicated and rate limited). */
  evaluate(channels: readonly DesktopChannel[], fanouts: readonly DesktopFanout[], now: number): DesktopNotification[] {
    const { conditions, unjudged } = this.conditions(channels, fanouts);
    const next = new Map<string, Condition>();
    for (const c of conditions) next.set(c.key, c);
    // Keep what we knew about a unit we cannot judge now (a stopped fan-out has no live node states), so
    // that starting it again does not re-announce a node that was already reported detached.
    for (const [key, c] of this.active) if (unjudged.has(c.carry) && !next.has(key)) next.set(key, c);

    const fresh = [...next.values()].filter((c) => !this.active.has(c.key));
    this.active = next;
    fresh.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));

    this.shownAt = this.shownAt.filter((at) => now - at < this.policy.windowMs);
    for (const [key, at] of this.lastShown) if (now - at >= this.policy.sameKeyIntervalMs) this.lastShown.delete(key);

    const out: DesktopNotification[] = [];
    if (this.held > 0 && this.shownAt.length < this.policy.maxPerWindow) {
      out.push({ key: 'held', severity: 'warning', title: this.t('notify.held.title'), body: this.t('notify.held.body', { count: this.held }) });
      this.shownAt.push(now);
      this.held = 0;
    }
    for (const c of fresh) {
      if (this.lastShown.has(c.key)) continue; // flapping: already told within the interval
      if (this.shownAt.length >= this.policy.maxPerWindow) {
        this.held++;
        continue;
      }
      out.push({ key: c.key, severity: c.severity, ...c.make(this.t) });
      this.shownAt.push(now);
      this.lastShown.set(c.key, now);
    }
    return out;
  }

  /** How many conditions and timestamps are kept; bounded by the number of units, not by time. */
  get memoryFootprint(): number {
    return this.active.size + this.lastShown.size + this.shownAt.length;
  }

  private conditions(channels: readonly DesktopChannel[], fanouts: readonly DesktopFanout[]): { conditions: Condition[]; unjudged: Set<string> } {
    const p = this.policy;
    const out: Condition[] = [];
    const unjudged = new Set<string>();
    for (const c of channels) {
      const unitKey = `channel:${c.name}`;
      const unit = { kind: 'channel' as const, name: c.name };
      if (c.sql === 'stopped' && c.sqlError) {
        const e = c.sqlError;
        out.push({
          key: `${unitKey}:sql-error:${e.errno}`,
          severity: 'error',
          carry: `${unitKey}:errors`,
          make: (t) => ({ unit, title: t('notify.sqlError.title', { name: c.name }), body: t('notify.sqlError.body', { errno: e.errno, message: e.message }) }),
        });
      }
      if (c.io === 'stopped' && c.ioError) {
        const e = c.ioError;
        out.push({
          key: `${unitKey}:io-error:${e.errno}`,
          severity: 'error',
          carry: `${unitKey}:errors`,
          make: (t) => ({ unit, title: t('notify.ioError.title', { name: c.name }), body: t('notify.ioError.body', { errno: e.errno, message: e.message }) }),
        });
      }
      const lagKey = `${unitKey}:lag`;
      const lag = c.secondsBehindMaster;
      const wasLagging = this.active.has(lagKey);
      if (lag === null) {
        // Seconds_Behind_Master is NULL while the I/O thread is down: no news, so the alert stays as it was.
        if (wasLagging) unjudged.add(lagKey);
      } else if (lag > p.lagWarnSeconds || (wasLagging && lag >= p.lagWarnSeconds * p.lagRearmFraction)) {
        out.push({
          key: lagKey,
          severity: 'warning',
          carry: lagKey,
          make: (t) => ({ unit, title: t('notify.lag.title', { name: c.name }), body: t('notify.lag.body', { lag: formatDuration(t, lag), limit: formatDuration(t, p.lagWarnSeconds) }) }),
        });
      }
    }
    for (const f of fanouts) {
      const unitKey = `fanout:${f.name}`;
      const unit = { kind: 'fanout' as const, name: f.name };
      if (!f.running) {
        unjudged.add(`${unitKey}:nodes`);
        if (f.error) {
          const message = f.error;
          out.push({
            key: `${unitKey}:error`,
            severity: 'error',
            carry: `${unitKey}:self`,
            make: (t) => ({ unit, title: t('notify.fanoutError.title', { name: f.name }), body: t('notify.fanoutError.body', { message }) }),
          });
        }
        continue;
      }
      for (const n of f.nodes) {
        if (n.status !== 'down') continue;
        out.push({
          key: `${unitKey}:node:${n.nodeId}:down`,
          severity: 'warning',
          carry: `${unitKey}:nodes`,
          make: (t) => ({ unit, title: t('notify.nodeDetached.title', { name: f.name }), body: t('notify.nodeDetached.body', { host: n.hostname, port: n.port, id: n.nodeId }) }),
        });
      }
    }
    return { conditions: out, unjudged };
  }
}
