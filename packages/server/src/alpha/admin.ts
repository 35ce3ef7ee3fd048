/**
 * `/admin`: GraphQL (mercurius) shaped like Dgraph's admin API: `health`, `state`, and the
 * `export(input: {format: "rdf"})` mutation. Served only to loopback clients and to addresses in
 * the `--admin-whitelist` CIDRs.
 */
import type { FastifyPluginAsync } from 'fastify';
import mercurius from 'mercurius';
import type { AdminWhitelist } from './cidr.js';
import type { Cluster } from './cluster.js';
import { exportToFolder } from './export.js';
import { errorBody } from './plugins/error-handler.js';
import { health, type PublicRoutesOptions } from './routes/public.js';

export interface AdminOptions extends PublicRoutesOptions {
  whitelist: AdminWhitelist;
  exportDir: string;
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
  }
  type Query {
    health: [NodeState]
    state: MembershipState
  }
  type Mutation {
    export(input: ExportInput!): ExportPayload
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

const admin: FastifyPluginAsync<AdminOptions> = async (app, opts) => {
  app.addHook('onRequest', async (req, reply) => {
    if (!opts.whitelist.allows(req.socket.remoteAddress)) {
      req.log.warn({ ip: req.socket.remoteAddress }, '/admin: client not in the admin whitelist');
      return reply
        .code(403)
        .send(errorBody(403, 'FORBIDDEN', `/admin is not served to ${req.socket.remoteAddress ?? 'this client'}: add its CIDR with --admin-whitelist`));
    }
  });
  const started = Date.now();
  await app.register(mercurius, {
    schema,
    path: '/admin',
    graphiql: false,
    resolvers: {
      Query: {
        health: async () => [health(opts, started)],
        state: stateOf(opts.cluster),
      },
      Mutation: {
        export: async (_root: unknown, args: { input: { format?: string | null } }) => {
          const format = (args.input.format ?? 'rdf').toLowerCase();
          if (format !== 'rdf') {
            throw new mercurius.ErrorWithProps(`export format "${format}" is not supported: use "rdf"`);
          }
          const r = await exportToFolder(opts.cluster, opts.exportDir);
          return { response: { code: 'Success', message: 'Export completed.' }, exportedFiles: r.files };
        },
      },
    },
  });
};

export default admin;
