// The service's endpoints: the router registers exactly these, and the middleware tell probes apart by them.
// Nothing here imports a dependency, so the template's checks can read the table from any rendered repository.

export const ENDPOINTS = [
  { name: 'health', method: 'GET', path: '/api/v1/healthz', probe: true },
  { name: 'ready', method: 'GET', path: '/api/v1/readyz', probe: true },
  { name: 'details', method: 'GET', path: '/api/v1/details', probe: false },
  { name: 'metrics', method: 'GET', path: '/metrics', probe: true },
] as const;

export type EndpointName = (typeof ENDPOINTS)[number]['name'];

/** Probes and scrapes: frequent, and saying nothing worth an access line or a trace. */
export const PROBE_ROUTES: ReadonlySet<string> = new Set(ENDPOINTS.filter(e => e.probe).map(e => e.path));
