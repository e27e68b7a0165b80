// The order the app registers its middleware in, outermost first: the app builds each one under its name here
// and registers them in this order. Nothing here imports a dependency, so the template's checks can read the
// order from any rendered repository.

export const MIDDLEWARE_ORDER = [
  'requestId',
  'traceRequests',
  'observe',
  'closeConnectionsWhenStopping',
  'errors',
  'httpRules',
  'router.routes',
  'methodNotAllowed',
] as const;

export type MiddlewareName = (typeof MIDDLEWARE_ORDER)[number];
