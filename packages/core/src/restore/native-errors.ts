/** Maps native store errors (`STORE_*: text`, `IO: text`) to {@link StoreError}; others via fromNative. */
import { StoreError, type StrataError } from '../errors.js';
import { fromNative } from '../native/errors.js';

const STORE_MESSAGE = /^(STORE_[A-Z_]+|IO):\s*([\s\S]*)$/;

export function fromNativeStore(err: unknown, file?: string): StrataError {
  const message = err instanceof Error ? err.message : String(err);
  const m = STORE_MESSAGE.exec(message);
  if (m) return new StoreError(m[1]!, m[2]!.trim(), { file, cause: err });
  return fromNative(err, file);
}
