/**
 * One error handler for the whole app: client errors (schema validation, Zero's own typed errors,
 * Fastify's 4xx such as a malformed JSON body) go back with their message; anything else is logged
 * with the request's context and answered with a bare 500 that reveals nothing of the internals.
 */
import fp from 'fastify-plugin';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { ZeroError } from '../errors.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
};

function body(statusCode: number, code: string, message: string): ErrorBody {
  return { statusCode, error: REASONS[statusCode] ?? 'Error', code, message };
}

const errorHandler: FastifyPluginAsync = async (app) => {
  app.setErrorHandler((err: FastifyError | ZeroError, req, reply) => {
    if ('validation' in err && err.validation) {
      return reply.code(400).send(body(400, 'BAD_REQUEST', err.message));
    }
    if (err instanceof ZeroError && err.statusCode < 500) {
      return reply.code(err.statusCode).send(body(err.statusCode, err.code, err.message));
    }
    const status = (err as FastifyError).statusCode;
    if (!(err instanceof ZeroError) && typeof status === 'number' && status >= 400 && status < 500) {
      return reply.code(status).send(body(status, (err as FastifyError).code ?? 'BAD_REQUEST', err.message));
    }
    req.log.error({ err, method: req.method, url: req.url, reqId: req.id }, 'request failed');
    return reply.code(500).send(body(500, 'INTERNAL', 'internal error'));
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(body(404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`));
  });
};

export default fp(errorHandler, { name: 'error-handler' });
