/** strata load's batch scheduler: which batches may be in flight together, and in what order. */
import { describe, expect, it } from 'vitest';
import { parseNQuads } from '@strata/server';
import { BatchScheduler, touchedLists } from '../src/batch-scheduler.js';

/** A run function whose calls end when the test says so; records what ran at once. */
function controlled() {
  const started: string[] = [];
  const running = new Set<string>();
  let most = 0;
  const ends = new Map<string, () => void>();
  const run = (id: string) =>
    new Promise<void>((resolve, reject) => {
      started.push(id);
      running.add(id);
      most = Math.max(most, running.size);
      ends.set(id, () => {
        running.delete(id);
        if (id.startsWith('fail')) reject(new Error(`${id} failed`));
        else resolve();
      });
    });
  const end = async (id: string) => {
    ends.get(id)!();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { run, started, running, end, most: () => most };
}

const L = (...xs: string[]) => new Set(xs);

describe('BatchScheduler', () => {
  it('runs batches that share no list side by side, up to the limit', async () => {
    const c = controlled();
    const s = new BatchScheduler(2, c.run);
    await s.add('a', L('1'));
    await s.add('b', L('2'));
    expect([...c.running]).toEqual(['a', 'b']);
    const third = s.add('c', L('3')); // queued: the limit is 2
    await new Promise((r) => setTimeout(r, 0));
    expect(c.started).toEqual(['a', 'b']);
    await c.end('a');
    await third;
    expect(c.started).toEqual(['a', 'b', 'c']);
    await c.end('b');
    await c.end('c');
    await s.drain();
    expect(c.most()).toBe(2);
  });

  it('keeps batches that share a list apart and in file order; later free ones overtake', async () => {
    const c = controlled();
    const s = new BatchScheduler(3, c.run);
    await s.add('a', L('x', '1'));
    await s.add('b', L('x', '2')); // waits for a
    await s.add('c', L('2')); // shares 2 with the waiting b: must not overtake it
    await s.add('d', L('4')); // free: runs now
    expect(c.started).toEqual(['a', 'd']);
    await c.end('a');
    expect(c.started).toEqual(['a', 'd', 'b']);
    await c.end('b');
    expect(c.started).toEqual(['a', 'd', 'b', 'c']);
    await c.end('c');
    await c.end('d');
    await s.drain();
  });

  it('starts nothing after a failure and lets the batches in flight end', async () => {
    const c = controlled();
    const s = new BatchScheduler(2, c.run);
    await s.add('fail-a', L('1'));
    await s.add('b', L('2'));
    const queued = s.add('c', L('3'));
    await c.end('fail-a');
    await queued;
    expect(c.started).toEqual(['fail-a', 'b']);
    expect((s.failure as Error).message).toBe('fail-a failed');
    const drained = s.drain();
    await c.end('b');
    await drained;
    expect(c.started).not.toContain('c');
  });
});

describe('touchedLists', () => {
  it("names each (predicate, subject) and each node object's reverse list", () => {
    const quads = parseNQuads(
      '_:a <name> "A" .\n_:a <friend> _:b .\n<0x5> <friend> <0x6> .\n_:b <name> "B" .',
    );
    const lists = touchedLists(quads, new Map([['a', 10n]]));
    expect([...lists].map((l) => l.replace('\u0000', ' ')).sort()).toEqual([
      'friend 0x5',
      'friend 0xa:a',
      'name 0x0:b',
      'name 0xa:a',
      '~friend 0x0:b',
      '~friend 0x6',
    ]);
  });
});
