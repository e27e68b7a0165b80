// /api/v1/details against a local server speaking the Kubernetes API, through the real client-node.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import {
  refusedKubeconfig,
  startFakeKubernetes,
  TOKEN,
  UPSTREAM_COOKIE,
  type FakeKubernetes,
  type FakeMode,
} from './test-support/fake-kubernetes.ts';
import { assertSomeMatch } from './test-support/assert.ts';
import { sleep } from './test-support/process.ts';
import { startService, type TestService } from './test-support/service.ts';

const DOWNWARD = {
  POD_NAME: 'ab-5d8f7b9c6d-x2x7q',
  POD_NAMESPACE: 'team-a',
  NODE_NAME: 'worker-3',
  POD_IP: '10.42.3.17',
};

let fake: FakeKubernetes | undefined;
let service: TestService | undefined;
afterEach(async () => {
  await service?.close();
  await fake?.close();
  service = fake = undefined;
});

async function details(): Promise<Record<string, unknown>> {
  const res = await fetch(`${service?.url}/api/v1/details`);
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, unknown>;
}

const fallbackPod = {
  name: DOWNWARD.POD_NAME,
  namespace: 'team-a',
  nodeName: 'worker-3',
  ip: '10.42.3.17',
  phase: null,
};

describe('/api/v1/details', () => {
  test('reads the pod from the Kubernetes API with the kubeconfig credentials', async () => {
    fake = await startFakeKubernetes('pod');
    service = await startService({ ...DOWNWARD, KUBECONFIG: fake.kubeconfig });
    const body = await details();
    assert.partialDeepStrictEqual(body, {
      source: 'kubernetes-api',
      pod: {
        name: DOWNWARD.POD_NAME,
        namespace: 'team-a',
        nodeName: 'worker-3',
        ip: '10.42.3.17',
        phase: 'Running',
        startTime: '2026-11-20T10:00:01.000Z',
        labels: { 'app.kubernetes.io/name': 'ab', 'pod-template-hash': '5d8f7b9c6d' },
        containers: [{ name: 'ab', image: 'docker.io/acme/ab:1.2.3' }],
      },
    });
    assert.equal((body.pod as { containers: unknown[] }).containers.length, 1);
    assert.deepEqual(fake.requests, [
      { path: `/api/v1/namespaces/team-a/pods/${DOWNWARD.POD_NAME}`, authorization: `Bearer ${TOKEN}` },
    ]);
  });

  test('caches: many requests, sequential and concurrent, make one API call', async () => {
    fake = await startFakeKubernetes('pod');
    service = await startService({ ...DOWNWARD, KUBECONFIG: fake.kubeconfig });
    await Promise.all(Array.from({ length: 20 }, () => details()));
    for (let i = 0; i < 10; i++) assert.equal((await details()).source, 'kubernetes-api');
    assert.equal(fake.requests.length, 1);
  });

  test('asks again once the cache period is over', async () => {
    fake = await startFakeKubernetes('pod');
    service = await startService({ ...DOWNWARD, KUBECONFIG: fake.kubeconfig, POD_INFO_CACHE_SECONDS: '1' });
    await details();
    await new Promise(resolve => setTimeout(resolve, 1100));
    await details();
    assert.equal(fake.requests.length, 2);
  });

  test('403 from the API: answers from the Downward API, says so, and does not ask on every request', async () => {
    fake = await startFakeKubernetes('forbidden');
    service = await startService({ ...DOWNWARD, KUBECONFIG: fake.kubeconfig });
    assert.partialDeepStrictEqual(await details(), {
      source: 'downward-api',
      fallbackReason: 'forbidden',
      pod: fallbackPod,
    });
    await details();
    assert.equal(fake.requests.length, 1);
    assertSomeMatch(service.logs(), { level: 'warn', reason: 'forbidden' });
  });

  test('an API error: logged as its status and a short start of its body, never its headers', async () => {
    fake = await startFakeKubernetes('huge-error');
    service = await startService({ ...DOWNWARD, KUBECONFIG: fake.kubeconfig });
    assert.partialDeepStrictEqual(await details(), { source: 'downward-api', fallbackReason: 'http-500' });
    const warning = service.logs().find(line => line.level === 'warn' && line.reason === 'http-500');
    assert.ok(typeof warning?.detail === 'string', `no http-500 warning with a detail: ${JSON.stringify(warning)}`);
    assert.match(warning.detail, /^HTTP 500: \{"kind":"Status"/);
    const logs = service.rawLogs();
    assert.ok(logs.length < 10_000, `the logs are ${logs.length} characters long`);
    assert.ok(!logs.includes(UPSTREAM_COOKIE), `the logs hold the upstream cookie:\n${logs}`);
  });

  test('an API that hangs: answers within the timeout from the Downward API', async () => {
    fake = await startFakeKubernetes('hang');
    service = await startService({ ...DOWNWARD, KUBECONFIG: fake.kubeconfig, POD_INFO_TIMEOUT_MS: '300' });
    const started = Date.now();
    assert.partialDeepStrictEqual(await details(), {
      source: 'downward-api',
      fallbackReason: 'timeout',
      pod: fallbackPod,
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 290, `answered in ${elapsed} ms`);
    assert.ok(elapsed < 1500, `answered in ${elapsed} ms`);
    assert.equal(fake.requests.length, 1);
  });

  test('connection refused: answers from the Downward API', async () => {
    const kubeconfig = await refusedKubeconfig();
    try {
      service = await startService({ ...DOWNWARD, KUBECONFIG: kubeconfig });
      assert.partialDeepStrictEqual(await details(), {
        source: 'downward-api',
        fallbackReason: 'unreachable',
        pod: fallbackPod,
      });
    } finally {
      fs.rmSync(path.dirname(kubeconfig), { recursive: true, force: true });
    }
  });

  test('API faults under load: answered within the bound from the fallback, then from the API once it recovers', async () => {
    fake = await startFakeKubernetes('pod');
    const api = fake;
    service = await startService({
      ...DOWNWARD,
      KUBECONFIG: api.kubeconfig,
      POD_INFO_CACHE_SECONDS: '1',
      POD_INFO_TIMEOUT_MS: '300',
    });
    const seen: { mode: FakeMode; source: unknown; reason: unknown; ms: number }[] = [];
    let done = false;
    const client = async () => {
      while (!done) {
        const mode = api.mode;
        const started = performance.now();
        const body = await details();
        seen.push({ mode, source: body.source, reason: body.fallbackReason, ms: performance.now() - started });
        await sleep(20);
      }
    };
    const clients = Array.from({ length: 8 }, client);
    const faults: [FakeMode, string][] = [
      ['down', 'unreachable'],
      ['hang', 'timeout'],
      ['forbidden', 'forbidden'],
      ['huge-error', 'http-500'],
      ['garbage', 'error'],
      ['huge-pod', 'too-large'],
    ];
    for (const [mode] of faults) {
      api.mode = mode;
      await sleep(1300); // past the 1 s a result is kept, so every fault is asked
    }
    api.mode = 'pod';
    await sleep(1300);
    done = true;
    await Promise.all(clients);

    const slowest = Math.max(...seen.map(s => s.ms));
    assert.ok(slowest < 1000, `the slowest answer took ${slowest} ms`);
    for (const [mode, reason] of faults) {
      const reasons = seen.filter(s => s.mode === mode).map(s => s.reason);
      assert.ok(reasons.includes(reason), `${mode}: the reasons seen were ${JSON.stringify(reasons)}`);
    }
    assert.partialDeepStrictEqual(seen.at(-1), { source: 'kubernetes-api' });
  });
});
