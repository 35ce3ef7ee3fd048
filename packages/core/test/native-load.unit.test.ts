/** The load check's messages, with `require` faked (no native code involved). */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const fake = { binding: undefined as unknown, version: '1.2.3' };

vi.mock('node:module', () => ({
  createRequire: () => (id: string) => {
    if (id === '@strata/native/package.json') return { version: fake.version };
    if (id === '@strata/native') {
      if (fake.binding === undefined)
        throw new Error("Cannot find module './strata-native.linux-x64-gnu.node'");
      return fake.binding;
    }
    throw new Error(`unexpected require ${id}`);
  },
}));

beforeEach(() => {
  vi.resetModules();
});

async function load(): Promise<unknown> {
  const { loadNative } = await import('../src/native.js');
  try {
    return loadNative();
  } catch (err) {
    return err;
  }
}

describe('loadNative', () => {
  it('says the addon cannot be loaded, what a checkout and an install need, with the underlying error', async () => {
    fake.binding = undefined;
    const err = (await load()) as { code: string; message: string; name: string };
    expect(err.name).toBe('NativeAddonError');
    expect(err.code).toBe('NATIVE_NOT_BUILT');
    expect(err.message).toContain("Strata's native addon cannot be loaded: in a checkout, run `pnpm build`");
    expect(err.message).toContain('the @strata/native-<platform> package of this machine');
    expect(err.message).toContain('strata-native.linux-x64-gnu.node');
  });

  it('says when the binary has another version', async () => {
    fake.binding = { nativeVersion: () => '1.2.0' };
    const err = (await load()) as { code: string; message: string };
    expect(err.code).toBe('NATIVE_VERSION_MISMATCH');
    expect(err.message).toContain('version 1.2.0');
    expect(err.message).toContain('expects 1.2.3');
    expect(err.message).toContain('pnpm build');
  });

  it('returns the binding when the versions agree', async () => {
    fake.binding = { nativeVersion: () => '1.2.3' };
    expect(await load()).toBe(fake.binding);
  });
});
