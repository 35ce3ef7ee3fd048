/**
 * `GET /metrics` in Prometheus' text format, and the HTTP metrics of every answered request. The
 * route label is the route's pattern (`/internal/backup`, `/admin`), never the raw URL, so a client
 * cannot grow the series without bound; unknown routes count as `unmatched`. Who may scrape is the
 * request guard's business (`/metrics` is an admin path: the auth token is required when one is set).
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { NodeRegistry } from './registry.js';

const metricsPlugin: FastifyPluginAsync<{ metrics: NodeRegistry }> = async (app, { metrics }) => {
  const { registry, http } = metrics;
  app.addHook('onResponse', async (req, reply) => {
    const labels = {
      method: req.method,
      route: req.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    http.requests.inc(labels);
    http.duration.observe(labels, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_req, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
};

/** Registered at the root of a node's app, after the request guard. */
export const metricsRoutes = fp(metricsPlugin, { name: 'metrics' });
