// The endpoints and every error path, through a real listener and the real HTTP stack.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import parsePrometheus from 'parse-prometheus-text-format';
import { rawRequest, startService, type TestService } from './test-support/service.ts';

let service: TestService;
before(async () => {
  service = await startService({ APP_VERSION: '1.2.3', POD_NAME: 'ab-5d8f7b9c6d-x2x7q', POD_NAMESPACE: 'team-a' });
});
after(() => service.close());

const get = (path: string, init?: RequestInit) => fetch(`${service.url}${path}`, init);

const raw = (request: string) => rawRequest(service.port, request);

describe('endpoints', () => {
  test('GET /api/v1/healthz is 200 JSON', async () => {
    const res = await get('/api/v1/healthz');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  test('GET /api/v1/readyz is 200 while serving and 503 once stopping', async () => {
    assert.equal((await get('/api/v1/readyz')).status, 200);
    service.lifecycle.stopping = true;
    try {
      const res = await get('/api/v1/readyz');
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { status: 'stopping' });
      assert.equal(res.headers.get('connection'), 'close');
    } finally {
      service.lifecycle.stopping = false;
    }
  });

  test('GET /api/v1/details answers outside a cluster from the Downward API', async () => {
    const res = await get('/api/v1/details');
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.partialDeepStrictEqual(body, {
      app: '${{ values.app_name }}',
      environment: '${{ values.app_env }}',
      version: '1.2.3',
      source: 'downward-api',
      fallbackReason: 'not-in-cluster',
      pod: { name: 'ab-5d8f7b9c6d-x2x7q', namespace: 'team-a', phase: null },
    });
    assert.equal(typeof body.hostname, 'string');
    assert.equal(typeof body.uptimeSeconds, 'number');
  });

  test('GET /metrics parses as Prometheus exposition with default and request metrics', async () => {
    await get('/api/v1/healthz');
    await get('/no/such/path/123');
    const res = await get('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const families = parsePrometheus(await res.text());
    const family = (name: string) => families.find(f => f.name === name);

    assert.equal(family('process_cpu_seconds_total')?.type, 'COUNTER');
    assert.equal(family('nodejs_eventloop_lag_seconds')?.type, 'GAUGE');
    const requests = family('http_requests_total');
    assert.equal(requests?.type, 'COUNTER');
    assert.ok(requests);
    // A sample of exactly these labels, with a value and nothing else.
    assert.ok(
      requests.metrics.some(
        ({ value, ...rest }) =>
          typeof value === 'string' &&
          isDeepStrictEqual(rest, { labels: { method: 'GET', route: '/api/v1/healthz', status: '200' } }),
      ),
      `no GET /api/v1/healthz 200 sample in ${JSON.stringify(requests.metrics)}`,
    );
    const routes = requests.metrics.map(m => m.labels?.route);
    assert.ok(routes.includes('unmatched'), `routes: ${JSON.stringify(routes)}`);
    assert.ok(!routes.includes('/no/such/path/123'), `routes: ${JSON.stringify(routes)}`);
    assert.equal(family('http_request_duration_seconds')?.type, 'HISTOGRAM');
  });

  test('HEAD of a GET route is answered', async () => {
    assert.equal((await get('/api/v1/healthz', { method: 'HEAD' })).status, 200);
  });
});

describe('errors', () => {
  test('unknown route: 404 JSON', async () => {
    const res = await get('/api/v1/nope');
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), {
      error: 'Not Found',
      message: 'Not Found',
      status: 404,
      requestId: res.headers.get('x-request-id'),
    });
  });

  test('wrong method: 405 JSON with Allow', async () => {
    const res = await get('/api/v1/healthz', { method: 'DELETE' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'HEAD, GET');
    assert.partialDeepStrictEqual(await res.json(), { error: 'Method Not Allowed', status: 405 });
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
      assert.equal(res.status, 500);
      const text = await res.text();
      assert.partialDeepStrictEqual(JSON.parse(text), {
        error: 'Internal Server Error',
        message: 'Internal Server Error',
        status: 500,
      });
      assert.doesNotMatch(text, /hunter2|at .*\.ts/);
      const logged = failing.logs().find(line => line.message === 'request failed');
      assert.ok(logged, 'a "request failed" line is logged');
      const error = logged.error as Record<string, unknown>;
      assert.partialDeepStrictEqual(error, { type: 'Error' });
      assert.ok(typeof error.stack === 'string', `error.stack: ${JSON.stringify(error.stack)}`);
      assert.match(error.stack, /hunter2[\s\S]*\n +at /);
    } finally {
      await failing.close();
    }
  });

  test('a malformed request: 400 JSON', async () => {
    const response = await raw('GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n');
    assert.match(response, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(response, /content-type: application\/json/i);
    assert.partialDeepStrictEqual(JSON.parse(response.split('\r\n\r\n')[1] ?? ''), {
      status: 400,
      error: 'Bad Request',
    });
  });

  test('headers too large: 431 JSON', async () => {
    const response = await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(response, /^HTTP\/1\.1 431 /);
    assert.partialDeepStrictEqual(JSON.parse(response.split('\r\n\r\n')[1] ?? ''), { status: 431 });
  });
});
