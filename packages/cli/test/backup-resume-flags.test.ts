// `strata backup --resume / --no-resume`: the /admin backup input's `resume` field, sent only when
// a flag is given (Dgraph's Alphas have no such field), and the answer printed as the Alpha gave it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backupCommand } from '../src/commands/backup.js';

let server: Server;
let addr = '';
const inputs: Record<string, unknown>[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const q = JSON.parse(body) as { query: string; variables?: { input?: Record<string, unknown> } };
      res.setHeader('content-type', 'application/json');
      if (q.query.includes('backupProgress')) {
        res.end(JSON.stringify({ data: { backupProgress: null } }));
        return;
      }
      inputs.push(q.variables!.input!);
      res.end(
        JSON.stringify({
          data: {
            backup: {
              response: {
                code: 'Success',
                message: 'Backup completed: resumed backup b #1 at readTs 5: kept groups 1',
              },
              taskId: 't',
            },
          },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  addr = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function backup(...flags: string[]): Promise<{ input: Record<string, unknown>; out: string }> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
  try {
    await backupCommand().parseAsync(['--alpha', addr, '-d', '/backups', ...flags], { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return { input: inputs.at(-1)!, out: out.join('') };
}

describe('strata backup --resume / --no-resume', () => {
  it('sends resume only when a flag says so', async () => {
    const plain = await backup();
    expect(plain.input).toEqual({ destination: '/backups' });
    expect(plain.out).toContain('Backup completed: resumed backup b #1 at readTs 5: kept groups 1');
    expect((await backup('--resume')).input).toEqual({ destination: '/backups', resume: true });
    expect((await backup('--no-resume')).input).toEqual({ destination: '/backups', resume: false });
    expect((await backup('--force_full', '--no-resume')).input).toEqual({
      destination: '/backups',
      forceFull: true,
      resume: false,
    });
  });

  it('documents both flags in --help', () => {
    const help = backupCommand().helpInformation();
    expect(help).toMatch(/--resume\s+continue an interrupted backup/);
    expect(help).toMatch(/--no-resume\s+discard an interrupted backup/);
  });
});
