/**
 * The one place the rest of core reaches @strata/native through (tests mock this module):
 * - ./native/contract.ts: the typed contract the addon must satisfy;
 * - ./native/load.ts: loading it once, lazily, with the version check.
 * Its `CODE: text` errors are mapped to typed StrataErrors by ./native/errors.ts.
 */
export * from './native/contract.js';
export * from './native/load.js';
