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
