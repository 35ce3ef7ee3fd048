/**
 * The loader's progress in bytes against a stand-in Alpha (plain HTTP, no /assign): each committed
 * batch is reported with the bytes of the file read when it was parsed, so the bytes follow the
 * commits instead of running ahead of them.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRdf, READ_CHUNK, type LoadProgress } from '../src/loader.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-cli-loader-'));
let server: Server;
let alpha = '';
let mutations = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/mutate')) {
        mutations++;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"uids":{}}}');
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  alpha = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(tmp, { recursive: true, force: true });
});

describe('loadRdf progress in bytes', () => {
  it('each batch is reported with the bytes read when it was parsed; all of them at the end', async () => {
    const file = path.join(tmp, 'big.rdf');
    const lines: string[] = [];
    for (let i = 0; i < 8000; i++) lines.push(`<0x${(i + 1).toString(16)}> <name> "node number ${i}" .`);
    writeFileSync(file, lines.join('\n') + '\n');
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(4 * READ_CHUNK);
    const seen: LoadProgress[] = [];
    const r = await loadRdf({ alpha, file, batch: 200, concurrency: 1, onProgress: (p) => seen.push(p) });
    expect(r.quads).toBe(8000);
    expect(mutations).toBe(40);
    expect(seen).toHaveLength(40);
    for (const p of seen) expect(p.bytesTotal).toBe(size);
    // The first batch is reported after one chunk (and at most a little read ahead), not the file.
    expect(seen[0]!.bytesRead).toBeGreaterThan(0);
    expect(seen[0]!.bytesRead).toBeLessThanOrEqual(3 * READ_CHUNK);
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]!.bytesRead).toBeGreaterThanOrEqual(seen[i - 1]!.bytesRead);
    // Batches keep being reported as the file is read: many distinct values, not one jump.
    expect(new Set(seen.map((p) => p.bytesRead)).size).toBeGreaterThanOrEqual(4);
    expect(r.bytesRead).toBe(size);
  });
});
