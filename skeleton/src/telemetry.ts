// OpenTelemetry traces, started only when OTEL_EXPORTER_OTLP_ENDPOINT is set. This service exports traces
// only (metrics go to /metrics, logs to stdout), so it wires the SDK's tracing parts itself instead of loading
// @opentelemetry/sdk-node: that package loads every exporter it can configure (gRPC, Zipkin, Prometheus, logs,
// metrics), which cost 120 ms of start-up and 19 MB of memory (ADR 0004). The standard variables it honours
// are read here (sampler, propagators, batching) or by the exporter (endpoint, headers, timeout, compression,
// certificates); a value it does not support is reported, never silently ignored. Spans come from the tracing
// middleware and the pod read, not from auto-instrumentation: see ADR 0004 for the cost of the http and koa
// instrumentations.
import type { Sampler } from '@opentelemetry/sdk-trace';
import type { Config } from './config.ts';

export interface Telemetry {
  /** Flushes the spans still queued and stops exporting. */
  stop: () => Promise<void>;
  /** OTEL_* values this service does not support, each saying what it uses instead. */
  warnings: string[];
}

type Env = Record<string, string | undefined>;
type Sdk = typeof import('@opentelemetry/sdk-trace');
const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];
const BATCHING = {
  maxQueueSize: 'OTEL_BSP_MAX_QUEUE_SIZE',
  maxExportBatchSize: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
  scheduledDelayMillis: 'OTEL_BSP_SCHEDULE_DELAY',
  exportTimeoutMillis: 'OTEL_BSP_EXPORT_TIMEOUT',
} as const;

const read = (env: Env, name: string) => env[name]?.trim() || undefined;

function samplerFromEnv(sdk: Sdk, env: Env, warnings: string[]): Sampler {
  const name = read(env, 'OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on';
  const ratio = () => {
    const arg = read(env, 'OTEL_TRACES_SAMPLER_ARG');
    const value = Number(arg ?? 1);
    if (value >= 0 && value <= 1) return value;
    warnings.push(`OTEL_TRACES_SAMPLER_ARG=${arg} is not a ratio from 0 to 1; sampling every trace`);
    return 1;
  };
  switch (name) {
    case 'always_on':
      return new sdk.AlwaysOnSampler();
    case 'always_off':
      return new sdk.AlwaysOffSampler();
    case 'traceidratio':
      return new sdk.TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_off':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(ratio()) });
    default:
      if (name !== 'parentbased_always_on') {
        warnings.push(`OTEL_TRACES_SAMPLER=${name} is not one of ${SAMPLERS.join(', ')}; using parentbased_always_on`);
      }
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
  }
}

function batchingFromEnv(env: Env, warnings: string[]): Partial<Record<keyof typeof BATCHING, number>> {
  const options: Partial<Record<keyof typeof BATCHING, number>> = {};
  for (const [option, name] of Object.entries(BATCHING) as [keyof typeof BATCHING, string][]) {
    const raw = read(env, name);
    if (raw === undefined) continue;
    const value = Number(raw);
    if (Number.isInteger(value) && value >= 0) options[option] = value;
    else
      warnings.push(
        `${name}=${raw} is not a whole number of ${option.endsWith('Millis') ? 'milliseconds' : 'spans'}; using the SDK default`,
      );
  }
  return options;
}

/** The propagator names to install, in order: W3C trace context and baggage are the ones this service ships. */
function propagatorsFromEnv(env: Env, warnings: string[]): ('tracecontext' | 'baggage')[] {
  const names = (read(env, 'OTEL_PROPAGATORS') ?? 'tracecontext,baggage').split(',').map(name => name.trim());
  if (names.includes('none')) return [];
  const known = names.filter(
    (name): name is 'tracecontext' | 'baggage' => name === 'tracecontext' || name === 'baggage',
  );
  const unknown = names.filter(name => name && !known.includes(name as 'tracecontext'));
  if (unknown.length)
    warnings.push(`OTEL_PROPAGATORS: ${unknown.join(', ')} not supported (tracecontext, baggage, none are); skipped`);
  return [...new Set(known)];
}

/** Starts exporting spans (the tracing middleware's spans are dropped until then). */
export async function startTelemetry(config: Pick<Config, 'appName' | 'appEnv' | 'appVersion'>): Promise<Telemetry> {
  const env = process.env;
  const warnings: string[] = [];
  if (read(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') {
    return { stop: async () => {}, warnings: ['OTEL_SDK_DISABLED=true: not exporting traces'] };
  }
  const traces = read(env, 'OTEL_TRACES_EXPORTER') ?? 'otlp';
  if (traces !== 'otlp') warnings.push(`OTEL_TRACES_EXPORTER=${traces} not supported; exporting with otlp`);
  const protocol =
    read(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? read(env, 'OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    warnings.push(`OTLP protocol ${protocol} not supported (http/protobuf and http/json are); using http/protobuf`);
  }
  const [api, sdk, core, resources, contextManager, exporter] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/context-async-hooks'),
    protocol === 'http/json'
      ? import('@opentelemetry/exporter-trace-otlp-http')
      : import('@opentelemetry/exporter-trace-otlp-proto'),
  ]);

  // Later resources win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the service's own attributes.
  const resource = resources
    .defaultResource()
    .merge(
      resources.detectResources({
        detectors: [resources.hostDetector, resources.osDetector, resources.processDetector],
      }),
    )
    .merge(
      resources.resourceFromAttributes({
        'service.name': config.appName,
        'service.version': config.appVersion,
        'deployment.environment.name': config.appEnv,
      }),
    )
    .merge(
      resources.detectResources({
        detectors: [resources.resourceAttributesEnvDetector, resources.serviceNameEnvDetector],
      }),
    );
  const provider = new sdk.TracerProvider({
    resource,
    sampler: samplerFromEnv(sdk, env, warnings),
    spanProcessors: [
      new sdk.BatchSpanProcessor({ exporter: new exporter.OTLPTraceExporter(), ...batchingFromEnv(env, warnings) }),
    ],
  });
  const propagators = { tracecontext: core.W3CTraceContextPropagator, baggage: core.W3CBaggagePropagator };
  api.propagation.setGlobalPropagator(
    new core.CompositePropagator({
      propagators: propagatorsFromEnv(env, warnings).map(name => new propagators[name]()),
    }),
  );
  api.context.setGlobalContextManager(new contextManager.AsyncLocalStorageContextManager().enable());
  api.trace.setGlobalTracerProvider(provider);
  return { stop: () => provider.shutdown(), warnings };
}
