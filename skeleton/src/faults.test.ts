// What a scanner or a broken client sends: every answer is JSON with the documented status, logged and
// counted, and none of it is a server error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import parsePrometheus from 'parse-prometheus-text-format';
import { assertSomeMatch } from './test-support/assert.ts';
import { rawRequest, startService, type TestService } from './test-support/service.ts';

let service: TestService;
before(async () => {
  service = await startService({});
});
after(() => service.close());

const raw = (request: string) => rawRequest(service.port, request);
const bodyOf = (response: string) => JSON.parse(response.split('\r\n\r\n')[1] ?? '') as Record<string, unknown>;

async function requestCounts(): Promise<{ labels: Record<string, string> }[]> {
  const families = parsePrometheus(await (await fetch(`${service.url}/metrics`)).text());
  const samples = families.find(f => f.name === 'http_requests_total')?.metrics ?? [];
  return samples.map(sample => ({ labels: sample.labels ?? {} }));
}

for (const method of ['PROPFIND', 'TRACE', 'M-SEARCH', 'PURGE', 'DELETE', 'POST']) {
  test(`${method} on a route that lacks it: 405 JSON with Allow, counted as a 4xx`, async () => {
    const response = await raw(`${method} /api/v1/details HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.match(response, /^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    assert.match(response, /\r\nallow: HEAD, GET\r\n/i);
    assert.partialDeepStrictEqual(bodyOf(response), { error: 'Method Not Allowed', status: 405 });
  });
}

test('no request is counted as a 5xx', async () => {
  const counts = await requestCounts();
  assert.ok(
    counts.some(m => m.labels.status === '405'),
    `no 405 counted: ${JSON.stringify(counts)}`,
  );
  assert.deepEqual(
    counts.filter(m => m.labels.status?.startsWith('5')),
    [],
  );
});

test('an HTTP/1.1 request without Host: 400 JSON, logged and counted', async () => {
  const response = await raw('GET /api/v1/healthz HTTP/1.1\r\nX-Request-Id: no-host\r\nConnection: close\r\n\r\n');
  assert.match(response, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.partialDeepStrictEqual(bodyOf(response), { status: 400, message: 'HTTP/1.1 requests need a Host header' });
  assertSomeMatch(service.logs(), { message: 'request', status: 400, request_id: 'no-host' });
});

test('an Expect other than 100-continue: 417 JSON, logged and counted', async () => {
  const response = await raw(
    'GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nX-Request-Id: expect\r\nConnection: close\r\n\r\n',
  );
  assert.match(response, /^HTTP\/1\.1 417 Expectation Failed\r\n/);
  assert.partialDeepStrictEqual(bodyOf(response), { status: 417 });
  assertSomeMatch(service.logs(), { message: 'request', status: 417, request_id: 'expect' });
  const counts = await requestCounts();
  assert.ok(
    counts.some(m => m.labels.status === '417'),
    `no 417 counted: ${JSON.stringify(counts)}`,
  );
});

test('a request Node cannot parse: 400 JSON, logged and counted as unparsed', async () => {
  const response = await raw('GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n');
  assert.match(response, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assertSomeMatch(service.logs(), { message: 'malformed request', status: 400 });
  // The labels exactly (objectContaining compares each of its fields in full).
  const unparsed = { labels: { method: 'OTHER', route: 'unparsed', status: '400' } };
  const counts = await requestCounts();
  assert.ok(
    counts.some(item => isDeepStrictEqual(item, unparsed)),
    `no ${JSON.stringify(unparsed)} in ${JSON.stringify(counts)}`,
  );
});
