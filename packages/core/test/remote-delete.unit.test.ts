/** Destination.delete on s3:// and minio:// against a local fake of the S3 API (no real server). */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDestination, StrataError } from '../src/index.js';

const SECRET = 'fake-secret-key-0123456789';
let server: Server;
let port = 0;
const seen: string[] = [];
/** Object keys whose DELETE answers 403 AccessDenied. */
const denied = new Set<string>(['bkt/base/denied.backup']);

function keyOf(req: IncomingMessage): string {
  return decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.searchParams.has('location')) {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">us-east-1</LocationConstraint>',
      );
      return;
    }
    seen.push(`${req.method} ${keyOf(req)}`);
    if (req.method === 'DELETE' && denied.has(keyOf(req))) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied.</Message></Error>',
      );
      return;
    }
    res.writeHead(204);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

for (const scheme of ['s3', 'minio'] as const) {
  describe(`${scheme}:// delete`, () => {
    const open = () =>
      openDestination(`${scheme}://127.0.0.1:${port}/bkt/base?secure=false`, {
        accessKey: 'fake-access',
        secretKey: SECRET,
        env: {},
      });

    it('sends a DELETE of the key under the location prefix', async () => {
      seen.length = 0;
      const d = open();
      await d.delete('dgraph.20261201.120000.000/r10-g1.backup');
      expect(seen).toEqual(['DELETE bkt/base/dgraph.20261201.120000.000/r10-g1.backup']);
      (d as { close?: () => void }).close?.();
    });

    it('refuses paths that leave the location, sending nothing', async () => {
      seen.length = 0;
      const d = open();
      await expect(d.delete('../other/x')).rejects.toThrow(/stay inside/);
      await expect(d.delete('/abs/x')).rejects.toThrow(/relative/);
      expect(seen).toEqual([]);
    });

    it('a refused delete is an error naming the file, never the secret', async () => {
      const d = open();
      const err = (await d.delete('denied.backup').catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(StrataError);
      expect(err.message).toMatch(/denied\.backup/);
      expect(err.message).not.toContain(SECRET);
    });
  });
}
