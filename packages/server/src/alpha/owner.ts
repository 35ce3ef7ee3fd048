/**
 * The owner side of a group: everything an Alpha does on its own posting store on behalf of a
 * coordinator (itself or another Alpha). Its methods take and return the wire forms (wire.ts), so
 * the `/internal/*` routes and the in-process client call the very same code.
 *
 * Writes are two-phase: `prepare` converts each edge's value to the predicate's schema type
 * (auto-typing unknown predicates as Dgraph does), validates everything and stages the batch in
 * memory, answering its conflict keys for Zero; nothing is written. `commit` applies the staged
 * batch at the commit timestamp in one fsynced store transaction; `abort` forgets it.
 *
 * Commits are queued in the order `commit` is called and applied in that order; those that queue
 * up while the store is busy are applied together, in one store transaction and one fsync (group
 * commit, `applyGroup`).
 */
import { StoreKeys } from './at-rest.js';
import path from 'node:path';
import {
  indexTokens,
  nativeChunks,
  type AlterRequest,
  type EdgeMutation,
  type PostingStore,
  type SchemaPredicate,
  type TypeDef,
} from '@strata/core';
import { ValueError } from '../parse/errors.js';
import { encodeValue, geoJsonToWkb, VAL_TYPE_IDS, type ValueType } from '../parse/values.js';
import { HttpError } from '../http/errors.js';
import { conflictKeys, type BatchConflicts } from './conflict-keys.js';
import { langNotAllowed } from './dql/langs.js';
import {
  facetFromWire,
  nodesToWire,
  type WireEdge,
  type WireCompare,
  type WireHas,
  type WireGeo,
  type WirePattern,
  type WireNodeFacts,
  type WireTextMatch,
} from './wire.js';

/** What a reader needs to know of a predicate to shape its JSON. */

/** One group's export being streamed: its schema, its sorted unique `data.rdf` chunks. */
export interface GroupExportStream {
  schema: Buffer;
  chunks: AsyncGenerator<Buffer>;
  /** Lines sent; once `chunks` is done. */
  facts(): number;
}

export interface PredicateInfo {
  valueType: ValueType;
  list: boolean;
  lang: boolean;
}

/** A schema predicate as `/internal/alter` carries it: the store's, without a namespace. */
export type WireSchemaPredicate = Omit<SchemaPredicate, 'namespace' | 'valueType'> & { valueType: ValueType };

export interface WireAlter {
  predicates?: WireSchemaPredicate[];
  types?: TypeDef[];
  dropAll?: boolean;
  dropData?: boolean;
  dropAttr?: string;
  dropType?: string;
}

/** A staged batch: its edge count and its conflict keys (conflict-keys.ts). */
export interface Prepared extends BatchConflicts {
  edges: number;
}

interface Staged {
  edges: EdgeMutation[];
  autoSchema: SchemaPredicate[];
  expires: NodeJS.Timeout;
}

/** A commit waiting for the store, with what to tell its caller. */
interface QueuedCommit {
  commitTs: bigint;
  staged: Staged;
  done: (r: { keys: number }) => void;
  fail: (e: unknown) => void;
  /** `performance.now()` when it was queued. */
  queuedAt: number;
}

/** Staged batches not committed within this time are dropped (their coordinator died). */
const STAGE_TTL_MS = 60_000;
/** An open transaction's pending edges are dropped after its lifetime (open-txns.ts: 10 min). */
const PENDING_TTL_MS = 11 * 60_000;

function where(e: WireEdge): string {
  return e.line ? `line ${e.line}: ` : '';
}

export class GroupOwner {
  private schema = new Map<string, SchemaPredicate>();
  private types = new Map<string, TypeDef>();
  private readonly staged = new Map<string, Staged>();
  /** When each open transaction's pending edges are dropped (its coordinator may die). */
  private readonly pendingExpiry = new Map<string, NodeJS.Timeout>();
  private lock: Promise<unknown> = Promise.resolve();
  /**
   * The commits that arrived while the store was busy, applied together by one queued task.
   * Any other write closes it, so that no commit overtakes that write.
   */
  private openGroup: QueuedCommit[] | null = null;

