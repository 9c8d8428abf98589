/** Runs `node bin/replicadesk.js ...` as a real process and collects what it printed and its exit code. */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../..');
export const BIN = path.join(ROOT, 'bin', 'replicadesk.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  /** Called for each chunk of stderr, with the process (e.g. to send SIGINT once a line appears). */
  onStderr?: (all: string, child: ChildProcess) => void;
  timeoutMs?: number;
}

export function runCli(args: string[], o: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    // Passwords only through the environment, as a user would; nothing from the test runner's own env leaks in but PATH/HOME.
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C', ...o.env };
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d));
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d;
      o.onStderr?.(stderr, child);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`replicadesk ${args.join(' ')} did not finish in ${o.timeoutMs ?? 120_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, o.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** mysql://user@host:port for a harness server; the password goes in the environment. */
export function url(s: { user: string; host: string; port: number }): string {
  return `mysql://${encodeURIComponent(s.user)}@${s.host}:${s.port}`;
}

/**
 * node 20 runs a file's top-level before() hooks concurrently: a hook that needs useSuiteServers()'s
 * servers waits for them here.
 */
export async function whenReady<T>(servers: () => T, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return servers();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
