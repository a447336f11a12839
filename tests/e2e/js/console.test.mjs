// The web console (/_mock/ui) in a real headless Chromium, against the real binary, with
// boto3 doing what a user's test suite would do (through ../boto3_bridge.py).
//
// Needs Debian's chromium ($CHROMIUM, else /usr/bin/chromium), playwright-core in
// node_modules and python3 with boto3 ($GLACIER_E2E_PYTHON, else python3); a missing one
// fails the run with a message saying how to install it. One browser for the whole file.
// Run from this directory: node --test console.test.mjs
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { startServer } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const installHint = 'run `bash scripts/install-deps.sh --with-test-clients`';
// Every wait in this file is bounded by this: a console that never shows something fails.
const UI_TIMEOUT_MS = 10_000;
// Hour-long jobs: only the console's buttons or its clock can finish them in time.
const DELAYS_MS = { Expedited: 3_600_000, Standard: 3_600_000, Bulk: 5 * 3_600_000 };
// Chromium as the task's CI runs it: no sandbox (root in a container), no GPU, nothing of
// its own on the network (no QUIC, component updates, sync or other background fetches).
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function fail(message) {
  console.error(message);
  process.exit(1);
}

async function loadPlaywright() {
  try {
    return await import('playwright-core');
  } catch (error) {
    return fail(`playwright-core is not installed in ${join(here, 'node_modules')}: ` +
                `${installHint} (${error.message})`);
  }
}

const { chromium } = await loadPlaywright();
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!existsSync(chromiumPath)) fail(`Chromium not found at ${chromiumPath}: ${installHint}`);

/** boto3 in a python3 child: call(operation, params) answers in order, one at a time. */
class Boto3 {
  constructor(endpoint) {
    const python = process.env.GLACIER_E2E_PYTHON || 'python3';
    this.child = spawn(python, ['boto3_bridge.py', endpoint], {
      cwd: join(here, '..'), stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    this.stderr = '';
    this.child.stderr.on('data', (chunk) => { this.stderr += chunk; });
    this.waiting = [];
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.waiting.shift()?.resolve(JSON.parse(line));
    });
    this.child.on('exit', (code) => {
      for (const w of this.waiting.splice(0)) {
        w.reject(new Error(`boto3 bridge exited with ${code}:\n${this.stderr.slice(-4000)}`));
      }
    });
  }

  /** The operation's result; throws an Error carrying the AWS error code on a ClientError. */
  async call(operation, params = {}) {
    const answer = await new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(JSON.stringify({ operation, params }) + '\n');
    });
    if (answer.error) {
      throw Object.assign(new Error(`${answer.error.code}: ${answer.error.message}`), answer.error);
    }
    return answer.result;
  }

  close() { this.child.stdin.end(); }
}