  /** False while an online restore swaps the store in (requests get a 503). */
  serving = true;

  /** Told how long each commit waited for its turn at the store (the commit lock's metric). */
  onCommitWait: ((seconds: number) => void) | undefined;

  constructor(
    public store: PostingStore,
    readonly group: number,
    /** How this group's store opens (sealed when the cluster is encrypted at rest). */
    readonly keys: StoreKeys = new StoreKeys(group, undefined),
  ) {
    this.refreshSchema();
  }

  /**
   * Runs `swap` once every earlier write has finished and with writes held back, stops serving
   * meanwhile, and installs the store it returns (online restore).
   */
  replaceStore(swap: (old: PostingStore) => Promise<PostingStore>): Promise<void> {
    return this.exclusive(async () => {
      this.serving = false;
      try {
        for (const s of this.staged.values()) clearTimeout(s.expires);
        this.staged.clear();
        // Open transactions' pending edges belonged to the old store; the new one starts without.
        for (const t of this.pendingExpiry.values()) clearTimeout(t);
        this.pendingExpiry.clear();
        this.store = await swap(this.store);
        this.refreshSchema();
      } finally {
        this.serving = true;
      }
    });
  }

  refreshSchema(): void {
    const s = this.store.getSchema();
    this.schema = new Map(s.predicates.filter((p) => !p.namespace).map((p) => [p.predicate, p]));
    this.types = new Map(s.types.filter((t) => !t.namespace).map((t) => [t.name, t]));
  }

  predicate(name: string): SchemaPredicate | undefined {
    return this.schema.get(name);
  }

  /** This group's predicates (namespace 0), as schema entries. */
  schemaPredicates(): WireSchemaPredicate[] {
    return [...this.schema.values()].map(({ namespace: _ns, ...p }) => p as WireSchemaPredicate);
  }

