/**
 * Exposure (issue 13.3 and 13.5): `--security` parsing, and the request guard on a real Zero app
 * (fastify.inject): the auth token on every data route, Host checks against DNS rebinding, Origin
 * checks against cross-site requests; `/internal` keeps the cluster token, `/health` stays open.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildZeroApp, parseSecurityFlag, SecurityFlagError, ZeroStore } from '../src/index.js';
import { tempRoot } from './helpers.js';

const root = tempRoot('strata-security-');
const CLUSTER = 'cluster-token-0123456789';
const AUTH = 'auth-token-abcdef';
const tokenFile = path.join(root, 'auth-token');

describe('parseSecurityFlag', () => {
  beforeAll(() => {
    writeFileSync(tokenFile, `${AUTH}\n`);
    chmodSync(tokenFile, 0o600);
  });

  it('refuses a token on the command line, with the way to give it', () => {
    expect(() => parseSecurityFlag('token=s3cret', {})).toThrow(SecurityFlagError);
    expect(() => parseSecurityFlag('token=s3cret', {})).toThrow(/token-file=FILE.*STRATA_AUTH_TOKEN/);
    try {
      parseSecurityFlag('token=s3cret', {});
    } catch (err) {
      expect((err as Error).message).not.toContain('s3cret');
    }
  });
  it('reads token-file, whitelist and token-for; defaults to every data route', () => {
    const s = parseSecurityFlag(`token-file=${tokenFile}; whitelist=10.0.0.0/8, 192.168.1.1`, {});
    expect(s).toMatchObject({ token: AUTH, tokenSource: tokenFile, tokenFor: 'all' });
    expect(s.whitelist).toEqual(['10.0.0.0/8', '192.168.1.1']);
    expect(s.warnings).toEqual([]);
    expect(parseSecurityFlag('token-for=admin', { STRATA_AUTH_TOKEN: 'from-env' })).toMatchObject({
      token: 'from-env',
      tokenSource: 'STRATA_AUTH_TOKEN',
      tokenFor: 'admin',
    });
    expect(parseSecurityFlag(undefined, {}).token).toBeUndefined();
  });
  it('warns about a token file others can read, and names bad options', () => {
    const open = path.join(root, 'open-token');
    writeFileSync(open, 'x\n');
    chmodSync(open, 0o644);
    expect(parseSecurityFlag(`token-file=${open}`, {}).warnings[0]).toMatch(/group or others.*chmod 600/);
    expect(() => parseSecurityFlag('tokens=1', {})).toThrow(/unknown option "tokens"/);
    expect(() => parseSecurityFlag('token-for=some', {})).toThrow(/"all" or "admin"/);
    expect(() => parseSecurityFlag(`token-file=${path.join(root, 'missing')}`, {})).toThrow(
      /cannot be read \(ENOENT\)/,
    );
  });
});

describe('request guard on Zero', () => {
  const apps: FastifyInstance[] = [];
  async function zero(name: string, opts: { authToken?: string; tokenFor?: 'all' | 'admin' } = {}) {
    const store = await ZeroStore.open({ dataDir: path.join(root, name) });
    const app = await buildZeroApp({ store, token: CLUSTER, ...opts, hostnames: ['zero.example'] });
    apps.push(app);
    return app;
  }
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it('without a token: a rebinding Host and a cross-site Origin are refused, loopback is served', async () => {
    const app = await zero('open');
    const get = (headers: Record<string, string>) => app.inject({ url: '/state', headers });
    expect((await get({ host: '127.0.0.1:6080' })).statusCode).toBe(200);
    expect((await get({ host: 'localhost:6080' })).statusCode).toBe(200);
    expect((await get({ host: 'zero.example:6080' })).statusCode).toBe(200);
    const rebound = await get({ host: 'attacker.example:6080' });
    expect(rebound.statusCode).toBe(403);
    expect(rebound.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect((await get({ host: '127.0.0.1:6080', origin: 'http://attacker.example' })).statusCode).toBe(403);
    expect((await get({ host: '127.0.0.1:6080', origin: 'http://127.0.0.1:6080' })).statusCode).toBe(200);
    expect((await get({ host: 'attacker.example' })).statusCode).toBe(403);
    expect((await app.inject({ url: '/health', headers: { host: 'attacker.example' } })).statusCode).toBe(
      200,
    );
  });

  it('with a token: nothing that reads or changes data is served without it', async () => {
    const app = await zero('token', { authToken: AUTH });
    const host = '127.0.0.1:6080';
    for (const url of ['/state', '/assign?what=uids&num=1']) {
      const bare = await app.inject({ url, headers: { host } });
      expect(bare.statusCode).toBe(401);
      expect(bare.json()).toMatchObject({ code: 'UNAUTHORIZED' });
      expect(bare.body).not.toContain(AUTH);
      const wrong = await app.inject({ url, headers: { host, 'x-dgraph-authtoken': 'nope' } });
      expect(wrong.statusCode).toBe(401);
      const right = await app.inject({ url, headers: { host, 'x-dgraph-authtoken': AUTH } });
      expect(right.statusCode).toBe(200);
    }
    // A cluster member (the cluster token in its own header) passes; /internal keeps its own check.
    const member = await app.inject({ url: '/state', headers: { host, 'x-strata-token': CLUSTER } });
    expect(member.statusCode).toBe(200);
    const internal = await app.inject({
      method: 'POST',
      url: '/internal/tablet',
      headers: { host, 'x-dgraph-authtoken': AUTH },
      payload: { predicate: 'name' },
    });
    expect(internal.statusCode).toBe(401);
    expect((await app.inject({ url: '/health', headers: { host } })).statusCode).toBe(200);
  });

  it('token-for=admin leaves the data routes open, as Dgraph does', async () => {
    const app = await zero('admin-only', { authToken: AUTH, tokenFor: 'admin' });
    expect((await app.inject({ url: '/state', headers: { host: '127.0.0.1' } })).statusCode).toBe(200);
  });
});
