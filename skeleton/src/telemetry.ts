// OpenTelemetry traces, started only when OTEL_EXPORTER_OTLP_ENDPOINT is set. The SDK reads the standard
// OTEL_* variables itself (protocol, headers, sampler, propagators, resource attributes); this service
// exports traces only: metrics go to /metrics and logs to stdout. Spans come from the tracing middleware
// and the pod read, not from auto-instrumentation: the http and koa instrumentations cost about as much
// CPU per request as the whole service without them, even unsampled (ADR 0004).
import type { Config } from './config.ts';

/** Starts the SDK (its spans are dropped until it is up) and returns the function that flushes and stops it. */
export async function startTelemetry(
  config: Pick<Config, 'appName' | 'appEnv' | 'appVersion'>,
): Promise<() => Promise<void>> {
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  process.env.OTEL_RESOURCE_ATTRIBUTES = [
    `service.version=${config.appVersion}`,
    `deployment.environment.name=${config.appEnv}`,
    process.env.OTEL_RESOURCE_ATTRIBUTES,
  ]
    .filter(Boolean)
    .join(',');

  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME, when set, wins over the app name.
    ...(process.env.OTEL_SERVICE_NAME ? {} : { serviceName: config.appName }),
    instrumentations: [],
  });
  sdk.start();
  return () => sdk.shutdown();
}
