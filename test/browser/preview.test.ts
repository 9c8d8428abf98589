import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { AddressInfo } from 'node:net';
import { CSP } from '../../core/server/http-server';
import { resolveStatic } from '../../core/server/static-files';
import { browserSkipReason, CHROMIUM, launch, ROOT, screenshot, type Browser } from './harness';

/**
 * The channel and fan-out cards with engine-shaped rows (see preview/preview.tsx), built by Vite into a temp
 * folder and served under the app's CSP. Until the service API sends full SHOW SLAVE STATUS rows and
 * SHOW POOL_NODES, this is where the cards are seen: error panel, skip dialog, positions, charts, nodes.
 */
const skip = !fs.existsSync(CHROMIUM) ? browserSkipReason() : undefined;
if (skip) console.log(`[browser] skipped: ${skip}`);
let browser: Browser;
let server: http.Server;
let base: string;
let outDir: string;

before(async () => {
  if (skip) return;
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-preview-'));
  // Both are ES modules; this file is CommonJS, so they come in through import() with minimal types.
  const { build } = (await import('vite')) as unknown as { build(config: Record<string, unknown>): Promise<unknown> };
  const react = ((await import('@vitejs/plugin-react')) as unknown as { default: () => unknown }).default;
  await build({ root: path.join(__dirname, 'preview'), base: './', configFile: false, logLevel: 'error', plugins: [react()], build: { outDir, emptyOutDir: true } });
  server = http.createServer((req, res) => {
    const hit = resolveStatic(outDir, new URL(req.url ?? '/', 'http://x').pathname);
    if (!hit) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': hit.type, 'content-security-policy': CSP });
    fs.createReadStream(hit.file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

test('the channel card shows SHOW SLAVE STATUS in words, the error with its meaning, positions and charts', { skip: skip ?? false }, async () => {
  const page = await browser.newPage();
  await page.goto(`${base}?lang=en`);
  const ok = page.getByTestId('channel-office1');
  await ok.waitFor();
  assert.match(await ok.innerText(), /Up to date/);
  assert.match(await ok.innerText(), /Everything received has been applied; waiting for more/);
  assert.match(await ok.innerText(), /Connected; waiting for new changes on the master/);
  assert.match(await ok.innerText(), /mysql-bin\.000024 : 3683/);
  assert.equal(await ok.locator('svg.chart-svg').count(), 2, 'lag and apply-rate charts');
  assert.ok((await ok.locator('polyline').count()) >= 2, 'a NULL lag gap splits the lag line');

  const failed = page.getByTestId('channel-office2');
  const text = await failed.innerText();
  assert.match(text, /Stopped: a change could not be applied/);
  assert.match(text, /Error 1062 while applying a change/);
  assert.match(text, /already has a row with this key/);
  assert.match(text, /220 byte/, 'Relay_Bytes_Behind is shown');
  await failed.getByRole('button', { name: 'Skip events…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /never applied to the backup/);
  // Focus starts on Cancel; an invalid count disables the confirm button.
  assert.equal(String(await page.evaluate('document.activeElement?.textContent')), 'Cancel');
  await dialog.getByLabel(/Number of events to skip/).fill('0');
  assert.ok(await dialog.getByRole('button', { name: /Skip .* and continue/ }).isDisabled());
  await dialog.getByLabel(/Number of events to skip/).fill('2');
  assert.ok(await dialog.getByRole('button', { name: 'Skip 2 and continue' }).isEnabled());
  await screenshot(page, 'preview-en-skip-dialog');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  await screenshot(page, 'preview-en-cards');

  // A fresh copy started elsewhere shows on its channel's card, with its progress, and the buttons that
  // would fight it (start, remove) are held back meanwhile.
  const copying = page.getByTestId('channel-office3');
  assert.match(await copying.getByTestId('channel-job').innerText(), /Fresh copy: copying \(data\)/);
  assert.match(await copying.getByTestId('channel-job').innerText(), /42%/);
  assert.ok(await copying.getByRole('button', { name: 'Start', exact: true }).isDisabled());
  assert.equal(await copying.getByRole('button', { name: /Remove this backup/ }).count(), 0);
  assert.deepEqual(browser.problems, [], 'no CSP violations or errors');
});

test('the fan-out card shows SHOW POOL_NODES with states in words, actions and recovery progress', { skip: skip ?? false }, async () => {
  const page = await browser.newPage();
  await page.goto(`${base}?lang=en`);
  const card = page.getByTestId('fanout-pg-office');
  await card.waitFor();
  const headers = await card.locator('th').allInnerTexts();
  for (const col of ['node_id', 'hostname', 'port', 'status', 'lb_weight', 'role', 'select_cnt', 'last_status_change']) {
    assert.ok(headers.some((h) => h.includes(col)), `column ${col}`);
  }
  assert.match(await card.innerText(), /A server is detached/);
  assert.match(await card.innerText(), /Detached/);
  assert.match(await card.innerText(), /Recovery: copying/);
  assert.equal(await card.locator('progress').first().getAttribute('value'), '0.42');
  await card.getByRole('button', { name: 'Detach pg-a.office.lan:5432' }).click();
  await page.getByRole('dialog').getByText(/stops receiving writes/).waitFor();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await card.getByRole('button', { name: 'Attach pg-b.office.lan:5432' }).click();
  await page.getByRole('dialog').getByText(/missed no writes/).waitFor();
  await page.keyboard.press('Escape');
});

for (const lang of ['ja', 'zh'] as const) {
  test(`the cards in ${lang}`, { skip: skip ?? false }, async () => {
    const page = await browser.newPage();
    await page.goto(`${base}?lang=${lang}`);
    await page.getByTestId('channel-office2').waitFor();
    await page.evaluate(`document.querySelectorAll('details').forEach((d) => (d.open = true))`);
    const text = await page.locator('main').innerText();
    assert.match(text, lang === 'ja' ? /変更の適用中のエラー 1062/ : /应用更改时出现错误 1062/);
    assert.doesNotMatch(text, /\{[a-zA-Z]+\}/);
    await screenshot(page, `preview-${lang}-cards`);
  });
}

test('the cards fit a small laptop (1024×640): wide tables scroll inside their own region', { skip: skip ?? false }, async () => {
  const page = await browser.newPage({ width: 1024, height: 640 });
  await page.goto(`${base}?lang=en`);
  await page.getByTestId('fanout-pg-office').waitFor();
  const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
  assert.ok(overflow <= 0, `the page overflows by ${overflow}px`);
  await screenshot(page, 'preview-en-1024x640');
  await page.setViewportSize({ width: 1280, height: 720 });
});

test('the preview is not part of the app', () => {
  assert.ok(!fs.readFileSync(path.join(ROOT, 'renderer', 'vite.config.mts'), 'utf8').includes('preview'));
});
