import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type * as Native from '../index.js';

const native = createRequire(import.meta.url)('../index.js') as typeof Native;

describe('a panic in native code', () => {
  beforeEach(() => {
    process.env.STRATA_NATIVE_TEST_HOOKS = '1';
  });
  afterEach(() => {
    delete process.env.STRATA_NATIVE_TEST_HOOKS;
  });

  it('in an async task rejects with INTERNAL and Node lives on', async () => {
    await expect(native.__testPanic('task')).rejects.toThrow(
      /^INTERNAL: panic in native code: test panic in an async task$/,
    );
    // the process and the addon still work
    expect(native.nativeVersion()).toMatch(/\d/);
    await expect(native.__testPanic('task')).rejects.toThrow(/^INTERNAL:/);
  });

  it('in a codec pool job fails that job with INTERNAL; the pool runs the next job', async () => {
    await expect(native.__testPanic('pool')).rejects.toThrow(
      /^INTERNAL: panic in native code: test panic in a pool job$/,
    );
  });

  it('the hook refuses to run without STRATA_NATIVE_TEST_HOOKS=1', () => {
    delete process.env.STRATA_NATIVE_TEST_HOOKS;
    expect(() => native.__testPanic('task')).toThrow(/^INVALID_ARGUMENT: __testPanic is a test hook/);
  });
});
