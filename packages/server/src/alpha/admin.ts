/**
 * `/admin`: GraphQL (mercurius) shaped like Dgraph's admin API: `health`, `state`, the
 * `export(input: {format: "rdf"})` mutation, binary backup and restore, and Strata's own
 * `restorePlan` (a restore's dry run) and `verifyBackups` queries. Who may reach it (loopback, the `--admin-whitelist`
 * CIDRs, the auth token) is decided by the request guard (../http/request-guard.ts).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { GraphQLScalarType } from 'graphql';
import mercurius from 'mercurius';
import { StrataError } from '@strata/core';
import {
  BACKUP_INPUTS_SDL,
  type BackupInput,
  type ExpireBackupsInput,
  type ListBackupsInput,
  type RestoreInput,
  type VerifyBackupsInput,
} from './backup/inputs.js';
import { REPORTS_SDL, restorePlanPayload, verifyPayload } from './backup/reports.js';
import type { BackupService } from './backup/service.js';
import type { Cluster } from './cluster.js';
import { HttpError } from '../http/errors.js';
import { dropEmptyParens } from '../parse/graphql-dialect.js';
import { exportToFolder } from './export.js';
import { health, type PublicRoutesOptions } from './routes/public.js';

export interface AdminOptions extends PublicRoutesOptions {
  exportDir: string;
  backups: BackupService;
}

/** 64-bit integers: a number when it is a safe integer, else a decimal string. */
const Int64 = new GraphQLScalarType({
  name: 'Int64',
  serialize(v) {
    const b = typeof v === 'bigint' ? v : BigInt(v as number | string);
    return b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b.toString();
  },
  parseValue(v) {
    return BigInt(v as number | string);
  },
});

/** Errors a client should see: typed errors keep their message (never a credential). */
function gqlError(err: unknown): Error {
  if (err instanceof HttpError || err instanceof StrataError) {
    return new mercurius.ErrorWithProps(err.message, { code: err.code });
  }
  return err instanceof Error ? err : new Error(String(err));
}

const schema = /* GraphQL */ `
  type NodeState {
    instance: String
    address: String
    status: String
    group: String
    version: String
    uptime: Int
    lastEcho: Int
  }
  type Member {
    id: String
    groupId: Int
    addr: String
    leader: Boolean
    amDead: Boolean
    lastUpdate: String
  }
  type Tablet {
    groupId: Int
    predicate: String
  }
  type ClusterGroup {
    id: String
    members: [Member]
    tablets: [Tablet]
    snapshotTs: String
    checksum: String
  }
  type MembershipState {
    counter: String
    groups: [ClusterGroup]
    zeros: [Member]
    maxUID: String
    maxTxnTs: String
    maxNsID: String
    maxRaftId: String
    removed: [Member]
    cid: String
  }
  type Response {
    code: String
    message: String
  }
  type ExportPayload {
    response: Response
    exportedFiles: [String]
  }
  input ExportInput {
    format: String
    destination: String
    namespace: Int
    "Strata: encrypt the files with the cluster's key (default: when encrypted at rest)."
    encrypted: Boolean
  }
  scalar Int64
  ${BACKUP_INPUTS_SDL}
  ${REPORTS_SDL}
  type BackupPayload {
    response: Response
    taskId: String
  }
  type BackupGroup {
    groupId: Int
    predicates: [String]
  }
  type Manifest {
    backupId: String
    backupNum: Int64
    encrypted: Boolean
    groups: [BackupGroup]
    path: String
    since: Int64
    readTs: Int64
    type: String
  }
  "Strata: one backup of an expireBackups plan, and why it is kept or removed."
  type ExpiredBackup {
    path: String
    backupId: String
    backupNum: Int64
    type: String
    readTs: Int64
    "Start time from the folder name (UTC, ISO 8601); null when the name holds none."
    time: String
    reasons: [String]
  }
  "Strata: what expireBackups removed (or, with dryRun, would remove) and kept."
  type ExpirePayload {
    location: String
    dryRun: Boolean
    removed: [ExpiredBackup]
    kept: [ExpiredBackup]
    warnings: [String]
    filesDeleted: Int
  }
  type RestorePayload {
    code: String
    message: String
    restoreId: Int
  }
  type RestoreStatus {
    status: String
    errors: [String]
    "Strata: backup bytes read so far by every group (the current phase's)."
    bytesDone: Float
    "Strata: backup bytes the current phase reads in all, when every group knows it."
    bytesTotal: Float
    "Strata: keys written so far by every group."
    keysDone: Float
    "Strata: each group's progress."
    groups: [RestoreGroupProgress]
  }
  "Strata: the backup this Alpha coordinates now, or the last one it ran."
  type BackupProgress {
    taskId: String
    running: Boolean
    "plan, groups (the group files are written), manifest, done or failed."
    phase: String
    type: String
    backupId: String
    backupNum: Int
    destination: String
    bytesDone: Float
    seconds: Float
    groups: [BackupGroupProgress]
  }
  type BackupGroupProgress {
    group: Int
    bytesDone: Float
    done: Boolean
  }
  "Strata: how far one group's part of an online restore has come."
  type RestoreGroupProgress {
    group: Int
    "checksums (reading every file's sha256), load, staged (waiting for the switch) or failed."
    phase: String
    bytesDone: Float
    bytesTotal: Float
    filesDone: Int
    filesTotal: Int
    keysDone: Float
  }
  type Query {
    health: [NodeState]
    state: MembershipState
    listBackups(input: ListBackupsInput!): [Manifest]
    restoreStatus(restoreId: Int!): RestoreStatus
    "Strata: a restore's dry run: every check restore runs (against this cluster's groups), then the plan; changes nothing."
    restorePlan(input: RestoreInput!): RestorePlan
    "Strata: reads every file of a backup chain end to end (deep: every KV too) and reports every problem; changes nothing."
    verifyBackups(input: VerifyBackupsInput!): VerifyReport
    "Strata: the backup this Alpha coordinates now, or the last one it ran (null: none yet)."
    backupProgress: BackupProgress
  }
  type Mutation {
    export(input: ExportInput!): ExportPayload
    backup(input: BackupInput!): BackupPayload
    restore(input: RestoreInput!): RestorePayload
    "Strata: removes old backups by retention rules, never breaking a chain (holds the backup lock)."
    expireBackups(input: ExpireBackupsInput!): ExpirePayload
  }
`;

