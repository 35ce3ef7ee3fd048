// Vitest global setup of the e2e tests: builds MinIO once (pinned, into $STRATA_CACHE) and starts a
// private server for this test run (its own run folder, free loopback ports, temp data), provides
// its endpoint and root credentials to the tests (inject('minio')), and stops it in teardown.
// STRATA_MINIO_ENV=/path/env.json uses an already running server instead (not stopped here).
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

export interface MinioEnv {
  endpoint: string;
  host: string;
  port: number;
  accessKey: string;
  secretKey: string;
  privateBucket: string;
  publicBucket: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    minio: MinioEnv;
  }
}

const run = promisify(execFile);

/** Runs `minio.sh start`, its progress (the one-time build) on our stderr; resolves to its stdout. */
function start(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, 'start'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 15 * 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`minio.sh start exited with ${signal ?? code}`));
    });
  });
}
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'minio.sh');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Never let a test fall through to the EC2 instance metadata endpoint (AWS default chain).
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const external = process.env.STRATA_MINIO_ENV;
  if (external) {
    project.provide('minio', JSON.parse(readFileSync(external, 'utf8')) as MinioEnv);
    return async () => undefined;
  }
  const runDir = mkdtempSync(path.join(tmpdir(), 'strata-minio-run-'));
  const env = { ...process.env, STRATA_MINIO_RUN: runDir };
  try {
    // A cold machine builds MinIO here first (go install, ~4-5 minutes on 2 cores).
    const stdout = await start(env);
    const envFile = stdout.trim().split('\n').pop()!;
    project.provide('minio', JSON.parse(readFileSync(envFile, 'utf8')) as MinioEnv);
  } catch (err) {
    await run('bash', [script, 'stop'], { env }).catch(() => undefined);
    rmSync(runDir, { recursive: true, force: true });
    throw new Error(`could not start MinIO for the e2e tests (see the log above): ${(err as Error).message}`);
  }
  return async () => {
    await run('bash', [script, 'stop'], { env, timeout: 60_000 }).catch(() => undefined);
    rmSync(runDir, { recursive: true, force: true });
  };
}
