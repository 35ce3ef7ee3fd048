/**
 * What every public request to Zero or an Alpha must pass before a route sees it (`/internal/*` has
 * the cluster token instead, `/health` is open):
 *
 * 1. Host: an IP literal, `localhost`, or a name this node is told it has (`--my`). A web page that
 *    rebinds its own domain to 127.0.0.1 sends its domain as Host and is refused (DNS rebinding).
 * 2. Origin, when a browser sends one: the same origin as Host. A page elsewhere cannot post to
 *    `/alter` or `/mutate` with a form or `fetch` (cross-site request forgery).
 * 3. `/admin`: only from loopback or an address in the admin whitelist (`--security whitelist=`,
 *    `--admin-whitelist`), as Dgraph's.
 * 4. The auth token (`X-Dgraph-AuthToken`), when one is set: on admin routes (`/admin`, `/alter`,
 *    `/export`, `/metrics`) always, on every other route too unless `--security token-for=admin`.
 *    `/metrics` also takes it as `Authorization: Bearer <token>`, the one form every Prometheus
 *    can send from a file (`authorization: { credentials_file: ... }`).
 *
 * Client certificates on a TLS port are checked by client-cert.ts.
 */
import { isIP } from 'node:net';
import fp from 'fastify-plugin';
import { AUTH_TOKEN_HEADER, CLUSTER_TOKEN_HEADER } from '@strata/core';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { AdminWhitelist } from '../alpha/cidr.js';
import { errorBody } from './errors.js';
import type { TokenScope } from './security-options.js';
import { tokenDigest, tokenMatches } from './token.js';

/** Who may reach a node's public routes: the `--security` settings and the names it answers to. */
export interface ExposureOptions {
  /** The auth token clients must send, or undefined for none. */
  authToken?: string | undefined;
  /** Where the auth token is required (default every data route). */
  tokenFor?: TokenScope;
  /** Host names besides IP literals and localhost that clients may use for this node (`--my`). */
  hostnames?: string[];
  /** CIDRs besides loopback allowed to use `/admin`. */
  adminWhitelist?: string[];
}

export interface RequestGuardOptions extends ExposureOptions {
  /** The cluster token: a cluster member (it sends it in its own header) passes the token check. */
  token: string;
}

const ADMIN_PATHS = ['/admin', '/alter', '/export', '/metrics'];

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), else undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^bearer +(\S+) *$/i.exec(header);
  return m?.[1];
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** The host part of a Host header (`name:port`, `[v6]:port`), lower-cased. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') < 0 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

export function hostAllowed(host: string | undefined, names: ReadonlySet<string>): boolean {
  if (!host) return false;
  const name = hostName(host);
  return isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost') || names.has(name);
}

/** Same origin as the request's Host: `http(s)://HOST`. An absent Origin (curl, Node, the CLI) passes. */
export function originAllowed(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.host.toLowerCase() === (req.headers.host ?? '').toLowerCase()
  );
}

const requestGuardPlugin: FastifyPluginAsync<RequestGuardOptions> = async (app, opts) => {
  const names = new Set((opts.hostnames ?? []).map((n) => hostName(n)).filter(Boolean));
  const expected = opts.authToken === undefined ? undefined : tokenDigest(opts.authToken);
  const member = tokenDigest(opts.token);
  const whitelist = new AdminWhitelist(opts.adminWhitelist ?? []);
  app.addHook('onRequest', async (req, reply) => {
    const path = pathOf(req.url);
    if (isUnder(path, '/internal') || path === '/health') return;
    if (!hostAllowed(req.headers.host, names)) {
      return reply
        .code(403)
        .send(
          errorBody(
            403,
            'FORBIDDEN',
            "Host not allowed: use an IP address, localhost or this node's --my name",
          ),
        );
    }
    if (!originAllowed(req)) {
      return reply.code(403).send(errorBody(403, 'FORBIDDEN', 'cross-origin requests are not allowed'));
    }
    if (isUnder(path, '/admin') && !whitelist.allows(req.socket.remoteAddress)) {
      req.log.warn({ ip: req.socket.remoteAddress }, '/admin: client not in the admin whitelist');
      return reply
        .code(403)
        .send(
          errorBody(
            403,
            'FORBIDDEN',
            `/admin is not served to ${req.socket.remoteAddress ?? 'this client'}: add its CIDR with --admin-whitelist`,
          ),
        );
    }
    if (expected === undefined) return;
    const admin = ADMIN_PATHS.some((p) => isUnder(path, p));
    if (!admin && (opts.tokenFor ?? 'all') === 'admin') return;
    const fromMember =
      member !== undefined && tokenMatches(req.headers[CLUSTER_TOKEN_HEADER.toLowerCase()], member);
    const scraper = path === '/metrics' && tokenMatches(bearerToken(req.headers.authorization), expected);
    if (!fromMember && !scraper && !tokenMatches(req.headers[AUTH_TOKEN_HEADER.toLowerCase()], expected)) {
      req.log.warn({ method: req.method, url: path, ip: req.ip }, 'missing or wrong auth token');
      return reply
        .code(401)
        .send(
          errorBody(401, 'UNAUTHORIZED', `this node needs its auth token in the ${AUTH_TOKEN_HEADER} header`),
        );
    }
  });
};

/** Registered at the root of an app, before its routes. */
export const requestGuard = fp(requestGuardPlugin, { name: 'request-guard' });
