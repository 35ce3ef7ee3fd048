/**
 * `/internal/*`: what coordinators (this Alpha or another) ask of this group's owner. Every route
 * requires the cluster token (registered in this scope by the app).
 */
import { Readable } from 'node:stream';
import { encodeExport, EXPORT_CONTENT_TYPE, MANIFEST_LAYOUTS } from '@strata/core';
import type { FastifyPluginAsync } from 'fastify';
import { VALUE_TYPES } from '../../parse/values.js';
import { GEO_FUNCS } from '../../parse/query-geo.js';
import { HttpError } from '../../http/errors.js';
import type {
  GroupBackupRequest,
  GroupRestoreFinish,
  GroupRestoreRequest,
} from '../backup/group-requests.js';
import type { BackupService } from '../backup/service.js';
import type { GroupOwner, WireAlter } from '../owner.js';
import type { WireCompare, WireEdge, WireHas, WireGeo, WirePattern, WireTextMatch } from '../wire.js';
import {
  anyObject,
  withErrors,
  facetSchema,
  factsSchema,
  predicateInfoMap,
  predicateName,
  langName,
  u64String,
  uidList,
} from './schemas.js';

const txnId = { type: 'string', minLength: 1, maxLength: 128 } as const;

const edgeSchema = {
  type: 'object',
  required: ['op', 'subject', 'predicate'],
  additionalProperties: false,
  properties: {
    op: { type: 'string', enum: ['set', 'del'] },
    subject: u64String,
    predicate: predicateName,
    objectUid: u64String,
    text: { type: 'string' },
    valType: { type: 'string', enum: VALUE_TYPES },
    lang: { type: 'string' },
    star: { type: 'boolean' },
    facets: { type: 'array', items: facetSchema },
    line: { type: 'integer' },
  },
} as const;

const schemaPredicate = {
  type: 'object',
  required: ['predicate', 'valueType'],
  additionalProperties: false,
  properties: {
    predicate: predicateName,
    valueType: { type: 'string', enum: VALUE_TYPES },
    list: { type: 'boolean' },
    index: { type: 'array', items: { type: 'string' } },
    reverse: { type: 'boolean' },
    count: { type: 'boolean' },
    upsert: { type: 'boolean' },
    lang: { type: 'boolean' },
    unique: { type: 'boolean' },
    noconflict: { type: 'boolean' },
  },
} as const;

/** A predicate as `/internal/schema` answers it: also the vector indexes restored from Dgraph. */
const schemaPredicateOut = {
  ...schemaPredicate,
  properties: {
    ...schemaPredicate.properties,
    valueType: { type: 'string' },
    vectorIndexes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          options: {
            type: 'array',
            items: { type: 'object', properties: { key: { type: 'string' }, value: { type: 'string' } } },
          },
        },
      },
    },
  },
} as const;

const okSchema = withErrors(anyObject);
const uidsResponse = withErrors({
  type: 'object',
  required: ['uids'],
  properties: { uids: { type: 'array', items: { type: 'string' } } },
});

const credentialProps = {
  accessKey: { type: 'string', maxLength: 4096 },
  secretKey: { type: 'string', maxLength: 4096 },
  sessionToken: { type: 'string', maxLength: 16384 },
  anonymous: { type: 'boolean' },
} as const;

