// Request ids and access logs, through a real listener: JSON lines, probes left out, no secrets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startService, type TestService } from './test-support/service.ts';

let service: TestService;
before(async () => {
  service = await startService({ APP_VERSION: '1.2.3', POD_NAME: 'ab-5d8f7b9c6d-x2x7q', POD_NAMESPACE: 'team-a' });
});
after(() => service.close());

const get = (path: string, init?: RequestInit) => fetch(`${service.url}${path}`, init);

describe('request ids and logs', () => {
  test('X-Request-Id is echoed when given, generated when not', async () => {
    const given = await get('/api/v1/healthz', { headers: { 'X-Request-Id': 'abc-123' } });
    assert.equal(given.headers.get('x-request-id'), 'abc-123');
    const generated = await get('/api/v1/healthz', { headers: { 'X-Request-Id': 'bad id\twith spaces' } });
    const generatedId = generated.headers.get('x-request-id');
    assert.ok(generatedId);
    assert.match(generatedId, /^[0-9a-f-]{36}$/);
  });

  test('one JSON access line per request, with method, route, status, duration and request id', async () => {
    await get('/api/v1/details?verbose=1', { headers: { 'X-Request-Id': 'access-line-1' } });
    const lines = service.logs().filter(line => line.request_id === 'access-line-1');
    assert.equal(lines.length, 1);
    assert.partialDeepStrictEqual(lines[0], {
      level: 'info',
      message: 'request',
      method: 'GET',
      route: '/api/v1/details',
      path: '/api/v1/details',
      status: 200,
      service: '${{ values.app_name }}',
    });
    assert.equal(typeof lines[0]?.duration_ms, 'number');
  });

  test('probes and scrapes are not access-logged by default', async () => {
    for (const path of ['/api/v1/healthz', '/api/v1/readyz', '/metrics']) {
      await get(path, { headers: { 'X-Request-Id': `quiet-${path}` } });
    }
    assert.deepEqual(
      service.logs().filter(line => String(line.request_id).startsWith('quiet-')),
      [],
    );
  });

  test('probes are access-logged with LOG_PROBES=true', async () => {
    const loud = await startService({ LOG_PROBES: 'true' });
    try {
      await fetch(`${loud.url}/api/v1/healthz`, { headers: { 'X-Request-Id': 'loud-probe' } });
      assert.equal(loud.logs().filter(line => line.request_id === 'loud-probe').length, 1);
    } finally {
      await loud.close();
    }
  });

  test('no secret a request carried reaches the log', async () => {
    const secrets = ['Bearer-s3cr3t-t0ken', 'session-c00kie-value', 'qu3ry-t0ken'];
    await get(`/api/v1/details?token=${secrets[2]}`, {
      headers: { Authorization: `Bearer ${secrets[0]}`, Cookie: `sid=${secrets[1]}`, 'X-Request-Id': 'secret-1' },
    });
    await get('/api/v1/nope', { headers: { Authorization: `Bearer ${secrets[0]}` } });
    assert.ok(
      service.logs().some(line => line.request_id === 'secret-1'),
      'no line with request id secret-1',
    );
    const rawLogs = service.rawLogs();
    for (const secret of secrets) assert.ok(!rawLogs.includes(secret), `${secret} is in the log:\n${rawLogs}`);
  });
});
