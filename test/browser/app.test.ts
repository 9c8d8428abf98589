import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import fs from 'node:fs';
import { browserSkipReason, gotoHash, until, launch, screenshot, startServe, waitForExpr, writePgpoolConf, type Browser, type Served } from './harness';

const skip = browserSkipReason();
if (skip) console.log(`[browser] skipped: ${skip}`);

let served: Served;
let browser: Browser;
before(async () => {
  if (skip) return;
  served = await startServe();
  browser = await launch({ locale: 'en-US' });
});
after(async () => {
  await browser?.close();
  await served?.stop();
});

async function open(page: Page, hash = ''): Promise<void> {
  await page.goto(served.openUrl);
  await page.getByTestId('overall').waitFor();
  if (hash) await go(page, hash);
}

const go = gotoHash;

async function setting(key: string): Promise<string | null> {
  return ((await served.call('settings.get', { key })) as { value: string | null }).value;
}

/** Puts a preference back through the API (a failed test must not leave its language to the next ones). */
async function resetSetting(key: string, value: string): Promise<void> {
  await served.call('settings.set', { key, value });
}

test('the dashboard shows the real service: status, mode, version, the start event', { skip: skip ?? false }, async () => {
  const page = await browser.newPage();
  await open(page);
  const info = (await served.call('service.info', {})) as { version: string };
  assert.equal(await page.getByTestId('service-version').textContent(), info.version);
  assert.equal(await page.getByTestId('service-mode').textContent(), 'background service (headless)');
  assert.match((await page.getByTestId('overall').textContent()) ?? '', /Nothing is being backed up yet/);
  assert.match(await page.locator('.history').first().innerText(), /started \(headless\)/);
  // The token left the address bar (it stays in the tab's session only).
  assert.ok(!page.url().includes('token='), page.url());
  await screenshot(page, 'en-dashboard');
  assert.deepEqual(browser.problems, [], 'no console errors (a CSP violation would be one)');
});

test('the language switch changes every label at once and is remembered', { skip: skip ?? false }, async () => {
  const page = await browser.newPage();
  await open(page);
  await page.getByTestId('lang-select').selectOption('ja');
  await page.getByRole('link', { name: 'ダッシュボード' }).waitFor();
  assert.equal(await page.evaluate('document.documentElement.lang'), 'ja');
  assert.match(await page.getByTestId('service-mode').innerText(), /バックグラウンドサービス/);
  await page.reload();
  await page.getByTestId('overall').waitFor();
  assert.equal(await page.getByTestId('lang-select').inputValue(), 'ja', 'kept across a reload');
  await page.getByTestId('lang-select').selectOption('zh');
  await page.getByRole('link', { name: '仪表板' }).waitFor();
  assert.equal(await page.evaluate('document.documentElement.lang'), 'zh-CN');
  await page.getByTestId('lang-select').selectOption('en');
  await page.getByRole('link', { name: 'Dashboard' }).waitFor();
  // Back to "follow the system" for the tests after this one (the choice is kept by the service).
  await page.getByTestId('lang-select').selectOption('auto');
  await until('the service to keep "auto"', async () => (await setting('ui.lang')) === 'auto', 20_000, { everyMs: 200 });
});

test('the language chosen in one window is kept by the service (tray, notifications) and followed by other windows', { skip: skip ?? false }, async () => {
  const page = await browser.newPage();
  await open(page);
  // Another window with a profile of its own (its own storage): only the service connects the two.
  const other = await launch({ locale: 'en-US' });
  try {
    const page2 = await other.newPage();
    await open(page2);
    await page.getByTestId('lang-select').selectOption('zh');
    await until('the service to keep the choice', async () => (await setting('ui.lang')) === 'zh', 20_000, { everyMs: 200 });
    await waitForExpr(page2, `document.documentElement.lang === 'zh-CN'`);
    assert.equal(await page2.getByTestId('lang-select').inputValue(), 'zh');
    await page2.getByRole('link', { name: '仪表板' }).waitFor();
    // A window opened later starts in the kept language, whatever its browser's language.
    const third = await launch({ locale: 'ja-JP' });
    try {
      const page3 = await third.newPage();
      await open(page3);
      await waitForExpr(page3, `document.documentElement.lang === 'zh-CN'`);
    } finally {
      await third.close();
    }
    await page2.getByTestId('lang-select').selectOption('auto');
    await until('the service to keep "auto"', async () => (await setting('ui.lang')) === 'auto', 20_000, { everyMs: 200 });
    await waitForExpr(page, `document.documentElement.lang === 'en'`);
    assert.equal(await page.getByTestId('lang-select').inputValue(), 'auto');
  } finally {
    await other.close();
    await resetSetting('ui.lang', 'auto');
  }
});

