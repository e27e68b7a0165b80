// The endpoints and every error path, through a real listener and the real HTTP stack.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import parsePrometheus from 'parse-prometheus-text-format';
import { rawRequest, startService, type TestService } from './test-support/service.ts';

let service: TestService;
beforeAll(async () => {
  service = await startService({ APP_VERSION: '1.2.3', POD_NAME: 'ab-5d8f7b9c6d-x2x7q', POD_NAMESPACE: 'team-a' });
});
afterAll(() => service.close());

const get = (path: string, init?: RequestInit) => fetch(`${service.url}${path}`, init);

const raw = (request: string) => rawRequest(service.port, request);

describe('endpoints', () => {
  test('GET /api/v1/healthz is 200 JSON', async () => {
    const res = await get('/api/v1/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('GET /api/v1/readyz is 200 while serving and 503 once stopping', async () => {
    expect((await get('/api/v1/readyz')).status).toBe(200);
    service.lifecycle.stopping = true;
    try {
      const res = await get('/api/v1/readyz');
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'stopping' });
      expect(res.headers.get('connection')).toBe('close');
    } finally {
      service.lifecycle.stopping = false;
    }
  });

  test('GET /api/v1/details answers outside a cluster from the Downward API', async () => {
    const res = await get('/api/v1/details');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      app: '${{ values.app_name }}',
      environment: '${{ values.app_env }}',
      version: '1.2.3',
      source: 'downward-api',
      fallbackReason: 'not-in-cluster',
      pod: { name: 'ab-5d8f7b9c6d-x2x7q', namespace: 'team-a', phase: null },
    });
    expect(typeof body.hostname).toBe('string');
    expect(typeof body.uptimeSeconds).toBe('number');
  });

  test('GET /metrics parses as Prometheus exposition with default and request metrics', async () => {
    await get('/api/v1/healthz');
    await get('/no/such/path/123');
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheus(await res.text());
    const family = (name: string) => families.find(f => f.name === name);

    expect(family('process_cpu_seconds_total')?.type).toBe('COUNTER');
    expect(family('nodejs_eventloop_lag_seconds')?.type).toBe('GAUGE');
    const requests = family('http_requests_total');
    expect(requests?.type).toBe('COUNTER');
    expect(requests?.metrics).toContainEqual({
      value: expect.any(String),
      labels: { method: 'GET', route: '/api/v1/healthz', status: '200' },
    });
    const routes = requests?.metrics.map(m => m.labels?.route);
    expect(routes).toContain('unmatched');
    expect(routes).not.toContain('/no/such/path/123');
    expect(family('http_request_duration_seconds')?.type).toBe('HISTOGRAM');
  });

  test('HEAD of a GET route is answered', async () => {
    expect((await get('/api/v1/healthz', { method: 'HEAD' })).status).toBe(200);
  });
});

describe('errors', () => {
  test('unknown route: 404 JSON', async () => {
    const res = await get('/api/v1/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: 'Not Found',
      message: 'Not Found',
      status: 404,
      requestId: res.headers.get('x-request-id'),
    });
  });

  test('wrong method: 405 JSON with Allow', async () => {
    const res = await get('/api/v1/healthz', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('HEAD, GET');
    expect(await res.json()).toMatchObject({ error: 'Method Not Allowed', status: 405 });
  });

  test('a thrown error: 500 JSON with a generic message; the stack goes to the log only', async () => {
    const failing = await startService(
      {},
      {
        podInfo: { get: () => Promise.reject(new Error('database password hunter2 leaked in a message')) },
      },
    );
    try {
      const res = await fetch(`${failing.url}/api/v1/details`);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({
        error: 'Internal Server Error',
        message: 'Internal Server Error',
        status: 500,
      });
      expect(text).not.toMatch(/hunter2|at .*\.ts/);
      const logged = failing.logs().find(line => line.message === 'request failed');
      expect(logged?.error).toMatchObject({ type: 'Error', stack: expect.stringMatching(/hunter2[\s\S]*\n +at /) });
    } finally {
      await failing.close();
    }
  });

  test('a malformed request: 400 JSON', async () => {
    const response = await raw('GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n');
    expect(response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(response).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(response.split('\r\n\r\n')[1] ?? '')).toMatchObject({ status: 400, error: 'Bad Request' });
  });

  test('headers too large: 431 JSON', async () => {
    const response = await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(response).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(response.split('\r\n\r\n')[1] ?? '')).toMatchObject({ status: 431 });
  });
});
