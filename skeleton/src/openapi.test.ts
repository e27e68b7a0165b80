// openapi.yaml is the API the catalog publishes: every route is in it, and every real response, errors
// included, matches the schema it documents for that status.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { createLifecycle } from './lifecycle.ts';
import { createMetrics } from './metrics.ts';
import { createRouter } from './routes.ts';
import { startFakeKubernetes, type FakeKubernetes } from './test-support/fake-kubernetes.ts';
import { startService, type TestService } from './test-support/service.ts';

const spec = parse(fs.readFileSync(new URL('../openapi.yaml', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
};
const ajv = new Ajv2020({ strict: false, validateFormats: false });
ajv.addSchema(spec, 'openapi');

const pointer = (...parts: string[]) => parts.map(p => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** Checks a response against the document: its status (or `default`), content type and body schema. */
async function expectDocumented(path: string, method: string, res: Response) {
  const responses = spec.paths[path]?.[method]?.responses ?? {};
  const status = responses[String(res.status)] ? String(res.status) : 'default';
  assert.deepEqual(
    { path, method, status: res.status, documented: status in responses },
    { path, method, status: res.status, documented: true },
  );
  // A response may be a $ref to components/responses: follow it, keeping its JSON pointer for ajv.
  let at = ['paths', path, method, 'responses', status];
  let response = responses[status] as { $ref?: string; content?: Record<string, unknown> };
  if (response.$ref) {
    at = response.$ref.replace(/^#\//, '').split('/');
    response = at.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], spec) as typeof response;
  }
  const type = (res.headers.get('content-type') ?? '').split(';')[0] ?? '';
  const types = Object.keys(response.content ?? {});
  assert.ok(types.includes(type), `${method} ${path} ${status} documents ${JSON.stringify(types)}, not "${type}"`);
  if (type !== 'application/json') return;
  const validate = ajv.getSchema(`openapi#/${pointer(...at, 'content', type, 'schema')}`);
  if (!validate) throw new Error(`openapi.yaml has no ${type} schema for ${method} ${path} ${status}`);
  const body: unknown = await res.json();
  assert.deepEqual({ body, errors: validate(body) ? [] : validate.errors }, { body, errors: [] });
}

let fake: FakeKubernetes;
let inCluster: TestService;
let outside: TestService;
before(async () => {
  fake = await startFakeKubernetes('pod');
  inCluster = await startService({
    POD_NAME: 'ab-5d8f7b9c6d-x2x7q',
    POD_NAMESPACE: 'team-a',
    KUBECONFIG: fake.kubeconfig,
  });
  outside = await startService({ POD_NAME: 'ab-5d8f7b9c6d-x2x7q' });
});
after(async () => {
  await Promise.all([inCluster.close(), outside.close()]);
  await fake.close();
});

describe('openapi.yaml', () => {
  test('documents exactly the routes the router has', () => {
    const router = createRouter({
      config: { appName: 'x', appEnv: 'dev', appVersion: '0' },
      metrics: createMetrics(),
      podInfo: { get: () => Promise.reject(new Error('not called')) },
      lifecycle: createLifecycle(),
    });
    const routes = router.stack.flatMap(layer =>
      layer.methods.filter(m => m !== 'HEAD').map(m => `${m} ${layer.path}`),
    );
    const documented = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map(m => `${m.toUpperCase()} ${path}`),
    );
    assert.deepEqual(documented.sort(), routes.sort());
  });

  for (const path of ['/api/v1/healthz', '/api/v1/readyz', '/api/v1/details', '/metrics']) {
    test(`GET ${path} matches`, async () => {
      await expectDocumented(path, 'get', await fetch(`${inCluster.url}${path}`));
    });
  }

  test('details from the Downward API, outside a cluster, match', async () => {
    const res = await fetch(`${outside.url}/api/v1/details`);
    await expectDocumented('/api/v1/details', 'get', res.clone());
    assert.partialDeepStrictEqual(await res.json(), { source: 'downward-api' });
  });

  test('readiness while stopping matches', async () => {
    inCluster.lifecycle.stopping = true;
    try {
      await expectDocumented('/api/v1/readyz', 'get', await fetch(`${inCluster.url}/api/v1/readyz`));
    } finally {
      inCluster.lifecycle.stopping = false;
    }
  });

  test('errors match the documented error: wrong method, and an unknown route', async () => {
    await expectDocumented(
      '/api/v1/healthz',
      'get',
      await fetch(`${inCluster.url}/api/v1/healthz`, { method: 'DELETE' }),
    );
    const unknown = await fetch(`${inCluster.url}/api/v1/nope`);
    assert.equal(unknown.status, 404);
    await expectDocumented('/api/v1/healthz', 'get', unknown);
  });
});
