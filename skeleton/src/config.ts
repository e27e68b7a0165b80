// Configuration comes from the environment only (12-factor), read and validated once at start-up.
import fs from 'node:fs';
import os from 'node:os';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

type Variable =
  | { type: 'text' }
  | { type: 'url' }
  | { type: 'integer'; default: number; min: number; max: number }
  | { type: 'choice'; default: string; allowed: readonly string[] };

/**
 * Every environment variable the service reads, with what it accepts: loadConfig reads them through this table
 * only. A text variable's fallback, when it has one, is in loadConfig.
 */
export const VARIABLES = {
  APP_NAME: { type: 'text' },
  APP_ENV: { type: 'text' },
  APP_VERSION: { type: 'text' },
  HOST: { type: 'text' },
  PORT: { type: 'integer', default: 8080, min: 0, max: 65_535 },
  LOG_LEVEL: { type: 'choice', default: 'info', allowed: LOG_LEVELS },
  LOG_PROBES: { type: 'choice', default: 'false', allowed: ['true', 'false'] },
  POD_NAME: { type: 'text' },
  POD_NAMESPACE: { type: 'text' },
  NODE_NAME: { type: 'text' },
  POD_IP: { type: 'text' },
  KUBECONFIG: { type: 'text' },
  KUBERNETES_SERVICE_HOST: { type: 'text' },
  POD_INFO_CACHE_SECONDS: { type: 'integer', default: 60, min: 1, max: 86_400 },
  POD_INFO_TIMEOUT_MS: { type: 'integer', default: 2000, min: 100, max: 60_000 },
  SHUTDOWN_DELAY_SECONDS: { type: 'integer', default: 5, min: 0, max: 300 },
  SHUTDOWN_TIMEOUT_SECONDS: { type: 'integer', default: 15, min: 1, max: 600 },
  OTEL_EXPORTER_OTLP_ENDPOINT: { type: 'url' },
} as const satisfies Record<string, Variable>;

type Variables = typeof VARIABLES;
/** The names of the variables of one type. */
type Named<T extends Variable['type']> = {
  [N in keyof Variables]: Variables[N]['type'] extends T ? N : never;
}[keyof Variables];

export interface Config {
  appName: string;
  appEnv: string;
  appVersion: string;
  host: string | undefined;
  port: number;
  logLevel: LogLevel;
  logProbes: boolean;
  /** What the Downward API tells about this pod (undefined outside a cluster). */
  pod: { name: string; namespace: string | undefined; nodeName: string | undefined; ip: string | undefined };
  /** KUBECONFIG (local runs, tests); otherwise the in-cluster service account when KUBERNETES_SERVICE_HOST is set. */
  kubeconfig: string | undefined;
  inCluster: boolean;
  podInfoCacheMs: number;
  podInfoTimeoutMs: number;
  shutdownDelayMs: number;
  shutdownTimeoutMs: number;
  /** Set means traces are exported over OTLP; the OpenTelemetry SDK reads the other OTEL_* variables itself. */
  otlpEndpoint: string | undefined;
}

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

// Rendered by the template: the service's name and environment unless APP_NAME / APP_ENV say otherwise.
const DEFAULT_APP_NAME = '${{ values.app_name }}';
const DEFAULT_APP_ENV = '${{ values.app_env }}';
const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const raw = (name: keyof Variables) => env[name]?.trim() || undefined;
  const text = (name: Named<'text'>) => raw(name);

  function integer(name: Named<'integer'>): number {
    const { default: fallback, min, max } = VARIABLES[name];
    const given = raw(name);
    if (given === undefined) return fallback;
    const value = Number(given);
    if (!/^\d+$/.test(given) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(given)}`);
      return fallback;
    }
    return value;
  }

  function choice<N extends Named<'choice'>>(name: N): Variables[N]['allowed'][number] {
    const { default: fallback, allowed } = VARIABLES[name];
    const given = raw(name)?.toLowerCase();
    if (given === undefined) return fallback;
    const chosen = allowed.find(value => value === given);
    if (chosen === undefined) {
      problems.push(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(given)}`);
      return fallback;
    }
    return chosen;
  }

  function url(name: Named<'url'>): string | undefined {
    const given = raw(name);
    if (given !== undefined && !URL.canParse(given)) {
      problems.push(`${name} must be a URL, got ${JSON.stringify(given)}`);
      return undefined;
    }
    return given;
  }

  const config: Config = {
    appName: text('APP_NAME') ?? DEFAULT_APP_NAME,
    appEnv: text('APP_ENV') ?? DEFAULT_APP_ENV,
    appVersion: text('APP_VERSION') ?? packageVersion(),
    host: text('HOST'),
    port: integer('PORT'),
    logLevel: choice('LOG_LEVEL'),
    logProbes: choice('LOG_PROBES') === 'true',
    pod: {
      // A pod's hostname is its name, so outside the Downward API the hostname is the best guess.
      name: text('POD_NAME') ?? os.hostname(),
      namespace: text('POD_NAMESPACE') ?? readIfExists(SERVICE_ACCOUNT_NAMESPACE),
      nodeName: text('NODE_NAME'),
      ip: text('POD_IP'),
    },
    kubeconfig: text('KUBECONFIG'),
    inCluster: text('KUBERNETES_SERVICE_HOST') !== undefined,
    podInfoCacheMs: integer('POD_INFO_CACHE_SECONDS') * 1000,
    podInfoTimeoutMs: integer('POD_INFO_TIMEOUT_MS'),
    shutdownDelayMs: integer('SHUTDOWN_DELAY_SECONDS') * 1000,
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_SECONDS') * 1000,
    otlpEndpoint: url('OTEL_EXPORTER_OTLP_ENDPOINT'),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function packageVersion(): string {
  // src/ and dist/ both sit one level below package.json.
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
