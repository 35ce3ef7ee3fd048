/**
 * `verify --deep`: checks every decoded KV of a backup file against its manifest entry, one KV at
 * a time (nothing of a file is held but counters, a bounded set of names and the first problems).
 *
 * What a sound KV is, from the format spec (§6.1, §9) and the real Dgraph fixtures:
 * - its key parses into a known key type (DATA, INDEX, REVERSE, COUNT, COUNT_REV, SCHEMA, TYPE);
 * - DATA/INDEX/REVERSE/COUNT/COUNT_REV keys belong to a predicate the manifest lists for the
 *   file's group (the filter a restore applies: keys of other predicates would be dropped);
 * - their version is ≤ the backup's readTs and, in an incremental backup, > `since` (the previous
 *   backup's readTs): badger's stream reads only versions > SinceTs, and every fixture agrees;
 * - SCHEMA and TYPE entries carry version 1 in every Dgraph backup, full or incremental, so only
 *   ≤ readTs is checked for them. TYPE keys name types, which belong to every group. A SCHEMA
 *   entry of a predicate not in the group's list is written by real Dgraph v20.11
 *   (`dgraph.graphql.p_sha256hash` in v20.11-full-3groups) and dropped by restore: a note, not a
 *   problem.
 */
import { Writable } from 'node:stream';
import { displayName, type BackupManifest, type PredicateName } from '../manifest/model.js';
import type { BackupKeyInfo, DecodedKv, PredicateStats } from '../native.js';

/** Problems kept per file; beyond it they are only counted. */
export const MAX_PROBLEMS_PER_FILE = 20;
/** Names kept per file of predicates the manifest does not list (every one is still counted). */
const MAX_UNLISTED_NAMES = 50;

/** What `--deep` found in one group across the backups verified. */
export interface DeepGroupReport {
  group: number;
  /** Files decoded (completely or not). */
  files: number;
  /** Bytes read from those files (compressed, encrypted). */
  bytes: number;
  /** KVs decoded. */
  keys: number;
  /** KVs by key type (`DATA`, `INDEX`, ..., `SCHEMA`, `TYPE`). */
  keysByType: Record<string, number>;
  /** Predicates (display names) that had data, index, reverse, count or schema keys, sorted. */
  predicates: string[];
  /** Smallest and largest version of the data/index/reverse/count keys (absent when none). */
  minVersion?: bigint;
  maxVersion?: bigint;
  /** Problems found in this group's files (the backups' `problems` hold their text). */
  problems: number;
  /** Things a restore silently drops but Dgraph itself writes (see the module's comment). */
  notes: string[];
}

export interface DeepReport {
  groups: DeepGroupReport[];
  /** Sum over the groups. */
  files: number;
  bytes: number;
  keys: number;
  problems: number;
}

function predKey(namespace: bigint, name: string): string {
  return `${namespace.toString(16)}\u0000${name}`;
}

