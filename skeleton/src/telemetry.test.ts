// Tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; when set, spans from the HTTP and Koa
// instrumentations reach an OTLP collector (a local one here, OTLP/JSON) and log lines carry the trace id.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from '@jest/globals';
import { request, startProcess, type Running } from './test-support/process.ts';

interface OtlpSpan {
  traceId: string;
  name: string;
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

test('with OTEL_EXPORTER_OTLP_ENDPOINT: HTTP and Koa spans are exported, logs carry their trace id', async () => {
  const { url, exports } = await startCollector();
  running = await startProcess({
    OTEL_EXPORTER_OTLP_ENDPOINT: url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    SHUTDOWN_DELAY_SECONDS: '0',
  });
  expect((await request(running.port, '/api/v1/details')).status).toBe(200);
  expect((await request(running.port, '/api/v1/healthz')).status).toBe(200);
  running.child.kill('SIGTERM'); // shutdown flushes the spans
  expect(await running.exited).toBe(0);

  const resources = exports.flatMap(e => e.resourceSpans);
  const serviceNames = resources.flatMap(r => r.resource.attributes.filter(a => a.key === 'service.name'));
  expect(serviceNames.map(a => a.value.stringValue)).toContain('${{ values.app_name }}');
  const scopes = resources.flatMap(r => r.scopeSpans);
  const spans = (scope: string) => scopes.filter(s => s.scope.name === scope).flatMap(s => s.spans);
  const serverSpans = spans('@opentelemetry/instrumentation-http');
  expect(serverSpans).toHaveLength(1); // details only: probes are not traced
  expect(spans('@opentelemetry/instrumentation-koa').length).toBeGreaterThan(0);

  const accessLine = running.logs.find(line => line.message === 'request' && line.path === '/api/v1/details');
  expect(accessLine?.trace_id).toBe(serverSpans[0]?.traceId);
});

test('without OTEL_EXPORTER_OTLP_ENDPOINT: no tracing, no trace ids', async () => {
  running = await startProcess({ SHUTDOWN_DELAY_SECONDS: '0' });
  await request(running.port, '/api/v1/details');
  running.child.kill('SIGTERM');
  expect(await running.exited).toBe(0);
  expect(running.logs.find(line => line.message === 'listening')).toMatchObject({ tracing: false });
  expect(running.logs.some(line => 'trace_id' in line)).toBe(false);
});
