/**
 * Stream plumbing of the encoder/decoder against a fake binding (no native code): one native
 * call at a time, output order, error mapping, stats event.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import type { ReadOutput, ReaderOptions, WriterOptions } from '../src/native.js';
import { through } from './helpers.js';

const state = { inFlight: 0, maxInFlight: 0, calls: [] as string[] };

async function tracked<T>(name: string, value: T): Promise<T> {
  state.calls.push(name);
  state.inFlight++;
  state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
  await sleep(1);
  state.inFlight--;
  return value;
}

class FakeWriter {
  bytesIn = 0;
  bytesOut = 0;
  constructor(opts: WriterOptions = {}) {
    if (opts.key && opts.key.length !== 16) throw new Error('BAD_KEY_LENGTH: key is 3 bytes');
  }
  writeFramed(b: Buffer): Promise<Buffer> {
    if (b.toString() === 'fail') return Promise.reject(new Error('INVALID_ARGUMENT: frame length is absurd'));
    this.bytesIn += b.length;
    this.bytesOut += b.length;
    return tracked('framed', Buffer.from(b.toString().toUpperCase()));
  }
  writeKvs(kvs: unknown[]): Promise<Buffer> {
    return tracked('kvs', Buffer.from(`<${kvs.length}>`));
  }
  finish(): Promise<Buffer> {
    return tracked('finish', Buffer.from('!'));
  }
}

class FakeReader {
  constructor(readonly opts: ReaderOptions = {}) {}
  push(b: Buffer): Promise<ReadOutput> {
    if (b.toString() === 'bad') return Promise.reject(new Error('CORRUPT: invalid deflate data'));
    const out: ReadOutput =
      this.opts.mode === 'kvs'
        ? { kvs: [...b].map((c) => ({ c }) as never) }
        : this.opts.mode === 'bytes'
          ? { bytes: b }
          : {};
    return tracked('push', out);
  }
  finish(): Promise<ReadOutput> {
    if (this.opts.mode === 'stats')
      return tracked('finish', {
        stats: { frames: 1, kvs: 2, bytesIn: 3, bytesDecompressed: 4, framing: 'gzip', entries: [] },
      });
    return tracked('finish', {});
  }
}

vi.mock('../src/native.js', () => ({
  loadNative: () => ({ BackupWriter: FakeWriter, BackupReader: FakeReader }),
}));

const {
  createBackupEncoder,
  createBackupDecoder,
  BadKeyLengthError,
  CorruptBackupError,
  InvalidArgumentError,
} = await import('../src/index.js');

function reset(): void {
  state.inFlight = 0;
  state.maxInFlight = 0;
  state.calls = [];
}

describe('encoder stream (fake native)', () => {
  it('awaits each native call, keeps order, ends with finish()', async () => {
    reset();
    const enc = createBackupEncoder();
    const chunks = [Buffer.from('ab'), [{}, {}], Buffer.from('cd'), new Uint8Array([0x65])];
    const out = await through<Buffer>(chunks, enc);
    expect(Buffer.concat(out).toString()).toBe('AB<2>CDE!');
    expect(state.maxInFlight).toBe(1);
    expect(state.calls).toEqual(['framed', 'kvs', 'framed', 'framed', 'finish']);
    expect(enc.bytesIn).toBe(5);
    expect(enc.finished).toBe(true);
  });

  it('maps native rejections and bad input to typed errors', async () => {
    await expect(through([Buffer.from('fail')], createBackupEncoder({ file: '/o.backup' }))).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(through([42], createBackupEncoder())).rejects.toThrow(/framed bytes or arrays/);
    expect(() => createBackupEncoder({ key: Buffer.alloc(3), file: '/o.backup' })).toThrow(BadKeyLengthError);
    expect(() => createBackupEncoder({ key: Buffer.alloc(3), file: '/o.backup' })).toThrow('/o.backup');
  });
});

describe('decoder stream (fake native)', () => {
  it('bytes mode emits Buffers', async () => {
    reset();
    const out = await through<Buffer>([Buffer.from('xy'), Buffer.from('z')], createBackupDecoder());
    expect(Buffer.concat(out).toString()).toBe('xyz');
    expect(state.maxInFlight).toBe(1);
  });

  it('kvs mode emits one object per KV', async () => {
    const out = await through<object>(
      [Buffer.from('ab'), Buffer.from('c')],
      createBackupDecoder({ mode: 'kvs' }),
    );
    expect(out).toHaveLength(3);
  });

  it('stats mode emits nothing, ends by itself, sets stats and fires the event', async () => {
    const dec = createBackupDecoder({ mode: 'stats' });
    const seen = vi.fn();
    dec.on('stats', seen);
    const ended = new Promise((resolve) => dec.on('end', resolve));
    dec.end(Buffer.from('abc'));
    await ended;
    expect(dec.stats).toMatchObject({ kvs: 2 });
    expect(seen).toHaveBeenCalledWith(dec.stats);
  });

  it('rejections become typed errors naming the source', async () => {
    const err = await through(
      [Buffer.from('ok'), Buffer.from('bad')],
      createBackupDecoder({ source: '/b.backup' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptBackupError);
    expect((err as Error).message).toBe('the backup file is corrupt (file: /b.backup): invalid deflate data');
  });
});
