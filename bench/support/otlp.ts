// Tracing as prod runs it, for the benchmarks: a local OTLP sink on the load core, and the environment the
// chart gives the service (the endpoint, and the sampler at the chart's ratio when it sets one).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freeLoopbackPort } from '../../packages/tooling/src/free-port';
import { LOAD_CORE } from './measure';

export async function startOtlpSink(): Promise<{ url: string; stop: () => void }> {
  const port = await freeLoopbackPort();
  const sink = spawn(
    'taskset',
    ['-c', LOAD_CORE, process.execPath, path.join(__dirname, 'otlp-sink.mjs'), String(port)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise(resolve => sink.stdout.once('data', resolve));
  return { url: `http://127.0.0.1:${port}`, stop: () => sink.kill('SIGTERM') };
}

export function prodTracingEnv(sinkUrl: string, samplingRatio: number | undefined): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
    ...(samplingRatio === undefined
      ? {}
      : { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(samplingRatio) }),
  };
}
