/** s3:// and minio:// without a server: URI parsing, regions, credential order, error mapping. */
import { describe, expect, it } from 'vitest';
import { resolveCredentials, scrubSecrets } from '../src/destinations/credentials.js';
import { remoteError } from '../src/destinations/remote-errors.js';
import {
  DestinationError,
  FileNotFoundError,
  InvalidArgumentError,
  isAwsHost,
  openDestination,
  parseObjectStoreUri,
  regionFromHost,
  resolveRegion,
  S3Destination,
  s3ClientConfig,
} from '../src/index.js';

describe('parseObjectStoreUri', () => {
  it('parses host, port, bucket, prefix and secure', () => {
    expect(parseObjectStoreUri('s3://s3.us-west-2.amazonaws.com/my-bucket/a/b/')).toMatchObject({
      scheme: 's3',
      host: 's3.us-west-2.amazonaws.com',
      port: undefined,
      bucket: 'my-bucket',
      prefix: 'a/b',
      secure: true,
      display: 's3://s3.us-west-2.amazonaws.com/my-bucket/a/b',
    });
    expect(parseObjectStoreUri('minio://127.0.0.1:9000/backups?secure=false')).toMatchObject({
      scheme: 'minio',
      host: '127.0.0.1',
      port: 9000,
      bucket: 'backups',
      prefix: '',
      secure: false,
      display: 'minio://127.0.0.1:9000/backups?secure=false',
    });
    expect(parseObjectStoreUri('S3://host:9000//bkt//x?secure=true').prefix).toBe('x');
    expect(parseObjectStoreUri('s3://host/bkt/a%20b').prefix).toBe('a b');
  });

  it.each([
    ['s3://', /needs a host/],
    ['s3://host', /names no bucket/],
    ['s3://host/', /names no bucket/],
    ['minio://host/bucket', /needs a port/],
    ['minio://host:99999/bucket', /invalid port/],
    ['s3://host/Bad_Bucket', /invalid bucket name/],
    ['s3://host/b', /invalid bucket name/],
    ['s3://host/bucket/../x', /"\." or "\.\." segments/],
    ['s3://host/bucket?secure=maybe', /expected true or false/],
    ['s3://host/bucket?region=x', /unknown option \?region=/],
    ['s3://AKIA:SECRET@host/bucket', /may not hold credentials/],
    ['ftp://host/bucket', /not an s3:\/\/ or minio:\/\/ location/],
  ])('refuses %s', (uri, re) => {
    let err: unknown;
    try {
      parseObjectStoreUri(uri);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).not.toContain('SECRET');
  });
});

describe('regions and addressing', () => {
  it('takes the region from AWS hosts, else AWS_REGION, else us-east-1', () => {
    expect(regionFromHost('s3.us-west-2.amazonaws.com')).toBe('us-west-2');
    expect(regionFromHost('s3-eu-central-1.amazonaws.com')).toBe('eu-central-1');
    expect(regionFromHost('s3.dualstack.ap-southeast-2.amazonaws.com')).toBe('ap-southeast-2');
    expect(regionFromHost('s3.amazonaws.com')).toBeUndefined();
    expect(regionFromHost('minio.local')).toBeUndefined();
    expect(resolveRegion('s3.us-west-2.amazonaws.com', { AWS_REGION: 'eu-west-1' })).toBe('us-west-2');
    expect(resolveRegion('s3.amazonaws.com', { AWS_REGION: 'eu-west-1' })).toBe('eu-west-1');
    expect(resolveRegion('minio.local', {})).toBe('us-east-1');
    expect(isAwsHost('s3.amazonaws.com')).toBe(true);
    expect(isAwsHost('127.0.0.1')).toBe(false);
  });

  it('path style and the http endpoint for non-AWS hosts; virtual hosts on AWS', () => {
    expect(s3ClientConfig(parseObjectStoreUri('s3://127.0.0.1:9000/b-1?secure=false'), {})).toEqual({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
    });
    expect(s3ClientConfig(parseObjectStoreUri('s3://s3.us-west-2.amazonaws.com/b-1'), {})).toEqual({
      region: 'us-west-2',
      endpoint: undefined,
      forcePathStyle: false,
    });
    expect(s3ClientConfig(parseObjectStoreUri('s3://storage.example.com/b-1'), {}).endpoint).toBe(
      'https://storage.example.com',
    );
  });

  it('bounds and validates part and queue sizes', () => {
    const d = openDestination('s3://h/bkt', {}) as S3Destination;
    expect([d.partSize, d.queueSize]).toEqual([8 * 1024 * 1024, 4]);
    expect(() => openDestination('s3://h/bkt', { partSize: 1024 })).toThrow(/partSize must be between 5 MiB/);
    expect(() => openDestination('s3://h/bkt', { queueSize: 0 })).toThrow(/queueSize/);
  });
});

