// The Koa application: middleware in the order of middleware/order.ts, outermost first, the routes among them.
// Everything it uses is injected.
import type { RouterMiddleware } from '@koa/router';
import Koa from 'koa';
import type { Config } from './config.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { errors } from './middleware/errors.ts';
import { httpRules } from './middleware/http-rules.ts';
import { observe } from './middleware/observe.ts';
import { MIDDLEWARE_ORDER, type MiddlewareName } from './middleware/order.ts';
import { requestId } from './middleware/request-id.ts';
import { closeConnectionsWhenStopping } from './middleware/shutdown.ts';
import { traceRequests } from './middleware/trace.ts';
import type { PodInfoSource } from './pod-info.ts';
import { createRouter, methodNotAllowed } from './routes.ts';

export interface AppDeps {
  config: Pick<Config, 'appName' | 'appEnv' | 'appVersion' | 'logProbes' | 'otlpEndpoint'>;
  logger: Logger;
  metrics: Metrics;
  podInfo: PodInfoSource;
  lifecycle: Lifecycle;
}

export function createApp({ config, logger, metrics, podInfo, lifecycle }: AppDeps): Koa {
  const app = new Koa();
  // Errors are answered and logged by the errors middleware; this only catches what escapes Koa itself.
  app.silent = true;
  app.on('error', (error: unknown) => {
    logger.error('unhandled application error', { error });
  });

  const router = createRouter({ config, metrics, podInfo, lifecycle });
  // Typed for the router's context, the widest any of them reads; undefined where the configuration leaves one out.
  const middleware: Record<MiddlewareName, RouterMiddleware | undefined> = {
    requestId: requestId(),
    traceRequests: config.otlpEndpoint ? traceRequests(config.appName) : undefined,
    observe: observe({ logger, metrics, logProbes: config.logProbes }),
    closeConnectionsWhenStopping: closeConnectionsWhenStopping(lifecycle),
    errors: errors(logger),
    httpRules: httpRules(),
    'router.routes': router.routes(),
    methodNotAllowed: methodNotAllowed(router),
  };
  for (const name of MIDDLEWARE_ORDER) {
    const used = middleware[name];
    if (used) app.use(used);
  }
  return app;
}
