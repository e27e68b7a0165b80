// Backstage's events service as its default factory makes it, except that an event published once the backend
// has begun to stop is dropped instead of refused. The catalog publishes its processing errors without awaiting
// them: refused during a stop, one would surface in the program that embeds the backend as an unhandled
// rejection and fail whatever it was doing (a test file, say), though nothing listens to events any more.
import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { DefaultEventsService, eventsServiceRef, type EventsService } from '@backstage/plugin-events-node';

export const eventsService = createServiceFactory({
  service: eventsServiceRef,
  deps: {
    pluginMetadata: coreServices.pluginMetadata,
    rootLogger: coreServices.rootLogger,
    rootLifecycle: coreServices.rootLifecycle,
    discovery: coreServices.discovery,
    logger: coreServices.logger,
    lifecycle: coreServices.lifecycle,
    auth: coreServices.auth,
    config: coreServices.rootConfig,
  },
  createRootContext: ({ rootLogger, config }) => DefaultEventsService.create({ logger: rootLogger, config }),
  factory({ pluginMetadata, rootLifecycle, discovery, logger, lifecycle, auth }, events): EventsService {
    const plugin = events.forPlugin(pluginMetadata.getId(), { discovery, logger, lifecycle, auth });
    let stopping = false;
    rootLifecycle.addBeforeShutdownHook(() => {
      stopping = true;
    });
    return {
      publish: async params => {
        if (!stopping) await plugin.publish(params);
      },
      subscribe: options => plugin.subscribe(options),
    };
  },
});
