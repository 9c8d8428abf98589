import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { mysqlConnect, uniqueName, useSuiteServers } from '../servers/suite';
import { browserSkipReason, gotoHash, launch, screenshot, startServe, type Browser, type Served } from './harness';

/**
 * The setup screens against the real harness servers, through the real `replicadesk serve`: pre-flight
 * in the add-backup wizard, preparing the master (the account really gets created), and the my.cnf editor
 * (the file really gets changed, with a backup).
 */
const servers = useSuiteServers();
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

test('prepare the master: plan, apply (the account exists afterwards), then the add-backup wizard pre-flights with it', { skip: skip ?? false, timeout: 120_000 }, async () => {
  const { master, target } = servers();
  const user = uniqueName('rd_ui').slice(0, 30);
  const page = await browser.newPage();
  await page.goto(served.openUrl);
  await page.getByTestId('overall').waitFor();
  await gotoHash(page, '#/prepare-master');
  const admin = page.getByRole('group', { name: 'Administrator account on the office server' });
  await admin.getByLabel('Host name or IP address').fill(master.host);
  await admin.getByLabel('Port').fill(String(master.port));
  await admin.getByLabel('User').fill(master.user);
  await admin.getByLabel('Password').fill(master.password);
  await page.getByLabel('Where the backup connects from').fill('%');
  await page.getByLabel('Replication account name').fill(user);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: /Step 2 of 3/ }).waitFor();
  await page.getByRole('button', { name: 'Apply for me' }).waitFor({ timeout: 30_000 });
  const planText = await page.locator('.wizard-body').innerText();
  assert.match(planText, new RegExp(`CREATE USER '${user}'@'%'`), planText);
  await screenshot(page, 'en-prepare-master-plan');
  await page.getByRole('button', { name: 'Apply for me' }).click();
  await page.getByText(/Statements run on the office server: [1-9]/).waitFor({ timeout: 30_000 });

  const c = await mysqlConnect(master);
  try {
    const [rows] = await c.query('SELECT COUNT(*) AS n FROM mysql.user WHERE User = ?', [user]);
    assert.equal(Number((rows as { n: number }[])[0]!.n), 1, 'the replication account was created on the master');

    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Continue: add the backup' }).click();
    await page.getByRole('heading', { name: /Step 1 of 6/ }).waitFor();
    // The new account came along (in memory only).
    const masterBox = page.getByRole('group', { name: 'Office server (master)' });
    assert.equal(await masterBox.getByLabel('User').inputValue(), user);
    assert.ok((await masterBox.getByLabel('Password').inputValue()).length >= 16, 'the generated password came along');
    await page.getByLabel('Name of this backup').fill('office1');
    const targetBox = page.getByRole('group', { name: 'Backup server (where the copy is kept)' });
    await targetBox.getByLabel('Host name or IP address').fill(target.host);
    await targetBox.getByLabel('Port').fill(String(target.port));
    await targetBox.getByLabel('User').fill(target.user);
    await targetBox.getByLabel('Password').fill(target.password);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: /Step 2 of 6/ }).waitFor();
    await page.locator('.checks .check').first().waitFor({ timeout: 60_000 });
    const checks = await page.locator('.checks').innerText();
    assert.match(checks, /log_bin/);
    assert.match(checks, /replication_privileges/);
    const privilege = page.locator('.check', { hasText: 'replication_privileges' });
    const privilegeText = await privilege.innerText();
    assert.match(privilegeText, /^✓\s*OK/, `the account the master wizard made has what replication needs: ${privilegeText}`);
    await screenshot(page, 'en-add-backup-preflight');
  } finally {
    await c.query(`DROP USER IF EXISTS ${c.escape(user)}@'%'`);
    await c.end();
  }
});

test('my.cnf editor: typed fields, diff before saving, the file changed with a backup', { skip: skip ?? false, timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-mycnf-'));
  const file = path.join(dir, 'my.cnf');
  fs.writeFileSync(file, '# office server\n[client]\nport = 3306\n\n[mysqld]\nserver-id = 1\nlog_bin = mysql-bin\nskip-name-resolve\n');
  try {
    const page = await browser.newPage();
    await page.goto(served.openUrl);
    await page.getByTestId('overall').waitFor();
    await gotoHash(page, '#/editors/mycnf');
    await page.getByLabel('my.cnf on the computer where ReplicaDesk runs').fill(file);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByLabel('server_id').waitFor();
    assert.equal(await page.getByLabel('server_id').inputValue(), '1', 'server-id is read as server_id');
    await page.getByLabel('server_id').fill('abc');
    await page.getByText('Expects a whole number in the allowed range.').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Check and show the changes' }).isDisabled(), 'an invalid value cannot be previewed');
    await page.getByLabel('server_id').fill('7');
    await page.getByLabel('binlog_format').selectOption('ROW');
    await page.getByRole('button', { name: 'Check and show the changes' }).click();
    const diff = await page.getByTestId('mycnf-diff').innerText();
    assert.match(diff, /^-server-id = 1$/m);
    assert.match(diff, /^\+server-id = 7$/m);
    assert.match(diff, /^\+binlog_format\s*=\s*ROW$/m);
    assert.match(fs.readFileSync(file, 'utf8'), /server-id = 1/, 'nothing is written by the preview');
    await screenshot(page, 'en-mycnf-diff');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved', { exact: true }).waitFor();
    const after = fs.readFileSync(file, 'utf8');
    assert.match(after, /server-id = 7/);
    assert.match(after, /binlog_format\s*=\s*ROW/);
    assert.match(after, /^skip-name-resolve$/m, 'untouched lines stay as they were');
    const backups = fs.readdirSync(dir).filter((f) => f !== 'my.cnf');
    assert.equal(backups.length, 1, `one backup next to the file: ${backups.join(', ')}`);
    assert.match(fs.readFileSync(path.join(dir, backups[0]!), 'utf8'), /server-id = 1/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the master's binary logs: listed from the real master with what each is for (nothing purged here)", { skip: skip ?? false, timeout: 60_000 }, async () => {
  const { master } = servers();
  const page = await browser.newPage();
  await page.goto(served.openUrl);
  await page.getByTestId('overall').waitFor();
  await gotoHash(page, '#/binlogs');
  const box = page.getByRole('group', { name: 'Administrator account on the office server' });
  await box.getByLabel('Host name or IP address').fill(master.host);
  await box.getByLabel('Port').fill(String(master.port));
  await box.getByLabel('User').fill(master.user);
  await box.getByLabel('Password').fill(master.password);
  await page.getByRole('button', { name: 'Show the logs' }).click();
  const table = page.getByRole('region', { name: 'Binary logs on the master (SHOW BINARY LOGS)' });
  await table.waitFor({ timeout: 30_000 });
  const c = await mysqlConnect(master);
  try {
    const [rows] = await c.query('SHOW MASTER STATUS');
    const current = (rows as { File: string }[])[0]!.File;
    const row = table.locator('tr', { hasText: current });
    assert.match(await row.innerText(), /In use now/, `the current binlog ${current} is marked in use`);
  } finally {
    await c.end();
  }
  await screenshot(page, 'en-binlogs');
});
