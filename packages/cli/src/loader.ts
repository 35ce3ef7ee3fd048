/**
 * Streams an N-Quads file into an Alpha in batches of `/mutate?commitNow=true`. Blank nodes and
 * external ids (`_:x`, `<m.0abc>`) are mapped to uids consistently across batches: the first batch
 * that mentions a name sends it as is and records the uid the Alpha returns; later batches send
 * the uid.
 */
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parseNQuadsFile, parseNQuadsStream, type NodeRef, type NQuad, type VarRef } from '@strata/server';
import { baseUrl, PLAIN_HTTP, transportHint, type Transport } from '@strata/core';
import { fetch } from 'undici';
import { authHeaders } from './auth-token.js';

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
  /** Stop after this many N-Quads. */
  limit?: number;
  onProgress?: (p: LoadProgress) => void;
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
}

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
  let res: Awaited<ReturnType<typeof fetch>>;
  try {
    res = await fetch(url, {
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
    throw new Error(`${url} answered ${res.status}: ${refused || json.message || text.slice(0, 200)}`);
  }
  return json;
}

export async function loadRdf(opts: LoadOptions): Promise<LoadProgress> {
  const base = baseUrl(opts.alpha, (opts.transport ?? PLAIN_HTTP).scheme);
  const schema = opts.schemaText ?? (opts.schema ? await readFile(opts.schema, 'utf8') : undefined);
  if (schema !== undefined) await post(`${base}/alter`, schema, 'text/plain', opts);
  const uids = new Map<string, bigint>();
  const started = Date.now();
  const p: LoadProgress = { quads: 0, batches: 0, nodes: 0, seconds: 0 };
  const batchSize = opts.batch ?? 1000;
  const batches = opts.input
    ? parseNQuadsStream(Readable.from(opts.input), { batchSize })
    : parseNQuadsFile(opts.file, { batchSize });
  for await (let batch of batches) {
    if (opts.limit !== undefined) {
      if (p.quads >= opts.limit) break;
      batch = batch.slice(0, opts.limit - p.quads);
    }
    const text = `{ set {\n${batch.map((q) => formatNQuad(q, uids)).join('\n')}\n} }`;
    let r: { data?: { uids?: Record<string, string> } };
    try {
      r = (await post(`${base}/mutate?commitNow=true`, text, 'application/rdf', opts)) as typeof r;
    } catch (err) {
      const first = batch[0]?.line ?? 0;
      const last = batch[batch.length - 1]?.line ?? 0;
      throw new Error(`${opts.file} lines ${first}-${last}: ${(err as Error).message}`, { cause: err });
    }
    for (const [name, hex] of Object.entries(r.data?.uids ?? {})) uids.set(name, BigInt(hex));
    p.quads += batch.length;
    p.batches++;
    p.nodes = uids.size;
    p.seconds = (Date.now() - started) / 1000;
    opts.onProgress?.({ ...p });
  }
  p.seconds = (Date.now() - started) / 1000;
  return p;
}

/** A progress line for a TTY (`\r`-rewritten). */
export function progressLine(p: LoadProgress): string {
  const rate = p.seconds > 0 ? Math.round(p.quads / p.seconds) : 0;
  return `${p.quads.toLocaleString('en-US')} N-Quads, ${p.nodes.toLocaleString('en-US')} nodes, ${rate.toLocaleString('en-US')} N-Quads/s`;
}
