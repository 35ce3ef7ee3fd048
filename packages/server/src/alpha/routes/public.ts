/** The Alpha's public routes, shaped like Dgraph Alpha's HTTP API. */
import { Readable } from 'node:stream';
import { encodeExport, EXPORT_CONTENT_TYPE } from '@strata/core';
import type { FastifyPluginAsync } from 'fastify';
import { alter, type AlterBody } from '../alter.js';
import type { Cluster } from '../cluster.js';
import { HttpError } from '../../http/errors.js';
import { assignQuerySchema } from '../../zero/routes/schemas.js';
import { openClusterExport } from '../export.js';
import { parseMutationRequest } from '../mutate.js';
import { commitOrAbort, mutateRequest, query } from '../requests.js';
import { anyObject, withDgraphErrors } from './schemas.js';

export interface PublicRoutesOptions {
  cluster: Cluster;
  version: string;
}

/** A body that is JSON text (any content type, as curl -d sends it) becomes an object. */
function jsonish(body: unknown): unknown {
  if (typeof body === 'string' && /^\s*\{/.test(body) && /\}\s*$/.test(body)) {
    try {
      return JSON.parse(body) as unknown;
    } catch {
      return body;
    }
  }
  return body;
}

/** The `variables` of a JSON query body (`{"$a": "5"}`; values as strings, as Dgraph takes them). */
function queryVars(body: unknown): Record<string, string> {
  const v = (body as { variables?: unknown } | null)?.variables;
  if (v === undefined || v === null || typeof body === 'string') return {};
  if (typeof v !== 'object' || Array.isArray(v))
    throw new HttpError('BAD_REQUEST', 'variables must be an object');
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === 'object' && x !== null)
      throw new HttpError('BAD_REQUEST', `variable ${k} must be a string, number or boolean`);
    out[k.startsWith('$') ? k : `$${k}`] = String(x);
  }
  return out;
}

/** The most uids one `/assign` leases. */
const MAX_UID_LEASE = 1_000_000;

/** A transaction's start ts in a query string (0, as Dgraph's clients send it: none). */
const startTsSchema = { type: 'string', pattern: '^[0-9]{1,20}$' } as const;

function optionalTs(ts: string | undefined): { startTs?: bigint } {
  return ts === undefined || BigInt(ts) === 0n ? {} : { startTs: BigInt(ts) };
}

/** `/commit`'s body, as Dgraph reads it: a JSON list of keys, or an object with keys and preds. */
function commitKeys(body: unknown): string[] {
  let b = body;
  if (typeof body === 'string') {
    try {
      b = JSON.parse(body) as unknown;
    } catch (e) {
      throw new HttpError(
        'BAD_REQUEST',
        body.trim() === '' ? 'unexpected end of JSON input' : `commit body: ${(e as Error).message}`,
      );
    }
  }
  if (b === undefined || b === null) throw new HttpError('BAD_REQUEST', 'unexpected end of JSON input');
  const keys = Array.isArray(b) ? b : (b as { keys?: unknown } | null)?.keys;
  if (typeof b !== 'object' || (keys !== undefined && !Array.isArray(keys))) {
    throw new HttpError(
      'BAD_REQUEST',
      'commit body: expected a JSON list of keys or {"keys": [...], "preds": [...]}',
    );
  }
  return ((keys ?? []) as unknown[]).map(String);
}

