// The clients of Strata's servers (an Alpha's GraphQL /admin, Zero's HTTP API) against local
// stand-in servers speaking the same shapes, and the verify report's text.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminClient,
  InvalidArgumentError,
  renderVerifyReport,
  ServiceError,
  ZeroClient,
  type VerifyReport,
} from '../src/index.js';

const body = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let s = '';
    req.on('data', (d: Buffer) => (s += d.toString()));
    req.on('end', () => resolve(s));
  });

async function listen(
  handler: (req: IncomingMessage, text: string, res: ServerResponse) => void,
): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    void body(req).then((text) => handler(req, text, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const { server, base } = await listen(() => undefined);
  await close(server);
  return Number(new URL(base).port);
}

/** A stand-in Alpha /admin speaking Dgraph's GraphQL shapes for backup / restore / restoreStatus. */
describe('AdminClient (backup, restore, restoreStatus)', () => {
  let server: Server;
  let url: string;
  const requests: { query: string; variables: Record<string, unknown>; token?: string }[] = [];
  let polls = 0;

  beforeAll(async () => {
    ({ server, base: url } = await listen((req, text, res) => {
      const r = JSON.parse(text) as { query: string; variables: Record<string, unknown> };
      const token = req.headers['x-dgraph-authtoken'];
      requests.push({ ...r, ...(typeof token === 'string' && { token }) });
      res.setHeader('content-type', 'application/json');
      const input = r.variables.input as Record<string, unknown> | undefined;
      if (/backup\(input: \$input\) \{ response \{ code message \} taskId \}/.test(r.query)) {
        if (input?.destination === '/refused') {
          res.end(JSON.stringify({ errors: [{ message: 'backup destination not writable' }] }));
          return;
        }
        res.end(
          JSON.stringify({
            data: { backup: { response: { code: 'Success', message: 'Backup completed.' }, taskId: null } },
          }),
        );
      } else if (/restore\(input: \$input\) \{ code message restoreId \}/.test(r.query)) {
        res.end(
          JSON.stringify({
            data: { restore: { code: 'Success', message: 'Restore operation started.', restoreId: 7 } },
          }),
        );
      } else if (/restoreStatus\(restoreId: \$restoreId\) \{\s+status errors bytesDone/.test(r.query)) {
        // Strata's progress fields: restore 11 answers them as a Strata Alpha, every other id as
        // Dgraph's schema does (it has no such fields; the client asks again without them).
        if (r.variables.restoreId === 11) {
          const group = {
            group: 1,
            phase: 'load',
            bytesDone: 10,
            bytesTotal: 40,
            filesDone: 1,
            filesTotal: null,
            keysDone: 5,
          };
          res.end(
            JSON.stringify({
              data: {
                restoreStatus: {
                  status: 'IN_PROGRESS',
                  errors: [],
                  bytesDone: 10,
                  bytesTotal: 40,
                  keysDone: 5,
                  groups: [group],
                },
              },
            }),
          );
        } else {
          res.end(
            JSON.stringify({
              errors: [{ message: 'Cannot query field "bytesDone" on type "RestoreStatus".' }],
              data: null,
            }),
          );
        }
      } else if (/restoreStatus\(restoreId: \$restoreId\) \{ status errors \}/.test(r.query)) {
        polls++;
        const id = r.variables.restoreId;
        const status = id === 9 ? 'UNKNOWN' : id === 8 ? 'ERR' : polls < 3 ? 'IN_PROGRESS' : 'OK';
        res.end(
          JSON.stringify({
            data: { restoreStatus: { status, errors: id === 8 ? ['missing backup file x'] : [] } },
          }),
        );
      } else {
        res.statusCode = 400;
        res.end(JSON.stringify({ errors: [{ message: `unexpected query ${r.query}` }] }));
      }
    }));
    url = `${url}/admin`;
  });
  afterAll(() => close(server));

  it('backup sends destination and forceFull (and credentials), restore then polls until OK', async () => {
    const admin = new AdminClient(url);
    await expect(admin.backup({ destination: '/backups', forceFull: true })).resolves.toEqual({
      code: 'Success',
      message: 'Backup completed.',
      taskId: null,
    });
    await admin.backup({ destination: 's3://h/b', forceFull: false, accessKey: 'AK', secretKey: 'SK' });
    expect(requests[0]!.variables).toEqual({ input: { destination: '/backups', forceFull: true } });
    expect(requests[1]!.variables).toEqual({
      input: { destination: 's3://h/b', forceFull: false, accessKey: 'AK', secretKey: 'SK' },
    });
    const r = await admin.restore({ location: '/backups', backupId: 'wizardly_blackburn2', backupNum: 3 });
    expect(r.restoreId).toBe(7);
    expect(requests[2]!.variables).toEqual({
      input: { location: '/backups', backupId: 'wizardly_blackburn2', backupNum: 3 },
    });
    const seen: string[] = [];
    const final = await admin.waitForRestore(7, { intervalMs: 5, onStatus: (s) => seen.push(s.status) });
    expect(seen).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'OK']);
    expect(final).toEqual({ status: 'OK', errors: [] });
    expect(await admin.waitForRestore(8, { intervalMs: 5 })).toEqual({
      status: 'ERR',
      errors: ['missing backup file x'],
    });
    expect(await admin.waitForRestore(9, { intervalMs: 5 })).toEqual({
      status: 'UNKNOWN',
      errors: ['the Alpha knows no restore with id 9'],
    });
    expect(requests.every((q) => q.token === undefined)).toBe(true);
  });

  it('sends the auth token as X-Dgraph-AuthToken; forAlpha takes host:port', async () => {
    const before = requests.length;
    const admin = AdminClient.forAlpha(url.replace(/^http:\/\//, '').replace(/\/admin$/, ''), {
      authToken: 's3cr3t',
    });
    expect(admin.url).toBe(url);
    await admin.restoreStatus(7);
    expect(requests[before]!.token).toBe('s3cr3t');
  });

  it("reads a Strata Alpha's progress fields, and asks a Dgraph Alpha without them (once)", async () => {
    const strata = await new AdminClient(url).restoreStatus(11);
    expect(strata).toEqual({
      status: 'IN_PROGRESS',
      errors: [],
      progress: {
        bytesDone: 10,
        bytesTotal: 40,
        keysDone: 5,
        groups: [
          {
            group: 1,
            phase: 'load',
            bytesDone: 10,
            bytesTotal: 40,
            filesDone: 1,
            filesTotal: undefined,
            keysDone: 5,
          },
        ],
      },
    });
    const dgraph = new AdminClient(url);
    const before = requests.length;
    expect(await dgraph.restoreStatus(8)).toEqual({ status: 'ERR', errors: ['missing backup file x'] });
    expect(await dgraph.restoreStatus(8)).toEqual({ status: 'ERR', errors: ['missing backup file x'] });
    // Refused once with the progress fields, then two plain queries.
    expect(requests.slice(before).map((q) => /bytesDone/.test(q.query))).toEqual([true, false, false]);
  });

  it('clear errors naming the URL: GraphQL errors, an unreachable Alpha, a bad URL', async () => {
    const refused = await new AdminClient(url)
      .backup({ destination: '/refused', forceFull: false })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ServiceError);
    expect(refused).toMatchObject({ code: 'SERVICE', reason: 'REFUSED', url });
    expect((refused as Error).message).toBe(
      `the Alpha at ${url} refused the request: backup destination not writable`,
    );
    const port = await closedPort();
    const err = await new AdminClient(`http://127.0.0.1:${port}/admin`)
      .restoreStatus(1)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect(err).toMatchObject({ reason: 'UNREACHABLE', detail: 'ECONNREFUSED' });
    expect((err as Error).message).toBe(
      `cannot reach the Alpha at http://127.0.0.1:${port}/admin (ECONNREFUSED)`,
    );
    expect(() => new AdminClient('127.0.0.1:8080')).toThrow(InvalidArgumentError);
    expect(() => new AdminClient('127.0.0.1:8080')).toThrow(/must be an http\(s\) URL/);
  });

  it('stops waiting when aborted', async () => {
    polls = -100; // stays IN_PROGRESS
    const abort = new AbortController();
    const p = new AdminClient(url).waitForRestore(7, { intervalMs: 20, signal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    const err = await p.catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'CANCELLED' });
    expect((err as Error).message).toBe('stopped waiting for restore 7 (it goes on on the Alpha)');
  });
});

