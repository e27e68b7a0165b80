// The service's endpoints. Everything under /api/v1 is JSON; /metrics is Prometheus text.
import os from 'node:os';
import Router from '@koa/router';
import type { Config } from './config.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Metrics } from './metrics.ts';
import type { PodInfoSource } from './pod-info.ts';

/** Probes and scrapes: frequent, and saying nothing worth an access line or a trace. */
export const PROBE_ROUTES: ReadonlySet<string> = new Set(['/api/v1/healthz', '/api/v1/readyz', '/metrics']);

export interface RouteDeps {
  config: Pick<Config, 'appName' | 'appEnv' | 'appVersion'>;
  metrics: Metrics;
  podInfo: PodInfoSource;
  lifecycle: Lifecycle;
}

export function createRouter({ config, metrics, podInfo, lifecycle }: RouteDeps): Router {
  const router = new Router();
  const hostname = os.hostname(); // a pod's hostname never changes; asking the kernel per request costs

  router.get('/api/v1/healthz', ctx => {
    ctx.body = { status: 'ok' };
  });

  router.get('/api/v1/readyz', ctx => {
    ctx.status = lifecycle.stopping ? 503 : 200;
    ctx.body = { status: lifecycle.stopping ? 'stopping' : 'ready' };
  });

  router.get('/api/v1/details', async ctx => {
    const { source, fallbackReason, pod } = await podInfo.get();
    ctx.body = {
      app: config.appName,
      environment: config.appEnv,
      version: config.appVersion,
      hostname,
      uptimeSeconds: Math.round(process.uptime()),
      source,
      ...(fallbackReason ? { fallbackReason } : {}),
      pod,
    };
  });

  router.get('/metrics', async ctx => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });

  return router;
}

/**
 * 405 with Allow for any method a route lacks. The router alone answers 501 for methods it does not know
 * (PROPFIND, TRACE, M-SEARCH, ...): a scanner would then show up as server errors.
 */
export function methodNotAllowed(router: Router): ReturnType<Router['allowedMethods']> {
  const allowed = router.allowedMethods();
  return async (ctx, next) => {
    await allowed(ctx, next);
    if (ctx.status === 501) ctx.status = 405;
  };
}
