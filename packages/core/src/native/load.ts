/**
 * Loads @strata/native (a CommonJS napi-rs addon) into this ESM package, once and lazily:
 * importing @strata/core never fails because of the addon; the first call that needs it runs
 * {@link loadNative}, which checks that the binary exists and that its version is the one this
 * core was built against (the `version` of @strata/native's package.json), and throws a
 * {@link NativeAddonError} that says what to do otherwise.
 */
import { createRequire } from 'node:module';
import { NativeAddonError } from '../errors.js';
import { fromNative } from './errors.js';
import type { NativeBinding, PostingStore, PostingStoreOptions } from './contract.js';

const require = createRequire(import.meta.url);
const NATIVE_PACKAGE = '@strata/native';

let cached: NativeBinding | undefined;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

/** The @strata/native version this core expects (from @strata/native's package.json). */
export function expectedNativeVersion(): string {
  try {
    return (require(`${NATIVE_PACKAGE}/package.json`) as { version: string }).version;
  } catch (err) {
    throw new NativeAddonError(
      'NATIVE_NOT_BUILT',
      `Strata's native addon (${NATIVE_PACKAGE}) is not installed: run \`pnpm install && pnpm build\` (${errorMessage(err)})`,
      { cause: err },
    );
  }
}

/**
 * Loads the native binding once and checks its version. Throws {@link NativeAddonError} with
 * code `NATIVE_NOT_BUILT` when the binary cannot be loaded, `NATIVE_VERSION_MISMATCH` when it
 * reports another version than its package.json (a stale build).
 */
export function loadNative(): NativeBinding {
  if (cached) return cached;
  const expected = expectedNativeVersion();
  let binding: NativeBinding;
  try {
    binding = require(NATIVE_PACKAGE) as NativeBinding;
  } catch (err) {
    throw new NativeAddonError(
      'NATIVE_NOT_BUILT',
      `Strata's native addon cannot be loaded: in a checkout, run \`pnpm build\`; an installed strata ` +
        `needs the ${NATIVE_PACKAGE}-<platform> package of this machine installed with it (${errorMessage(err)})`,
      { cause: err },
    );
  }
  if (typeof binding?.nativeVersion !== 'function') {
    throw new NativeAddonError(
      'NATIVE_NOT_BUILT',
      `Strata's native addon is not built: run \`pnpm build\` (${NATIVE_PACKAGE} has no nativeVersion export)`,
    );
  }
  const actual = binding.nativeVersion();
  if (actual !== expected) {
    throw new NativeAddonError(
      'NATIVE_VERSION_MISMATCH',
      `Strata's native addon has version ${actual}, but @strata/core expects ${expected} ` +
        `(the version of ${NATIVE_PACKAGE}): the binary is stale, rebuild it with \`pnpm build\``,
    );
  }
  cached = binding;
  return binding;
}

/** Opens (or, with `create`, creates) the live posting store of one group. */
export function openPostingStore(dir: string, opts: PostingStoreOptions): PostingStore {
  return new (loadNative().PostingStore)(dir, opts);
}

/** The native addon's version, loading it if needed. */
export function nativeVersion(): string {
  return loadNative().nativeVersion();
}

/** The index tokenizers the live store computes; a schema naming another is refused. */
export function supportedTokenizers(): string[] {
  return loadNative().supportedTokenizers();
}

/**
 * The index tokens (identifier byte first, byte order) the live store writes for a value tagged
 * `lang` ('' untagged): a string for the string tokenizers, or the value's bytes in its schema
 * type's encoding (WKB for geo). Throws INVALID_ARGUMENT for a value whose tokens Strata cannot
 * compute as Dgraph does (e.g. fulltext in a language it lacks, a polygon of more than 20,000 vertices).
 */
export function indexTokens(tokenizer: string, value: string | Buffer, lang = ''): Buffer[] {
  try {
    return loadNative().indexTokens(tokenizer, value, lang);
  } catch (e) {
    throw fromNative(e);
  }
}

/**
 * A posting list value (BackupPostingList protobuf) as canonical text without timestamps: uids,
 * postings (uid, type, value type, language, value, facets) and split starts. For comparing what
 * two systems wrote.
 */
export function describePostingList(value: Buffer): string {
  try {
    return loadNative().describePostingList(value);
  } catch (e) {
    throw fromNative(e);
  }
}
