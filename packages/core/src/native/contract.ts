/**
 * The typed contract of @strata/native (mirrors packages/native/index.d.ts): what core expects the
 * addon to export. The generated binding is checked against it at compile time (below).
 */
import type * as Generated from '@strata/native';

export interface KvEntry {
  key: Buffer;
  value: Buffer;
  userMeta: number;
  version: bigint | number;
  expiresAt?: bigint | number;
}

export interface WriterOptions {
  level?: number;
  key?: Buffer;
  threads?: number;
  blockSize?: number;
  compression?: 'gzip';
  /** Any bytes (an export's text) instead of framed KV lists. */
  raw?: boolean;
}

export interface BackupWriter {
  /** Bytes already framed (`u64` LE length + KVList)*, in any chunking. */
  writeFramed(bytes: Buffer): Promise<Buffer>;
  writeKvList(list: Buffer): Promise<Buffer>;
  writeKvs(kvs: KvEntry[]): Promise<Buffer>;
  finish(): Promise<Buffer>;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export type ReaderCompression = 'auto' | 'gzip' | 'snappy' | 's2';
export type ReaderMode = 'bytes' | 'kvs' | 'stats';

export interface ReaderOptions {
  key?: Buffer;
  compression?: ReaderCompression;
  mode?: ReaderMode;
  threads?: number;
  source?: string;
  /** Hand the decompressed pieces over as they are (`ReadOutput.chunks`, zero-copy) in 'bytes' mode. */
  chunks?: boolean;
}

export type BackupKeyType =
  'UNKNOWN' | 'DATA' | 'INDEX' | 'REVERSE' | 'COUNT' | 'COUNT_REV' | 'SCHEMA' | 'TYPE';

export interface BackupKeyInfo {
  keyType: BackupKeyType;
  attr: string;
  uid?: bigint;
  startUid?: bigint;
  term?: Buffer;
  count?: number;
  namespace?: bigint;
}

export interface DecodedKv {
  key: BackupKeyInfo;
  rawKey: Buffer;
  value: Buffer;
  userMeta: number;
  version: bigint;
  uids?: number;
  postings?: number;
}

export interface PredicateStats {
  predicate: string;
  keyType: string;
  keys: number;
  uids: number;
  postings: number;
  namespace?: bigint;
  /** Smallest and largest version of the row's KVs (absent from addons older than `verify --deep`). */
  minVersion?: bigint;
  maxVersion?: bigint;
}

export interface BackupStats {
  frames: number;
  kvs: number;
  bytesIn: number;
  bytesDecompressed: number;
  /** The file's framing: `gzip` (Dgraph up to v20.11), `snappy` (v21.03 to v24) or `s2` (v25). */
  framing: string;
  entries: PredicateStats[];
}

export interface ReadOutput {
  bytes?: Buffer;
  chunks?: Buffer[];
  kvs?: DecodedKv[];
  stats?: BackupStats;
  /** The call stopped at its output budget: push an empty Buffer until this is false. */
  more?: boolean;
}

export interface BackupReader {
  push(chunk: Buffer): Promise<ReadOutput>;
  finish(): Promise<ReadOutput>;
}

export type DropOpName = 'ALL' | 'DATA' | 'ATTR' | 'NS';

/** A drop operation for {@link RestoreWriter.applyDrops} (ATTR: `value` is the bare predicate). */
export interface DropOp {
  op: DropOpName;
  value?: string;
  namespace?: bigint | number;
}

export interface PredicateRef {
  namespace: bigint | number;
  name: string;
}

export interface LoadFileOptions {
  key?: Buffer;
  compression?: ReaderCompression;
  /** The group's predicates in the LAST manifest of the chain (TYPE keys are always kept). */
  predicates: PredicateRef[];
  /**
   * Partial restore: every predicate restored (in any group). A type is kept only when it lists
   * one of them (in its namespace), with only those fields. Absent: every type kept whole.
   */
  typeFields?: PredicateRef[];
  threads?: number;
  batchBytes?: number;
  /** The backup's manifest version: how it writes names inside schema and type values (default 0). */
  manifestVersion?: 0 | 2103 | 2105;
}

export interface LoadFileResult {
  kvs: number;
  kept: number;
  maxUid: bigint;
  maxNsId: bigint;
}

export interface RestoreFinishResult {
  maxUid: bigint;
  maxNsId: bigint;
  keys: number;
}

/** Options of a live store (`openPostingStore`). */
export interface PostingStoreOptions {
  group: number;
  /** Create the store when the folder does not exist or is empty (but for its key envelope). */
  create?: boolean;
  /** The store's data key (32 bytes), when it is encrypted at rest; a mismatch: `STORE_KEY_MISMATCH`. */
  dataKey?: Buffer;
}

export interface RestoreWriterOptions {
  group: number;
  /**
   * Online restore (spec §10): every data/index/reverse/count key is stored at this version
   * (schema/type at 1); on equal versions the later file wins. Absent: the backup's versions.
   */
  restoreTs?: bigint;
  /** The new store's data key (32 bytes): written encrypted at rest with it (keys/envelope.ts). */
  dataKey?: Buffer;
}

/** Builds one group's posting store (`p<N>`) from the backups of a chain (spec §10). */
export interface RestoreWriter {
  applyDrops(ops: DropOp[]): Promise<void>;
  resetSchema(): Promise<void>;
  loadBackupFile(path: string, opts: LoadFileOptions): Promise<LoadFileResult>;
  /**
   * The whole chain at once, its files merged in key order, in place of the three calls above for
   * each backup: for files in the store's key order (Strata's own backups), so that every key is
   * appended and the store is not copied at `finish`. One result per file, in the chain's order.
   * Rejects with `STORE_KEYS_OUT_OF_ORDER` when a file is not in that order, with the store
   * emptied again: the chain can then be loaded file by file with the same writer.
   */
  loadChain(backups: ChainBackupInput[]): Promise<LoadFileResult[]>;
  finish(readTs: bigint | number): Promise<RestoreFinishResult>;
}

/** One backup of a chain for {@link RestoreWriter.loadChain}: its drops and its files for the group. */
export interface ChainBackupInput {
  drops: DropOp[];
  files: { path: string; options: LoadFileOptions }[];
}

export interface ExportRdfOptions {
  readTs?: bigint | number;
  /** Folder for the external sort's run files (default: the OS temp folder). */
  tmpDir?: string;
  /** Bytes of lines sorted in memory before a run is spilled (default 32 MiB). */
  runBytes?: number;
  /** Bytes per chunk of `ExportStream.next()` (default 1 MiB; chunks end on a line end). */
  chunkBytes?: number;
  /** Per folder of `dirs`: the data key of a store encrypted at rest, or an empty Buffer. */
  dataKeys?: Buffer[];
}

/**
 * `data.rdf` pulled chunk by chunk (await each next() before the next one); the first next()
 * scans the stores. Memory stays bounded by the run buffer whatever the store size.
 */
export interface ExportStream {
  next(): Promise<Buffer | null>;
  /** `schema.txt`; available once the first next() has resolved. */
  schema(): Buffer;
  /** Available once next() has returned null. */
  summary(): { schema: Buffer; facts: number };
  /** Stops the export and removes its temp files; a pending or later next() rejects. */
  abort(): void;
}

export interface ExportRdfResult {
  data: Buffer;
  schema: Buffer;
  facts: number;
}

// The live posting store (an Alpha's `p` folder): schema, mutations, reads, export.
export type SchemaValueType =
  'default' | 'binary' | 'int' | 'float' | 'bool' | 'datetime' | 'geo' | 'uid' | 'password' | 'string';

export interface SchemaPredicate {
  predicate: string;
  namespace?: bigint;
  valueType: SchemaValueType;
  list?: boolean;
  index?: string[];
  reverse?: boolean;
  count?: boolean;
  upsert?: boolean;
  lang?: boolean;
  unique?: boolean;
  noconflict?: boolean;
  /** Vector indexes of a predicate restored from Dgraph (`hnsw` and its options); read only. */
  vectorIndexes?: { name: string; options: { key: string; value: string }[] }[];
}

export interface TypeDef {
  name: string;
  namespace?: bigint;
  fields: string[];
}

export interface FacetInput {
  key: string;
  value: Buffer;
  valType: number;
}

export interface EdgeMutation {
  op: 'set' | 'del';
  subject: bigint;
  predicate: string;
  namespace?: bigint;
  objectUid?: bigint;
  value?: Buffer;
  valType?: number;
  lang?: string;
  star?: boolean;
  facets?: FacetInput[];
}

export interface NodeQuery {
  uids: bigint[];
  predicates: string[] | null;
  readTs: bigint;
  namespace?: bigint;
}

export interface FactValue {
  value: Buffer;
  valType: number;
  lang?: string;
  facets?: FacetInput[];
}

export interface NodeFacts {
  uid: bigint;
  predicates: {
    predicate: string;
    uids: bigint[];
    values: FactValue[];
    uidFacets?: { uid: bigint; facets: FacetInput[] }[];
  }[];
}

export interface AlterRequest {
  predicates?: SchemaPredicate[];
  types?: TypeDef[];
  dropAll?: boolean;
  dropData?: boolean;
  dropAttr?: string;
  dropType?: string;
  namespace?: bigint;
}

/** Options of {@link PostingStore.backup} (spec §9, §11). */
export interface BackupOptions {
  /** Snapshot: the newest version <= readTs of every key. */
  readTs: bigint;
  /** 0n: full backup; else the readTs of the previous backup of the series. */
  since: bigint;
  /** The group's predicates (DATA/INDEX/REVERSE/COUNT keys and SCHEMA); TYPE keys: every type. */
  predicates: { namespace?: bigint; name: string }[];
  /** 16/24/32-byte AES key: random IV + AES-CTR. */
  key?: Buffer;
  /** gzip level. */
  level?: number;
  /** Default: 'gzip' for layout v20.11, 's2' for v25, else 'snappy'. */
  compression?: 'gzip' | 'snappy' | 's2';
  /** Default 'v21.03'. */
  layout?: 'v20.11' | 'v21.03' | 'v24' | 'v25';
  threads?: number;
  /** Bytes per chunk returned by next(). */
  chunkSize?: number;
}

export interface BackupDropOperation {
  op: DropOpName;
  value?: string;
  namespace?: bigint;
  /** Commit ts of the `dgraph.drop.op` fact. */
  commitTs?: bigint;
}

export interface BackupSummary {
  kvs: number;
  dataKeys: number;
  bytesOut: number;
  maxVersion: bigint;
  /** Drop operations committed in (since, readTs], in commit order. */
  dropOperations: BackupDropOperation[];
  predicates: string[];
}

/** The bytes of one backup file, pulled chunk by chunk (await each next() before the next one). */
export interface BackupStream {
  next(): Promise<Buffer | null>;
  /** Available once next() has returned null. */
  summary(): BackupSummary;
  abort(): void;
}

/** DQL's comparison functions. */
export type CompareOp = 'eq' | 'le' | 'lt' | 'ge' | 'gt' | 'between';

export interface PostingStore {
  readonly dir: string;
  /** Starts a Dgraph-compatible binary backup of this store at `opts.readTs`. */
  backup(opts: BackupOptions): BackupStream;
  close(): void;
  meta(): { group: number; maxCommitTs: bigint; maxUid: bigint; formatVersion: number };
  /** LMDB entries (key versions) in the store: one `mdb_stat`, cheap enough for a metrics scrape. */
  entries(): number;
  getSchema(readTs?: bigint): { predicates: SchemaPredicate[]; types: TypeDef[] };
  alter(commitTs: bigint, req: AlterRequest): Promise<void>;
  /** One fsynced transaction; values must already be in the schema type's binary encoding. */
  applyMutations(commitTs: bigint, edges: EdgeMutation[]): Promise<{ keys: number }>;
  /**
   * Several commits, in order (commit ts never going down), in one fsynced transaction (group
   * commit). A commit that fails fails alone: one result per commit, `error` (`CODE: text`) set
   * on those that failed.
   */
  applyMutationsGroup(
    commits: { commitTs: bigint; edges: EdgeMutation[] }[],
  ): Promise<{ keys: number; error?: string | null }[]>;
  /**
   * The uncommitted edges of the open transaction started at `startTs` (all of them; none
   * forgets them): reads at `startTs` see them as if committed, nothing is written. At most
   * 100,000 edges.
   */
  setPending(startTs: bigint, edges: EdgeMutation[]): void;
  /** Forgets a transaction's uncommitted edges; whether it had some. */
  clearPending(startTs: bigint): boolean;
  /**
   * The oldest start ts open anywhere in the cluster (`null`: none): reads at it keep the versions
   * they need while this is said again at least every 30 s (native `store/live/horizon.rs`).
   */
  holdFrom(oldestOpen: bigint | null): void;
  getNodes(q: NodeQuery): Promise<NodeFacts[]>;
  hasPredicate(
    predicate: string,
    readTs: bigint,
    /** `reverse`: objects of reverse edges (`has(~p)`); `lang`: a value in it (`has(p@en)`, "." any). */
    opts?: { namespace?: bigint; after?: bigint; first?: number; reverse?: boolean; lang?: string },
  ): Promise<bigint[]>;
  /**
   * The subjects among `among` (a filter's candidates) whose value satisfies comparison `op` for
   * `values` (schema-typed bytes: one or more for `eq`, two for `between`), read from their data.
   */
  compareAmong(
    predicate: string,
    op: CompareOp,
    values: Buffer[],
    among: bigint[],
    readTs: bigint,
    namespace?: bigint,
    /** Compare the value in this language ("" the untagged one, "." any). */
    lang?: string,
  ): Promise<bigint[]>;
  /** The same through the predicate's index: `eq` its equality index, the others a sortable one. */
  compareIndex(
    predicate: string,
    op: CompareOp,
    values: Buffer[],
    readTs: bigint,
    namespace?: bigint,
    lang?: string,
  ): Promise<bigint[]>;
  /**
   * Subjects matching DQL's `anyofterms`/`allofterms` (`tokenizer` "term") or
   * `anyoftext`/`alloftext` ("fulltext"), as Dgraph answers them; `lang` is the function's
   * (`name@fr`): "" none, "." any.
   */
  textMatch(
    predicate: string,
    tokenizer: 'term' | 'fulltext',
    all: boolean,
    text: string,
    lang: string,
    readTs: bigint,
    namespace?: bigint,
  ): Promise<bigint[]>;
  /**
   * Subjects whose value of `predicate` matches DQL's `regexp(predicate, /pattern/flags)` (`flags`
   * "" or "i"), as Dgraph answers it: through the trigram index, or among `among` (a filter's
   * candidates). `lang` is the call's language ("" none).
   */
  regexpMatch(
    predicate: string,
    pattern: string,
    flags: string,
    lang: string,
    among: bigint[] | undefined | null,
    readTs: bigint,
    namespace?: bigint,
  ): Promise<bigint[]>;
  /** The same for DQL's `match(predicate, text, max)`: Levenshtein distance at most `max`. */
  fuzzyMatch(
    predicate: string,
    text: string,
    max: number,
    lang: string,
    among: bigint[] | undefined | null,
    readTs: bigint,
    namespace?: bigint,
  ): Promise<bigint[]>;
  /**
   * Subjects whose value of `predicate` satisfies DQL's geo function `func` for the query
   * `geometry` (WKB; `near` also takes `maxDistance` in metres), as Dgraph decides them; only
   * among `among` (a filter's candidates) when given. The predicate must be indexed, as in Dgraph.
   */
  geoMatch(
    predicate: string,
    func: 'near' | 'within' | 'contains' | 'intersects',
    geometry: Buffer,
    maxDistance: number | undefined | null,
    among: bigint[] | undefined | null,
    readTs: bigint,
    namespace?: bigint,
  ): Promise<bigint[]>;
  reverse(
    predicate: string,
    objects: bigint[],
    readTs: bigint,
    namespace?: bigint,
  ): Promise<{ object: bigint; subjects: bigint[] }[]>;
  /** The canonical dump of this group, in memory (small stores, tests). */
  exportRdf(readTs?: bigint): Promise<{ data: Buffer; schema: Buffer; facts: number }>;
  /** The canonical dump of this group, streamed. */
  exportStream(opts?: ExportRdfOptions): ExportStream;
}

export interface NativeBinding {
  PostingStore: new (dir: string, opts: PostingStoreOptions) => PostingStore;
  BackupWriter: new (opts?: WriterOptions) => BackupWriter;
  BackupReader: new (opts?: ReaderOptions) => BackupReader;
  RestoreWriter: new (dir: string, opts: RestoreWriterOptions) => RestoreWriter;
  exportRdf(dirs: string | string[], opts?: ExportRdfOptions): Promise<ExportRdfResult>;
  exportRdfStream(dirs: string | string[], opts?: ExportRdfOptions): ExportStream;
  encodeKvList(kvs: KvEntry[]): Buffer;
  decodeKvList(list: Buffer): DecodedKv[];
  nativeVersion(): string;
  supportedTokenizers(): string[];
  indexTokens(tokenizer: string, value: string | Buffer, lang: string): Buffer[];
  describePostingList(value: Buffer): string;
}

// Compile-time check that the generated binding (packages/native/index.d.ts) still satisfies the
// contract above: a drift in the Rust API fails core's build here, not at run time.
type Expect<T extends true> = T;
export type _GeneratedBindingConforms = Expect<typeof Generated extends NativeBinding ? true : false>;
