// Regenerates docs/console.png, README's picture of the web console: starts the real binary,
// fills it with a small scene through the JS SDK and the admin API, and has headless
// Chromium photograph /_mock/ui. Run by hand from this directory after a build:
//   node console_screenshot.mjs [output.png]   (default ../../../docs/console.png)
// then, to keep the committed picture small: pngquant --force --output FILE 64 FILE
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadSdk, sleep, startServer } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const output = process.argv[2] || join(here, '..', '..', '..', 'docs', 'console.png');
const { chromium } = await import('playwright-core');
const {
  GlacierClient, CreateVaultCommand, UploadArchiveCommand, InitiateJobCommand,
  AddTagsToVaultCommand, SetVaultNotificationsCommand, ListVaultsCommand,
} = await loadSdk();

const server = startServer({ Expedited: 1000, Standard: 3_600_000, Bulk: 5 * 3_600_000 });
const origin = `http://127.0.0.1:${await server.port}`;
const profile = mkdtempSync(join(tmpdir(), 'glacier-mock-chromium-'));
const glacier = new GlacierClient({
  endpoint: origin, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  maxAttempts: 1,
});
const admin = (method, path, body) =>
  fetch(origin + path, { method, body: body && JSON.stringify(body) });
try {
  const send = (command) => glacier.send(command);
  for (const vaultName of ['photos', 'backups']) {
    await send(new CreateVaultCommand({ accountId: '-', vaultName }));
  }
  await send(new AddTagsToVaultCommand({ accountId: '-', vaultName: 'photos',
                                         Tags: { team: 'media', env: 'test' } }));
  await send(new SetVaultNotificationsCommand({ accountId: '-', vaultName: 'photos',
    vaultNotificationConfig: { SNSTopic: 'arn:aws:sns:us-east-1:123456789012:glacier-jobs',
                               Events: ['ArchiveRetrievalCompleted'] } }));
  const ids = [];
  for (const [name, size] of [['cat.jpg', 48_213], ['dog.jpg', 1_250_000], ['hill.png', 310]]) {
    const body = Buffer.alloc(size, name);
    ids.push((await send(new UploadArchiveCommand({
      accountId: '-', vaultName: 'photos', archiveDescription: name, body }))).archiveId);
  }
  await send(new UploadArchiveCommand({ accountId: '-', vaultName: 'backups', body: 'db dump' }));
  const job = (jobParameters) => send(new InitiateJobCommand({
    accountId: '-', vaultName: 'photos', jobParameters }));
  await job({ Type: 'archive-retrieval', ArchiveId: ids[0], Tier: 'Expedited',
              SNSTopic: 'arn:aws:sns:us-east-1:123456789012:glacier-jobs' });
  await job({ Type: 'archive-retrieval', ArchiveId: ids[1], Tier: 'Bulk' });
  await job({ Type: 'inventory-retrieval' });
  await admin('POST', '/_mock/faults', { operation: 'UploadArchive',
    error: 'ServiceUnavailableException', message: 'try again', count: 3 });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1200, height: 1300 }, colorScheme: 'light',
  });
  const page = context.pages()[0] || await context.newPage();
  await page.goto(origin + '/_mock/ui');
  // A few polls of steady traffic, so the requests chart has a line to draw.
  for (let i = 0; i < 12; i++) {
    await send(new ListVaultsCommand({ accountId: '-' }));
    if (i % 3 === 0) await job({ Type: 'inventory-retrieval', Tier: 'Standard' });
    await sleep(400);
  }
  await page.locator('#vaults-table').getByRole('button', { name: 'photos' }).click();
  await page.locator('#status').filter({ hasText: 'updated' }).waitFor();
  await page.screenshot({ path: output, fullPage: false });
  await context.close();
  console.log(`wrote ${output}`);
} finally {
  glacier.destroy();
  await server.stop();
  rmSync(profile, { recursive: true, force: true });
}
