/**
 * Browser tests drive Debian's Chromium (playwright-core, no downloaded browser) against the real
 * `replicadesk serve` process, each with a fresh profile and a fresh data dir.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServeProcess, type ServeProcess } from '../support/serve';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '../..');
export const CHROMIUM = process.env.REPLICADESK_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(ROOT, 'test-artifacts', 'screenshots');

/** Why browser tests cannot run here, or undefined when they can. */
export function browserSkipReason(): string | undefined {
  if (!fs.existsSync(CHROMIUM)) return `Chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set REPLICADESK_CHROMIUM)`;
  if (!fs.existsSync(path.join(ROOT, 'dist', 'renderer', 'index.html'))) return 'the renderer is not built (npm run build)';
  return undefined;
}

/** The real `replicadesk serve` (test/support/serve.ts) plus the address a user opens. */
export interface Served extends ServeProcess {
  /** The address a user opens: base + #token=… */
  openUrl: string;
}

export async function startServe(): Promise<Served> {
  const sp = await startServeProcess({ dataDirPrefix: 'rd-browser-' });
  return Object.assign(sp, { openUrl: `${sp.base.href}#token=${sp.token}` });
}

/** Polls until `fn` gives something truthy; with tolerateErrors a throwing probe counts as "not yet". */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, opts: { everyMs?: number; tolerateErrors?: boolean } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = opts.tolerateErrors ? await fn().catch(() => undefined) : await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 300));
  }
}

export interface Browser {
  context: BrowserContext;
  /** Console errors and page errors seen so far (CSP violations show up here). */
  problems: string[];
  newPage(opts?: { width?: number; height?: number; locale?: string }): Promise<Page>;
  close(): Promise<void>;
}

export async function launch(opts: { locale?: string; width?: number; height?: number } = {}): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...(opts.locale ? [`--lang=${opts.locale}`] : [])],
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 720 },
    ...(opts.locale ? { locale: opts.locale } : {}),
  });
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  };
  // A screen that does not appear should fail in seconds, not hang the run (generous: 2 shared cores).
  context.setDefaultTimeout(20_000);
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    problems,
    newPage: async (o = {}) => {
      const page = context.pages()[0] && context.pages()[0]!.url() === 'about:blank' ? context.pages()[0]! : await context.newPage();
      if (o.width || o.height) await page.setViewportSize({ width: o.width ?? 1280, height: o.height ?? 720 });
      return page;
    },
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Waits until a JavaScript expression is true in the page. Not page.waitForFunction: when the answer is not
 * there at once, Playwright polls with eval inside the page, which our CSP (no 'unsafe-eval') refuses, so
 * such waits failed only when the page was slow. page.evaluate goes through the DevTools protocol instead.
 */
export async function waitForExpr(page: Page, expr: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(`!!(${expr})`))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Moves the app to a screen and waits until that screen is the one shown (not the previous one). */
export async function gotoHash(page: Page, hash: string): Promise<void> {
  await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
  const screen = hash.replace(/^#\//, '').split('/')[0];
  await waitForExpr(page, `document.querySelector('.side-nav a[aria-current="page"]')?.getAttribute('href')?.startsWith('#/${screen}')`);
  await page.locator('h1.screen-title').first().waitFor();
}

/** Switches the language and waits until the page has re-rendered in it. */
export async function switchLang(page: Page, lang: 'en' | 'ja' | 'zh'): Promise<void> {
  await page.getByTestId('lang-select').selectOption(lang);
  await waitForExpr(page, `document.documentElement.lang === ${JSON.stringify(lang === 'zh' ? 'zh-CN' : lang)}`);
}

/** A minimal pgpool.conf (native replication, two backends) in a fresh folder; returns its path. */
const confDirs: string[] = [];
process.on('exit', () => confDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

export function writePgpoolConf(backends: { host: string; port: number; weight?: number }[], port = 9999, extra: string[] = []): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-pgpool-'));
  confDirs.push(dir); // removed when the test process ends
  const file = path.join(dir, 'pgpool.conf');
  const lines = ["backend_clustering_mode = 'native_replication'", "listen_addresses = '127.0.0.1'", `port = ${port}`];
  backends.forEach((b, i) => lines.push(`backend_hostname${i} = '${b.host}'`, `backend_port${i} = ${b.port}`, `backend_weight${i} = ${b.weight ?? 1}`));
  fs.writeFileSync(file, [...lines, ...extra].join('\n') + '\n');
  return file;
}

/**
 * Text nodes that read like English sentences ("two words", lower case) outside code, option lists and
 * data the service sends in English (marked data-untranslated). Catches strings hard-coded in a component
 * instead of going through the catalog, which the fragment check cannot know about.
 */
export async function englishLooking(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('code, pre, option, script, style, .raw, [data-untranslated]')) continue;
      const text = n.textContent.trim();
      if (/\\b[A-Za-z][a-z]{2,}\\s+[a-z]{3,}\\b/.test(text)) out.push(text);
    }
    return out;
  })()`)) as string[];
}

