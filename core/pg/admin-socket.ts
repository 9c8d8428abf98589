/**
 * A local control channel for a proxy started with `replicadesk fanout start` (pgpool's PCP, but a Unix
 * socket readable by its owner only): newline-delimited JSON requests, one reply each, and events while a
 * recovery runs.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ReplicaDeskError, toErrorInfo } from '../errors';
import type { FanoutEvent, PoolNodeRow } from './node-status';
import type { FanoutProxy } from './proxy';

export type AdminCommand = { cmd: 'nodes' } | { cmd: 'attach' | 'detach' | 'recover'; node: number };
export type AdminRequest = AdminCommand & { id: number };
export type AdminReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { code: string; message: string } } | { id: number; event: FanoutEvent };

/** Where the control socket of the proxy listening on `port` lives: a 0700 folder of this user's. */
export function adminSocketPath(port: number): string {
  const base = process.env.XDG_RUNTIME_DIR && path.isAbsolute(process.env.XDG_RUNTIME_DIR) ? process.env.XDG_RUNTIME_DIR : os.tmpdir();
  const uid = process.getuid?.() ?? 0;
  const dir = path.join(base, `replicadesk-${uid}`);
  return path.join(dir, `fanout-${port}.sock`);
}

export class AdminServer {
  private constructor(
    private readonly server: net.Server,
    readonly path: string,
  ) {}

  static async start(proxy: FanoutProxy, socketPath: string): Promise<AdminServer> {
    fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
    fs.chmodSync(path.dirname(socketPath), 0o700);
    if (fs.existsSync(socketPath)) {
      const alive = await new Promise<boolean>((r) => {
        const c = net.connect(socketPath, () => (c.end(), r(true)));
        c.on('error', () => r(false));
      });
      if (alive) throw new ReplicaDeskError('FANOUT_ALREADY_RUNNING', `Another ReplicaDesk fan-out already answers on ${socketPath}.`);
      fs.rmSync(socketPath, { force: true });
    }
    const server = net.createServer((sock) => handle(proxy, sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    fs.chmodSync(socketPath, 0o600);
    return new AdminServer(server, socketPath);
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
    fs.rmSync(this.path, { force: true });
  }
}

function handle(proxy: FanoutProxy, sock: net.Socket): void {
  let buf = '';
  const reply = (r: AdminReply) => sock.write(JSON.stringify(r) + '\n');
  sock.on('error', () => undefined);
  sock.on('data', (d) => {
    buf += d.toString('utf8');
    if (buf.length > 65536) return sock.destroy();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let req: AdminRequest;
      try {
        req = JSON.parse(line) as AdminRequest;
      } catch {
        reply({ id: 0, ok: false, error: { code: 'BAD_REQUEST', message: 'not JSON' } });
        continue;
      }
      void run(proxy, req, (e) => reply({ id: req.id, event: e })).then(
        (result) => reply({ id: req.id, ok: true, result }),
        (err) => reply({ id: req.id, ok: false, error: toErrorInfo(err) }),
      );
    }
  });
}

async function run(proxy: FanoutProxy, req: AdminRequest, onEvent: (e: FanoutEvent) => void): Promise<unknown> {
  switch (req.cmd) {
    case 'nodes':
      return proxy.nodes();
    case 'attach':
      await proxy.attach(req.node);
      return proxy.nodes();
    case 'detach':
      await proxy.detach(req.node);
      return proxy.nodes();
    case 'recover':
      await proxy.recover(req.node, onEvent);
      return proxy.nodes();
    default:
      throw new ReplicaDeskError('BAD_REQUEST', `unknown command ${(req as { cmd: string }).cmd}`);
  }
}

/** Sends one request to a running proxy and waits for its reply (events are passed to onEvent). */
export function adminRequest(socketPath: string, req: AdminCommand, onEvent?: (e: FanoutEvent) => void): Promise<unknown> {
  const id = crypto.randomInt(1, 2 ** 31);
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    let buf = '';
    sock.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
          ? new ReplicaDeskError('FANOUT_NOT_RUNNING', `No ReplicaDesk fan-out answers on ${socketPath}. Start it with "replicadesk fanout start --config pgpool.conf".`)
          : err,
      ),
    );
    sock.on('connect', () => sock.write(JSON.stringify({ ...req, id }) + '\n'));
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const r = JSON.parse(buf.slice(0, nl)) as AdminReply;
        buf = buf.slice(nl + 1);
        if (r.id !== id) continue;
        if ('event' in r) onEvent?.(r.event);
        else {
          sock.end();
          if (r.ok) resolve(r.result);
          else reject(new ReplicaDeskError(r.error.code, r.error.message));
        }
      }
    });
  });
}

/** SHOW POOL_NODES as pgpool's psql output lays it out. */
export function formatNodes(rows: PoolNodeRow[]): string[] {
  const cols: (keyof PoolNodeRow)[] = ['node_id', 'hostname', 'port', 'status', 'pg_status', 'lb_weight', 'role', 'pg_role', 'select_cnt', 'load_balance_node', 'replication_delay', 'last_status_change'];
  const cell = (r: PoolNodeRow, c: keyof PoolNodeRow) => (c === 'lb_weight' ? (r[c] as number).toFixed(6) : String(r[c]));
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  const line = (vals: string[]) => ' ' + vals.map((v, i) => v.padEnd(width[i]!)).join(' | ');
  return [line(cols as string[]), '-' + width.map((w) => '-'.repeat(w)).join('-+--') + '-', ...rows.map((r) => line(cols.map((c) => cell(r, c)))), `(${rows.length} rows)`];
}
