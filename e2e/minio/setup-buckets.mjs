// Waits for a freshly started MinIO, creates Strata's test buckets through the S3 API and writes
// the env file the tests read. Called by minio.sh with MINIO_ENDPOINT, MINIO_ROOT_USER,
// MINIO_ROOT_PASSWORD, MINIO_ENV_FILE and MINIO_PID in the environment.
/* global fetch, setTimeout, URL */
import { writeFileSync, renameSync } from 'node:fs';
import { CreateBucketCommand, HeadBucketCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
/** @param {string} name @returns {string} */
function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`setup-buckets.mjs: ${name} is not set (minio.sh sets it)`);
  return v;
}
const endpoint = required('MINIO_ENDPOINT');
const accessKey = required('MINIO_ROOT_USER');
const secretKey = required('MINIO_ROOT_PASSWORD');
const envFile = required('MINIO_ENV_FILE');
const pid = Number(process.env.MINIO_PID);
const PRIVATE = 'strata-private';
const PUBLIC = 'strata-public';

function alive() {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const deadline = Date.now() + 60_000;
for (;;) {
  if (!alive()) throw new Error('the MinIO process exited during start-up');
  try {
    // `cluster`: ready to serve writes (with several drives, once their erasure set is formatted).
    const r = await fetch(`${endpoint}/minio/health/cluster`);
    if (r.ok) break;
  } catch {
    /* not listening yet */
  }
  if (Date.now() > deadline) throw new Error(`MinIO at ${endpoint} not ready after 60 s`);
  await new Promise((r) => setTimeout(r, 200));
}

const s3 = new S3Client({
  endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
});
for (const Bucket of [PRIVATE, PUBLIC]) {
  try {
    await s3.send(new HeadBucketCommand({ Bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket }));
  }
}
const policy = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: ['*'] },
      Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
      Resource: [`arn:aws:s3:::${PUBLIC}`],
    },
    {
      Effect: 'Allow',
      Principal: { AWS: ['*'] },
      Action: [
        's3:GetObject',
        's3:PutObject',
        's3:DeleteObject',
        's3:AbortMultipartUpload',
        's3:ListMultipartUploadParts',
      ],
      Resource: [`arn:aws:s3:::${PUBLIC}/*`],
    },
  ],
};
await s3.send(new PutBucketPolicyCommand({ Bucket: PUBLIC, Policy: JSON.stringify(policy) }));
s3.destroy();

const url = new URL(endpoint);
const env = {
  endpoint,
  host: url.hostname,
  port: Number(url.port),
  accessKey,
  secretKey,
  privateBucket: PRIVATE,
  publicBucket: PUBLIC,
  pid,
};
writeFileSync(`${envFile}.tmp`, JSON.stringify(env, null, 2) + '\n', { mode: 0o600 });
renameSync(`${envFile}.tmp`, envFile);
console.log(`MinIO ready at ${endpoint}: buckets ${PRIVATE}, ${PUBLIC} (public)`);
