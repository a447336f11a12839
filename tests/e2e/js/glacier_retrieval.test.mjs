// Archive round trips through the AWS SDK for JavaScript v3 (@aws-sdk/client-glacier):
// single-request and multipart uploads of 1 B, 1 MiB + 1 and 5 MiB, retrieval jobs and
// GetJobOutput (whole and ranged), with byte-identical output and every tree hash equal to
// one computed here with node:crypto.
//
// The test starts the real binary itself ($GLACIER_MOCK_BIN, else build/dev/glacier-mock)
// on a free port, and stops it with SIGTERM at the end, expecting exit code 0.
// Run from this directory: node --test glacier_retrieval.test.mjs  (Node 18 or newer).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import {
  ACCOUNT, JOB_TIMEOUT_MS, MIB, loadSdk, sleep, startServer, treeHash, vaultArn,
} from './harness.mjs';

const {
  GlacierClient, CreateVaultCommand, DescribeVaultCommand, UploadArchiveCommand,
  InitiateMultipartUploadCommand, UploadMultipartPartCommand, ListPartsCommand,
  CompleteMultipartUploadCommand, InitiateJobCommand, DescribeJobCommand, GetJobOutputCommand,
} = await loadSdk();

// Expedited completes right after the 202: the round trips do not wait on timers.
const DELAYS_MS = { Expedited: 0, Standard: 30, Bulk: 60 };
// [size, multipart part size, part order]
const CASES = [[1, MIB, [0]], [MIB + 1, MIB, [1, 0]], [5 * MIB, MIB, [3, 0, 4, 2, 1]]];

