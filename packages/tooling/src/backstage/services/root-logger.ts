// Backstage's root logger as its default factory makes it, less the redaction of secrets: that factory first
// loads the configuration schema of every package in the workspace (the portal app's hundreds included) to
// find which configuration values are secret, and the embedded backend's configuration holds none.
import { WinstonLogger } from '@backstage/backend-defaults/rootLogger';
import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';

export function rootLoggerService(level: string) {
  return createServiceFactory({
    service: coreServices.rootLogger,
    deps: {},
    factory: () => WinstonLogger.create({ meta: { service: 'backstage' }, level: process.env.LOG_LEVEL ?? level }),
  });
}
