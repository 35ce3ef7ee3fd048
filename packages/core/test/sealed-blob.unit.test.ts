// A file sealed whole (keys/sealed-blob.ts, Zero's state at rest): it opens with its key and kind
// only; a changed byte, another key, another kind or a truncated file is an error naming the file.
import { describe, expect, it } from 'vitest';
import { openBlob, sealBlob } from '../src/keys/sealed-blob.js';

const key = Buffer.alloc(32, 7);
const text = Buffer.from('{"groups":{"1":{"tablets":{"zanzibar_ledger_secret":{}}}}}');

describe('sealed blob', () => {
  it('round-trips and holds none of its plaintext', () => {
    const s = sealBlob(key, text, 'kind a');
    expect(s.includes(Buffer.from('zanzibar'))).toBe(false);
    expect(openBlob(key, s, 'kind a', 'f')).toEqual(text);
    // A fresh IV each time: the same text seals differently.
    expect(sealBlob(key, text, 'kind a').equals(s)).toBe(false);
  });

  it.each([
    ['a changed byte', (s: Buffer) => void (s[20] = s[20]! ^ 1), key, 'kind a', /authentication tag/],
    ['another key', () => undefined, Buffer.alloc(32, 8), 'kind a', /authentication tag/],
    ['another kind', () => undefined, key, 'kind b', /authentication tag/],
  ])('refuses %s', (_, change, k, aad, msg) => {
    const s = sealBlob(key, text, 'kind a');
    change(s);
    expect(() => openBlob(k, s, aad, '/x/zero-state.sealed')).toThrow(msg);
    expect(() => openBlob(k, s, aad, '/x/zero-state.sealed')).toThrow('/x/zero-state.sealed');
  });

  it('refuses a truncated or foreign file', () => {
    const s = sealBlob(key, text, 'kind a');
    expect(() => openBlob(key, s.subarray(0, 20), 'kind a', 'f')).toThrow(/not a sealed file/);
    expect(() => openBlob(key, text, 'kind a', 'f')).toThrow(/not a sealed file/);
    expect(() => openBlob(key, s.subarray(0, s.length - 1), 'kind a', 'f')).toThrow(/authentication tag/);
  });
});
