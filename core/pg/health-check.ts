/**
 * pgpool's health check: every health_check_period seconds each up node gets a fresh login (as
 * health_check_user, to health_check_database or postgres/template1), within health_check_timeout, retried
 * health_check_max_retries times health_check_retry_delay apart. A node that keeps failing is detached.
 */
import { BackendConnection, BackendLoginError } from './backend/connection';
import type { BackendNodeOptions } from './options';
import type { FanoutProxy } from './proxy';
import { nowIso } from './node-status';

export class HealthChecker {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly proxy: FanoutProxy) {}

  start(): void {
    for (const n of this.proxy.options.nodes) this.schedule(n);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private schedule(n: BackendNodeOptions): void {
    if (this.stopped || n.healthCheck.period <= 0) return;
    const t = setTimeout(() => void this.round(n), n.healthCheck.period * 1000);
    t.unref();
    this.timers.set(n.id, t);
  }

  private async round(n: BackendNodeOptions): Promise<void> {
    if (this.stopped) return;
    if (this.proxy.nodeStatus(n.id) === 'up') {
      const hc = n.healthCheck;
      let lastErr: Error | undefined;
      for (let attempt = 0; attempt <= hc.maxRetries && !this.stopped; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, hc.retryDelay * 1000));
        lastErr = await checkNode(this.proxy, n);
        if (!lastErr) break;
      }
      if (this.stopped) return;
      this.proxy.setPgStatus(n.id, lastErr ? 'down' : 'up');
      if (lastErr && this.proxy.nodeStatus(n.id) === 'up') {
        if (n.allowFailover && this.proxy.upNodes().length > 1) {
          await this.proxy.detach(n.id, `health check failed: ${lastErr.message}`).catch(() => undefined);
        } else {
          this.proxy.emitEvent({ type: 'warning', nodeId: n.id, message: `Health check of node ${n.id} failed (${lastErr.message}) but the node may not be detached.`, at: nowIso() });
        }
      }
    }
    this.schedule(n);
  }
}

/** One login to the node; undefined when it worked. A refused login (wrong password) is not a node failure. */
export async function checkNode(proxy: FanoutProxy, n: BackendNodeOptions): Promise<Error | undefined> {
  const hc = n.healthCheck;
  let secret = hc.password ? { user: hc.user, password: hc.password } : undefined;
  if (!secret) {
    try {
      secret = proxy.options.passwords.lookup(hc.user) as typeof secret;
    } catch {
      secret = undefined;
    }
  }
  const databases = hc.database ? [hc.database] : ['postgres', 'template1'];
  let last: Error | undefined;
  for (const database of databases) {
    try {
      const c = await BackendConnection.connect(n, { user: hc.user, database, params: new Map([['application_name', 'replicadesk health check']]), secret, connectTimeoutMs: (hc.timeout || 20) * 1000 });
      c.close();
      return undefined;
    } catch (err) {
      if (err instanceof BackendLoginError) {
        // The server answered: it is alive. Only "no such database" makes us try the next one.
        if (err.fields.C === '3D000') {
          last = err;
          continue;
        }
        return undefined;
      }
      return err as Error;
    }
  }
  return last && !(last instanceof BackendLoginError) ? last : undefined;
}
