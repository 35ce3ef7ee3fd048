/**
 * Streams an N-Quads file into an Alpha in batches of `/mutate?commitNow=true`. Blank nodes and
 * external ids (`_:x`, `<m.0abc>`) are mapped to uids consistently across batches.
 *
 * With a Strata Alpha, the loader leases blocks of uids (`/assign`, from Zero), names every node
 * itself and keeps up to `concurrency` batches in flight, as Dgraph's live loader does, never two
 * that write one list (batch-scheduler.ts); a batch that aborts anyway (a conflict on a list the
 * loader cannot see, such as an @upsert index token) is sent again. Against an Alpha without `/assign`
 * (or with `concurrency` 1) batches go one at a time: the first batch that mentions a name sends
 * it as is and records the uid the Alpha returns; later batches send the uid.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parseNQuadsStream, type NodeRef, type NQuad, type VarRef } from '@strata/server/cli';
import { baseUrl, PLAIN_HTTP, transportFetch, transportHint, type Transport } from '@strata/core';
import { authHeaders } from './auth-token.js';
import { BatchScheduler, touchedLists } from './batch-scheduler.js';

export interface LoadOptions {
  alpha: string;
  /** The N-Quads file (.rdf or .rdf.gz); with `input`, only the name used in error messages. */
  file: string;
  /** N-Quads bytes or text to read instead of `file`. */
  input?: AsyncIterable<unknown> | Iterable<unknown>;
  /** A schema file to apply first. */
  schema?: string;
  /** Schema text to apply first (instead of a `schema` file). */
  schemaText?: string;
  batch?: number;
  /** Batches in flight at once (default 4; 1: one at a time, in file order). */
  concurrency?: number;
  /** Stop after this many N-Quads. */
  limit?: number;
  /** Told after each committed batch. */
  onProgress?: (p: LoadProgress) => void;
  /** Told when the schema starts being applied and when the N-Quads start being sent. */
  onStage?: (stage: 'schema' | 'load', p: LoadProgress) => void;
  /** The Alpha's auth token (`--security token-file=`), sent as X-Dgraph-AuthToken. */
  authToken?: string | undefined;
  /** https and its TLS agent for an Alpha started with `--tls` (default plain http). */
  transport?: Transport;
}

export interface LoadProgress {
  quads: number;
  batches: number;
  nodes: number;
  seconds: number;
  /** Batches sent again after a conflict with a concurrent one. */
  retries: number;
  /**
   * Bytes of the file (or `input`) read up to the end of the last batch committed (compressed
   * bytes for a .gz file; read ahead by at most a chunk or two of {@link READ_CHUNK}).
   */
  bytesRead: number;
  /** The file's size, when reading a file. */
  bytesTotal?: number | undefined;
}

/** How often a batch that keeps conflicting is sent before the load fails. */
const MAX_RETRIES = 20;
/** Uids leased at a time. */
const LEASE = 100_000;
/**
 * Bytes read from the file at a time: small, so that the bytes read when a batch is parsed say
 * where it ends in the file (a .gz chunk of 1 MiB holds ~150,000 N-Quads).
 */
export const READ_CHUNK = 64 * 1024;

