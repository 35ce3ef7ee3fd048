/**
 * Any Zero serves any request: on a Zero on etcd that does not lead, the routes only the oracle
 * leader may answer (`/assign`, `/internal/lease`, `/internal/oracle/*`) are forwarded to the
 * leader, with the caller's tokens and this node's TLS transport, and the leader's answer is
 * returned as it is. A forwarded request carries `x-strata-forwarded` and is never forwarded again:
 * a Zero that is asked as leader but no longer leads answers 503 NOT_LEADER, and the client moves
 * on or retries. With no leader known (an election under way) the answer is NOT_LEADER too.
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import {
  AUTH_TOKEN_HEADER,
  baseUrl,
  CLUSTER_TOKEN_HEADER,
  fetchJson,
  ServiceError,
  type Transport,
} from '@strata/core';
import { HttpError } from '../http/errors.js';
import type { ZeroState } from './state.js';

export const FORWARDED_HEADER = 'x-strata-forwarded';
/** How long a forwarded request may take (a commit ts waits for the previous commit). */
const FORWARD_TIMEOUT_MS = 60_000;

/** The preHandler of the leader-only routes. */
export function leaderOnly(state: ZeroState, transport: Transport): preHandlerAsyncHookHandler {
  return async function forward(req: FastifyRequest, reply: FastifyReply) {
    const leader = await state.leaderToForward();
    if (leader === undefined || req.headers[FORWARDED_HEADER] !== undefined) {
      state.assertOracleLeader(); // leads: go on; otherwise NOT_LEADER naming who leads, if known
      return;
    }
    const headers: Record<string, string> = { [FORWARDED_HEADER]: '1' };
    for (const h of [CLUSTER_TOKEN_HEADER.toLowerCase(), AUTH_TOKEN_HEADER.toLowerCase()]) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    let answer;
    try {
      answer = await fetchJson({
        service: `the oracle leader (Zero at ${leader})`,
        url: `${baseUrl(leader, transport.scheme)}${req.url}`,
        method: req.method === 'GET' ? 'GET' : 'POST',
        headers,
        ...(req.method === 'GET' ? {} : { body: req.body ?? {} }),
        timeoutMs: FORWARD_TIMEOUT_MS,
        dispatcher: transport.dispatcher,
      });
    } catch (err) {
      // The leader died or is unreachable from here: the caller should try again shortly.
      const why = err instanceof ServiceError ? err.message : String(err);
      throw new HttpError(
        'NOT_LEADER',
        `this Zero forwards to the oracle leader, which did not answer: ${why}`,
        503,
      );
    }
    return reply.code(answer.status).send(answer.json);
  };
}
