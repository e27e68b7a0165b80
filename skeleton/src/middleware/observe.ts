// One access log line and one metrics observation per request, after the error handler has settled
// the status. Probes and scrapes are counted but not logged unless LOG_PROBES=true.
import type { Middleware } from 'koa';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { PROBE_ROUTES } from '../endpoints.ts';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function observe(options: { logger: Logger; metrics: Metrics; logProbes: boolean }): Middleware {
  const { logger, metrics, logProbes } = options;
  return async (ctx, next) => {
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // The route template, never the raw path: label values must stay few.
      const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : 'unmatched';
      const labels = {
        method: KNOWN_METHODS.has(ctx.method) ? ctx.method : 'OTHER',
        route,
        status: String(ctx.status),
      };
      metrics.requests.inc(labels);
      metrics.duration.observe(labels, seconds);
      if (logProbes || !PROBE_ROUTES.has(route)) {
        logger.info('request', {
          method: ctx.method,
          path: ctx.path,
          route,
          status: ctx.status,
          duration_ms: Math.round(seconds * 1e6) / 1e3,
          request_id: ctx.state.requestId as string,
        });
      }
    }
  };
}
