// OpenTelemetry traces, started only when OTEL_EXPORTER_OTLP_ENDPOINT is set. The SDK reads the standard
// OTEL_* variables itself (protocol, headers, sampler, propagators, resource attributes); this service
// exports traces only: metrics go to /metrics and logs to stdout.
import type { IncomingMessage } from 'node:http';
import { register } from 'import-in-the-middle/register-hooks.mjs';
import type { Config } from './config.ts';

const UNTRACED_PATHS = new Set(['/api/v1/healthz', '/api/v1/readyz', '/metrics']);

/** Must run before Koa and node:http are imported, so their modules load instrumented. */
export async function startTelemetry(
  config: Pick<Config, 'appName' | 'appEnv' | 'appVersion'>,
): Promise<() => Promise<void>> {
  // In-thread ESM hooks (module.registerHooks) so the instrumentations can patch Koa and node:http.
  register({ include: ['koa', 'http', 'https', 'node:http', 'node:https'] });
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  process.env.OTEL_RESOURCE_ATTRIBUTES = [
    `service.version=${config.appVersion}`,
    `deployment.environment.name=${config.appEnv}`,
    process.env.OTEL_RESOURCE_ATTRIBUTES,
  ]
    .filter(Boolean)
    .join(',');

  const [{ NodeSDK }, { HttpInstrumentation }, { KoaInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-koa'),
  ]);
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME, when set, wins over the app name.
    ...(process.env.OTEL_SERVICE_NAME ? {} : { serviceName: config.appName }),
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes arrive every few seconds and say nothing worth a trace.
        ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.has(request.url?.split('?')[0] ?? ''),
      }),
      new KoaInstrumentation(),
    ],
  });
  sdk.start();
  return () => sdk.shutdown();
}
