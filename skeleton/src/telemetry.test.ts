// Tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; when set, the tracing middleware's server spans
// reach an OTLP collector (a local one here, OTLP/JSON) and log lines of sampled requests carry the trace id.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, test } from 'node:test';
import { request, sleep, startProcess, type Running } from './test-support/process.ts';

interface OtlpSpan {
  traceId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[];
  }[];
}

let running: Running | undefined;
let collector: http.Server | undefined;
afterEach(async () => {
  running?.child.kill('SIGKILL');
  collector?.closeAllConnections();
  await new Promise(resolve => {
    if (collector) collector.close(resolve);
    else resolve(undefined);
  });
  running = collector = undefined;
});

async function startCollector(): Promise<{ url: string; exports: OtlpExport[] }> {
  const exports: OtlpExport[] = [];
  collector = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') exports.push(JSON.parse(body) as OtlpExport);
      res.setHeader('Content-Type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>(resolve => collector?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`, exports };
}

async function tracedRun(env: Record<string, string>, send: (port: number) => Promise<void>) {
  const { url, exports } = await startCollector();
  running = await startProcess({
    OTEL_EXPORTER_OTLP_ENDPOINT: url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    SHUTDOWN_DELAY_SECONDS: '0',
    ...env,
  });
  await send(running.port);
  running.child.kill('SIGTERM'); // shutdown flushes the spans
  assert.equal(await running.exited, 0);
  const resources = exports.flatMap(e => e.resourceSpans);
  return { resources, spans: resources.flatMap(r => r.scopeSpans).flatMap(s => s.spans), logs: running.logs };
}

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

test("with OTEL_EXPORTER_OTLP_ENDPOINT: one server span per request, named by route, in the caller's trace", async () => {
  const { resources, spans, logs } = await tracedRun({}, async port => {
    // The SDK loads in the background; the first request waits for "tracing started".
    while (!running?.logs.some(line => line.message === 'tracing started')) await sleep(20);
    assert.equal((await request(port, '/api/v1/details')).status, 200);
    assert.equal((await request(port, '/api/v1/healthz')).status, 200);
    const traceparent = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
    assert.equal((await request(port, '/api/v1/nope', undefined, { traceparent })).status, 404);
  });
  const serviceNames = resources
    .flatMap(r => r.resource.attributes.filter(a => a.key === 'service.name'))
    .map(a => a.value.stringValue);
  const appName = '${{ values.app_name }}';
  assert.ok(serviceNames.includes(appName), `service.name values: ${JSON.stringify(serviceNames)}`);
  // details and the 404: probes are not traced
  assert.deepEqual(spans.map(s => s.name).sort(), ['GET', 'GET /api/v1/details']);
  const [continued, details] = [...spans].sort((a, b) => a.name.localeCompare(b.name)) as [OtlpSpan, OtlpSpan];
  assert.equal(details.kind, 2); // SERVER
  const attribute = (span: OtlpSpan, key: string) => span.attributes.find(a => a.key === key)?.value;
  assert.equal(attribute(details, 'http.route')?.stringValue, '/api/v1/details');
  assert.equal(Number(attribute(details, 'http.response.status_code')?.intValue), 200);
  assert.partialDeepStrictEqual(continued, { traceId: CALLER_TRACE, parentSpanId: CALLER_SPAN });

  const accessLine = logs.find(line => line.message === 'request' && line.path === '/api/v1/details');
  assert.equal(accessLine?.trace_id, details.traceId);
});

test('unsampled requests are not exported and their log lines carry no trace id', async () => {
  const { spans, logs } = await tracedRun({ OTEL_TRACES_SAMPLER: 'always_off' }, async port => {
    while (!running?.logs.some(line => line.message === 'tracing started')) await sleep(20);
    assert.equal((await request(port, '/api/v1/details')).status, 200);
  });
  assert.deepEqual(spans, []);
  assert.ok(
    logs.some(line => line.message === 'request'),
    `no access line in:\n${logs.map(line => JSON.stringify(line)).join('\n')}`,
  );
  assert.deepEqual(
    logs.filter(line => 'trace_id' in line),
    [],
  );
});

test("the chart's sampler, parentbased_traceidratio at 0: new traces are dropped, a sampled caller's trace is followed", async () => {
  const { spans } = await tracedRun(
    { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
    async port => {
      while (!running?.logs.some(line => line.message === 'tracing started')) await sleep(20);
      assert.equal((await request(port, '/api/v1/details')).status, 200);
      const traceparent = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
      assert.equal((await request(port, '/api/v1/details', undefined, { traceparent })).status, 200);
    },
  );
  assert.deepEqual(
    spans.map(span => span.traceId),
    [CALLER_TRACE],
  );
});

test('OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win; unsupported OTEL_* values are logged, not ignored', async () => {
  const { resources, spans, logs } = await tracedRun(
    {
      OTEL_SERVICE_NAME: 'renamed',
      OTEL_RESOURCE_ATTRIBUTES: 'team=payments,deployment.environment.name=staging',
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_PROPAGATORS: 'tracecontext,b3',
      OTEL_BSP_SCHEDULE_DELAY: 'soon',
    },
    async port => {
      while (!running?.logs.some(line => line.message === 'tracing started')) await sleep(20);
      assert.equal((await request(port, '/api/v1/details')).status, 200);
    },
  );
  const attributes = Object.fromEntries(
    resources.flatMap(r => r.resource.attributes).map(a => [a.key, a.value.stringValue]),
  );
  assert.partialDeepStrictEqual(attributes, {
    'service.name': 'renamed',
    'deployment.environment.name': 'staging',
    team: 'payments',
  });
  assert.equal(typeof attributes['service.version'], 'string');
  assert.equal(spans.length, 1); // the unknown sampler falls back to sampling everything
  const warnings = logs.filter(line => line.level === 'warn').map(line => String(line.message));
  const expectedWarnings = [
    /^OTEL_TRACES_SAMPLER=sometimes is not one of always_on, .*; using parentbased_always_on$/,
    /^OTEL_BSP_SCHEDULE_DELAY=soon is not a whole number of milliseconds/,
    /^OTEL_PROPAGATORS: b3 not supported/,
  ];
  assert.equal(warnings.length, expectedWarnings.length, `warnings: ${JSON.stringify(warnings)}`);
  expectedWarnings.forEach((pattern, i) => {
    assert.match(warnings[i] ?? '', pattern);
  });
});

test('without OTEL_EXPORTER_OTLP_ENDPOINT: no tracing, no trace ids', async () => {
  running = await startProcess({ SHUTDOWN_DELAY_SECONDS: '0' });
  await request(running.port, '/api/v1/details');
  running.child.kill('SIGTERM');
  assert.equal(await running.exited, 0);
  assert.partialDeepStrictEqual(
    running.logs.find(line => line.message === 'listening'),
    { tracing: false },
  );
  assert.deepEqual(
    running.logs.filter(line => 'trace_id' in line),
    [],
  );
});
