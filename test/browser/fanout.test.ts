import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { freePort } from '../servers/ports';
import { startPostgres, type PostgresInstance } from '../servers/postgres';
import { makeRunDir } from '../servers/workdir';
import { browserSkipReason, until, gotoHash, launch, screenshot, startServe, writePgpoolConf, type Browser, type Served } from './harness';

/**
 * Issue 8's fan-out path on real PostgreSQL: the wizard defines a fan-out from a pgpool.conf with two
 * backends of this file's own (one of them is killed, so not the shared servers) and starts it; writes go
 * to both; a killed backend shows as detached on the dashboard; once it is back, Recover from its row copies
 * it back in step and attaches it.
 */
const skip = browserSkipReason();
if (skip) console.log(`[browser] skipped: ${skip}`);
let served: Served;
let browser: Browser;
let runDir: string;
let nodes: PostgresInstance[] = [];
before(async () => {
  if (skip) return;
  runDir = makeRunDir('rd-ui-fanout-');
  nodes = await Promise.all([startPostgres({ name: 'n0', runDir }), startPostgres({ name: 'n1', runDir })]);
  served = await startServe();
  browser = await launch({ locale: 'en-US' });
});
after(async () => {
  await browser?.close();
  await served?.stop();
  for (const n of nodes) await n.stop().catch(() => undefined);
  if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
});


/** Here a probe may fail while a node is being killed or recovered: that counts as "not yet". */
const untilOk = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000) => until(what, fn, timeoutMs, { tolerateErrors: true });

test('fan-out wizard with two backends; a killed one shows detached; Recover brings it back', { skip: skip ?? false, timeout: 300_000 }, async () => {
  const [n0, n1] = nodes as [PostgresInstance, PostgresInstance];
  const port = await freePort();
  const conf = writePgpoolConf([{ host: n0.host, port: n0.port }, { host: n1.host, port: n1.port }], port, [
    "pool_passwd = 'pool_passwd'",
    'health_check_period = 1',
    'health_check_timeout = 2',
    'health_check_max_retries = 0',
    `health_check_user = '${n0.user}'`,
    `health_check_password = '${n0.password}'`,
    `recovery_user = '${n0.user}'`,
    `recovery_password = '${n0.password}'`,
  ]);
  fs.writeFileSync(path.join(path.dirname(conf), 'pool_passwd'), `${n0.user}:TEXT${n0.password}\n`, { mode: 0o600 });
  const name = `pg-ui-${port}`;
  try {
    const page = await browser.newPage();
    await page.goto(served.openUrl);
    await page.getByTestId('overall').waitFor();
    await gotoHash(page, '#/fanout-setup');
    await page.getByLabel('Name of this fan-out').fill(name);
    await page.getByLabel('Your pgpool.conf').fill(conf);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: /Step 2 of 4/ }).waitFor();
    assert.equal(await page.getByLabel('backend_port1').inputValue(), String(n1.port));
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: /Step 3 of 4/ }).waitFor();
    assert.match(await page.locator('.wizard-body').innerText(), /ReplicaDesk can run this file: 2 servers/);
    // Each backend signed in to before anything starts.
    await page.getByText(/All 2 servers answered/).waitFor({ timeout: 30_000 });
    const rows = await page.locator('.wizard-body tbody tr').allInnerTexts();
    assert.equal(rows.filter((r) => r.includes(`OK: signed in as ${n0.user}`)).length, 2, rows.join('\n'));
    assert.ok(rows.some((r) => r.includes(`${n1.host}:${n1.port}`)));
    await screenshot(page, 'en-fanout-wizard-check');
    await page.getByRole('button', { name: 'Start the fan-out' }).click();
    await page.getByText(/The fan-out is running/).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Open it on the dashboard' }).click();
    const card = page.getByTestId(`fanout-${name}`);
    await card.waitFor();
    await untilOk('both nodes up on the card', async () => (await card.locator('tbody tr').allInnerTexts()).filter((r) => /Up/.test(r)).length === 2);
    await screenshot(page, 'en-dashboard-fanout');

    // Writes through the proxy reach both servers.
    const client = new pg.Client({ host: '127.0.0.1', port, user: n0.user, password: n0.password, database: 'postgres' });
    await client.connect();
    await client.query('CREATE TABLE ui_orders (id int PRIMARY KEY, item text)');
    await client.query("INSERT INTO ui_orders VALUES (1, 'paper')");

    // Kill node 1: the health check sets it aside and the card says so.
    await n1.kill();
    await untilOk('node 1 detached on the card', async () => /Detached/.test(await card.locator('tbody tr').nth(1).innerText()), 60_000);
    assert.match(await card.locator('.card-actions').innerText(), /A server is detached/);
    await untilOk('the overall line to follow', async () => /need attention/.test(await page.getByTestId('overall').innerText()));
    await client.query("INSERT INTO ui_orders VALUES (2, 'ink')"); // node 1 misses this one
    await screenshot(page, 'en-dashboard-fanout-detached');

    // Back on its feet, then Recover from the row.
    await n1.restart();
    await card.getByRole('button', { name: `Recover ${n1.host}:${n1.port}` }).click();
    await untilOk('node 1 up again after recovery', async () => /Up/.test(await card.locator('tbody tr').nth(1).innerText()), 180_000);
    const direct = await n1.connect();
    try {
      const r = await direct.query('SELECT id, item FROM ui_orders ORDER BY id');
      assert.deepEqual(r.rows, [{ id: 1, item: 'paper' }, { id: 2, item: 'ink' }], 'the recovered node has the write it missed');
    } finally {
      await direct.end();
    }
    await client.end();
    assert.deepEqual(browser.problems, []);
    // Closed before the fan-out is removed below: its dashboard would still be polling the removed one.
    await page.close();
  } finally {
    await served.call('fanouts.stop', { name }).catch(() => undefined);
    await served.call('fanouts.delete', { name }).catch(() => undefined);
    fs.rmSync(path.dirname(conf), { recursive: true, force: true });
  }
});

