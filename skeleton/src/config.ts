// Configuration comes from the environment only (12-factor), read and validated once at start-up.
import fs from 'node:fs';
import os from 'node:os';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

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
  const text = (name: string) => env[name]?.trim() || undefined;

  function integer(name: string, fallback: number, min: number, max: number): number {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return value;
  }

  function oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = text(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (!allowed.includes(raw as T)) {
      problems.push(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return raw as T;
  }

  const config: Config = {
    appName: text('APP_NAME') ?? DEFAULT_APP_NAME,
    appEnv: text('APP_ENV') ?? DEFAULT_APP_ENV,
    appVersion: text('APP_VERSION') ?? packageVersion(),
    host: text('HOST'),
    port: integer('PORT', 8080, 0, 65535),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    logProbes: oneOf('LOG_PROBES', ['true', 'false'], 'false') === 'true',
    pod: {
      // A pod's hostname is its name, so outside the Downward API the hostname is the best guess.
      name: text('POD_NAME') ?? os.hostname(),
      namespace: text('POD_NAMESPACE') ?? readIfExists(SERVICE_ACCOUNT_NAMESPACE),
      nodeName: text('NODE_NAME'),
      ip: text('POD_IP'),
    },
    kubeconfig: text('KUBECONFIG'),
    inCluster: text('KUBERNETES_SERVICE_HOST') !== undefined,
    podInfoCacheMs: integer('POD_INFO_CACHE_SECONDS', 60, 1, 86_400) * 1000,
    podInfoTimeoutMs: integer('POD_INFO_TIMEOUT_MS', 2000, 100, 60_000),
    shutdownDelayMs: integer('SHUTDOWN_DELAY_SECONDS', 5, 0, 300) * 1000,
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_SECONDS', 15, 1, 600) * 1000,
    otlpEndpoint: text('OTEL_EXPORTER_OTLP_ENDPOINT'),
  };
  if (config.otlpEndpoint !== undefined && !URL.canParse(config.otlpEndpoint)) {
    problems.push(`OTEL_EXPORTER_OTLP_ENDPOINT must be a URL, got ${JSON.stringify(config.otlpEndpoint)}`);
  }
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