describe('credential order', () => {
  const chain = async () => ({
    accessKeyId: 'CHAINKEY',
    secretAccessKey: 'CHAINSECRET',
    $source: { CREDENTIALS_PROFILE: 'n' },
  });
  const failingChain = async (): Promise<never> => {
    throw new Error('Could not load credentials from any providers');
  };
  const awsEnv = {
    AWS_ACCESS_KEY_ID: 'ENVKEY',
    AWS_SECRET_ACCESS_KEY: 'ENVSECRET',
    AWS_SESSION_TOKEN: 'ENVTOKEN',
  };

  it('explicit beats the environment, which beats the provider chain', async () => {
    const explicit = await resolveCredentials('s3', {
      accessKey: 'K',
      secretKey: 'S',
      env: awsEnv,
      defaultProviderChain: chain,
    });
    expect(explicit).toMatchObject({ accessKeyId: 'K', secretAccessKey: 'S', sessionToken: false });
    expect(explicit.source).toMatch(/^explicit credentials/);
    const env = await resolveCredentials('s3', { env: awsEnv, defaultProviderChain: chain });
    expect(env).toMatchObject({
      accessKeyId: 'ENVKEY',
      secretAccessKey: 'ENVSECRET',
      token: 'ENVTOKEN',
      sessionToken: true,
    });
    expect(env.source).toBe('environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)');
    const fromChain = await resolveCredentials('s3', { env: {}, defaultProviderChain: chain });
    expect(fromChain).toMatchObject({ accessKeyId: 'CHAINKEY', secretAccessKey: 'CHAINSECRET' });
    expect(fromChain.source).toBe('AWS default provider chain: shared config/credentials file');
  });

  it('reads the older AWS_ACCESS_KEY / AWS_SECRET_KEY names, the *_ID names first', async () => {
    const old = await resolveCredentials('s3', {
      env: { AWS_ACCESS_KEY: 'A', AWS_SECRET_KEY: 'B' },
      defaultProviderChain: chain,
    });
    expect(old).toMatchObject({
      accessKeyId: 'A',
      secretAccessKey: 'B',
      source: 'environment (AWS_ACCESS_KEY, AWS_SECRET_KEY)',
    });
    const both = await resolveCredentials('s3', {
      env: { AWS_ACCESS_KEY: 'A', AWS_ACCESS_KEY_ID: 'A2', AWS_SECRET_KEY: 'B', AWS_SECRET_ACCESS_KEY: 'B2' },
    });
    expect(both).toMatchObject({ accessKeyId: 'A2', secretAccessKey: 'B2' });
  });

  it('minio:// reads MINIO_ACCESS_KEY / MINIO_SECRET_KEY, never AWS_* nor the chain', async () => {
    const m = await resolveCredentials('minio', {
      env: { ...awsEnv, MINIO_ACCESS_KEY: 'MK', MINIO_SECRET_KEY: 'MS' },
    });
    expect(m).toMatchObject({ accessKeyId: 'MK', secretAccessKey: 'MS', sessionToken: false });
    expect(m.source).toBe('environment (MINIO_ACCESS_KEY, MINIO_SECRET_KEY)');
    const err = await resolveCredentials('minio', { env: awsEnv, defaultProviderChain: chain }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DestinationError);
    expect((err as DestinationError).reason).toBe('NO_CREDENTIALS');
    expect((err as Error).message).toContain('MINIO_ACCESS_KEY / MINIO_SECRET_KEY');
  });

  it('anonymous takes nothing; half-given credentials are refused naming the variable', async () => {
    expect(await resolveCredentials('s3', { anonymous: true, env: awsEnv })).toEqual({
      source: 'anonymous (unsigned requests)',
      anonymous: true,
      sessionToken: false,
    });
    await expect(resolveCredentials('s3', { anonymous: true, accessKey: 'x' })).rejects.toThrow(
      /anonymous access takes no/,
    );
    await expect(resolveCredentials('s3', { accessKey: 'x' })).rejects.toThrow(
      /only the access key was given/,
    );
    await expect(resolveCredentials('s3', { env: { AWS_ACCESS_KEY_ID: 'x' } })).rejects.toThrow(
      /AWS_ACCESS_KEY_ID is set but its pair is not/,
    );
  });

  it('an empty provider chain ends in NO_CREDENTIALS with every way to fix it', async () => {
    const err = (await resolveCredentials('s3', { env: {}, defaultProviderChain: failingChain }).catch(
      (e: unknown) => e,
    )) as DestinationError;
    expect(err.reason).toBe('NO_CREDENTIALS');
    expect(err.message).toMatch(/--access_key.*AWS_ACCESS_KEY_ID.*AWS profile.*--anonymous/);
  });

  it('resolveCredentials() on a destination reports the source only', async () => {
    const d = openDestination('s3://h:9000/bkt?secure=false', { env: awsEnv });
    const info = await d.resolveCredentials!();
    expect(info).toEqual({
      source: 'environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)',
      anonymous: false,
      sessionToken: true,
    });
    expect(JSON.stringify(info) + d.describe()).not.toMatch(/ENVKEY|ENVSECRET|ENVTOKEN/);
  });
});

