// The Koa application: middleware outermost first, then the routes. Everything it uses is injected.
import Koa from 'koa';
import type { Config } from './config.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { errors } from './middleware/errors.ts';
import { httpRules } from './middleware/http-rules.ts';
import { observe } from './middleware/observe.ts';
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
  app.use(requestId());
  if (config.otlpEndpoint) app.use(traceRequests(config.appName));
  app
    .use(observe({ logger, metrics, logProbes: config.logProbes }))
    .use(closeConnectionsWhenStopping(lifecycle))
    .use(errors(logger))
    .use(httpRules())
    .use(router.routes())
    .use(methodNotAllowed(router));
  return app;
}
