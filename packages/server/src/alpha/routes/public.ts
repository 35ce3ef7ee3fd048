/** The Alpha's public routes, shaped like Dgraph Alpha's HTTP API. */
import { Readable } from 'node:stream';
import { encodeExport, EXPORT_CONTENT_TYPE } from '@strata/core';
import type { FastifyPluginAsync } from 'fastify';
import { alter, type AlterBody } from '../alter.js';
import type { Cluster } from '../cluster.js';
import { HttpError } from '../../http/errors.js';
import { openClusterExport } from '../export.js';
import { mutate, parseMutationRequest } from '../mutate.js';
import { upsert } from '../upsert.js';
import { runQuery } from '../dql/run.js';
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

const publicRoutes: FastifyPluginAsync<PublicRoutesOptions> = async (app, opts) => {
  const { cluster } = opts;
  // Dgraph's clients send RDF, DQL and schema text with many content types (curl -d: form).
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post<{ Body: unknown; Querystring: { commitNow?: boolean } }>(
    '/mutate',
    {
      bodyLimit: 256 * 1024 * 1024,
      schema: {
        querystring: { type: 'object', properties: { commitNow: { type: 'boolean' } } },
        body: { anyOf: [{ type: 'string' }, anyObject] },
        response: withDgraphErrors(anyObject),
      },
    },
    async (req) => {
      if (req.query.commitNow === false) {
        throw new HttpError('BAD_REQUEST', 'open transactions are not supported: use /mutate?commitNow=true');
      }
      const r = parseMutationRequest(req.body);
      return 'upsert' in r ? upsert(cluster, r.upsert) : mutate(cluster, r.mutation);
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

  app.post<{ Body: unknown }>(
    '/query',
    {
      schema: {
        body: { anyOf: [{ type: 'string' }, anyObject] },
        response: withDgraphErrors(anyObject),
      },
    },
    async (req) => {
      const body = jsonish(req.body);
      const text = typeof body === 'string' ? body : (body as { query?: unknown })?.query;
      if (typeof text !== 'string')
        throw new HttpError('BAD_REQUEST', 'expected DQL text or {"query": "..."}');
      return runQuery(cluster, text, queryVars(body));
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
