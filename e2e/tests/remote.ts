// Helpers of the tests against the real MinIO started by minio/global-setup.ts.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import type { MinioEnv } from '../minio/global-setup.js';
import { strataBin } from './paths.js';

export type { MinioEnv };

export function minio(): MinioEnv {
  return inject('minio');
}

/** A fresh key prefix per test, so tests never see each other's objects. */
export function uniquePrefix(name: string): string {
  return `${name}-${randomBytes(4).toString('hex')}`;
}

/** `scheme://127.0.0.1:PORT/BUCKET[/PREFIX]?secure=false` */
export function uri(scheme: 's3' | 'minio', bucket: string, prefix = '', secure = false): string {
  const m = minio();
  return `${scheme}://${m.host}:${m.port}/${bucket}${prefix ? `/${prefix}` : ''}${secure ? '' : '?secure=false'}`;
}

/** An S3 client with the root credentials, to look behind the destinations' backs. */
export function adminClient(): S3Client {
  const m = minio();
  return new S3Client({
    endpoint: m.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: m.accessKey, secretAccessKey: m.secretKey },
  });
}

/** In-progress multipart uploads under a key prefix. */
export async function multipartUploads(bucket: string, prefix: string): Promise<string[]> {
  const s3 = adminClient();
  try {
    const r = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
    return (r.Uploads ?? []).map((u) => `${u.Key}#${u.UploadId}`);
  } finally {
    s3.destroy();
  }
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Every file of a fixture location (not `expected/`), relative paths. */
export function fixtureLocationFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (r === 'expected') continue;
    if (statSync(path.join(dir, r)).isDirectory()) out.push(...fixtureLocationFiles(dir, r));
    else out.push(r);
  }
  return out;
}

export function fileBytes(dir: string, rel: string): Buffer {
  return readFileSync(path.join(dir, rel));
}

/** The environment of a child `strata`: no inherited credentials, no instance metadata lookups. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(AWS_|MINIO_)/.test(k)) env[k] = v;
  }
  return {
    ...env,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    ...extra,
  };
}

const execFileP = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `strata` with `args`; never throws on a non-zero exit. */
export async function strata(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<CliResult> {
  try {
    const r = await execFileP(process.execPath, [strataBin, ...args], { env, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
