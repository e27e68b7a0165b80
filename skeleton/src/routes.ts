// What each endpoint of endpoints.ts answers. Everything under /api/v1 is JSON; /metrics is Prometheus text.
import os from 'node:os';
import Router, { type RouterMiddleware } from '@koa/router';
import type { Config } from './config.ts';
import { ENDPOINTS, type EndpointName } from './endpoints.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Metrics } from './metrics.ts';
import type { PodInfoSource } from './pod-info.ts';

export interface RouteDeps {
  config: Pick<Config, 'appName' | 'appEnv' | 'appVersion'>;
  metrics: Metrics;
  podInfo: PodInfoSource;
  lifecycle: Lifecycle;
}

export function createRouter({ config, metrics, podInfo, lifecycle }: RouteDeps): Router {
  const hostname = os.hostname(); // a pod's hostname never changes; asking the kernel per request costs

  const handlers: Record<EndpointName, RouterMiddleware> = {
    health: ctx => {
      ctx.body = { status: 'ok' };
    },

    ready: ctx => {
      ctx.status = lifecycle.stopping ? 503 : 200;
      ctx.body = { status: lifecycle.stopping ? 'stopping' : 'ready' };
    },

    details: async ctx => {
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
    },

    metrics: async ctx => {
      ctx.type = metrics.registry.contentType;
      ctx.body = await metrics.registry.metrics();
    },
  };

  const router = new Router();
  for (const { name, method, path } of ENDPOINTS) router.register(path, [method], handlers[name]);
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
