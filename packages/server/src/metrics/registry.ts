/**
 * A node's Prometheus registry (`GET /metrics`): prom-client's Node process metrics (unprefixed, as
 * every Node exporter names them) and the HTTP metrics every node has. Zero and each Alpha have
 * their own registry, so `strata start` (both in one process) serves each node's figures on its
 * own port. The metrics themselves are listed in the README ("Monitoring").
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Request latencies: 1 ms to 1 min. */
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface HttpMetrics {
  requests: Counter<'method' | 'route' | 'status_code'>;
  duration: Histogram<'method' | 'route' | 'status_code'>;
}

export interface NodeRegistry {
  registry: Registry;
  http: HttpMetrics;
}

/** A new registry with the process and HTTP metrics; `node` is the `node` label of every series. */
export function nodeRegistry(node: 'zero' | 'alpha'): NodeRegistry {
  const registry = new Registry();
  registry.setDefaultLabels({ node });
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status_code'] as const;
  return {
    registry,
    http: {
      requests: new Counter({
        name: 'strata_http_requests_total',
        help: 'HTTP requests answered, by method, route pattern and status code',
        labelNames,
        registers: [registry],
      }),
      duration: new Histogram({
        name: 'strata_http_request_duration_seconds',
        help: 'Time from a request to its answer, by method, route pattern and status code',
        labelNames,
        buckets: HTTP_BUCKETS,
        registers: [registry],
      }),
    },
  };
}