describe('remote error mapping', () => {
  const loc = parseObjectStoreUri('s3://127.0.0.1:9000/bkt/pre');
  const ctx = {
    loc,
    action: 'listing',
    credentialSource: 'environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)',
    secrets: ['TOPSECRET'],
  };
  const svc = (name: string, status: number, message = 'x') =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

  it.each([
    [
      svc('NoSuchBucket', 404),
      'BUCKET_NOT_FOUND',
      /bucket "bkt" does not exist at https:\/\/127\.0\.0\.1:9000/,
    ],
    [
      svc('AccessDenied', 403),
      'ACCESS_DENIED',
      /access denied .*credential source: environment \(AWS_ACCESS_KEY_ID/,
    ],
    [svc('SignatureDoesNotMatch', 403), 'ACCESS_DENIED', /secret key does not match/],
    [svc('InvalidAccessKeyId', 403), 'ACCESS_DENIED', /access key is not known/],
    [svc('ExpiredToken', 400), 'ACCESS_DENIED', /session token has expired/],
    [svc('RequestTimeTooSkewed', 403), 'CLOCK_SKEW', /clock differs too much .*synchronise the clock/],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED' }),
      'UNREACHABLE',
      /connection refused/,
    ],
    [
      Object.assign(new Error('getaddrinfo ENOTFOUND nohost'), { code: 'ENOTFOUND' }),
      'UNREACHABLE',
      /host name not found/,
    ],
    [
      new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })], 'agg'),
      'UNREACHABLE',
      /connection refused/,
    ],
    [Object.assign(new Error('socket timeout'), { name: 'TimeoutError' }), 'UNREACHABLE', /timed out/],
    [
      Object.assign(
        new Error('write EPROTO 40E8:error:0A00010B:SSL routines:ssl3_get_record:wrong version number'),
        { code: 'EPROTO' },
      ),
      'TLS_PLAIN_HTTP',
      /the endpoint speaks plain http: add \?secure=false/,
    ],
    [
      svc('SlowDown', 503, 'Please reduce your request rate. TOPSECRET'),
      'REQUEST_FAILED',
      /SlowDown, HTTP 503.*\*\*\*/,
    ],
  ])('%s → %s', (err, reason, re) => {
    const e = remoteError(err, ctx);
    expect(e).toBeInstanceOf(DestinationError);
    expect((e as DestinationError).reason).toBe(reason);
    expect(e.message).toMatch(re);
    expect(e.message).not.toContain('TOPSECRET');
  });

  it('a missing object is FileNotFoundError naming it', () => {
    const e = remoteError(svc('NoSuchKey', 404), { ...ctx, file: 's3://127.0.0.1:9000/bkt/pre/a.backup' });
    expect(e).toBeInstanceOf(FileNotFoundError);
    expect(e.message).toBe('backup file not found: s3://127.0.0.1:9000/bkt/pre/a.backup');
  });

  it('anonymous denials suggest dropping --anonymous', () => {
    const e = remoteError(svc('AccessDenied', 403), {
      ...ctx,
      credentialSource: 'anonymous (unsigned requests)',
    });
    expect(e.message).toMatch(/drop --anonymous: this bucket is not public/);
  });

  it('scrubSecrets replaces every value', () => {
    expect(scrubSecrets('a TOPSECRET b TOPSECRET', ['TOPSECRET', undefined, ''])).toBe('a *** b ***');
  });
});
