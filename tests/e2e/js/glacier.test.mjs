// glacier-mock driven through the AWS SDK for JavaScript v3 (@aws-sdk/client-glacier).
//
// The test starts the real binary itself ($GLACIER_MOCK_BIN, else build/dev/glacier-mock)
// on a free port, and stops it with SIGTERM at the end, expecting exit code 0.
// Run from this directory: node --test glacier.test.mjs  (Node 18 or newer).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import {
  ACCOUNT, JOB_TIMEOUT_MS, MIB, loadSdk, sleep, startServer, treeHash, vaultArn,
} from './harness.mjs';

const {
  GlacierClient, CreateVaultCommand, DescribeVaultCommand, UploadArchiveCommand,
  InitiateJobCommand, DescribeJobCommand, ListJobsCommand, GetJobOutputCommand,
} = await loadSdk();

const DELAYS_MS = { Expedited: 300, Standard: 600, Bulk: 900 };

describe('glacier-mock through @aws-sdk/client-glacier', () => {
  let server;
  let glacier;
  const vault = `js-${process.pid}`;
  const data = randomBytes(2 * MIB + MIB / 2);
  let archiveId;

  const describeJob = (jobId) =>
    glacier.send(new DescribeJobCommand({ accountId: '-', vaultName: vault, jobId }));

  async function waitCompleted(jobId) {
    const deadline = Date.now() + JOB_TIMEOUT_MS;
    for (;;) {
      const job = await describeJob(jobId);
      if (job.Completed) return job;
      assert.ok(Date.now() < deadline, `job ${jobId} did not complete in ${JOB_TIMEOUT_MS} ms`);
      await sleep(50);
    }
  }

  before(async () => {
    server = startServer(DELAYS_MS);
    const port = await server.port;
    glacier = new GlacierClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
  });

  after(async () => {
    glacier?.destroy();
    if (!server) return;
    const { code, signal } = await server.stop();
    assert.equal(code, 0, `glacier-mock exited with ${code} (${signal}) after SIGTERM:\n` +
                          server.output());
  });

  it('creates and describes a vault', async () => {
    for (let i = 0; i < 2; ++i) {
      const created = await glacier.send(
        new CreateVaultCommand({ accountId: '-', vaultName: vault }));
      assert.equal(created.$metadata.httpStatusCode, 201);
      assert.equal(created.location, `/${ACCOUNT}/vaults/${vault}`);
    }
    const described = await glacier.send(
      new DescribeVaultCommand({ accountId: '-', vaultName: vault }));
    assert.equal(described.VaultName, vault);
    assert.equal(described.VaultARN, vaultArn(vault));
  });

  it('uploads an archive with the checksums the SDK computes', async () => {
    const uploaded = await glacier.send(new UploadArchiveCommand({
      accountId: '-', vaultName: vault, archiveDescription: 'from js', body: data,
    }));
    assert.equal(uploaded.$metadata.httpStatusCode, 201);
    assert.equal(uploaded.archiveId.length, 138);
    assert.equal(uploaded.checksum, treeHash(data));
    assert.equal(uploaded.location, `/${ACCOUNT}/vaults/${vault}/archives/${uploaded.archiveId}`);
    archiveId = uploaded.archiveId;
  });

  it('runs an inventory job and an archive job: InProgress, then Succeeded', async () => {
    // Answers that come back before the shortest delay has run out must say InProgress.
    const stillRunning = (since) => Date.now() - since < DELAYS_MS.Expedited;
    const started = {};
    let firstStart;
    for (const [name, parameters] of [
      ['inventory', { Type: 'inventory-retrieval' }],
      ['archive', { Type: 'archive-retrieval', ArchiveId: archiveId, Tier: 'Expedited' }],
    ]) {
      const since = Date.now();
      firstStart ??= since;
      const job = await glacier.send(new InitiateJobCommand({
        accountId: '-', vaultName: vault, jobParameters: parameters,
      }));
      assert.equal(job.$metadata.httpStatusCode, 202);
      assert.equal(job.location, `/${ACCOUNT}/vaults/${vault}/jobs/${job.jobId}`);
      const described = await describeJob(job.jobId);
      if (stillRunning(since)) {
        assert.equal(described.Completed, false);
        assert.equal(described.StatusCode, 'InProgress');
      }
      started[name] = job.jobId;
    }

    const listed = await glacier.send(new ListJobsCommand({
      accountId: '-', vaultName: vault, completed: 'false',
    }));
    if (stillRunning(firstStart)) {
      assert.deepEqual(listed.JobList.map((job) => job.JobId).sort(),
                       [started.inventory, started.archive].sort());
    }

    const archiveJob = await waitCompleted(started.archive);
    assert.equal(archiveJob.StatusCode, 'Succeeded');
    assert.equal(archiveJob.Action, 'ArchiveRetrieval');
    assert.equal(archiveJob.SHA256TreeHash, treeHash(data));
    const inventoryJob = await waitCompleted(started.inventory);
    assert.equal(inventoryJob.StatusCode, 'Succeeded');
    assert.equal(inventoryJob.Action, 'InventoryRetrieval');

    const succeeded = await glacier.send(new ListJobsCommand({
      accountId: '-', vaultName: vault, statuscode: 'Succeeded',
    }));
    assert.deepEqual(succeeded.JobList.map((job) => job.JobId),
                     [started.inventory, started.archive]);
    const running = await glacier.send(new ListJobsCommand({
      accountId: '-', vaultName: vault, completed: 'false',
    }));
    assert.deepEqual(running.JobList, []);

    const output = await glacier.send(new GetJobOutputCommand({
      accountId: '-', vaultName: vault, jobId: started.archive,
    }));
    assert.equal(output.status, 200);
    assert.equal(output.checksum, treeHash(data));
    const bytes = Buffer.from(await output.body.transformToByteArray());
    assert.ok(bytes.equals(data), 'retrieved bytes differ from the uploaded ones');

    const inventory = await glacier.send(new GetJobOutputCommand({
      accountId: '-', vaultName: vault, jobId: started.inventory,
    }));
    const list = JSON.parse(await inventory.body.transformToString());
    assert.equal(list.VaultARN, vaultArn(vault));
    assert.deepEqual(list.ArchiveList.map((a) => [a.ArchiveId, a.Size]),
                     [[archiveId, data.length]]);
  });

  it('reports validation errors and unknown vaults as the service does', async () => {
    await assert.rejects(
      glacier.send(new InitiateJobCommand({
        accountId: '-', vaultName: vault, jobParameters: { Type: 'bogus' },
      })),
      (error) => {
        assert.equal(error.name, 'InvalidParameterValueException');
        assert.equal(error.$metadata.httpStatusCode, 400);
        assert.match(error.message, /type/i);
        return true;
      });
    await assert.rejects(
      glacier.send(new DescribeVaultCommand({ accountId: '-', vaultName: `${vault}-missing` })),
      (error) => {
        assert.equal(error.name, 'ResourceNotFoundException');
        assert.equal(error.$metadata.httpStatusCode, 404);
        assert.equal(error.message, `Vault not found for ARN: ${vaultArn(`${vault}-missing`)}`);
        return true;
      });
  });
});
