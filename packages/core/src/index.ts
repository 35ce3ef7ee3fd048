/** @strata/core: Strata's TypeScript surface over the native addon. */
export * from './errors.js';
export {
  ERROR_CODES,
  NATIVE_ERROR_CODES,
  errorCodesMarkdown,
  type ErrorCode,
  type ErrorCodeInfo,
  type ErrorCodeSource,
  type HttpErrorCode,
  type NativeErrorCode,
} from './error-codes.js';
export { fromNative, parseNativeMessage } from './native/errors.js';
export {
  loadNative,
  openPostingStore,
  nativeVersion,
  supportedTokenizers,
  indexTokens,
  describePostingList,
  expectedNativeVersion,
  type NativeBinding,
  type KvEntry,
  type WriterOptions,
  type ReaderOptions,
  type ReaderMode,
  type ReaderCompression,
  type BackupKeyType,
  type BackupKeyInfo,
  type DecodedKv,
  type PredicateStats,
  type BackupStats,
  type ReadOutput,
  type PostingStore,
  type CompareOp,
  type SchemaPredicate,
  type SchemaValueType,
  type TypeDef,
  type FacetInput,
  type EdgeMutation,
  type NodeQuery,
  type FactValue,
  type NodeFacts,
  type AlterRequest,
  type BackupOptions as NativeBackupOptions,
  type BackupSummary,
  type BackupStream,
  type BackupDropOperation,
  type RestoreWriterOptions,
} from './native.js';
export {
  BackupEncoder,
  createBackupEncoder,
  type BackupEncoderOptions,
  type BackupEncoderInput,
} from './codec/encoder.js';
export { BackupDecoder, createBackupDecoder, type BackupDecoderOptions } from './codec/decoder.js';
export { inspectBackupFile, type InspectOptions, type BackupFileStats } from './codec/inspect.js';
export { readKeyFile, isValidKeyLength, VALID_KEY_LENGTHS } from './keys/file.js';
export {
  createStoreKey,
  openStoreKey,
  rewrapStoreKey,
  storeDataKey,
  hasEnvelope,
  ENVELOPE_FILE,
  DATA_KEY_BYTES,
} from './keys/envelope.js';
export { sealBlob, openBlob } from './keys/sealed-blob.js';
export { rotateStoreKeys, type RotatedStore, type RotationResult } from './keys/rotate.js';
export { readVaultKey, VaultError, VAULT_DEFAULTS, type VaultKeyOptions } from './keys/vault.js';
export {
  VAULT_OPTIONS,
  vaultOptionsFromFlags,
  vaultOptionsFromFields,
  type VaultOptionName,
  type VaultFlags,
  type VaultFields,
} from './keys/vault-options.js';
export {
  fileKeyProvider,
  vaultKeyProvider,
  keyProviderFrom,
  type KeyProvider,
  type KeySourceOptions,
} from './keys/provider.js';
export * from './destinations/index.js';
export * from './manifest/index.js';
export * from './series/index.js';
export * from './list/index.js';
export * from './verify/index.js';
export * from './retention/index.js';
export * from './restore/index.js';
export * from './export/index.js';
export * from './backup/index.js';
export * from './demo/index.js';
export { prng } from './util/prng.js';
export * from './client/index.js';
export { fsyncDir } from './util/fsync.js';
export type { PhaseProgress } from './util/progress.js';
