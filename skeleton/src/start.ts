// Wires the service together, in start-up order: logger and metrics, telemetry (loading in the background:
// the service answers before it is up), the app, the server and its shutdown.
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { createPodReader } from './kubernetes.ts';
import { createLifecycle } from './lifecycle.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { createPodInfoSource } from './pod-info.ts';
import { createHttpServer, listen } from './server.ts';
import { shutdownOnSignals } from './shutdown.ts';
import { startTelemetry } from './telemetry.ts';

export async function start(config: Config): Promise<void> {
  const logger = createLogger(config);
  const metrics = createMetrics();
  const lifecycle = createLifecycle();

  process.on('uncaughtException', error => {
    logger.error('uncaught exception', { error });
    process.exit(1);
  });
  process.on('unhandledRejection', reason => {
    logger.error('unhandled promise rejection', { error: reason });
    process.exit(1);
  });

  const telemetry = config.otlpEndpoint ? startTelemetry(config) : undefined;
  void telemetry?.then(
    ({ warnings }) => {
      for (const warning of warnings) logger.warn(warning);
      logger.info('tracing started', { endpoint: config.otlpEndpoint });
    },
    (error: unknown) => {
      logger.error('tracing failed to start; serving without it', { error });
    },
  );
  const podInfo = createPodInfoSource({
    readPod: createPodReader(config),
    downward: config.pod,
    cacheMs: config.podInfoCacheMs,
    timeoutMs: config.podInfoTimeoutMs,
    logger,
  });
  const app = createApp({ config, logger, metrics, podInfo, lifecycle });
  const server = createHttpServer(app, { logger, metrics });

  shutdownOnSignals({
    server,
    lifecycle,
    logger,
    delayMs: config.shutdownDelayMs,
    timeoutMs: config.shutdownTimeoutMs,
    beforeExit: async () => {
      const started = await telemetry?.catch(() => undefined);
      await started?.stop();
    },
    exit: code => process.exit(code),
  });
  const address = await listen(server, config.port, config.host);
  logger.info('listening', { port: address.port, address: address.address, tracing: Boolean(config.otlpEndpoint) });
}
