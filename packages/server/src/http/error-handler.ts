/**
 * One error handler for Zero and the Alpha: client errors (schema validation, parse errors with
 * their line and column, {@link HttpError}s, Fastify's 4xx such as a malformed JSON body) go back
 * with their message (in Dgraph's shape on Dgraph's routes, see errors.ts); anything else is logged with the request's context and answered with a bare
 * 500 that reveals nothing of the internals. Unknown routes get a 404 in the same shape.
 */
import fp from 'fastify-plugin';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { parseNativeMessage } from '@strata/core';
import { ParseError } from '../parse/errors.js';
import { DGRAPH_ROUTES, dgraphError, errorBody, HttpError } from './errors.js';

/** The 404 of an unknown route (also set inside `/internal`, after the token check). */
export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  reply.code(404).send(errorBody(404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`));
}

const errorHandler: FastifyPluginAsync = async (app) => {
  app.setErrorHandler((err: FastifyError | HttpError | ParseError, req, reply) => {
    // Dgraph's routes answer in Dgraph's shape, every other route in Strata's.
    const send = (status: number, code: string, message: string, extra?: Record<string, unknown>) => {
      if (DGRAPH_ROUTES.has(req.routeOptions.url ?? '')) {
        const d = dgraphError(status, code, message, extra);
        return reply.code(d.status).send(d.body);
      }
      return reply.code(status).send(errorBody(status, code, message, extra));
    };
    if ('validation' in err && err.validation) return send(400, 'BAD_REQUEST', err.message);
    if (err instanceof ParseError) {
      return send(400, 'PARSE_ERROR', err.message, { line: err.line, column: err.column });
    }
    if (err instanceof HttpError) {
      if (err.statusCode >= 500) req.log.warn({ err, url: req.url }, 'request failed in the cluster');
      return send(err.statusCode, err.code, err.message, err.details);
    }
    const status = (err as FastifyError).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return send(status, (err as FastifyError).code ?? 'BAD_REQUEST', err.message);
    }
    // The store refused what the request asked for (e.g. a write to a predicate whose index it
    // cannot maintain): the caller's problem, with the store's own explanation.
    const native = parseNativeMessage(err.message);
    if (native?.code === 'INVALID_ARGUMENT') return send(400, 'BAD_REQUEST', native.text);
    req.log.error({ err, method: req.method, url: req.url, reqId: req.id }, 'request failed');
    return send(500, 'INTERNAL', 'internal error');
  });
  app.setNotFoundHandler(notFoundHandler);
};

export default fp(errorHandler, { name: 'error-handler' });
