/** Zero's cluster-wide backup/restore lock through `fastify.inject`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupLock, buildZeroApp, TOKEN_HEADER, ZeroStore } from '../src/index.js';

const TOKEN = 'test-token-0123456789';
const root = mkdtempSync(path.join(tmpdir(), 'strata-lock-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('POST /internal/backup-lock', () => {
  it('hands the lock to one id at a time and names the holder to the others', async () => {
    const store = await ZeroStore.open({ dataDir: path.join(root, 'z1') });
    const app = await buildZeroApp({ store, token: TOKEN });
    try {
      const lock = (body: object) =>
        app.inject({
          method: 'POST',
          url: '/internal/backup-lock',
          headers: { [TOKEN_HEADER]: TOKEN },
          payload: body,
        });
      const a = await lock({
        op: 'acquire',
        id: 'backup-a',
        holder: '127.0.0.1:8080',
        description: 'backup to /b',
      });
      expect(a.statusCode).toBe(200);
      expect(a.json()).toMatchObject({ acquired: true, id: 'backup-a' });
      // The same id may renew; another id is refused with the running one's description.
      expect((await lock({ op: 'acquire', id: 'backup-a' })).statusCode).toBe(200);
      const b = await lock({ op: 'acquire', id: 'restore-b', kind: 'restore' });
      expect(b.statusCode).toBe(409);
      expect(b.json().message).toMatch(
        /^another backup is running: backup to \/b \(id backup-a, coordinated by 127\.0\.0\.1:8080/,
      );
      expect((await lock({ op: 'release', id: 'restore-b' })).json()).toEqual({ released: false });
      expect((await lock({ op: 'release', id: 'backup-a' })).json()).toEqual({ released: true });
      expect((await lock({ op: 'acquire', id: 'restore-b', kind: 'restore' })).statusCode).toBe(200);
      // Without the token: 401.
      const noToken = await app.inject({
        method: 'POST',
        url: '/internal/backup-lock',
        payload: { op: 'acquire', id: 'x' },
      });
      expect(noToken.statusCode).toBe(401);
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('expires a lock whose coordinator went away', () => {
    const l = new BackupLock();
    l.acquire({ id: 'a', kind: 'backup', holder: 'h', description: 'd', timeoutMs: -1 });
    expect(l.current()).toBeUndefined();
    expect(l.acquire({ id: 'b', kind: 'backup', holder: 'h', description: 'd', timeoutMs: 1000 }).id).toBe(
      'b',
    );
  });
});