/** A fresh profile and a browser on it; close() removes both. */
async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'glacier-mock-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 }, acceptDownloads: true,
    });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    return {
      profile, context,
      async close() {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

async function stopServer(server) {
  if (!server) return;
  const { code, signal } = await server.stop();
  assert.equal(code, 0, `glacier-mock exited with ${code} (${signal}) after SIGTERM:\n` +
                        server.output());
}

describe('the web console in headless Chromium', () => {
  let server;
  let origin;
  let boto3;
  let browser;
  let context;
  let page;
  // Every request any page of the browser made, to check that none left the server.
  const requested = [];

  const admin = async (method, path, body) => {
    const response = await fetch(origin + path, {
      method, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const jobRow = (jobId) => page.locator(`#jobs-table tr[data-job-id="${jobId}"]`);
  const statusOf = (jobId) => jobRow(jobId).locator('td').nth(4);
  async function waitForText(locator, text) {
    await locator.filter({ hasText: text }).first().waitFor({ timeout: UI_TIMEOUT_MS });
  }
  // A fresh fake and a freshly loaded console for each test.
  async function freshPage() {
    await admin('POST', '/_mock/reset');
    await page.goto(origin + '/_mock/ui');
    await waitForText(page.locator('#status'), 'updated');
  }

  before(async () => {
    server = startServer(DELAYS_MS);
    origin = `http://127.0.0.1:${await server.port}`;
    boto3 = new Boto3(origin);
    browser = await launchBrowser();
    context = browser.context;
    context.on('request', (request) => requested.push(request.url()));
    page = context.pages()[0] || await context.newPage();
  });

  after(async () => {
    await browser?.close();
    boto3?.close();
    await stopServer(server);
  });

  it('shows the vault and archives boto3 created, and downloads an archive', async () => {
    await freshPage();
    await boto3.call('create_vault', { vaultName: 'photos' });
    await boto3.call('add_tags_to_vault', { vaultName: 'photos', Tags: { team: 'qa' } });
    const first = await boto3.call('upload_archive', {
      vaultName: 'photos', archiveDescription: 'cat.jpg', body: 'meow'.repeat(1000) });
    const second = await boto3.call('upload_archive', {
      vaultName: 'photos', archiveDescription: 'dog.jpg', body: 'woof' });

    const vaultRow = page.locator('#vaults-table tr[data-vault="photos"]');
    await waitForText(vaultRow, 'team=qa');
    assert.equal(await vaultRow.locator('td').nth(2).textContent(), '2');
    assert.equal(await vaultRow.locator('td').nth(3).textContent(), '3.91 KiB');

    const row = page.locator(`#archives-table tr[data-archive-id="${first.archiveId}"]`);
    await waitForText(row, 'cat.jpg');
    assert.match(await row.textContent(), /3\.91 KiB/);
    assert.equal(await row.locator('td').nth(5).textContent(), '0.00');  // age in days
    await waitForText(page.locator(`#archives-table tr[data-archive-id="${second.archiveId}"]`),
                      'dog.jpg');
    const { uploadId } = await boto3.call('initiate_multipart_upload', {
      vaultName: 'photos', archiveDescription: 'big.iso', partSize: String(1024 * 1024) });
    await waitForText(page.locator('#uploads-table tr'), 'big.iso');
    assert.match(await page.locator('#uploads-table').textContent(), /1\.00 MiB/);
    assert.ok(uploadId);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('link', { name: 'Download' }).click(),
    ]);
    const saved = join(browser.profile, 'download.bin');
    await download.saveAs(saved);
    assert.equal(readFileSync(saved, 'utf8'), 'meow'.repeat(1000));
  });

  it('completes a Bulk job on Complete, and DescribeJob agrees', async () => {
    await freshPage();
    await boto3.call('create_vault', { vaultName: 'bulk' });
    const { archiveId } = await boto3.call('upload_archive', { vaultName: 'bulk', body: 'data' });
    const topic = 'arn:aws:sns:us-east-1:123456789012:retrievals';
    const { jobId } = await boto3.call('initiate_job', { vaultName: 'bulk', jobParameters: {
      Type: 'archive-retrieval', ArchiveId: archiveId, Tier: 'Bulk', SNSTopic: topic } });

    await waitForText(statusOf(jobId), 'InProgress');
    assert.match(await jobRow(jobId).textContent(), /Bulk.*due in 5 h/);
    await jobRow(jobId).getByRole('button', { name: 'Complete' }).click();
    await waitForText(statusOf(jobId), 'Succeeded');
    assert.equal(await jobRow(jobId).getByRole('button').count(), 0);

    const described = await boto3.call('describe_job', { vaultName: 'bulk', jobId });
    assert.equal(described.StatusCode, 'Succeeded');
    assert.equal(described.Completed, true);
    const output = await boto3.call('get_job_output', { vaultName: 'bulk', jobId });
    assert.equal(output.body, 'data');
    assert.match(await jobRow(jobId).textContent(), /4 B/);
    // The job's notification, recorded (no SNS endpoint), and the jobs chart.
    const note = page.locator('#notifications-table tr', { hasText: topic });
    await waitForText(note, 'recorded');
    assert.equal(await note.locator('td').nth(5).textContent(), '0');  // attempts
    await waitForText(page.locator('#chart-jobs text[data-state="Succeeded"]'), '1');
    assert.equal(await page.locator('#chart-jobs text[data-state="InProgress"]').textContent(), '0');
  });

  it('fails a job on Fail with the message given', async () => {
    await freshPage();
    await boto3.call('create_vault', { vaultName: 'failing' });
    const { jobId } = await boto3.call('initiate_job', {
      vaultName: 'failing', jobParameters: { Type: 'inventory-retrieval' } });
    await waitForText(statusOf(jobId), 'InProgress');
    await page.fill('#fail-message', 'tape jammed');
    await jobRow(jobId).getByRole('button', { name: 'Fail' }).click();
    await waitForText(statusOf(jobId), 'Failed');
    const described = await boto3.call('describe_job', { vaultName: 'failing', jobId });
    assert.equal(described.StatusCode, 'Failed');
    assert.equal(described.StatusMessage, 'tape jammed');
  });

  it('advances the clock a day and the due job completes', async () => {
    await freshPage();
    await boto3.call('create_vault', { vaultName: 'clock' });
    const { jobId } = await boto3.call('initiate_job', {
      vaultName: 'clock', jobParameters: { Type: 'inventory-retrieval', Tier: 'Standard' } });
    await waitForText(statusOf(jobId), 'InProgress');
    const clockBefore = await admin('GET', '/_mock/clock');
    await page.getByRole('button', { name: '+1 day' }).click();
    await waitForText(statusOf(jobId), 'Succeeded');
    await waitForText(page.locator('#notice'), 'Clock advanced 24 h: 1 job(s) completed.');
    const clockAfter = await admin('GET', '/_mock/clock');
    assert.ok(clockAfter.offset_seconds - clockBefore.offset_seconds >= 86400,
              JSON.stringify(clockAfter));
    await waitForText(page.locator('#clock-offset'), 'offset +');
    const described = await boto3.call('describe_job', { vaultName: 'clock', jobId });
    assert.equal(described.StatusCode, 'Succeeded');
    // Completed at its due time, an hour after it was created, not a day later.
    assert.equal(Date.parse(described.CompletionDate) - Date.parse(described.CreationDate),
                 3_600_000);
    // Any amount: two hours more (past the job's 24 h retention, so it is gone).
    await page.fill('#advance-amount', '2');
    await page.selectOption('#advance-unit', { label: 'hours' });
    await page.getByRole('button', { name: 'Advance', exact: true }).click();
    await waitForText(page.locator('#notice'), 'Clock advanced 2 h: 0 job(s) completed.');
    const clockLater = await admin('GET', '/_mock/clock');
    assert.ok(clockLater.offset_seconds - clockAfter.offset_seconds >= 7200,
              JSON.stringify(clockLater));
    await page.locator('#jobs-table').getByText('No jobs').waitFor();
  });

  it('adds a fault that fails the next matching request, and removes one', async () => {
    await freshPage();
    await boto3.call('create_vault', { vaultName: 'faulty' });
    const form = page.locator('#fault-form');
    await form.locator('[name=operation]').fill('DescribeVault');
    await form.locator('[name=error]').fill('ThrottlingException');
    await form.locator('[name=message]').fill('slow down');
    await form.locator('[name=count]').fill('1');
    await form.getByRole('button', { name: 'Add fault' }).click();
    const rule = page.locator('#faults-table tr[data-fault-id]');
    await waitForText(rule, 'DescribeVault');

    await assert.rejects(boto3.call('describe_vault', { vaultName: 'faulty' }),
                         (e) => e.code === 'ThrottlingException' && e.status === 400 &&
                                e.message.includes('slow down'));
    assert.equal((await boto3.call('describe_vault', { vaultName: 'faulty' })).VaultName, 'faulty');
    // Used up, the rule leaves the list.
    await page.locator('#faults-table').getByText('No fault rules').waitFor();

    await form.locator('[name=operation]').fill('ListVaults');
    await form.locator('[name=count]').fill('');
    await form.getByRole('button', { name: 'Add fault' }).click();
    await waitForText(rule, 'ListVaults');
    await rule.getByRole('button', { name: 'Remove' }).click();
    await page.locator('#faults-table').getByText('No fault rules').waitFor();
    assert.equal((await boto3.call('list_vaults')).VaultList.length, 1);
  });

  it('shows an admin API error plainly', async () => {
    await freshPage();
    const form = page.locator('#fault-form');
    await form.locator('[name=error]').fill('NoSuchException');
    await form.getByRole('button', { name: 'Add fault' }).click();
    await waitForText(page.locator('#banner'),
                      'POST /_mock/faults answered 400 InvalidParameterValueException: ' +
                      'Invalid fault: unknown error code NoSuchException');
    assert.ok(await page.locator('#banner').isVisible());
  });

  it('resets after confirmation and the page empties', async () => {
    await freshPage();
    await boto3.call('create_vault', { vaultName: 'doomed' });
    const { jobId } = await boto3.call('initiate_job', {
      vaultName: 'doomed', jobParameters: { Type: 'inventory-retrieval' } });
    await waitForText(statusOf(jobId), 'InProgress');

    await page.getByRole('button', { name: 'Reset…' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await waitForText(statusOf(jobId), 'InProgress');  // cancelled: nothing happened

    await page.getByRole('button', { name: 'Reset…' }).click();
    await page.getByRole('button', { name: 'Reset everything' }).click();
    await page.locator('#vaults-table').getByText('No vaults').waitFor();
    await page.locator('#jobs-table').getByText('No jobs').waitFor();
    await page.locator('#archives-table').getByText('No vaults').waitFor();
    assert.deepEqual((await admin('GET', '/_mock/state')).accounts, []);
    assert.deepEqual((await boto3.call('list_vaults')).VaultList, []);
  });

  it('fits a phone screen without sideways scrolling of the page', async () => {
    await freshPage();
    await boto3.call('create_vault', { vaultName: 'phone' });
    await page.setViewportSize({ width: 375, height: 740 });
    try {
      await page.locator('#vaults-table tr[data-vault="phone"]').waitFor();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `the page is ${overflow} px wider than a phone screen`);
      assert.ok(await page.getByRole('button', { name: '+1 day' }).isVisible());
      assert.ok(await page.getByRole('button', { name: 'Reset…' }).isVisible());
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('sent every request of every page above to this server', () => {
    assert.ok(requested.length > 0);
    const foreign = requested.filter((url) => !url.startsWith(origin + '/'));
    assert.deepEqual(foreign, []);
  });
});

// A browser and a server of their own: no cache from the tests above (a favicon, say) can
// hide a request, and the server's access log holds only what this page asked for.
describe('the web console loads nothing from outside the server', () => {
  let server;
  let origin;
  let browser;

  before(async () => {
    server = startServer(DELAYS_MS);
    origin = `http://127.0.0.1:${await server.port}`;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stopServer(server);
  });

  it('asks only this server, and only for the page and the admin API', async () => {
    // Watched, not intercepted: with interception on, Chromium skips requests such as the
    // favicon's, and those are what this test is for.
    const outside = [];
    const page = browser.context.pages()[0] || await browser.context.newPage();
    browser.context.on('request', (request) => {
      if (!request.url().startsWith(origin + '/')) outside.push(request.url());
    });
    await fetch(origin + '/_mock/faults', { method: 'POST',
      body: JSON.stringify({ operation: 'ListVaults', latency_ms: 1 }) });
    await page.goto(origin + '/_mock/ui');
    await page.locator('#status').filter({ hasText: 'updated' }).waitFor();
    // Every control that sends something, once.
    await page.getByRole('button', { name: '+1 h' }).click();
    await page.getByRole('button', { name: 'Advance', exact: true }).click();
    await page.locator('#faults-table').getByRole('button', { name: 'Remove' }).click();
    await page.locator('#faults-table').getByText('No fault rules').waitFor();
    await page.getByRole('button', { name: 'Remove all' }).click();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('#status').filter({ hasText: 'updated' }).waitFor();
    // Long enough for what a browser fetches after the load on its own (the favicon).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await page.close();
    assert.deepEqual(outside, []);

    // What the server saw: one access log line per request, "GET /path Operation 200 ...".
    const log = server.output(1_000_000);
    const seen = [...log.matchAll(/ (GET|POST|PUT|DELETE|HEAD|OPTIONS) (\S+) (\S+) (\d{3}) /g)];
    assert.ok(seen.some((m) => m[2] === '/_mock/ui'), `no request for the page in:\n${log}`);
    for (const [, method, path, operation, status] of seen) {
      assert.match(path, /^\/_mock\//, `the page asked for ${method} ${path}`);
      assert.notEqual(operation, '-', `${method} ${path} matched no admin operation`);
      assert.match(status, /^2/, `${method} ${path} answered ${status}`);
    }
  });
});
