// What a rendered repository's service has, taken from its own modules: the tables it runs on (imported; the
// modules that hold them import no dependency, so any rendered repository will do), the series it exports (its
// metrics module against the template's prom-client) and what its entry point prints.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../../packages/tooling/src/template-repository';

/** An entry of src/config.ts's VARIABLES. */
type Variable =
  | { type: 'text' }
  | { type: 'url' }
  | { type: 'integer'; default: number; min: number; max: number }
  | { type: 'choice'; default: string; allowed: readonly string[] };

interface Endpoint {
  method: string;
  path: string;
  probe: boolean;
}

export interface ServiceTables {
  /** Every environment variable the service reads (src/config.ts). */
  variables: Record<string, Variable>;
  /** LOG_LEVEL's values, most severe first (src/config.ts). */
  logLevels: readonly string[];
  /** Every route the router registers (src/endpoints.ts). */
  endpoints: readonly Endpoint[];
  /** The middleware, outermost first, by the names of their factories (src/middleware/order.ts). */
  middlewareOrder: readonly string[];
  /** The body of every error response (src/middleware/errors.ts). */
  errorBody: (status: number, message: string, requestId?: string) => Record<string, unknown>;
  /** The fallbackReason values /api/v1/details gives, http-<status> aside (src/kubernetes.ts). */
  fallbackReasons: readonly string[];
}

const sourceFile = (repoDir: string, file: string) => path.join(repoDir, 'src', file);

export async function serviceTables(repoDir: string): Promise<ServiceTables> {
  const load = (file: string): Promise<unknown> => import(sourceFile(repoDir, file));
  const config = (await load('config.ts')) as { VARIABLES: ServiceTables['variables']; LOG_LEVELS: string[] };
  const endpoints = (await load('endpoints.ts')) as { ENDPOINTS: Endpoint[] };
  const order = (await load('middleware/order.ts')) as { MIDDLEWARE_ORDER: string[] };
  const errors = (await load('middleware/errors.ts')) as { errorBody: ServiceTables['errorBody'] };
  const kubernetes = (await load('kubernetes.ts')) as { FALLBACK_REASONS: string[] };
  return {
    variables: config.VARIABLES,
    logLevels: config.LOG_LEVELS,
    endpoints: endpoints.ENDPOINTS,
    middlewareOrder: order.MIDDLEWARE_ORDER,
    errorBody: errors.errorBody,
    fallbackReasons: kubernetes.FALLBACK_REASONS,
  };
}

interface MetricFamily {
  name: string;
  type: string;
  labelNames?: string[];
}

/**
 * The series the service exposes, from its own src/metrics.ts run against prom-client (resolved from the
 * template's node_modules, the version the service locks): name, and the labels it carries.
 */
export async function serviceSeries(repoDir: string): Promise<Map<string, string[]>> {
  const { createMetrics } = (await import(sourceFile(repoDir, 'metrics.ts'))) as {
    createMetrics: () => { registry: { getMetricsAsArray: () => MetricFamily[] } };
  };
  const series = new Map<string, string[]>();
  for (const metric of createMetrics().registry.getMetricsAsArray()) {
    const labels = metric.labelNames ?? [];
    const suffixes =
      metric.type === 'histogram'
        ? ['_bucket', '_sum', '_count']
        : metric.type === 'summary'
          ? ['', '_sum', '_count']
          : [''];
    for (const suffix of suffixes)
      series.set(`${metric.name}${suffix}`, suffix === '_bucket' ? [...labels, 'le'] : labels);
  }
  return series;
}

/** What src/main.ts prints (stderr) and its exit code when started with one extra environment variable. */
export function startWith(repoDir: string, name: string, value: string): { code: number | null; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', sourceFile(repoDir, 'main.ts')], {
    cwd: repoRoot,
    // Should the value be valid, the service starts: on a free port, and killed after the timeout.
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', [name]: value },
    encoding: 'utf8',
    timeout: 15_000,
    killSignal: 'SIGKILL',
  });
  return { code: run.status, stderr: run.stderr.trim() };
}