function stateOf(cluster: Cluster) {
  return async () => {
    const s = await cluster.zeroState(true);
    return {
      counter: s.counter,
      groups: Object.entries(s.groups).map(([id, g]) => ({
        id,
        members: Object.values(g.members),
        tablets: Object.values(g.tablets),
        snapshotTs: g.snapshotTs,
        checksum: g.checksum,
      })),
      zeros: Object.values(s.zeros),
      maxUID: s.maxUID,
      maxTxnTs: s.maxTxnTs,
      maxNsID: s.maxNsID,
      maxRaftId: s.maxRaftId,
      removed: [],
      cid: s.cid,
    };
  };
}

/** The GraphQL of an `/admin` request (JSON body, batched body or `?query=`) in graphql-js's dialect. */
function toGraphqlJs(req: FastifyRequest): void {
  const fix = (o: unknown) => {
    if (o !== null && typeof o === 'object' && typeof (o as { query?: unknown }).query === 'string') {
      const q = o as { query: string };
      q.query = dropEmptyParens(q.query);
    }
  };
  if (Array.isArray(req.body)) req.body.forEach(fix);
  else fix(req.body);
  fix(req.query);
}

const admin: FastifyPluginAsync<AdminOptions> = async (app, opts) => {
  const started = Date.now();
  // Dgraph's examples write `query backup() {...}`: accept what Dgraph's parser accepts.
  app.addHook('preValidation', async (req) => {
    if (req.routeOptions.url === '/admin') toGraphqlJs(req);
  });
  await app.register(mercurius, {
    schema,
    path: '/admin',
    graphiql: false,
    resolvers: {
      Int64,
      Query: {
        health: async () => [health(opts, started)],
        state: stateOf(opts.cluster),
        listBackups: async (_root: unknown, args: { input: ListBackupsInput }) => {
          try {
            return await opts.backups.listBackups(args.input);
          } catch (err) {
            throw gqlError(err);
          }
        },
        restorePlan: async (_root: unknown, args: { input: RestoreInput }) => {
          try {
            return restorePlanPayload(await opts.backups.restorePlan(args.input));
          } catch (err) {
            throw gqlError(err);
          }
        },
        verifyBackups: async (_root: unknown, args: { input: VerifyBackupsInput }) => {
          try {
            return verifyPayload(await opts.backups.verifyBackups(args.input));
          } catch (err) {
            throw gqlError(err);
          }
        },
        restoreStatus: async (_root: unknown, args: { restoreId: number }) =>
          opts.backups.restoreStatus(args.restoreId),
        backupProgress: async () => opts.backups.backupProgress(),
      },
      Mutation: {
        backup: async (_root: unknown, args: { input: BackupInput }) => {
          try {
            return await opts.backups.backup(args.input);
          } catch (err) {
            throw gqlError(err);
          }
        },
        restore: async (_root: unknown, args: { input: RestoreInput }) => {
          try {
            return await opts.backups.restore(args.input);
          } catch (err) {
            throw gqlError(err);
          }
        },
        expireBackups: async (_root: unknown, args: { input: ExpireBackupsInput }) => {
          try {
            const r = await opts.backups.expireBackups(args.input);
            return {
              location: r.location,
              dryRun: r.dryRun,
              removed: r.remove,
              kept: r.keep,
              warnings: r.warnings,
              filesDeleted: r.filesDeleted,
            };
          } catch (err) {
            throw gqlError(err);
          }
        },
        export: async (
          _root: unknown,
          args: { input: { format?: string | null; encrypted?: boolean | null } },
        ) => {
          const format = (args.input.format ?? 'rdf').toLowerCase();
          if (format !== 'rdf') {
            throw new mercurius.ErrorWithProps(`export format "${format}" is not supported: use "rdf"`);
          }
          // A cluster encrypted at rest exports encrypted with its key, as Dgraph does.
          const keys = opts.cluster.local.owner.keys;
          const encrypted = args.input.encrypted ?? keys.sealed;
          if (encrypted && !keys.sealed) {
            throw new mercurius.ErrorWithProps(
              'export: encrypted: true needs a cluster encrypted at rest (--encryption): it has no key to encrypt with',
            );
          }
          const key = encrypted ? await keys.masterKey() : undefined;
          try {
            const r = await exportToFolder(opts.cluster, opts.exportDir, key);
            return { response: { code: 'Success', message: 'Export completed.' }, exportedFiles: r.files };
          } finally {
            key?.fill(0);
          }
        },
      },
    },
  });
};

export default admin;