  /** Every type (types are kept in every group), in name order. */
  typeDefs(): { name: string; fields: string[] }[] {
    return [...this.types.values()]
      .map((t) => ({ name: t.name, fields: t.fields }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  typeFields(name: string): string[] | undefined {
    return this.types.get(name)?.fields;
  }

  info(name: string): PredicateInfo | undefined {
    const p = this.schema.get(name);
    return p && { valueType: p.valueType, list: p.list ?? false, lang: p.lang ?? false };
  }

  /** Runs `fn` after every earlier write of this owner (one store write at a time). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.openGroup = null;
    return this.queue(fn);
  }

  private queue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Applies one commit on its own: its new predicates' schema at its ts, then its edges. */
  private async applyOne(c: QueuedCommit): Promise<void> {
    try {
      const missing = c.staged.autoSchema.filter((p) => !this.schema.has(p.predicate));
      if (missing.length > 0) {
        await this.store.alter(c.commitTs, { predicates: missing });
        this.refreshSchema();
      }
      const edges = c.staged.edges;
      c.done({ keys: edges.length > 0 ? (await this.store.applyMutations(c.commitTs, edges)).keys : 0 });
    } catch (e) {
      c.fail(e);
    }
  }

  /**
   * Applies `group` (the commits queued since it opened) in one store transaction; one commit, or a
   * group whose new predicates cannot all get their schema at once, one commit at a time.
   */
  private async applyGroup(group: QueuedCommit[]): Promise<void> {
    if (this.openGroup === group) this.openGroup = null;
    if (this.onCommitWait) {
      const now = performance.now();
      for (const c of group) this.onCommitWait((now - c.queuedAt) / 1000);
    }
    const one = async () => {
      for (const c of group) await this.applyOne(c);
    };
    if (group.length === 1) return one();
    // Predicates first seen in these commits get their schema before any edge is written.
    const missing = new Map<string, SchemaPredicate>();
    for (const c of group)
      for (const p of c.staged.autoSchema) if (!this.schema.has(p.predicate)) missing.set(p.predicate, p);
    if (missing.size > 0) {
      try {
        await this.store.alter(group[0]!.commitTs, { predicates: [...missing.values()] });
        this.refreshSchema();
      } catch {
        return one();
      }
    }
    const writes = group.filter((c) => c.staged.edges.length > 0);
    for (const c of group) if (c.staged.edges.length === 0) c.done({ keys: 0 });
    if (writes.length === 0) return;
    let results: { keys: number; error?: string | null }[];
    try {
      results = await this.store.applyMutationsGroup(
        writes.map((c) => ({ commitTs: c.commitTs, edges: c.staged.edges })),
      );
    } catch (e) {
      for (const c of writes) c.fail(e);
      return;
    }
    writes.forEach((c, i) => {
      const r = results[i];
      if (!r || r.error) c.fail(new Error(r?.error ?? 'no result for this commit'));
      else c.done({ keys: r.keys });
    });
  }

  // ------------------------------------------------------------------ writes

  /** Converts and validates a batch, and stages it under `txnId`. Throws a 400 naming the problem. */
  prepare(txnId: string, edges: WireEdge[]): Prepared {
    if (this.staged.has(txnId))
      throw new HttpError('BAD_REQUEST', `transaction ${txnId} is already prepared`);
    const { out, auto } = this.convert(edges);
    const expires = setTimeout(() => this.staged.delete(txnId), STAGE_TTL_MS);
    expires.unref();
    this.staged.set(txnId, { edges: out, autoSchema: [...auto.values()], expires });
    return { edges: out.length, ...conflictKeys(out, (p) => this.schema.get(p) ?? auto.get(p)) };
  }

  /**
   * Sets the uncommitted edges of the open transaction at `startTs` (all of them), converted and
   * validated as a prepare does: the transaction's own reads see them (the store's pending
   * writes); `[]` forgets them.
   */
  setPending(startTs: string, edges: WireEdge[]): { edges: number } {
    const { out } = this.convert(edges);
    try {
      this.store.setPending(BigInt(startTs), out);
    } catch (e) {
      throw new HttpError('BAD_REQUEST', `transaction ${startTs}: ${(e as Error).message}`);
    }
    // Forgotten after the transactions' lifetime even if its coordinator never says so.
    clearTimeout(this.pendingExpiry.get(startTs));
    this.pendingExpiry.delete(startTs);
    if (out.length > 0) {
      const t = setTimeout(() => {
        this.pendingExpiry.delete(startTs);
        this.store.clearPending(BigInt(startTs));
      }, PENDING_TTL_MS);
      t.unref();
      this.pendingExpiry.set(startTs, t);
    }
    return { edges: out.length };
  }

  /**
   * The oldest start ts open in the cluster (pending-report.ts): the store keeps what its reads
   * need. A store being swapped by a restore is told at the next report.
   */
  holdFrom(oldestOpen: bigint | undefined): void {
    try {
      this.store.holdFrom(oldestOpen ?? null);
    } catch {
      // closed by an online restore's swap: the new store is told a second later
    }
  }

  /** Each edge's value converted to its predicate's type (unknown predicates auto-typed). */
  private convert(edges: WireEdge[]): { out: EdgeMutation[]; auto: Map<string, SchemaPredicate> } {
    const auto = new Map<string, SchemaPredicate>();
    const out: EdgeMutation[] = [];
    for (const e of edges) {
      const subject = BigInt(e.subject);
      if (subject === 0n) throw new HttpError('BAD_REQUEST', `${where(e)}uid 0 is not a valid subject`);
      const m: EdgeMutation = { op: e.op, subject, predicate: e.predicate };
      if (e.star) {
        m.star = true;
        out.push(m);
        continue;
      }
      let sp = this.schema.get(e.predicate) ?? auto.get(e.predicate);
      if (e.objectUid !== undefined) {
        if (sp && sp.valueType !== 'uid') {
          throw new HttpError(
            'INVALID_VALUE',
            `${where(e)}predicate <${e.predicate}> is of type ${sp.valueType}: its object must be a literal, got a node (<0x${BigInt(e.objectUid).toString(16)}>)`,
          );
        }
        if (!sp && e.op === 'set') {
          sp = { predicate: e.predicate, valueType: 'uid', list: true };
          auto.set(e.predicate, sp);
        }
        m.objectUid = BigInt(e.objectUid);
      } else if (e.text !== undefined) {
        const declared = e.valType ?? 'default';
        if (sp?.valueType === 'uid') {
          throw new HttpError(
            'INVALID_VALUE',
            `${where(e)}predicate <${e.predicate}> is of type uid: its object must be a node (<0x..> or _:name), got the literal ${JSON.stringify(e.text)}`,
          );
        }
        if (e.lang && sp && !sp.lang) {
          throw new HttpError(
            'INVALID_VALUE',
            `${where(e)}predicate <${e.predicate}> has no @lang directive: the value "${e.text}"@${e.lang} cannot be stored`,
          );
        }
        if (!sp && e.op === 'set') {
          sp = e.lang
            ? { predicate: e.predicate, valueType: 'string', lang: true }
            : { predicate: e.predicate, valueType: declared };
          auto.set(e.predicate, sp);
        }
        const target: ValueType = sp ? sp.valueType : declared;
        try {
          const v = encodeValue(e.text, target);
          m.value = v.bytes;
          m.valType = VAL_TYPE_IDS[target];
        } catch (err) {
          if (err instanceof ValueError) {
            throw new HttpError(
              'INVALID_VALUE',
              `${where(e)}predicate <${e.predicate}> (type ${target}): ${err.message}`,
            );
          }
          throw err;
        }
        if (e.lang) m.lang = e.lang;
        checkIndexable(e, m, target, sp?.index ?? []);
      } else {
        throw new HttpError('BAD_REQUEST', `${where(e)}edge on <${e.predicate}> has no object`);
      }
      if (e.facets?.length) m.facets = e.facets.map(facetFromWire);
      out.push(m);
    }
    return { out, auto };
  }

  /**
   * Applies a prepared batch at `commitTs` (one fsynced store transaction, shared with the commits
   * queued behind the same busy store). The commit is queued when this returns: a later call is
   * applied after it.
   */
  commit(txnId: string, commitTs: bigint): Promise<{ keys: number }> {
    const s = this.staged.get(txnId);
    if (!s) {
      return Promise.reject(
        new HttpError('TXN_ABORTED', `transaction ${txnId} is not prepared here (expired or aborted)`, 409),
      );
    }
    this.staged.delete(txnId);
    clearTimeout(s.expires);
    return new Promise((done, fail) => {
      let group = this.openGroup;
      if (!group) {
        const g: QueuedCommit[] = [];
        group = this.openGroup = g;
        void this.queue(() => this.applyGroup(g));
      }
      group.push({ commitTs, staged: s, done, fail, queuedAt: performance.now() });
    });
  }

  abort(txnId: string): { aborted: boolean } {
    const s = this.staged.get(txnId);
    if (!s) return { aborted: false };
    clearTimeout(s.expires);
    this.staged.delete(txnId);
    return { aborted: true };
  }

  /**
   * Checks a schema change against this group's data: a predicate that holds data cannot change
   * its value type (its stored values are in the old type's encoding) nor between uid and scalar.
   */
  async checkAlter(req: WireAlter): Promise<void> {
    const readTs = this.store.meta().maxCommitTs;
    for (const p of req.predicates ?? []) {
      const old = this.schema.get(p.predicate);
      if (!old || old.valueType === p.valueType) continue;
      const has = await this.store.hasPredicate(p.predicate, readTs, { first: 1 });
      if (has.length > 0) {
        throw new HttpError(
          'SCHEMA_CONFLICT',
          `schema change not allowed: predicate <${p.predicate}> is of type ${old.valueType} and holds data; ` +
            `it cannot become ${p.valueType} (drop it first with {"drop_attr": "${p.predicate}"})`,
          409,
        );
      }
    }
  }

  alter(commitTs: bigint, req: WireAlter): Promise<void> {
    return this.exclusive(async () => {
      const r: AlterRequest = {};
      if (req.predicates?.length) r.predicates = req.predicates;
      if (req.types?.length) r.types = req.types;
      if (req.dropAll) r.dropAll = true;
      if (req.dropData) r.dropData = true;
      if (req.dropAttr) r.dropAttr = req.dropAttr;
      if (req.dropType) r.dropType = req.dropType;
      await this.store.alter(commitTs, r);
      this.refreshSchema();
    });
  }

  // ------------------------------------------------------------------ reads

  async read(
    uids: string[],
    predicates: string[] | null,
    readTs: string,
  ): Promise<{ nodes: WireNodeFacts[]; schema: Record<string, PredicateInfo> }> {
    const nodes =
      uids.length === 0
        ? []
        : await this.store.getNodes({ uids: uids.map(BigInt), predicates, readTs: BigInt(readTs) });
    const schema: Record<string, PredicateInfo> = {};
    const names = predicates ?? [...new Set(nodes.flatMap((n) => n.predicates.map((p) => p.predicate)))];
    for (const name of names) {
      const i = this.info(name);
      if (i) schema[name] = i;
    }
    return { nodes: nodesToWire(nodes), schema };
  }

  async has(m: WireHas, readTs: string): Promise<string[]> {
    const sp = this.schema.get(m.predicate);
    if (!sp) return [];
    if (m.reverse && !sp.reverse) {
      throw new HttpError('BAD_REQUEST', `Predicate ${m.predicate} doesn't have reverse edge`);
    }
    return (
      await this.store.hasPredicate(m.predicate, BigInt(readTs), {
        ...(m.reverse ? { reverse: true } : {}),
        ...(m.lang ? { lang: m.lang } : {}),
      })
    ).map(String);
  }

  /**
   * Subjects whose value of `predicate` satisfies comparison `op` for `values` (`eq`: equals one
   * of them): through its index, or, given `among` (a filter's candidates), read from their data
   * (as Dgraph's comparisons in a filter).
   */
  async compare(m: WireCompare, readTs: string, among?: string[]): Promise<string[]> {
    const { op, predicate, values } = m;
    const lang = m.lang ?? '';
    const sp = this.schema.get(predicate);
    if (!sp) return [];
    if (lang && !sp.lang) throw langNotAllowed(predicate);
    if (!among && !sp.index?.length) {
      throw new HttpError(
        'BAD_REQUEST',
        `predicate <${predicate}> is not indexed: add @index(...) to its schema to use ${op}()`,
      );
    }
    const target: ValueType = sp.valueType === 'default' ? 'string' : sp.valueType;
    const bytes = values.map((v) => {
      try {
        return encodeValue(v, target === 'password' ? 'string' : target).bytes;
      } catch (err) {
        if (err instanceof ValueError) {
          throw new HttpError(
            'INVALID_VALUE',
            `${op}(${predicate}, ...): ${err.message} (the type of ${predicate})`,
          );
        }
        throw err;
      }
    });
    const found = among
      ? await this.store.compareAmong(
          predicate,
          op,
          bytes,
          among.map(BigInt),
          BigInt(readTs),
          undefined,
          lang,
        )
      : await this.store.compareIndex(predicate, op, bytes, BigInt(readTs), undefined, lang);
    return found.map(String);
  }

  /** Subjects matching a word-matching function (its index is the tokenizer it names). */
  async textMatch(m: WireTextMatch, readTs: string): Promise<string[]> {
    const tokenizer = m.fn.endsWith('terms') ? 'term' : 'fulltext';
    const all = m.fn.startsWith('allof');
    return (await this.store.textMatch(m.predicate, tokenizer, all, m.text, m.lang, BigInt(readTs))).map(
      String,
    );
  }

  /** Subjects whose geo value satisfies a geo function (all of them, or among `among`). */
  async geo(m: WireGeo, readTs: string, among?: string[]): Promise<string[]> {
    let wkb: Buffer;
    try {
      wkb = geoJsonToWkb(m.geometry);
    } catch (err) {
      if (err instanceof ValueError)
        throw new HttpError('INVALID_VALUE', `${m.fn}(${m.predicate}, ...): ${err.message}`);
      throw err;
    }
    const found = await this.store.geoMatch(
      m.predicate,
      m.fn,
      wkb,
      m.maxDistance,
      among?.map(BigInt),
      BigInt(readTs),
    );
    return found.map(String);
  }

  /** Subjects matching `regexp` or `match` (through the trigram index, or among `among`). */
  async pattern(m: WirePattern, readTs: string, among?: string[]): Promise<string[]> {
    const ids = among?.map(BigInt);
    const found =
      m.name === 'regexp'
        ? await this.store.regexpMatch(m.predicate, m.pattern, m.flags, m.lang ?? '', ids, BigInt(readTs))
        : await this.store.fuzzyMatch(m.predicate, m.fuzzy, m.maxDistance, m.lang ?? '', ids, BigInt(readTs));
    return found.map(String);
  }

  async reverse(
    predicate: string,
    objects: string[],
    readTs: string,
  ): Promise<{ object: string; subjects: string[] }[]> {
    const sp = this.schema.get(predicate);
    if (!sp || objects.length === 0) return [];
    if (!sp.reverse) {
      throw new HttpError(
        'BAD_REQUEST',
        `predicate <${predicate}> has no @reverse directive: ~${predicate} cannot be queried`,
      );
    }
    const r = await this.store.reverse(predicate, objects.map(BigInt), BigInt(readTs));
    return r.map((x) => ({ object: String(x.object), subjects: x.subjects.map(String) }));
  }

  /**
   * Opens this group's streamed export at `readTs`: the store is scanned into the external sort
   * (run files in a temp folder beside the store, removed when the export ends) before this
   * resolves; the sorted `data.rdf` chunks are then pulled one by one.
   */
  async openExport(readTs: string): Promise<GroupExportStream> {
    const stream = this.store.exportStream({
      readTs: BigInt(readTs),
      tmpDir: path.dirname(path.resolve(this.store.dir)),
    });
    let first: Buffer | null;
    try {
      first = await stream.next();
    } catch (err) {
      stream.abort();
      throw err;
    }
    return {
      schema: stream.schema(),
      chunks: nativeChunks(stream, first),
      facts: () => stream.summary().facts,
    };
  }

  /** Drops staged batches and pending edges (shutdown). */
  close(): void {
    for (const s of this.staged.values()) clearTimeout(s.expires);
    this.staged.clear();
    for (const t of this.pendingExpiry.values()) clearTimeout(t);
    this.pendingExpiry.clear();
  }
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** (tokenizer, language) pairs that took a printable ASCII value (see {@link checkIndexable}). */
const ASCII_ACCEPTED = new Set<string>();

/** Tokenizers that can refuse a value of the right type (see {@link checkIndexable}). */
const CHECKED: Record<string, ValueType> = {
  term: 'string',
  fulltext: 'string',
  exact: 'string',
  geo: 'geo',
};

/**
 * Refuses, at prepare time (before any group commits), a value whose index tokens Strata cannot
 * compute as Dgraph does: a fulltext language it lacks, characters whose word split is unproven, a
 * language tag whose collation (exact index) it cannot tell, a polygon under geo of more than 20,000
 * vertices. The store would refuse it at commit; here it fails before anything is
 * written anywhere.
 */
function checkIndexable(e: WireEdge, m: EdgeMutation, target: ValueType, index: string[]): void {
  // Printable ASCII text is tokenized alike whatever it says: whether a tokenizer takes it depends
  // on the language alone, so one success per (tokenizer, language) stands for all such values.
  const ascii = target === 'string' && PRINTABLE_ASCII.test(e.text ?? '');
  for (const t of index.filter((t) => CHECKED[t] === target)) {
    const seen = `${t}\u0000${e.lang ?? ''}`;
    if (ascii && ASCII_ACCEPTED.has(seen)) continue;
    try {
      indexTokens(t, target === 'string' ? (e.text ?? '') : (m.value ?? Buffer.alloc(0)), e.lang ?? '');
      if (ascii && ASCII_ACCEPTED.size < 10_000) ASCII_ACCEPTED.add(seen);
    } catch (err) {
      const msg = err instanceof Error ? err.message.replace(/^invalid argument: /, '') : String(err);
      throw new HttpError('INVALID_VALUE', `${where(e)}predicate <${e.predicate}>: ${msg}`);
    }
  }
}
