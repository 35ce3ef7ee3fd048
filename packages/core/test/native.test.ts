import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { expectedNativeVersion, loadNative, nativeVersion } from '../src/native.js';

const require = createRequire(import.meta.url);

describe('native load check', () => {
  it('loads the addon once, at the version of its package.json', () => {
    const pkg = require('@strata/native/package.json') as { version: string };
    expect(expectedNativeVersion()).toBe(pkg.version);
    expect(nativeVersion()).toBe(pkg.version);
    expect(loadNative()).toBe(loadNative());
  });

  it('exposes the contract', () => {
    const n = loadNative();
    expect(typeof n.BackupWriter).toBe('function');
    expect(typeof n.BackupReader).toBe('function');
    expect(typeof n.encodeKvList).toBe('function');
    expect(typeof n.decodeKvList).toBe('function');
  });
});

describe('index tokens', () => {
  it("computes Dgraph's fulltext tokens and refuses what it cannot match", async () => {
    const { indexTokens, supportedTokenizers } = await import('../src/index.js');
    expect(supportedTokenizers()).toContain('fulltext');
    // Dgraph v24.0.5: brown fox quick (the stop word "the" dropped, "foxes" stemmed)
    const hex = indexTokens('fulltext', 'The quick brown foxes').map((b) => b.toString('hex'));
    expect(hex).toEqual(['0862726f776e', '08666f78', '08717569636b']);
    expect(() => indexTokens('fulltext', 'x', 'qaa')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('"qaa"') }),
    );
    expect(() => indexTokens('int', '1')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