/** A key as a person reads it: `DATA key of <name> (uid 0x1f)`. */
export function describeKey(k: BackupKeyInfo): string {
  const name = displayName({ namespace: k.namespace ?? 0n, name: k.attr });
  const parts: string[] = [];
  if (k.uid !== undefined && k.uid !== 0n) parts.push(`uid 0x${k.uid.toString(16)}`);
  if (k.startUid !== undefined && k.startUid !== 0n) parts.push(`start uid 0x${k.startUid.toString(16)}`);
  if (k.term !== undefined && k.term.length > 0) {
    const t = k.term.subarray(0, 32).toString('hex');
    parts.push(`term 0x${t}${k.term.length > 32 ? '…' : ''}`);
  }
  if (k.count !== undefined && k.count !== 0) parts.push(`count ${k.count}`);
  return `${k.keyType} key of ${JSON.stringify(name)}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/** Checks the KVs of one file of one backup; feed it every KV in order with {@link check}. */
export class DeepFileCheck {
  keys = 0;
  readonly keysByType: Record<string, number> = {};
  /** Predicate keys (see predKey) seen with keys, among the listed ones. */
  readonly seen = new Set<string>();
  minVersion: bigint | undefined;
  maxVersion: bigint | undefined;
  /** Problem count (all of them), the first MAX_PROBLEMS_PER_FILE as text in `problems`. */
  problemCount = 0;
  readonly problems: string[] = [];
  readonly notes: string[] = [];
  readonly #listed: Map<string, PredicateName>;
  readonly #unlistedSchema = new Set<string>();
  #unlistedSchemaCount = 0;
  readonly #file: string;
  readonly #group: number;
  readonly #since: bigint;
  readonly #readTs: bigint;
  readonly #incremental: boolean;

  /**
   * @param since the lower bound (exclusive) of data versions: the previous backup's readTs for
   *   an incremental backup, 0 for a full one (or when the series' readTs went backwards, as
   *   v20.07 did: then only the upper bound can be checked).
   */
  constructor(m: BackupManifest, group: number, file: string, since: bigint) {
    this.#file = file;
    this.#group = group;
    this.#readTs = m.readTs;
    this.#incremental = m.type === 'incremental' && since > 0n && since < m.readTs;
    this.#since = this.#incremental ? since : 0n;
    this.#listed = new Map((m.groups.get(group) ?? []).map((p) => [predKey(p.namespace, p.name), p]));
  }

  #problem(index: number, kv: DecodedKv, what: string): void {
    this.problemCount++;
    if (this.problems.length < MAX_PROBLEMS_PER_FILE) {
      this.problems.push(
        `${this.#file}: KV #${index} (${describeKey(kv.key)}, version ${kv.version}): ${what}`,
      );
    }
  }

  /**
   * The problems of keys of one kind (one KV, or a statistics row of many) whose versions span
   * `minV..maxV`; empty when they are sound. `listed`: the predicate is in the group's list.
   */
  #judge(type: string, listed: boolean, name: string, minV: bigint, maxV: bigint): string[] {
    if (type === 'UNKNOWN') return ['the key is of an unknown type'];
    const out: string[] = [];
    if (!listed && type !== 'TYPE' && type !== 'SCHEMA') {
      out.push(
        `predicate ${JSON.stringify(name)} is not in the manifest's list for group ${this.#group} (a restore would drop it)`,
      );
    }
    if (maxV > this.#readTs) out.push(`version ${maxV} is above the backup's readTs ${this.#readTs}`);
    if (type === 'TYPE' || type === 'SCHEMA') return out;
    if (this.#incremental && minV <= this.#since) {
      out.push(
        `version ${minV} is not above since ${this.#since} (the previous backup's readTs): an incremental backup holds only changes after it`,
      );
    } else if (minV === 0n) out.push('version 0: no commit has timestamp 0');
    return out;
  }

  /** Counts keys of one kind into the figures. */
  #count(type: string, ns: bigint, attr: string, keys: number, minV: bigint, maxV: bigint): boolean {
    this.keys += keys;
    this.keysByType[type] = (this.keysByType[type] ?? 0) + keys;
    if (type === 'UNKNOWN' || type === 'TYPE') return false;
    const pk = predKey(ns, attr);
    const listed = this.#listed.has(pk);
    if (listed) this.seen.add(pk);
    if (type === 'SCHEMA') {
      if (!listed) {
        this.#unlistedSchemaCount += keys;
        if (this.#unlistedSchema.size < MAX_UNLISTED_NAMES)
          this.#unlistedSchema.add(displayName({ namespace: ns, name: attr }));
      }
      return listed;
    }
    if (this.minVersion === undefined || minV < this.minVersion) this.minVersion = minV;
    if (this.maxVersion === undefined || maxV > this.maxVersion) this.maxVersion = maxV;
    return listed;
  }

  /** Checks one KV; `index` is its position in the file (0-based). */
  check(kv: DecodedKv, index: number): void {
    const k = kv.key;
    const ns = k.namespace ?? 0n;
    const listed = this.#count(k.keyType, ns, k.attr, 1, kv.version, kv.version);
    const name = displayName({ namespace: ns, name: k.attr });
    for (const p of this.#judge(k.keyType, listed, name, kv.version, kv.version)) this.#problem(index, kv, p);
  }

  /**
   * Takes a file's statistics rows (one per predicate, key type and namespace, with their
   * version range) instead of its KVs. Returns false when a row holds a problem: the file must
   * then be read again KV by KV (with a new check) to name each one.
   */
  checkStats(rows: readonly PredicateStats[]): boolean {
    let sound = true;
    for (const r of rows) {
      const { minVersion: minV, maxVersion: maxV } = r;
      // An addon without version ranges: only the KV-by-KV read can tell.
      if (minV === undefined || maxV === undefined) return false;
      const ns = r.namespace ?? 0n;
      const listed = this.#count(r.keyType, ns, r.predicate, r.keys, minV, maxV);
      const name = displayName({ namespace: ns, name: r.predicate });
      if (this.#judge(r.keyType, listed, name, minV, maxV).length > 0) sound = false;
    }
    return sound;
  }

  /** Call once the file is read: adds the summary lines (problems beyond the cap, notes). */
  finish(): void {
    if (this.problemCount > this.problems.length) {
      this.problems.push(
        `${this.#file}: … and ${this.problemCount - this.problems.length} more problems in this file (only the first ${MAX_PROBLEMS_PER_FILE} are listed)`,
      );
    }
    if (this.#unlistedSchemaCount > 0) {
      const names = [...this.#unlistedSchema].sort().join(', ');
      const more = this.#unlistedSchemaCount > this.#unlistedSchema.size ? ', …' : '';
      this.notes.push(
        `${this.#file}: ${this.#unlistedSchemaCount} schema ${this.#unlistedSchemaCount === 1 ? 'entry' : 'entries'} of predicates not listed for group ${this.#group} (${names}${more}): Dgraph writes such entries; a restore drops them`,
      );
    }
  }

  /** The display names of the listed predicates that had keys. */
  seenNames(): string[] {
    return [...this.seen].map((pk) => {
      const p = this.#listed.get(pk);
      return p === undefined ? pk : displayName(p);
    });
  }
}

/** A Writable (object mode) that feeds every KV it takes to `check`. */
export function deepSink(check: DeepFileCheck): Writable {
  let index = 0;
  return new Writable({
    objectMode: true,
    highWaterMark: 1024,
    write(kv: DecodedKv, _enc, cb) {
      try {
        check.check(kv, index++);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
}

/** Gathers the per-group figures of every file checked. */
export class DeepSummary {
  readonly #groups = new Map<number, DeepGroupReport & { seen: Set<string> }>();

  #group(g: number): DeepGroupReport & { seen: Set<string> } {
    let r = this.#groups.get(g);
    if (r === undefined) {
      r = {
        group: g,
        files: 0,
        bytes: 0,
        keys: 0,
        keysByType: {},
        predicates: [],
        problems: 0,
        notes: [],
        seen: new Set(),
      };
      this.#groups.set(g, r);
    }
    return r;
  }

  /** A file that was decoded (completely or not); `extraProblems`: decode or checksum errors. */
  add(group: number, bytes: number, check: DeepFileCheck | undefined, extraProblems: number): void {
    const r = this.#group(group);
    r.files++;
    r.bytes += bytes;
    r.problems += extraProblems;
    if (check === undefined) return;
    r.keys += check.keys;
    for (const [t, n] of Object.entries(check.keysByType)) r.keysByType[t] = (r.keysByType[t] ?? 0) + n;
    for (const n of check.seenNames()) r.seen.add(n);
    if (check.minVersion !== undefined && (r.minVersion === undefined || check.minVersion < r.minVersion)) {
      r.minVersion = check.minVersion;
    }
    if (check.maxVersion !== undefined && (r.maxVersion === undefined || check.maxVersion > r.maxVersion)) {
      r.maxVersion = check.maxVersion;
    }
    r.problems += check.problemCount;
    r.notes.push(...check.notes);
  }

  /** A file that could not be read at all (missing, or encrypted without a key). */
  addUnread(group: number, problems: number): void {
    this.#group(group).problems += problems;
  }

  report(): DeepReport {
    const groups = [...this.#groups.values()]
      .sort((a, b) => a.group - b.group)
      .map(({ seen, ...g }) => ({ ...g, predicates: [...seen].sort() }));
    return {
      groups,
      files: groups.reduce((n, g) => n + g.files, 0),
      bytes: groups.reduce((n, g) => n + g.bytes, 0),
      keys: groups.reduce((n, g) => n + g.keys, 0),
      problems: groups.reduce((n, g) => n + g.problems, 0),
    };
  }
}