describe('archive round trips through @aws-sdk/client-glacier', () => {
  let server;
  let glacier;
  const vault = `js-retrieval-${process.pid}`;
  const data = new Map(CASES.map(([size]) => [size, randomBytes(size)]));
  const retrievedJobs = new Map();

  function assertSameBytes(got, want, what) {
    assert.ok(got.equals(want),
              `${what}: ${got.length} bytes received, ${want.length} expected, contents differ`);
  }

  async function waitCompleted(jobId) {
    const deadline = Date.now() + JOB_TIMEOUT_MS;
    for (;;) {
      const job = await glacier.send(
        new DescribeJobCommand({ accountId: '-', vaultName: vault, jobId }));
      if (job.Completed) return job;
      assert.ok(Date.now() < deadline, `job ${jobId} did not complete in ${JOB_TIMEOUT_MS} ms`);
      await sleep(20);
    }
  }

  /** An Expedited whole-archive job, its DescribeJob hashes and its output. */
  async function retrieveAndCheck(archiveId, bytes, what) {
    const expected = treeHash(bytes);
    const { jobId } = await glacier.send(new InitiateJobCommand({
      accountId: '-', vaultName: vault,
      jobParameters: { Type: 'archive-retrieval', ArchiveId: archiveId, Tier: 'Expedited' },
    }));
    const job = await waitCompleted(jobId);
    assert.equal(job.StatusCode, 'Succeeded', what);
    assert.equal(job.ArchiveSizeInBytes, bytes.length, what);
    assert.equal(job.RetrievalByteRange, `0-${bytes.length - 1}`, what);
    assert.equal(job.SHA256TreeHash, expected, `${what}: SHA256TreeHash`);
    assert.equal(job.ArchiveSHA256TreeHash, expected, `${what}: ArchiveSHA256TreeHash`);

    const output = await glacier.send(new GetJobOutputCommand({
      accountId: '-', vaultName: vault, jobId,
    }));
    assert.equal(output.status, 200, what);
    assert.equal(output.contentType, 'application/octet-stream', what);
    assert.equal(output.checksum, expected, `${what}: GetJobOutput checksum`);
    assertSameBytes(Buffer.from(await output.body.transformToByteArray()), bytes,
                    `${what}: GetJobOutput body`);
    return jobId;
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
    await glacier.send(new CreateVaultCommand({ accountId: '-', vaultName: vault }));
  });

  after(async () => {
    glacier?.destroy();
    if (!server) return;
    const { code, signal } = await server.stop();
    assert.equal(code, 0, `glacier-mock exited with ${code} (${signal}) after SIGTERM:\n` +
                          server.output());
  });

  for (const [size] of CASES) {
    it(`round-trips ${size} bytes uploaded in one request`, async () => {
      const bytes = data.get(size);
      const uploaded = await glacier.send(new UploadArchiveCommand({
        accountId: '-', vaultName: vault, archiveDescription: `js single ${size}`, body: bytes,
      }));
      assert.equal(uploaded.$metadata.httpStatusCode, 201);
      assert.equal(uploaded.checksum, treeHash(bytes));
      assert.equal(uploaded.location,
                   `/${ACCOUNT}/vaults/${vault}/archives/${uploaded.archiveId}`);
      retrievedJobs.set(size, await retrieveAndCheck(uploaded.archiveId, bytes,
                                                     `single ${size}`));
    });
  }

  for (const [size, partSize, order] of CASES) {
    it(`round-trips ${size} bytes uploaded in ${partSize}-byte parts, order ${order}`,
       async () => {
         const bytes = data.get(size);
         const what = `multipart ${size}`;
         const initiated = await glacier.send(new InitiateMultipartUploadCommand({
           accountId: '-', vaultName: vault, partSize: String(partSize),
           archiveDescription: `js multipart ${size}`,
         }));
         assert.equal(initiated.$metadata.httpStatusCode, 201);
         const { uploadId } = initiated;
         const expectedParts = [];
         for (const index of order) {
           const start = index * partSize;
           const part = bytes.subarray(start, start + partSize);
           const end = start + part.length - 1;
           const checksum = treeHash(part);
           const uploaded = await glacier.send(new UploadMultipartPartCommand({
             accountId: '-', vaultName: vault, uploadId, range: `bytes ${start}-${end}/*`,
             checksum, body: part,
           }));
           assert.equal(uploaded.$metadata.httpStatusCode, 204, `${what}: part ${index}`);
           assert.equal(uploaded.checksum, checksum, `${what}: part ${index}`);
           expectedParts.push({ start, RangeInBytes: `${start}-${end}`, SHA256TreeHash: checksum });
         }
         const listed = await glacier.send(new ListPartsCommand({
           accountId: '-', vaultName: vault, uploadId,
         }));
         assert.equal(listed.PartSizeInBytes, partSize);
         assert.deepEqual(listed.Parts,
                          expectedParts.sort((a, b) => a.start - b.start)
                            .map(({ RangeInBytes, SHA256TreeHash }) =>
                              ({ RangeInBytes, SHA256TreeHash })));

         const checksum = treeHash(bytes);
         const done = await glacier.send(new CompleteMultipartUploadCommand({
           accountId: '-', vaultName: vault, uploadId, archiveSize: String(size), checksum,
         }));
         assert.equal(done.$metadata.httpStatusCode, 201);
         assert.equal(done.checksum, checksum);
         assert.equal(done.location, `/${ACCOUNT}/vaults/${vault}/archives/${done.archiveId}`);
         await retrieveAndCheck(done.archiveId, bytes, what);
       });
  }

  it('serves ranges of a job output, with a tree hash only for MiB-aligned ones', async () => {
    const size = 5 * MIB;
    const bytes = data.get(size);
    const jobId = retrievedJobs.get(size);
    assert.ok(jobId, 'the single-request 5 MiB round trip ran first');
    for (const [start, end, withHash] of [
      [MIB, 2 * MIB - 1, true], [4 * MIB, size - 1, true], [0, 4 * MIB - 1, true],
      [1, MIB, false], [0, 1023, false], [MIB, size - 2, false],
    ]) {
      const what = `Range bytes=${start}-${end}`;
      const part = await glacier.send(new GetJobOutputCommand({
        accountId: '-', vaultName: vault, jobId, range: `bytes=${start}-${end}`,
      }));
      const body = Buffer.from(await part.body.transformToByteArray());
      assert.equal(part.status, 206, what);
      assert.equal(part.contentRange, `bytes ${start}-${end}/${size}`, what);
      assertSameBytes(body, bytes.subarray(start, end + 1), what);
      assert.equal(part.checksum, withHash ? treeHash(body) : undefined, `${what}: checksum`);
    }
    const header = `bytes=${size}-${size + MIB - 1}`;
    await assert.rejects(
      glacier.send(new GetJobOutputCommand({
        accountId: '-', vaultName: vault, jobId, range: header,
      })),
      (error) => {
        assert.equal(error.name, 'InvalidParameterValueException');
        assert.equal(error.$metadata.httpStatusCode, 400);
        assert.equal(error.message,
                     `The start of the range is larger than size of retrieved data: ${header}`);
        return true;
      });

    const described = await glacier.send(
      new DescribeVaultCommand({ accountId: '-', vaultName: vault }));
    const total = CASES.reduce((sum, [n]) => sum + 2 * n, 0);
    assert.equal(described.NumberOfArchives, 2 * CASES.length);
    assert.equal(described.SizeInBytes, total);
  });
});