test('without a saved choice the OS language is used', { skip: skip ?? false }, async () => {
  const ja = await launch({ locale: 'ja-JP' });
  try {
    const page = await ja.newPage();
    await page.goto(served.openUrl);
    await page.getByTestId('overall').waitFor();
    assert.equal(await page.getByTestId('lang-select').inputValue(), 'auto');
    assert.equal(await page.evaluate('document.documentElement.lang'), 'ja');
    assert.match(await page.getByTestId('lang-select').locator('option[value="auto"]').innerText(), /自動（日本語）/);
    assert.match(await page.getByTestId('overall').innerText(), /まだ何もバックアップしていません/);
    // Dates follow the language too.
    assert.match(await page.locator('.history time').first().innerText(), /\d{4}\/\d{1,2}\/\d{1,2}/);
  } finally {
    await ja.close();
  }
});

test('keyboard: skip link, navigation, visible focus, wizard validation and Escape', { skip: skip ?? false }, async () => {
  const page = await browser.newPage();
  await open(page);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Skip to the content');
  const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
  assert.equal(outline, 'solid', 'the focused element shows a focus ring');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate('document.activeElement?.id'), 'main');

  await go(page, '#/fanout-setup');
  const next = page.getByRole('button', { name: 'Next' });
  await page.getByLabel('Your pgpool.conf').fill('');
  await next.click();
  // Errors appear, tied to their fields, and Next refuses until they are fixed.
  const name = page.getByLabel('Name of this fan-out');
  assert.equal(await name.getAttribute('aria-invalid'), 'true');
  assert.ok(await next.isDisabled());
  await name.fill('pg-office');
  const conf = writePgpoolConf([{ host: '10.0.0.5', port: 5432 }, { host: '10.0.0.6', port: 5433, weight: 0.5 }]);
  await page.getByLabel('Your pgpool.conf').fill(conf);
  await page.getByLabel('Your pgpool.conf').press('Enter');
  // Enter submits the step; the file is read by the service; focus lands on the new step's heading.
  await page.getByRole('heading', { name: /Step 2 of 4/ }).waitFor();
  assert.match(String(await page.evaluate("document.activeElement?.textContent ?? ''")), /Step 2 of 4/);
  assert.equal(await page.getByLabel('backend_hostname1').inputValue(), '10.0.0.6');
  assert.equal(await page.getByLabel('backend_weight1').inputValue(), '0.5');
  await page.getByLabel('backend_weight1').fill('2');
  await page.getByRole('button', { name: 'Show the changes' }).click();
  const diff = await page.getByTestId('pgpool-diff').innerText();
  assert.match(diff, /^-backend_weight1 = 0\.5$/m);
  assert.match(diff, /^\+backend_weight1 = 2$/m);
  assert.match(fs.readFileSync(conf, 'utf8'), /backend_weight1 = 0\.5/, 'a preview writes nothing');
  await screenshot(page, 'en-fanout-wizard-step2');
  await page.getByLabel('backend_weight1').press('Escape');
  await page.getByTestId('overall').waitFor();
});

test('history: filters on the service, with what each entry meant', { skip: skip ?? false }, async () => {
  const page = await browser.newPage();
  await open(page, '#/history');
  await page.locator('.history-entry').first().waitFor();
  assert.match(await page.locator('.history-meaning').first().innerText(), /Backups that were running before resume/);
  await page.getByLabel('Severity').selectOption('error');
  await page.getByText('Entries shown: 0').waitFor();
  await page.getByLabel('Severity').selectOption('info');
  await page.locator('.history-entry').first().waitFor();
  await page.getByLabel('Words').fill('no such words anywhere');
  await page.getByText('Entries shown: 0').waitFor();
  await page.getByLabel('Words').fill('headless');
  await page.getByText('Entries shown: 1').waitFor();
  await screenshot(page, 'en-history');
});

