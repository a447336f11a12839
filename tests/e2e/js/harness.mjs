// What the JS end-to-end tests share: loading the SDK (failing loudly when it is missing),
// the tree hash, and starting/stopping the real glacier-mock binary
// ($GLACIER_MOCK_BIN, else build/dev/glacier-mock) on a free port.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const installHint = 'run `bash scripts/install-deps.sh --with-test-clients`';

export const ACCOUNT = '123456789012';
export const MIB = 1024 * 1024;
export const STARTUP_TIMEOUT_MS = 10_000;
export const SHUTDOWN_TIMEOUT_MS = 5_000;
export const JOB_TIMEOUT_MS = 10_000;

/** @aws-sdk/client-glacier, or exit 1 with a message saying how to install it. */
export async function loadSdk() {
  try {
    return await import('@aws-sdk/client-glacier');
  } catch (error) {
    console.error(`@aws-sdk/client-glacier is not installed in ${join(here, 'node_modules')}: ` +
                  `${installHint} (${error.message})`);
    process.exit(1);
  }
}

/** SHA-256 tree hash: 1 MiB leaves, pairs of raw digests hashed, an odd one promoted. */
export function treeHash(data) {
  let level = [];
  for (let i = 0; i < data.length; i += MIB) {
    level.push(createHash('sha256').update(data.subarray(i, i + MIB)).digest());
  }
  if (level.length === 0) return createHash('sha256').digest('hex');
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length
        ? createHash('sha256').update(Buffer.concat([level[i], level[i + 1]])).digest()
        : level[i]);
    }
    level = next;
  }
  return level[0].toString('hex');
}

export const vaultArn = (name) => `arn:aws:glacier:us-east-1:${ACCOUNT}:vaults/${name}`;
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the real binary on a free port with these tier delays (ms). */
// GLACIER_MOCK_E2E_AUTH=verify: the server verifies signatures, with the suites' key
// ("x"/"x", the default account's root) declared, as harness.py does.
function authArgs() {
  const mode = process.env.GLACIER_MOCK_E2E_AUTH || 'accept';
  if (mode === 'accept') return [];
  if (mode !== 'verify') throw new Error(`GLACIER_MOCK_E2E_AUTH must be accept or verify, not ${mode}`);
  return ['--auth', 'verify', '--credentials', join(here, '..', 'verify_credentials.json')];
}

export function startServer(delaysMs) {
  const bin = process.env.GLACIER_MOCK_BIN || join(here, '..', '..', '..', 'build', 'dev',
                                                   'glacier-mock');
  const workdir = mkdtempSync(join(tmpdir(), 'glacier-mock-js-'));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('GLACIER_MOCK_')));
  const child = spawn(bin, [
    '--host', '127.0.0.1', '--port', '0', '--log-level', 'info',
    '--expedited-delay-ms', String(delaysMs.Expedited),
    '--standard-delay-ms', String(delaysMs.Standard),
    '--bulk-delay-ms', String(delaysMs.Bulk),
    ...authArgs(),
  ], { cwd: workdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const port = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(
      `no 'listening on' line from ${bin} within ${STARTUP_TIMEOUT_MS} ms:\n${output.join('')}`)),
      STARTUP_TIMEOUT_MS);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    exited.then(({ code }) => { clearTimeout(timer); reject(new Error(
      `${bin} exited with ${code} before listening:\n${output.join('')}`)); });
    let pending = '';
    child.stdout.on('data', (chunk) => {
      output.push(chunk.toString());
      pending += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(pending);
      if (match) { clearTimeout(timer); resolve(Number(match[1])); }
    });
    child.stderr.on('data', (chunk) => output.push(chunk.toString()));
  });
  return {
    port,
    output: (chars = 8000) => output.join('').slice(-chars),
    async stop() {
      try {
        child.kill('SIGTERM');
        let timer;
        const timeout = new Promise((resolve) => {
          timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS, null);
        });
        const result = await Promise.race([exited, timeout]);
        clearTimeout(timer);
        if (result === null) {
          child.kill('SIGKILL');
          throw new Error(`glacier-mock did not exit within ${SHUTDOWN_TIMEOUT_MS} ms of SIGTERM`);
        }
        return result;
      } finally {
        rmSync(workdir, { recursive: true, force: true });
      }
    },
  };
}