test('the check step names a server that does not answer and holds the start back', { skip: skip ?? false, timeout: 120_000 }, async () => {
  const [n0] = nodes as [PostgresInstance];
  const closed = await freePort(); // nothing listens there
  const conf = writePgpoolConf([{ host: n0.host, port: n0.port }, { host: '127.0.0.1', port: closed }], await freePort(), [
    'health_check_timeout = 2',
    `health_check_user = '${n0.user}'`,
    `health_check_password = '${n0.password}'`,
  ]);
  const name = `pg-down-${closed}`;
  try {
    const page = await browser.newPage();
    await page.goto(served.openUrl);
    await page.getByTestId('overall').waitFor();
    await gotoHash(page, '#/fanout-setup');
    await page.getByLabel('Name of this fan-out').fill(name);
    await page.getByLabel('Your pgpool.conf').fill(conf);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: /Step 2 of 4/ }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: /Step 3 of 4/ }).waitFor();
    await page.getByText(/1 server\(s\) did not answer/).waitFor({ timeout: 30_000 });
    const rows = await page.locator('.wizard-body tbody tr').allInnerTexts();
    assert.ok(rows.some((r) => r.includes(`127.0.0.1:${closed}`) && r.includes('Not reachable')), rows.join('\n'));
    assert.ok(rows.some((r) => r.includes(`${n0.host}:${n0.port}`) && r.includes('OK: signed in')), rows.join('\n'));
    assert.ok(await page.getByRole('button', { name: 'Start the fan-out' }).isDisabled(), 'no start while a server does not answer');
    await screenshot(page, 'en-fanout-wizard-check-unreachable');
    await page.getByRole('button', { name: 'Check again' }).click();
    await page.getByText(/1 server\(s\) did not answer/).waitFor({ timeout: 30_000 });
    assert.ok(!((await served.call('fanouts.list', {})) as { name: string; running: boolean }[]).find((f) => f.name === name)?.running, 'nothing was started');
    assert.deepEqual(browser.problems, []);
  } finally {
    await served.call('fanouts.delete', { name }).catch(() => undefined);
    fs.rmSync(path.dirname(conf), { recursive: true, force: true });
  }
});

test('a new setup written by ReplicaDesk: servers and sign-in entered, files written, each server checked, started, writes reach both', { skip: skip ?? false, timeout: 180_000 }, async () => {
  const [n0, n1] = nodes as [PostgresInstance, PostgresInstance];
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rd-pgpool-new-')), 'office');
  const port = await freePort();
  const name = `pg-new-${port}`;
  try {
    const page = await browser.newPage();
    await page.goto(served.openUrl);
    await page.getByTestId('overall').waitFor();
    await gotoHash(page, '#/fanout-setup');
    await page.getByLabel('Name of this fan-out').fill(name);
    await page.getByLabel('Write a new setup').check();
    await page.getByLabel('Folder for the new files').fill(dir);
    await page.getByLabel('Port applications connect to').fill(String(port));
    for (const [i, n] of [n0, n1].entries()) {
      const row = page.getByRole('group', { name: new RegExp(`^Server \\+${i}`) });
      await row.getByLabel(/backend_hostname/).fill(n.host);
      await row.getByLabel(/backend_port/).fill(String(n.port));
    }
    await page.getByLabel('PostgreSQL user').fill(n0.user);
    await page.getByLabel('Its password').fill(n0.password);
    await screenshot(page, 'en-fanout-wizard-new-setup');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: /Step 3 of 4/ }).waitFor({ timeout: 30_000 });
    await page.getByText(/All 2 servers answered/).waitFor({ timeout: 30_000 });
    // The files are pgpool-II's own, beside each other, the passwords not in clear.
    assert.ok(fs.existsSync(path.join(dir, 'pgpool.conf')) && fs.existsSync(path.join(dir, 'pool_hba.conf')));
    assert.ok(!fs.readFileSync(path.join(dir, 'pool_passwd'), 'utf8').includes(n0.password), 'pool_passwd holds no clear password');
    await page.getByRole('button', { name: 'Start the fan-out' }).click();
    await page.getByText(/The fan-out is running/).waitFor({ timeout: 60_000 });
    const client = new pg.Client({ host: '127.0.0.1', port, user: n0.user, password: n0.password, database: 'postgres' });
    await client.connect();
    try {
      await client.query('CREATE TABLE ui_new_setup (id int PRIMARY KEY)');
      await client.query('INSERT INTO ui_new_setup VALUES (1)');
    } finally {
      await client.end();
    }
    for (const n of [n0, n1]) {
      const direct = await n.connect();
      try {
        assert.deepEqual((await direct.query('SELECT id FROM ui_new_setup')).rows, [{ id: 1 }]);
        await direct.query('DROP TABLE ui_new_setup');
      } finally {
        await direct.end();
      }
    }
    assert.deepEqual(browser.problems, []);
    await page.close();
  } finally {
    await served.call('fanouts.stop', { name }).catch(() => undefined);
    await served.call('fanouts.delete', { name }).catch(() => undefined);
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});