test('every screen fits a small laptop (1024×640) without sideways scrolling', { skip: skip ?? false }, async () => {
  const page = await browser.newPage({ width: 1024, height: 640 });
  await open(page);
  for (const [hash, name] of [
    ['#/dashboard', 'dashboard'],
    ['#/add-backup', 'add-backup'],
    ['#/prepare-master', 'prepare-master'],
    ['#/fanout-setup', 'fanout-setup'],
    ['#/editors/mycnf', 'editors'],
    ['#/binlogs', 'binlogs'],
    ['#/history', 'history'],
    ['#/preferences', 'preferences'],
  ] as const) {
    await go(page, hash);
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    assert.ok(overflow <= 0, `${hash} overflows by ${overflow}px`);
    await screenshot(page, `en-1024x640-${name}`);
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  assert.deepEqual(browser.problems, []);
});

/** WCAG 2 contrast of every visible text against its effective background (disabled controls are exempt). */
const CONTRAST_PROBE = `(() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null; const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
  const lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const bgOf = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0.5) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim() || el.closest(':disabled, [aria-hidden="true"], option, .visually-hidden, .skip-link')) continue;
    const rect = el.getBoundingClientRect();
    if (!rect.width || !rect.height) continue;
    const st = getComputedStyle(el);
    const fg = parse(st.color); const bg = bgOf(el);
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(st.fontSize); const bold = Number(st.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) bad.push(n.textContent.trim().slice(0, 40) + ' (' + ratio.toFixed(2) + ')');
  }
  return bad;
})()`;

test('text contrast meets WCAG AA on every screen', { skip: skip ?? false }, async () => {
  const page = await browser.newPage();
  await open(page);
  for (const hash of ['#/dashboard', '#/add-backup', '#/prepare-master', '#/fanout-setup', '#/editors/mycnf', '#/binlogs', '#/history', '#/preferences']) {
    await go(page, hash);
    assert.deepEqual(await page.evaluate(CONTRAST_PROBE), [], `${hash}: low-contrast text`);
  }
});

test('preferences: the lag limit and notifications are kept by the service, and shown back after a reload', { skip: skip ?? false }, async () => {
  const page = await browser.newPage();
  await open(page, '#/preferences');
  const limit = page.getByLabel('Warn when a backup is more minutes behind than');
  assert.equal(await limit.inputValue(), '5', 'the default: 300 s, as the tray');
  const save = page.getByRole('button', { name: 'Save' });
  assert.ok(await save.isDisabled(), 'nothing to save yet');
  await limit.fill('0');
  await page.getByText('Enter a whole number from 1 to 10080.').waitFor();
  assert.ok(await save.isDisabled());
  await limit.fill('2');
  await page.getByLabel(/Show a notification when a backup stops/).uncheck();
  await save.click();
  await page.getByText(/Saved\. The tray and the other windows follow at once/).waitFor();
  assert.equal(await setting('ui.lagAlertSeconds'), '120');
  assert.equal(await setting('ui.notifications'), 'off');
  await screenshot(page, 'en-preferences');
  await page.reload();
  await page.getByTestId('lang-select').waitFor();
  await go(page, '#/preferences');
  assert.equal(await page.getByLabel('Warn when a backup is more minutes behind than').inputValue(), '2');
  assert.equal(await page.getByLabel(/Show a notification when a backup stops/).isChecked(), false);
  // Back to the defaults for whatever runs after.
  await page.getByLabel('Warn when a backup is more minutes behind than').fill('5');
  await page.getByLabel(/Show a notification when a backup stops/).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await until('the defaults back', async () => (await setting('ui.lagAlertSeconds')) === '300' && (await setting('ui.notifications')) === 'on', 20_000, { everyMs: 200 });
  assert.deepEqual(browser.problems, []);
});