const internalRoutes: FastifyPluginAsync<{ owner: GroupOwner; backups: BackupService }> = async (
  app,
  { owner, backups },
) => {
  // Binary backup of this group (../backup.ts): streams the file to the destination.
  app.post<{ Body: GroupBackupRequest }>(
    '/backup',
    {
      schema: {
        body: {
          type: 'object',
          required: ['destination', 'path', 'readTs', 'since', 'predicates', 'format'],
          additionalProperties: false,
          properties: {
            destination: { type: 'string', minLength: 1, maxLength: 4096 },
            path: { type: 'string', minLength: 1, maxLength: 4096 },
            readTs: u64String,
            since: u64String,
            predicates: { type: 'array', items: predicateName },
            format: { type: 'string', enum: [...MANIFEST_LAYOUTS] },
            key: { type: 'string', maxLength: 64 },
            ...credentialProps,
          },
        },
        response: okSchema,
      },
    },
    async (req) => backups.groupBackup(req.body),
  );

  // How many bytes of a group file this Alpha has written (polled by the backup coordinator).
  app.post<{ Body: { path: string } }>(
    '/backup/progress',
    {
      schema: {
        body: {
          type: 'object',
          required: ['path'],
          additionalProperties: false,
          properties: { path: { type: 'string', minLength: 1, maxLength: 4096 } },
        },
        response: okSchema,
      },
    },
    async (req) => backups.groupBackupProgress(req.body.path),
  );

  // Online restore of this group (../backup/restore-participant.ts). Phase 1: stage beside the
  // live store.
  const restoreIdSchema = { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' } as const;
  /** A route whose body names one restore: `{ id }`. */
  const byRestoreId = {
    schema: {
      body: {
        type: 'object',
        required: ['id'],
        additionalProperties: false,
        properties: { id: restoreIdSchema },
      },
      response: okSchema,
    },
  } as const;
  app.post<{ Body: GroupRestoreRequest }>(
    '/restore',
    {
      schema: {
        body: {
          type: 'object',
          required: ['restoreId', 'coordinator', 'location', 'restoreTs'],
          additionalProperties: false,
          properties: {
            restoreId: restoreIdSchema,
            coordinator: { type: 'string', minLength: 1, maxLength: 1024 },
            location: { type: 'string', minLength: 1, maxLength: 4096 },
            backupId: { type: 'string', maxLength: 1024 },
            backupNum: { type: 'integer', minimum: 0 },
            restoreTs: u64String,
            key: { type: 'string', maxLength: 64 },
            targetGroups: { type: 'integer', minimum: 1, maximum: 1000 },
            selection: {
              type: 'object',
              additionalProperties: false,
              properties: {
                predicates: { type: 'array', maxItems: 10_000, items: { type: 'string', maxLength: 4096 } },
                namespaces: { type: 'array', maxItems: 10_000, items: { type: 'string', maxLength: 32 } },
                exclude: { type: 'array', maxItems: 10_000, items: { type: 'string', maxLength: 4096 } },
              },
            },
            ...credentialProps,
          },
        },
        response: okSchema,
      },
    },
    async (req) => backups.groupRestore(req.body),
  );

  // Phase 2: the decision recorded at Zero.
  app.post<{ Body: GroupRestoreFinish }>(
    '/restore/finish',
    {
      schema: {
        body: {
          type: 'object',
          required: ['restoreId', 'outcome'],
          additionalProperties: false,
          properties: { restoreId: restoreIdSchema, outcome: { type: 'string', enum: ['commit', 'abort'] } },
        },
        response: okSchema,
      },
    },
    async (req) => backups.groupRestoreFinish(req.body),
  );

  // Whether this Alpha still coordinates a restore (asked by groups waiting for a decision).
  app.post<{ Body: { id: string } }>('/restore/running', byRestoreId, async (req) =>
    backups.restoreRunning(req.body.id),
  );

  // How far this group's stage of a restore has come (polled by the coordinator for restoreStatus).
  app.post<{ Body: { id: string } }>('/restore/progress', byRestoreId, async (req) =>
    backups.groupRestoreProgress(req.body.id),
  );

  app.post('/forget-tablets', { schema: { response: okSchema } }, async () => {
    backups.forgetTablets();
    return { forgotten: true };
  });

  app.post<{ Body: { txnId: string; edges: WireEdge[] } }>(
    '/prepare',
    {
      schema: {
        body: {
          type: 'object',
          required: ['txnId', 'edges'],
          additionalProperties: false,
          properties: { txnId, edges: { type: 'array', items: edgeSchema } },
        },
        response: okSchema,
      },
    },
    async (req) => owner.prepare(req.body.txnId, req.body.edges),
  );

  // An open transaction's uncommitted edges (all of them), for its own reads; none forgets them.
  app.post<{ Body: { startTs: string; edges: WireEdge[] } }>(
    '/pending',
    {
      schema: {
        body: {
          type: 'object',
          required: ['startTs', 'edges'],
          additionalProperties: false,
          properties: { startTs: u64String, edges: { type: 'array', items: edgeSchema } },
        },
        response: okSchema,
      },
    },
    async (req) => owner.setPending(req.body.startTs, req.body.edges),
  );

  app.post<{ Body: { txnId: string; commitTs: string } }>(
    '/commit',
    {
      schema: {
        body: {
          type: 'object',
          required: ['txnId', 'commitTs'],
          additionalProperties: false,
          properties: { txnId, commitTs: u64String },
        },
        response: okSchema,
      },
    },
    async (req) => owner.commit(req.body.txnId, BigInt(req.body.commitTs)),
  );

  app.post<{ Body: { txnId: string } }>(
    '/abort',
    {
      schema: {
        body: { type: 'object', required: ['txnId'], additionalProperties: false, properties: { txnId } },
        response: okSchema,
      },
    },
    async (req) => owner.abort(req.body.txnId),
  );

  app.post<{ Body: WireAlter & { commitTs: string; dryRun?: boolean } }>(
    '/alter',
    {
      schema: {
        body: {
          type: 'object',
          required: ['commitTs'],
          additionalProperties: false,
          properties: {
            commitTs: u64String,
            dryRun: { type: 'boolean' },
            predicates: { type: 'array', items: schemaPredicate },
            types: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name', 'fields'],
                properties: {
                  name: { type: 'string' },
                  fields: { type: 'array', items: { type: 'string' } },
                },
              },
            },
            dropAll: { type: 'boolean' },
            dropData: { type: 'boolean' },
            dropAttr: predicateName,
            dropType: { type: 'string' },
          },
        },
        response: okSchema,
      },
    },
    async (req) => {
      const { commitTs, dryRun, ...alter } = req.body;
      if (dryRun) await owner.checkAlter(alter);
      else await owner.alter(BigInt(commitTs), alter);
      return { ok: true };
    },
  );

  app.post<{ Body: { uids: string[]; predicates: string[] | null; readTs: string } }>(
    '/read',
    {
      schema: {
        body: {
          type: 'object',
          required: ['uids', 'predicates', 'readTs'],
          additionalProperties: false,
          properties: {
            uids: uidList,
            predicates: { type: ['array', 'null'], items: predicateName },
            readTs: u64String,
          },
        },
        response: withErrors({
          type: 'object',
          properties: { nodes: factsSchema, schema: predicateInfoMap },
        }),
      },
    },
    async (req) => owner.read(req.body.uids, req.body.predicates, req.body.readTs),
  );

  app.post(
    '/schema',
    {
      schema: {
        body: { type: 'object', additionalProperties: false, properties: {} },
        response: withErrors({
          type: 'object',
          required: ['predicates'],
          properties: { predicates: { type: 'array', items: schemaPredicateOut } },
        }),
      },
    },
    async () => ({ predicates: owner.schemaPredicates() }),
  );

  app.post<{ Body: WireHas & { readTs: string } }>(
    '/has',
    {
      schema: {
        body: {
          type: 'object',
          required: ['predicate', 'readTs'],
          additionalProperties: false,
          properties: {
            predicate: predicateName,
            readTs: u64String,
            reverse: { type: 'boolean' },
            lang: langName,
          },
        },
        response: uidsResponse,
      },
    },
    async (req) => {
      const { readTs, ...m } = req.body;
      return { uids: await owner.has(m, readTs) };
    },
  );

  app.post<{ Body: WireCompare & { readTs: string; among?: string[] } }>(
    '/compare',
    {
      schema: {
        body: {
          type: 'object',
          required: ['op', 'predicate', 'values', 'readTs'],
          additionalProperties: false,
          properties: {
            op: { type: 'string', enum: ['eq', 'le', 'lt', 'ge', 'gt', 'between'] },
            predicate: predicateName,
            values: { type: 'array', items: { type: 'string' } },
            readTs: u64String,
            among: { type: 'array', items: u64String },
            lang: langName,
          },
        },
        response: uidsResponse,
      },
    },
    async (req) => {
      const { readTs, among, ...m } = req.body;
      return { uids: await owner.compare(m, readTs, among) };
    },
  );

  app.post<{ Body: WireTextMatch & { readTs: string } }>(
    '/text-match',
    {
      schema: {
        body: {
          type: 'object',
          required: ['predicate', 'fn', 'text', 'lang', 'readTs'],
          additionalProperties: false,
          properties: {
            predicate: predicateName,
            fn: { type: 'string', enum: ['anyofterms', 'allofterms', 'anyoftext', 'alloftext'] },
            text: { type: 'string' },
            lang: { type: 'string', maxLength: 64 },
            readTs: u64String,
          },
        },
        response: uidsResponse,
      },
    },
    async (req) => {
      const { readTs, ...m } = req.body;
      return { uids: await owner.textMatch(m, readTs) };
    },
  );

  app.post<{ Body: WireGeo & { readTs: string; among?: string[] } }>(
    '/geo',
    {
      schema: {
        body: {
          type: 'object',
          required: ['predicate', 'fn', 'geometry', 'readTs'],
          additionalProperties: false,
          properties: {
            predicate: predicateName,
            fn: { type: 'string', enum: [...GEO_FUNCS] },
            geometry: { type: 'string' },
            maxDistance: { type: 'number' },
            readTs: u64String,
            among: { type: 'array', items: u64String },
          },
        },
        response: uidsResponse,
      },
    },
    async (req) => {
      const { readTs, among, ...m } = req.body;
      return { uids: await owner.geo(m, readTs, among) };
    },
  );

  app.post<{ Body: WirePattern & { readTs: string; among?: string[] } }>(
    '/pattern',
    {
      schema: {
        body: {
          type: 'object',
          required: ['name', 'predicate', 'readTs'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', enum: ['regexp', 'match'] },
            predicate: predicateName,
            lang: { type: 'string', maxLength: 64 },
            pattern: { type: 'string' },
            flags: { type: 'string', maxLength: 8 },
            fuzzy: { type: 'string' },
            maxDistance: { type: 'integer', minimum: 0, maximum: 2147483647 },
            readTs: u64String,
            among: { type: 'array', items: u64String },
          },
        },
        response: uidsResponse,
      },
    },
    async (req) => {
      const { readTs, among, ...m } = req.body;
      if (
        m.name === 'regexp'
          ? m.pattern === undefined || m.flags === undefined
          : m.fuzzy === undefined || m.maxDistance === undefined
      )
        throw new HttpError('BAD_REQUEST', `${m.name}: its arguments are missing`);
      return { uids: await owner.pattern(m, readTs, among) };
    },
  );

  app.post<{ Body: { predicate: string; objects: string[]; readTs: string } }>(
    '/reverse',
    {
      schema: {
        body: {
          type: 'object',
          required: ['predicate', 'objects', 'readTs'],
          additionalProperties: false,
          properties: { predicate: predicateName, objects: uidList, readTs: u64String },
        },
        response: withErrors({
          type: 'object',
          properties: {
            results: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  object: { type: 'string' },
                  subjects: { type: 'array', items: { type: 'string' } },
                },
              },
            },
          },
        }),
      },
    },
    async (req) => ({ results: await owner.reverse(req.body.predicate, req.body.objects, req.body.readTs) }),
  );

  app.post<{ Body: { readTs: string } }>(
    '/export',
    {
      schema: {
        body: {
          type: 'object',
          required: ['readTs'],
          additionalProperties: false,
          properties: { readTs: u64String },
        },
      },
    },
    // strata-export/1 (core export/wire.ts): header with this group's schema, sorted lines, trailer
    async (req, reply) => {
      const o = await owner.openExport(req.body.readTs);
      const body = encodeExport(
        { readTs: req.body.readTs, groups: [owner.group], schema: o.schema.toString('utf8') },
        o.chunks,
        o.facts,
      );
      return reply.type(EXPORT_CONTENT_TYPE).send(Readable.from(body, { objectMode: false }));
    },
  );
};

export default internalRoutes;