const publicRoutes: FastifyPluginAsync<PublicRoutesOptions> = async (app, opts) => {
  const { cluster } = opts;
  // Dgraph's clients send RDF, DQL and schema text with many content types (curl -d: form).
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // JSON, where an empty body (an abort's) is no body rather than an error.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(new HttpError('BAD_REQUEST', `the body is not valid JSON: ${(e as Error).message}`), undefined);
    }
  });

  // As Dgraph's: without commitNow=true the mutation stays in its open transaction (start ts in
  // the answer) until /commit?startTs=...; startTs= joins an open transaction.
  app.post<{ Body: unknown; Querystring: { commitNow?: boolean; startTs?: string } }>(
    '/mutate',
    {
      bodyLimit: 256 * 1024 * 1024,
      schema: {
        querystring: {
          type: 'object',
          properties: { commitNow: { type: 'boolean' }, startTs: startTsSchema },
        },
        body: { anyOf: [{ type: 'string' }, anyObject] },
        response: withDgraphErrors(anyObject),
      },
    },
    async (req) =>
      mutateRequest(cluster, parseMutationRequest(req.body), {
        ...optionalTs(req.query.startTs),
        commitNow: req.query.commitNow === true,
      }),
  );

  // Commits (or with abort=true drops) the open transaction at startTs. The body is the keys the
  // client collected (a JSON list, or {"keys": [...], "preds": [...]}); Strata keeps its own.
  app.post<{ Body: unknown; Querystring: { startTs?: string; abort?: boolean } }>(
    '/commit',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { startTs: startTsSchema, abort: { type: 'boolean' } },
        },
        response: withDgraphErrors(anyObject),
      },
    },
    async (req) => {
      if (req.query.startTs === undefined || req.query.startTs === '0') {
        throw new HttpError('BAD_REQUEST', 'startTs parameter is mandatory while trying to commit');
      }
      const startTs = BigInt(req.query.startTs);
      if (req.query.abort === true) {
        await commitOrAbort(cluster, startTs, true);
        return { code: 'Success', message: 'Done' };
      }
      const t = await commitOrAbort(cluster, startTs, false, commitKeys(req.body));
      return {
        data: { code: 'Success', message: 'Done' },
        extensions: { txn: { start_ts: t.start_ts, commit_ts: t.commit_ts } },
      };
    },
  );

  app.post<{ Body: unknown }>(
    '/alter',
    {
      schema: {
        body: { anyOf: [{ type: 'string' }, anyObject] },
        response: withDgraphErrors(anyObject),
      },
    },
    async (req) => alter(cluster, jsonish(req.body) as AlterBody),
  );

  app.post<{ Body: unknown; Querystring: { startTs?: string; ro?: boolean; be?: boolean } }>(
    '/query',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { startTs: startTsSchema, ro: { type: 'boolean' }, be: { type: 'boolean' } },
        },
        body: { anyOf: [{ type: 'string' }, anyObject] },
        response: withDgraphErrors(anyObject),
      },
    },
    async (req) => {
      const body = jsonish(req.body);
      const text = typeof body === 'string' ? body : (body as { query?: unknown })?.query;
      if (typeof text !== 'string')
        throw new HttpError('BAD_REQUEST', 'expected DQL text or {"query": "..."}');
      return query(cluster, {
        query: text,
        vars: queryVars(body),
        ...optionalTs(req.query.startTs),
        readOnly: req.query.ro === true,
        bestEffort: req.query.be === true,
      });
    },
  );

  // A block of uids leased from Zero, as Zero's /assign answers (Strata's own route: Dgraph's
  // clients lease through gRPC). `strata load` names its blank nodes with them and can then send
  // its batches concurrently. Guarded like /mutate.
  app.get<{ Querystring: { what: 'uids'; num: number } }>(
    '/assign',
    {
      schema: {
        querystring: assignQuerySchema(['uids'], MAX_UID_LEASE),
      },
    },
    async (req) => {
      const { start, end } = await cluster.zero.assignUids(req.query.num);
      return { startId: String(start), endId: String(end) };
    },
  );

  // The cluster's dump, streamed as strata-export/1 (core export/wire.ts): a JSON header line
  // with readTs, groups and schema.txt; the data.rdf lines; an empty line; {"facts":N}. Pulled as
  // the client reads (a slow client slows the groups, nothing is buffered). An error after the
  // header leaves the body without its trailer: the client must refuse it.
  app.get<{ Querystring: { readTs?: string } }>(
    '/export',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { readTs: { type: 'string', pattern: '^[1-9][0-9]{0,19}$' } },
        },
      },
    },
    async (req, reply) => {
      const r = await openClusterExport(
        cluster,
        req.query.readTs === undefined ? undefined : BigInt(req.query.readTs),
      );
      const body = encodeExport(
        { readTs: String(r.readTs), groups: r.groups, schema: r.schema.toString('utf8') },
        r.data,
        () => r.stats.lines,
      );
      return reply
        .type(EXPORT_CONTENT_TYPE)
        .header('cache-control', 'no-store')
        .send(Readable.from(body, { objectMode: false }));
    },
  );

  const started = Date.now();
  app.get(
    '/health',
    {
      schema: {
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                instance: { type: 'string' },
                address: { type: 'string' },
                status: { type: 'string' },
                group: { type: 'string' },
                version: { type: 'string' },
                uptime: { type: 'integer' },
                lastEcho: { type: 'integer' },
              },
            },
          },
        },
      },
    },
    async () => [health(opts, started)],
  );
};

export function health(opts: PublicRoutesOptions, started: number) {
  return {
    instance: 'alpha',
    address: opts.cluster.local.addr,
    status: 'healthy',
    group: String(opts.cluster.groupId),
    version: opts.version,
    uptime: Math.floor((Date.now() - started) / 1000),
    lastEcho: Math.floor(Date.now() / 1000),
  };
}

export default publicRoutes;
