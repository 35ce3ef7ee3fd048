/**
 * One debug line per answered request: method, path (never the query string), status and time.
 * Headers and bodies are never logged (tokens and credentials travel in them).
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';

const requestLogPlugin: FastifyPluginAsync = async (app) => {
  app.addHook('onResponse', async (req, reply) => {
    if (req.log.level !== 'debug' && req.log.level !== 'trace') return;
    const q = req.url.indexOf('?');
    req.log.debug(
      {
        method: req.method,
        path: q < 0 ? req.url : req.url.slice(0, q),
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });
};

export const requestLog = fp(requestLogPlugin, { name: 'request-log' });
