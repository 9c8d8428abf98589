/**
 * Runs the real `replicadesk serve` process for API tests: a fresh data dir, a free loopback port, the URL and
 * token read from what it prints. `restart()` stops it (SIGTERM, a clean shutdown) and starts it again on the
 * same data dir, as a user restarting the service would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export interface ServeProcess {
  base: URL;
  token: string;
  dataDir: string;
  output(): string;
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** POSTs one API call; throws an error carrying the API error code when the call fails. */
  call(method: string, params: unknown): Promise<any>;
}

async function launch(dataDir: string): Promise<{ child: ChildProcess; base: URL; token: string; output: () => string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'replicadesk.js'), 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const deadline = Date.now() + 60_000;
  while (!/Open: (\S+)/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`replicadesk serve did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // stdout is a pipe here, as under systemd: the address line has no token, the token file has it.
  const m = /Open: (\S+)/.exec(output)!;
  const token = fs.readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim();
  return { child, base: new URL(m[1]!), token, output: () => output };
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export async function startServeProcess(opts: { dataDirPrefix?: string } = {}): Promise<ServeProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), opts.dataDirPrefix ?? 'rd-api-'));
  let cur = await launch(dataDir);
  const sp: ServeProcess = {
    get base() {
      return cur.base;
    },
    get token() {
      return cur.token;
    },
    dataDir,
    output: () => cur.output(),
    restart: async () => {
      await terminate(cur.child);
      cur = await launch(dataDir);
    },
    stop: async () => {
      await terminate(cur.child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    call: async (method, params) => {
      const res = await fetch(new URL('api/call', cur.base), {
        method: 'POST',
        headers: { authorization: `Bearer ${cur.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ method, params }),
      });
      const body = (await res.json()) as { ok: boolean; result?: unknown; error?: { code: string; message: string } };
      if (!body.ok) throw Object.assign(new Error(`${method}: ${body.error!.code} ${body.error!.message}`), { code: body.error!.code });
      return body.result;
    },
  };
  return sp;
}
