// A server started with the defaults listens on loopback only (issue 13.3): the listening socket's
// local address, read from /proc/net/tcp, is 127.0.0.1, not 0.0.0.0.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PKG_DIR } from './helpers.js';

const MAIN = path.join(PKG_DIR, 'dist/main.js');
const root = mkdtempSync(path.join(tmpdir(), 'strata-exposure-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The local addresses (`a.b.c.d`) of the IPv4 sockets listening on `port`. */
function listeners(port: number): string[] {
  const rows = readFileSync('/proc/net/tcp', 'utf8').trim().split('\n').slice(1);
  const out: string[] = [];
  for (const row of rows) {
    const [, local, , state] = row.trim().split(/\s+/);
    const [hex, portHex] = (local ?? '').split(':');
    if (state !== '0A' || Number.parseInt(portHex ?? '', 16) !== port || !hex) continue; // 0A: LISTEN
    const b = Buffer.from(hex, 'hex').reverse(); // little-endian in /proc
    out.push([...b].join('.'));
  }
  return out;
}

/** Starts `strata zero` with its defaults (free port) and resolves with the port it printed. */
function startZero(dataDir: string): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, [MAIN, 'zero', '--port', '0', '--data', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), stop: () => child.kill('SIGKILL') });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`strata zero exited ${code}: ${out}`)));
  });
}

describe('default exposure', () => {
  it('strata zero listens on 127.0.0.1 unless --host says otherwise', async () => {
    const { port, stop } = await startZero(path.join(root, 'zero'));
    try {
      expect(listeners(port)).toEqual(['127.0.0.1']);
    } finally {
      stop();
    }
  });
  it('the servers document the default in --help', async () => {
    const { strata } = await import('./helpers.js');
    for (const cmd of ['zero', 'alpha', 'start']) {
      const help = (await strata(cmd, '--help')).stdout.replace(/\s+/g, ' ');
      expect(help).toContain('--host <addr> address to listen on (default loopback only');
      expect(help).toContain('other hosts) (default: "127.0.0.1")');
    }
  });
});
