import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkipReason, englishLooking, gotoHash, launch, screenshot, startServe, switchLang, writePgpoolConf, type Browser, type Served } from './harness';

/**
 * Every language renders without English leaking through and without raw keys. The compiler already
 * rejects a missing key; these tests catch a key that exists but was left in English, a placeholder that
 * a translation dropped, and a string rendered without going through the catalog at all.
 */
// The catalogs belong to the renderer's (browser) TypeScript project; they are loaded at run time here,
// where the compiler has already checked that ja and zh have every key of en.
type MessageKey = string;
type Catalog = Record<MessageKey, string>;
const load = (lang: string): Catalog => (require(`../../renderer/src/i18n/${lang}`) as Record<string, Catalog>)[lang]!;
const en = load('en');
const OTHER = { ja: load('ja'), zh: load('zh') } as const;
const KEYS = Object.keys(en);
/** Strings that are the same in every language on purpose: product names, MySQL/pgpool words. */
const SAME_EVERYWHERE = new Set<MessageKey>(['app.title', 'check.pass']);
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every catalog entry is translated, with the same placeholders', () => {
  for (const [lang, catalog] of Object.entries(OTHER)) {
    for (const key of KEYS) {
      const text = catalog[key] ?? '';
      assert.ok(text.trim().length > 0, `${lang} ${key} is empty`);
      assert.deepEqual(placeholders(text), placeholders(en[key]!), `${lang} ${key}: placeholders differ`);
      if (!SAME_EVERYWHERE.has(key)) assert.notEqual(text, en[key], `${lang} ${key} is still English`);
    }
  }
});

/** Fragments of English text long enough to be recognisable, for the languages where they differ. */
function englishFragments(lang: keyof typeof OTHER): { key: MessageKey; fragment: string }[] {
  const out: { key: MessageKey; fragment: string }[] = [];
  for (const key of KEYS) {
    if (OTHER[lang][key] === en[key]) continue;
    for (const part of en[key]!.split(/\{\w+\}/)) {
      const fragment = part.trim().replace(/[.:,;…]+$/, '');
      // Short words ("Back", "Port") may legitimately occur inside MySQL terms or user data; and a term the
      // translations use themselves (pgpool.conf, SHOW SLAVE STATUS) is not a leak.
      const usedInTranslation = Object.values(OTHER[lang]).some((v) => v.includes(fragment));
      if (fragment.length >= 8 && /[a-z]{3}/.test(fragment) && !usedInTranslation) out.push({ key, fragment });
    }
  }
  return out;
}

const skip = browserSkipReason();
if (skip) console.log(`[browser] skipped: ${skip}`);
let served: Served;
let browser: Browser;
before(async () => {
  if (skip) return;
  served = await startServe();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await served?.stop();
});

const SCREENS = ['#/dashboard', '#/add-backup', '#/prepare-master', '#/fanout-setup', '#/editors/mycnf', '#/editors/pgpool', '#/binlogs', '#/history', '#/preferences'] as const;

/** What a person can read or a screen reader can say: visible text plus accessible names and hints. */
async function readable(page: Page): Promise<string> {
  return String(
    await page.evaluate(`(() => {
      const attrs = [...document.querySelectorAll('[aria-label],[title],[placeholder],[alt]')]
        .flatMap((el) => ['aria-label', 'title', 'placeholder', 'alt'].map((a) => el.getAttribute(a) || ''));
      return [document.body.innerText, ...attrs, document.title].join('\\n');
    })()`),
  );
}

/** Opens what is folded away on a screen (details, later wizard steps reachable without the service). */
async function unfold(page: Page): Promise<void> {
  await page.evaluate(`document.querySelectorAll('details').forEach((d) => (d.open = true))`);
}

for (const lang of ['ja', 'zh'] as const) {
  test(`every screen in ${lang} shows no English catalog text, no raw keys and no unfilled placeholders`, { skip: skip ?? false }, async () => {
    const page = await browser.newPage();
    await page.goto(served.openUrl);
    await page.getByTestId('overall').waitFor();
    await switchLang(page, lang);
    const fragments = englishFragments(lang);
    for (const hash of SCREENS) {
      await gotoHash(page, hash);
      await unfold(page);
      // The fan-out wizard's later step is reachable without the service: check it too.
      const texts = [await readable(page)];
      if (hash === '#/fanout-setup') {
        await page.locator('input').first().fill('pg1');
        await page.locator('input.mono').first().fill(writePgpoolConf([{ host: '10.0.0.5', port: 5432 }, { host: '10.0.0.6', port: 5432 }]));
        await page.locator('button[type="submit"]').click();
        await page.locator('.wizard-steps li.current').filter({ hasText: '2' }).waitFor();
        texts.push(await readable(page));
        await screenshot(page, `${lang}-fanout-wizard-step2`);
        await page.locator('.wizard-steps button').first().click();
        // "Write a new setup": its form too (left open for the checks below).
        await page.locator('input[name="fanout-mode"]').nth(1).check();
        await page.locator('input[type="password"]').first().waitFor();
        texts.push(await readable(page));
      }
      // Submitting the empty add-backup form shows every validation message.
      if (hash === '#/prepare-master') {
        await page.locator('input').first().fill('');
        texts.push(await readable(page));
      }
      const text = texts.join('\n');
      assert.deepEqual(await englishLooking(page), [], `${lang} ${hash}: English-looking text outside the catalog`);
      for (const { key, fragment } of fragments) assert.ok(!text.includes(fragment), `${lang} ${hash}: English text of ${key} shows: "${fragment}"`);
      for (const key of KEYS) assert.ok(!text.includes(key), `${lang} ${hash}: raw key ${key} shows`);
      assert.doesNotMatch(text, /\{[a-zA-Z]+\}/, `${lang} ${hash}: an unfilled placeholder shows`);
      await screenshot(page, `${lang}-${hash.replace(/^#\//, '').replace(/\//g, '-')}`);
    }
    await switchLang(page, 'en');
  });
}

test('the English screens show their catalog text (the check above would catch a leak)', { skip: skip ?? false }, async () => {
  // Guards the ja/zh test against passing vacuously: the same fragments must be found in English.
  const page = await browser.newPage();
  await page.goto(served.openUrl);
  await page.getByTestId('overall').waitFor();
  await switchLang(page, 'en');
  const fragments = englishFragments('ja');
  let found = 0;
  let english = 0;
  for (const hash of SCREENS) {
    await gotoHash(page, hash);
    await unfold(page);
    const text = await readable(page);
    found += fragments.filter((f) => text.includes(f.fragment)).length;
    english += (await englishLooking(page)).length;
    await screenshot(page, `en-${hash.replace(/^#\//, '').replace(/\//g, '-')}`);
  }
  assert.ok(found > 50, `only ${found} English fragments were found on the English screens`);
  assert.ok(english > 20, `the English-looking detector found only ${english} nodes in English`);
});