/** A stand-in Zero: /state, /assign and the token-guarded /internal/lease. */
describe('ZeroClient', () => {
  let server: Server;
  let addr: string;
  const leases: unknown[] = [];

  beforeAll(async () => {
    let base: string;
    ({ server, base } = await listen((req, text, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/internal/') && req.headers['x-strata-token'] !== 'tok') {
        res.statusCode = 401;
        res.end();
      } else if (req.url === '/internal/lease') {
        leases.push(JSON.parse(text));
        res.end(JSON.stringify({ what: 'uids', nextId: '1001', maxLeased: '20000' }));
      } else if (req.url === '/assign?what=uids&num=5') {
        res.end(JSON.stringify({ startId: '10', endId: '14' }));
      } else if (req.url === '/internal/backup-lock') {
        res.statusCode = 409;
        res.end(JSON.stringify({ code: 'CONFLICT', message: 'a backup is running' }));
      } else if (req.url === '/internal/oracle/read-ts') {
        res.end('not json');
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ message: 'no such route' }));
      }
    }));
    addr = base.replace('http://', '');
  });
  afterAll(() => close(server));

  it('leases and assigns ids with the cluster token', async () => {
    const zero = new ZeroClient(addr, 'tok');
    expect(zero.base).toBe(`http://${addr}`);
    await expect(zero.lease('uids', 0, 1000n)).resolves.toMatchObject({ nextId: '1001' });
    expect(leases).toEqual([{ what: 'uids', num: 0, atLeast: '1000' }]);
    await expect(zero.assignUids(5)).resolves.toEqual({ start: 10n, end: 14n });
  });

  it('refusals carry the status and the code; mapError turns them into the caller’s errors', async () => {
    const wrong = await new ZeroClient(addr, 'nope').lease('uids', 0).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ reason: 'REFUSED', status: 401, service: `Zero at ${addr}` });
    const held = await new ZeroClient(addr, 'tok')
      .backupLock({ op: 'acquire', id: 'x' })
      .catch((e: unknown) => e);
    expect(held).toMatchObject({ reason: 'REFUSED', status: 409, remoteCode: 'CONFLICT' });
    expect((held as Error).message).toBe(`Zero at ${addr}: a backup is running`);
    const bad = await new ZeroClient(addr, 'tok').readTs().catch((e: unknown) => e);
    expect(bad).toMatchObject({ reason: 'BAD_RESPONSE', status: 200 });
    class Mine extends Error {}
    const mapped = await new ZeroClient(addr, 'nope', { mapError: (e) => new Mine(e.detail) })
      .lease('uids', 0)
      .catch((e: unknown) => e);
    expect(mapped).toBeInstanceOf(Mine);
    expect((mapped as Error).message).toBe('HTTP 401');
  });

  it('an unreachable Zero', async () => {
    const port = await closedPort();
    const err = await new ZeroClient(`127.0.0.1:${port}`, 'tok').state().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).toBe(`cannot reach Zero at 127.0.0.1:${port} (ECONNREFUSED)`);
  });
});