function escapeLiteral(s: string): string {
  return s.replace(
    /[\\"\n\r\t]/g,
    (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!,
  );
}

function node(n: NodeRef | VarRef, uids: Map<string, bigint>): string {
  // Loads read plain N-Quads; upsert variables only reach here from a caller's own quads.
  if (n.kind === 'var') return `uid(${n.name})`;
  if (n.kind === 'val') return `val(${n.name})`;
  if (n.kind === 'uid') return `<0x${n.uid.toString(16)}>`;
  const key = n.kind === 'blank' ? n.name : n.iri;
  const uid = uids.get(key);
  if (uid !== undefined) return `<0x${uid.toString(16)}>`;
  return n.kind === 'blank' ? `_:${n.name}` : `<${n.iri}>`;
}

/** One N-Quad as text, known names replaced by their uids. */
export function formatNQuad(q: NQuad, uids: Map<string, bigint>): string {
  const o = q.object;
  let obj: string;
  if (o.kind === 'literal') {
    obj = `"${escapeLiteral(o.value)}"`;
    if (o.lang) obj += `@${o.lang}`;
    else if (o.datatype) obj += `^^<${o.datatype}>`;
  } else if (o.kind === 'star') obj = '*';
  else obj = node(o, uids);
  let facets = '';
  if (q.facets.length) {
    facets = ` (${q.facets
      .map(
        (f) => `${f.key}=${f.valType === 'string' ? `"${escapeLiteral(String(f.value))}"` : String(f.value)}`,
      )
      .join(', ')})`;
  }
  const pred = q.predicate === '*' ? '*' : `<${q.predicate}>`;
  return `${node(q.subject, uids)} ${pred} ${obj}${facets} .`;
}

async function post(
  url: string,
  body: string,
  contentType: string,
  opts: Pick<LoadOptions, 'authToken' | 'transport'>,
): Promise<unknown> {
  let res: Awaited<ReturnType<typeof transportFetch>>;
  try {
    res = await transportFetch(url, {
      method: 'POST',
      headers: { 'content-type': contentType, ...authHeaders(opts.authToken) },
      body,
      ...(opts.transport?.dispatcher ? { dispatcher: opts.transport.dispatcher } : {}),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new Error(`cannot reach ${url} (${cause}${transportHint(url, cause)})`, { cause: err });
  }
  const text = await res.text();
  let json: { message?: string; errors?: { message?: string }[] } & Record<string, unknown>;
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
  }
  // Refused requests come in Dgraph's shape (`errors`), other failures in Strata's (`message`).
  const refused = json.errors?.map((e) => e.message ?? '').join('; ');
  if (!res.ok || refused) {
    const msg = refused || json.message || text.slice(0, 200);
    throw Object.assign(new Error(`${url} answered ${res.status}: ${msg}`), {
      aborted: /Transaction has been aborted/.test(msg),
    });
  }
  return json;
}

/** GET `url`; `undefined` when it cannot be reached. */
async function get(
  url: string,
  opts: Pick<LoadOptions, 'authToken' | 'transport'>,
): Promise<Awaited<ReturnType<typeof transportFetch>> | undefined> {
  try {
    return await transportFetch(url, {
      headers: authHeaders(opts.authToken),
      ...(opts.transport?.dispatcher ? { dispatcher: opts.transport.dispatcher } : {}),
    });
  } catch {
    return undefined;
  }
}

/**
 * Uids for node names, leased from the Alpha (`/assign`) a block at a time. `undefined` from
 * {@link UidLeases.open} when the Alpha has no `/assign` (Dgraph's, or an older Strata).
 */
class UidLeases {
  private next = 0n;
  private end = -1n;
  private constructor(
    private readonly base: string,
    private readonly opts: Pick<LoadOptions, 'authToken' | 'transport'>,
  ) {}

  static async open(base: string, opts: Pick<LoadOptions, 'authToken' | 'transport'>) {
    const l = new UidLeases(base, opts);
    return (await l.lease(1)) ? l : undefined;
  }

  private async lease(num: number): Promise<boolean> {
    const res = await get(`${this.base}/assign?what=uids&num=${num}`, this.opts);
    if (!res || res.status === 404) return false;
    const text = await res.text();
    if (!res.ok) throw new Error(`${this.base}/assign answered ${res.status}: ${text.slice(0, 200)}`);
    const r = JSON.parse(text) as { startId: string; endId: string };
    this.next = BigInt(r.startId);
    this.end = BigInt(r.endId);
    return true;
  }

  /** Names every node of `batch` not yet in `uids`. */
  async name(batch: NQuad[], uids: Map<string, bigint>): Promise<void> {
    for (const q of batch) {
      for (const n of [q.subject, q.object]) {
        if (n.kind !== 'blank' && n.kind !== 'iri') continue;
        const key = n.kind === 'blank' ? n.name : n.iri;
        if (uids.has(key)) continue;
        if (this.next > this.end && !(await this.lease(LEASE)))
          throw new Error(`${this.base}/assign stopped answering`);
        uids.set(key, this.next++);
      }
    }
  }
}

/** The file's size; undefined when it cannot be read (the read then fails with its own message). */
async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch {
    return undefined;
  }
}

/** Passes `input` through, adding each chunk's length to `read.bytes`. */
async function* counted(input: AsyncIterable<unknown>, read: { bytes: number }): AsyncGenerator<unknown> {
  for await (const c of input) {
    if (typeof c === 'string') read.bytes += Buffer.byteLength(c);
    else if (c instanceof Uint8Array) read.bytes += c.byteLength;
    yield c;
  }
}

export async function loadRdf(opts: LoadOptions): Promise<LoadProgress> {
  const base = baseUrl(opts.alpha, (opts.transport ?? PLAIN_HTTP).scheme);
  const p: LoadProgress = { quads: 0, batches: 0, nodes: 0, seconds: 0, retries: 0, bytesRead: 0 };
  if (!opts.input) p.bytesTotal = await sizeOf(opts.file);
  const schema = opts.schemaText ?? (opts.schema ? await readFile(opts.schema, 'utf8') : undefined);
  if (schema !== undefined) {
    opts.onStage?.('schema', { ...p });
    await post(`${base}/alter`, schema, 'text/plain', opts);
  }
  const uids = new Map<string, bigint>();
  const started = Date.now();
  const batchSize = opts.batch ?? 1000;
  const want = opts.concurrency ?? 4;
  const leases = want > 1 ? await UidLeases.open(base, opts) : undefined;
  const concurrency = leases ? want : 1;
  const source = opts.input
    ? Readable.from(opts.input)
    : createReadStream(opts.file, { highWaterMark: READ_CHUNK });
  // The bytes read when each batch was parsed: its end in the file, told once it is committed.
  const fileRead = { bytes: 0 };
  const ends = new WeakMap<NQuad[], number>();
  const batches = parseNQuadsStream(counted(source, fileRead), { batchSize });
  opts.onStage?.('load', { ...p });

  /** Sends one batch (again while a concurrent batch makes it abort); counts it when committed. */
  const send = async (batch: NQuad[]) => {
    const text = `{ set {\n${batch.map((q) => formatNQuad(q, uids)).join('\n')}\n} }`;
    let r: { data?: { uids?: Record<string, string> } };
    for (let attempt = 0; ; attempt++) {
      try {
        r = (await post(`${base}/mutate?commitNow=true`, text, 'application/rdf', opts)) as typeof r;
        break;
      } catch (err) {
        if ((err as { aborted?: boolean }).aborted && attempt < MAX_RETRIES) {
          p.retries++;
          await new Promise((res) => setTimeout(res, Math.min(1000, 10 * 2 ** attempt)));
          continue;
        }
        const first = batch[0]?.line ?? 0;
        const last = batch[batch.length - 1]?.line ?? 0;
        throw new Error(`${opts.file} lines ${first}-${last}: ${(err as Error).message}`, { cause: err });
      }
    }
    for (const [name, hex] of Object.entries(r.data?.uids ?? {})) uids.set(name, BigInt(hex));
    p.quads += batch.length;
    p.bytesRead = Math.max(p.bytesRead, ends.get(batch) ?? 0);
    p.batches++;
    p.nodes = uids.size;
    p.seconds = (Date.now() - started) / 1000;
    opts.onProgress?.({ ...p });
  };

  // Up to `concurrency` batches in flight, never two that touch one list (batch-scheduler.ts). The
  // first failure stops the sending, and is thrown once the batches in flight have ended (each is
  // committed or not, never half).
  const scheduler = new BatchScheduler(concurrency, send);
  let read = 0;
  for await (let batch of batches) {
    if (scheduler.failure !== undefined) break;
    if (opts.limit !== undefined) {
      if (read >= opts.limit) break;
      batch = batch.slice(0, opts.limit - read);
    }
    read += batch.length;
    ends.set(batch, fileRead.bytes);
    if (leases) await leases.name(batch, uids);
    await scheduler.add(batch, concurrency > 1 ? touchedLists(batch, uids) : new Set());
  }
  await scheduler.drain();
  if (scheduler.failure !== undefined) throw scheduler.failure;
  p.bytesRead = Math.max(p.bytesRead, fileRead.bytes);
  p.nodes = uids.size;
  p.seconds = (Date.now() - started) / 1000;
  return p;
}

/** A progress line for a TTY (`\r`-rewritten). */
export function progressLine(p: LoadProgress): string {
  const rate = p.seconds > 0 ? Math.round(p.quads / p.seconds) : 0;
  return `${p.quads.toLocaleString('en-US')} N-Quads, ${p.nodes.toLocaleString('en-US')} nodes, ${rate.toLocaleString('en-US')} N-Quads/s`;
}
