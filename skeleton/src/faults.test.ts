// What a scanner or a broken client sends: every answer is JSON with the documented status, logged and
// counted, and none of it is a server error.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import parsePrometheus from 'parse-prometheus-text-format';
import { rawRequest, startService, type TestService } from './test-support/service.ts';

let service: TestService;
beforeAll(async () => {
  service = await startService({});
});
afterAll(() => service.close());

const raw = (request: string) => rawRequest(service.port, request);
const bodyOf = (response: string) => JSON.parse(response.split('\r\n\r\n')[1] ?? '') as Record<string, unknown>;

async function requestCounts(): Promise<{ labels: Record<string, string> }[]> {
  const families = parsePrometheus(await (await fetch(`${service.url}/metrics`)).text());
  const samples = families.find(f => f.name === 'http_requests_total')?.metrics ?? [];
  return samples.map(sample => ({ labels: sample.labels ?? {} }));
}

test.each(['PROPFIND', 'TRACE', 'M-SEARCH', 'PURGE', 'DELETE', 'POST'])(
  '%s on a route that lacks it: 405 JSON with Allow, counted as a 4xx',
  async method => {
    const response = await raw(`${method} /api/v1/details HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(response).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(response).toMatch(/\r\nallow: HEAD, GET\r\n/i);
    expect(bodyOf(response)).toMatchObject({ error: 'Method Not Allowed', status: 405 });
  },
);

test('no request is counted as a 5xx', async () => {
  const counts = await requestCounts();
  expect(counts.some(m => m.labels.status === '405')).toBe(true);
  expect(counts.filter(m => m.labels.status?.startsWith('5'))).toEqual([]);
});

test('an HTTP/1.1 request without Host: 400 JSON, logged and counted', async () => {
  const response = await raw('GET /api/v1/healthz HTTP/1.1\r\nX-Request-Id: no-host\r\nConnection: close\r\n\r\n');
  expect(response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  expect(bodyOf(response)).toMatchObject({ status: 400, message: 'HTTP/1.1 requests need a Host header' });
  expect(service.logs()).toContainEqual(
    expect.objectContaining({ message: 'request', status: 400, request_id: 'no-host' }),
  );
});

test('an Expect other than 100-continue: 417 JSON, logged and counted', async () => {
  const response = await raw(
    'GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nX-Request-Id: expect\r\nConnection: close\r\n\r\n',
  );
  expect(response).toMatch(/^HTTP\/1\.1 417 Expectation Failed\r\n/);
  expect(bodyOf(response)).toMatchObject({ status: 417 });
  expect(service.logs()).toContainEqual(
    expect.objectContaining({ message: 'request', status: 417, request_id: 'expect' }),
  );
  const counts = await requestCounts();
  expect(counts.some(m => m.labels.status === '417')).toBe(true);
});

test('a request Node cannot parse: 400 JSON, logged and counted as unparsed', async () => {
  const response = await raw('GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n');
  expect(response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  expect(service.logs()).toContainEqual(expect.objectContaining({ message: 'malformed request', status: 400 }));
  expect(await requestCounts()).toContainEqual(
    expect.objectContaining({ labels: { method: 'OTHER', route: 'unparsed', status: '400' } }),
  );
});