describe('renderVerifyReport', () => {
  const file = (bytes: number, kvs: number) => ({ file: 'f', group: 1, ok: true, bytes, kvs });
  const report = (ok: boolean): VerifyReport =>
    ({
      ok,
      location: '/b',
      backupId: 's1',
      warnings: ['w1'],
      problems: ok ? [] : ['gap before #3'],
      backups: [
        {
          ok: true,
          backupNum: 1,
          type: 'full',
          path: 'dgraph.1',
          readTs: 5n,
          layout: 'v20.11',
          files: [file(1234567, 10), file(1, 2)],
          problems: [],
        },
        {
          ok,
          backupNum: 2,
          type: 'incremental',
          path: 'dgraph.2',
          readTs: 9n,
          layout: 'v21.12+',
          files: [file(10, 1)],
          problems: ok ? [] : ['r9-g1.backup: truncated'],
        },
      ],
    }) as unknown as VerifyReport;

  it('one line per backup, its problems, then a verdict', () => {
    expect(renderVerifyReport(report(true))).toBe(
      [
        'series s1 at /b',
        'warning: w1',
        'OK     #1 full dgraph.1 (v20.11, readTs 5, 2 files, 1,234,568 bytes, 12 kvs)',
        'OK     #2 incremental dgraph.2 (v21.12+, readTs 9, 1 file, 10 bytes, 1 kvs)',
        'all 2 backups verified',
        '',
      ].join('\n'),
    );
    expect(renderVerifyReport(report(false))).toContain(
      'FAILED #2 incremental dgraph.2 (v21.12+, readTs 9, 1 file, 10 bytes, 1 kvs)\n    - r9-g1.backup: truncated\n' +
        'problem: gap before #3\nverification FAILED\n',
    );
  });
});
