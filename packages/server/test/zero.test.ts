/** Zero through `fastify.inject`. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  buildZeroApp,
  STATE_FILE,
  TOKEN_HEADER,
  HttpError,
  ZeroStore,
  type ZeroStateJson,
} from '../src/index.js';
import { zeroFactory } from './helpers.js';

const TOKEN = 'test-token-0123456789';
const zeros = zeroFactory('strata-zero-test-', TOKEN);
const root = zeros.root;
const zero = zeros.start;
const stop = zeros.stop;

function post(app: FastifyInstance, url: string, payload: unknown, token: string | null = TOKEN) {
  return app.inject({
    method: 'POST',
    url,
    payload: payload as Record<string, unknown>,
    headers: token === null ? {} : { [TOKEN_HEADER]: token },
  });
}

describe('public routes', () => {
  it('GET /health', async () => {
    const { app } = await zero({ groups: 2 });
    const r = await app.inject('/health');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'healthy', instance: 'zero', groups: 2 });
  });

  it('GET /state is shaped like Dgraph Zero /state', async () => {
    const { app } = await zero({ groups: 3 });
    const s = (await app.inject('/state')).json<ZeroStateJson>();
    expect(Object.keys(s.groups)).toEqual(['1', '2', '3']);
    expect(s.groups['1']).toEqual({ members: {}, tablets: {}, snapshotTs: '0', checksum: '0' });
    expect(s).toMatchObject({ maxUID: '0', maxTxnTs: '0', maxNsID: '0', maxRaftId: '0', removed: [] });
    expect(s.zeros['1']).toMatchObject({ id: '1', leader: true });
    expect(s.cid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('GET /assign hands out consecutive uids and timestamps as strings, leases ahead', async () => {
    const { app } = await zero({ leaseBlock: 100n });
    expect((await app.inject('/assign?what=uids&num=10')).json()).toEqual({ startId: '1', endId: '10' });
    expect((await app.inject('/assign?what=uids&num=5')).json()).toEqual({ startId: '11', endId: '15' });
    expect((await app.inject('/assign?what=timestamps&num=1')).json()).toEqual({ startId: '1', endId: '1' });
    expect((await app.inject('/assign?what=nsids&num=1')).json()).toEqual({ startId: '1', endId: '1' });
    let s = (await app.inject('/state')).json<ZeroStateJson>();
    expect(s.maxUID).toBe('110');
    expect(s.maxTxnTs).toBe('101');
    // Crossing the ceiling persists a new block first.
    expect((await app.inject('/assign?what=uids&num=200')).json()).toEqual({ startId: '16', endId: '215' });
    s = (await app.inject('/state')).json<ZeroStateJson>();
    expect(s.maxUID).toBe('315');
  });

  it('concurrent /assign calls get disjoint ranges', async () => {
    const { app } = await zero({ leaseBlock: 7n });
    const rs = await Promise.all(
      Array.from({ length: 40 }, () => app.inject('/assign?what=timestamps&num=3')),
    );
    const ids = rs.flatMap((r) => {
      const { startId, endId } = r.json<{ startId: string; endId: string }>();
      return [Number(startId), Number(startId) + 1, Number(endId)];
    });
    expect(new Set(ids).size).toBe(120);
    expect(Math.max(...ids)).toBe(120);
  });

  it.each([
    ['/assign?num=1', "querystring must have required property 'what'"],
    ['/assign?what=things&num=1', 'querystring/what must be equal to one of the allowed values'],
    ['/assign?what=uids', "querystring must have required property 'num'"],
    ['/assign?what=uids&num=0', 'querystring/num must be >= 1'],
    ['/assign?what=uids&num=abc', 'querystring/num must be integer'],
    ['/assign?what=uids&num=1.5', 'querystring/num must be integer'],
  ])('GET %s → 400 %s', async (url, message) => {
    const { app } = await zero();
    const r = await app.inject(url);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ statusCode: 400, error: 'Bad Request', code: 'BAD_REQUEST', message });
  });

  it('unknown routes → 404 JSON', async () => {
    const { app } = await zero();
    const r = await app.inject('/nope?x=1');
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ code: 'NOT_FOUND', message: 'no route GET /nope' });
  });
});

describe('/internal/* and the cluster token', () => {
  it.each([
    ['missing', null],
    ['wrong', 'not-the-token'],
    ['empty', ''],
    ['a prefix of the real one', TOKEN.slice(0, 5)],
  ])('%s token → bare 401', async (_what, token) => {
    const { app } = await zero();
    for (const url of [
      '/internal/connect',
      '/internal/tablet',
      '/internal/lease',
      '/internal/move-tablet',
      '/internal/x',
    ]) {
      const r = await post(app, url, { predicate: 'name' }, token);
      expect(r.statusCode).toBe(401);
      expect(r.json()).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'UNAUTHORIZED',
        message: 'unauthorized',
      });
    }
  });

  it('POST /internal/connect registers Alphas; idempotent per address', async () => {
    const { app } = await zero({ groups: 2 });
    const a = await post(app, '/internal/connect', { group: 1, addr: 'alpha1:7080' });
    expect(a.statusCode).toBe(200);
    expect(a.json()).toMatchObject({ id: '1', groupId: 1, addr: 'alpha1:7080', leader: true, amDead: false });
    const b = await post(app, '/internal/connect', { group: 2, addr: 'alpha2:7080' });
    expect(b.json()).toMatchObject({ id: '2', groupId: 2, leader: true });
    const again = await post(app, '/internal/connect', { group: 1, addr: 'alpha1:7080' });
    expect(again.json()).toMatchObject({ id: '1', groupId: 1 });
    const s = (await app.inject('/state')).json<ZeroStateJson>();
    expect(s.groups['1']!.members['1']).toMatchObject({ addr: 'alpha1:7080', groupId: 1 });
    expect(s.groups['2']!.members['2']).toMatchObject({ addr: 'alpha2:7080' });
    expect(s.maxRaftId).toBe('2');
  });

  it('POST /internal/connect errors', async () => {
    const { app } = await zero({ groups: 3 });
    let r = await post(app, '/internal/connect', { group: 4, addr: 'a:1' });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({
      code: 'UNKNOWN_GROUP',
      message: 'unknown group 4: this cluster has groups 1 to 3',
    });
    r = await post(app, '/internal/connect', { group: 0, addr: 'a:1' });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toBe('body/group must be >= 1');
    r = await post(app, '/internal/connect', { group: 1 });
    expect(r.json().message).toBe("body must have required property 'addr'");
    r = await post(app, '/internal/connect', { group: 1, addr: 'a b' });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/addr must be a host:port/);
    await post(app, '/internal/connect', { group: 1, addr: 'a:1' });
    r = await post(app, '/internal/connect', { group: 2, addr: 'a:1' });
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ code: 'CONFLICT', message: 'a:1 is already a member of group 1' });
  });

  it('unknown /internal routes: 401 without the token, 404 with it', async () => {
    const { app } = await zero();
    expect((await post(app, '/internal/nope', {}, null)).statusCode).toBe(401);
    const r = await post(app, '/internal/nope', {});
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ code: 'NOT_FOUND', message: 'no route POST /internal/nope' });
  });

  it('malformed JSON → 400 without internals', async () => {
    const { app } = await zero();
    const r = await app.inject({
      method: 'POST',
      url: '/internal/tablet',
      payload: '{"predicate":',
      headers: { [TOKEN_HEADER]: TOKEN, 'content-type': 'application/json' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().statusCode).toBe(400);
  });

  it('POST /internal/tablet: dgraph.* on group 1, others spread least-loaded, stable', async () => {
    const { app } = await zero({ groups: 3 });
    const tablet = async (predicate: string) => (await post(app, '/internal/tablet', { predicate })).json();
    expect(await tablet('dgraph.type')).toEqual({ groupId: 1, predicate: 'dgraph.type', assigned: true });
    expect(await tablet('name')).toEqual({ groupId: 2, predicate: 'name', assigned: true });
    expect(await tablet('age')).toEqual({ groupId: 3, predicate: 'age', assigned: true });
    expect(await tablet('friend')).toEqual({ groupId: 1, predicate: 'friend', assigned: true });
    expect(await tablet('dgraph.cors')).toMatchObject({ groupId: 1 });
    expect(await tablet('email')).toMatchObject({ groupId: 2 });
    expect(await tablet('name')).toEqual({ groupId: 2, predicate: 'name', assigned: false });
    const s = (await app.inject('/state')).json<ZeroStateJson>();
    expect(s.groups['2']!.tablets).toEqual({
      name: { groupId: 2, predicate: 'name' },
      email: { groupId: 2, predicate: 'email' },
    });
  });

  it('POST /internal/tablet errors', async () => {
    const { app } = await zero();
    const cases: [unknown, string][] = [
      [{}, "body must have required property 'predicate'"],
      [{ predicate: '' }, 'body/predicate must NOT have fewer than 1 characters'],
      [{ predicate: '~friend' }, '"~friend" is a reverse edge, not a predicate'],
      [{ predicate: 'a b' }, 'predicate "a b" holds a character not allowed in a predicate name'],
    ];
    for (const [body, message] of cases) {
      const r = await post(app, '/internal/tablet', body);
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toBe(message);
    }
  });

  it('POST /internal/move-tablet forces a predicate onto a group', async () => {
    const { app } = await zero({ groups: 2 });
    expect((await post(app, '/internal/tablet', { predicate: 'name' })).json()).toMatchObject({ groupId: 1 });
    expect((await post(app, '/internal/tablet', { predicate: 'age' })).json()).toMatchObject({ groupId: 2 });
    let r = await post(app, '/internal/move-tablet', { predicate: 'age', group: 1 });
    expect(r.json()).toEqual({ groupId: 1, predicate: 'age', assigned: true });
    r = await post(app, '/internal/move-tablet', { predicate: 'new', group: 2 });
    expect(r.json()).toEqual({ groupId: 2, predicate: 'new', assigned: true });
    r = await post(app, '/internal/move-tablet', { predicate: 'new', group: 2 });
    expect(r.json()).toMatchObject({ assigned: false });
    const s = (await app.inject('/state')).json<ZeroStateJson>();
    expect(Object.keys(s.groups['1']!.tablets)).toEqual(['name', 'age']);
    expect(Object.keys(s.groups['2']!.tablets)).toEqual(['new']);
    r = await post(app, '/internal/move-tablet', { predicate: 'name', group: 3 });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('UNKNOWN_GROUP');
  });

  it('POST /internal/lease moves leases past restored maxima, never backwards', async () => {
    const { app } = await zero({ leaseBlock: 100n });
    await app.inject('/assign?what=uids&num=10');
    let r = await post(app, '/internal/lease', { what: 'uids', atLeast: '50000' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ what: 'uids', nextId: '50001', maxLeased: '50100' });
    expect((await app.inject('/assign?what=uids&num=1')).json()).toEqual({
      startId: '50001',
      endId: '50001',
    });
    r = await post(app, '/internal/lease', { what: 'uids', atLeast: '5' });
    expect(r.json()).toMatchObject({ nextId: '50002' });
    r = await post(app, '/internal/lease', { what: 'timestamps', num: 3, atLeast: 1000 });
    expect(r.json()).toEqual({
      what: 'timestamps',
      startId: '1001',
      endId: '1003',
      nextId: '1004',
      maxLeased: '1103',
    });
    r = await post(app, '/internal/lease', { what: 'nsids', atLeast: '7' });
    expect(r.json()).toMatchObject({ nextId: '8' });
    expect((await app.inject('/state')).json()).toMatchObject({
      maxUID: '50100',
      maxTxnTs: '1103',
      maxNsID: '107',
    });
    for (const [body, message] of [
      [{ what: 'uids', atLeast: '-1' }, 'body/atLeast must match pattern "^(0|[1-9][0-9]{0,19})$"'],
      [{ what: 'uids', atLeast: '18446744073709551615' }, 'atLeast must be below 2^64 - 1'],
      [{ what: 'blocks' }, 'body/what must be equal to one of the allowed values'],
      [{ what: 'uids', num: -1 }, 'body/num must be >= 0'],
    ] as const) {
      r = await post(app, '/internal/lease', body);
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toBe(message);
    }
  });
});

describe('persistence', () => {
  it('state survives a restart; leases continue past the persisted ceiling', async () => {
    const z = await zero({ groups: 2, leaseBlock: 1000n });
    const { app } = z;
    const last = (await app.inject('/assign?what=uids&num=25')).json<{ endId: string }>().endId;
    const ts = (await app.inject('/assign?what=timestamps&num=3')).json<{ endId: string }>().endId;
    await post(app, '/internal/tablet', { predicate: 'name' });
    await post(app, '/internal/tablet', { predicate: 'age' });
    await post(app, '/internal/connect', { group: 2, addr: 'alpha2:7080' });
    await stop(z);
    const file = JSON.parse(readFileSync(path.join(z.dataDir, STATE_FILE), 'utf8'));
    expect(file.leases).toEqual({ uids: '1025', timestamps: '1003', nsids: '0' });

    const z2 = await zero({ dataDir: z.dataDir, leaseBlock: 1000n });
    const u = (await z2.app.inject('/assign?what=uids&num=1')).json<{ startId: string }>();
    expect(BigInt(u.startId)).toBeGreaterThan(BigInt(last));
    expect(u.startId).toBe('1026');
    const t = (await z2.app.inject('/assign?what=timestamps&num=1')).json<{ startId: string }>();
    expect(BigInt(t.startId)).toBeGreaterThan(BigInt(ts));
    const s = (await z2.app.inject('/state')).json<ZeroStateJson>();
    expect(Object.keys(s.groups)).toEqual(['1', '2']);
    expect(s.groups['1']!.tablets.name).toEqual({ groupId: 1, predicate: 'name' });
    expect(s.groups['2']!.tablets.age).toEqual({ groupId: 2, predicate: 'age' });
    expect(s.groups['2']!.members['1']!.addr).toBe('alpha2:7080');
  });

  it('groups grow but never shrink', async () => {
    const z = await zero({ groups: 2 });
    await stop(z);
    const z3 = await zero({ dataDir: z.dataDir, groups: 3 });
    expect(z3.store.groupCount).toBe(3);
    await stop(z3);
    await expect(ZeroStore.open({ dataDir: z.dataDir, groups: 1 })).rejects.toThrow(
      'the data folder holds a cluster of 3 groups; it cannot shrink to 1',
    );
    await expect(ZeroStore.open({ dataDir: z.dataDir, groups: 0 })).rejects.toThrow(
      'groups must be an integer from 1 to 1000, got 0',
    );
  });

  it('one Zero per data folder', async () => {
    const z = await zero();
    await expect(ZeroStore.open({ dataDir: z.dataDir })).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
  });

  it('refuses a corrupt state file instead of starting over', async () => {
    const dir = path.join(root, 'corrupt');
    const z = await zero({ dataDir: dir });
    await stop(z);
    writeFileSync(path.join(dir, STATE_FILE), '{"format":1,');
    await expect(ZeroStore.open({ dataDir: dir })).rejects.toThrow(/is not valid JSON; refusing to start/);
    writeFileSync(
      path.join(dir, STATE_FILE),
      JSON.stringify({ format: 1, leases: { uids: 'x' }, groups: {} }),
    );
    await expect(ZeroStore.open({ dataDir: dir })).rejects.toBeInstanceOf(HttpError);
  });

  it('an internal failure is logged and answered with a bare 500', async () => {
    const z = await zero({ leaseBlock: 1n });
    const logged: unknown[] = [];
    z.app.log.error = ((obj: unknown) => void logged.push(obj)) as typeof z.app.log.error;
    rmSync(z.dataDir, { recursive: true, force: true });
    const r = await z.app.inject('/assign?what=uids&num=5');
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL',
      message: 'internal error',
    });
    expect(r.body).not.toContain(z.dataDir);
  });

  it('buildZeroApp needs a token', async () => {
    const store = await ZeroStore.open({ dataDir: path.join(root, 'notoken') });
    await expect(buildZeroApp({ store, token: '' })).rejects.toThrow('a cluster token is required');
    await store.close();
  });
});
