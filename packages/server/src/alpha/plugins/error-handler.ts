/**
 * One error handler for the Alpha: client errors (schema validation, parse errors with their line
 * and column, the Alpha's typed errors, Fastify's 4xx) go back with their message; anything else
 * is logged with the request's context and answered with a bare 500 that reveals nothing.
 */
import fp from 'fastify-plugin';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { ParseError } from '../../parse/errors.js';
import { AlphaError } from '../errors.js';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function errorBody(
  statusCode: number,
  code: string,
  message: string,
  extra?: Record<string, unknown>,
) {
  return { statusCode, error: REASONS[statusCode] ?? 'Error', code, message, ...extra };
}

const errorHandler: FastifyPluginAsync = async (app) => {
  app.setErrorHandler((err: FastifyError | AlphaError | ParseError, req, reply) => {
    if ('validation' in err && err.validation) {
      return reply.code(400).send(errorBody(400, 'BAD_REQUEST', err.message));
    }
    if (err instanceof ParseError) {
      return reply
        .code(400)
        .send(errorBody(400, 'PARSE_ERROR', err.message, { line: err.line, column: err.column }));
    }
    if (err instanceof AlphaError) {
      if (err.statusCode >= 500) req.log.warn({ err, url: req.url }, 'request failed in the cluster');
      return reply.code(err.statusCode).send(errorBody(err.statusCode, err.code, err.message, err.details));
    }
    const status = (err as FastifyError).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply
        .code(status)
        .send(errorBody(status, (err as FastifyError).code ?? 'BAD_REQUEST', err.message));
    }
    req.log.error({ err, method: req.method, url: req.url, reqId: req.id }, 'request failed');
    return reply.code(500).send(errorBody(500, 'INTERNAL', 'internal error'));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(errorBody(404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`));
  });
};

export default fp(errorHandler, { name: 'alpha-error-handler' });
