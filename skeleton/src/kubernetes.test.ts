// The pod read against a local server speaking the Kubernetes API: one kept-alive connection, a size limit,
// and a reason for every way the API can fail.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { createPodReader, MAX_POD_BYTES, PodReadError, type PodReader } from './kubernetes.ts';
import { startFakeKubernetes, type FakeKubernetes, type FakeMode } from './test-support/fake-kubernetes.ts';

let fake: FakeKubernetes | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function readerFor(mode: FakeMode): Promise<PodReader> {
  fake = await startFakeKubernetes(mode);
  const reader = createPodReader({ kubeconfig: fake.kubeconfig, inCluster: false });
  if (!reader) throw new Error('a kubeconfig must give a reader');
  return reader;
}

const read = (reader: PodReader) => reader('ab-1', 'team-a', new AbortController().signal);

async function failure(reader: PodReader): Promise<PodReadError> {
  const error: unknown = await read(reader).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof PodReadError)) throw new Error(`expected a PodReadError, got ${String(error)}`);
  return error;
}

test('reads again over the same connection', async () => {
  const reader = await readerFor('pod');
  for (let i = 0; i < 5; i++) assert.equal((await read(reader)).nodeName, 'worker-3');
  assert.ok(fake);
  assert.equal(fake.requests.length, 5);
  assert.equal(fake.connections, 1);
});

test('a kept-alive connection the server dropped is retried once on a new one', async () => {
  const reader = await readerFor('one-per-connection');
  for (let i = 0; i < 3; i++) assert.equal((await read(reader)).nodeName, 'worker-3');
  assert.equal(fake?.connections, 3);
});

test(`refuses an answer over ${String(MAX_POD_BYTES)} bytes without reading it all`, async () => {
  const reader = await readerFor('huge-pod');
  const started = Date.now();
  const error = await failure(reader);
  assert.equal(error.reason, 'too-large');
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 1000, `refused after ${elapsed} ms`);
});

const failures: [FakeMode, string, RegExp][] = [
  ['forbidden', 'forbidden', /^HTTP 403: \{"kind":"Status"/],
  ['huge-error', 'http-500', /^HTTP 500: \{"kind":"Status","message":"xxx/],
  ['garbage', 'error', /JSON/],
];
for (const [mode, reason, detail] of failures) {
  test(`${mode}: fails with reason ${reason} and a short detail`, async () => {
    const error = await failure(await readerFor(mode));
    assert.equal(error.reason, reason);
    assert.match(error.detail, detail);
    assert.ok(error.detail.length <= 301, `the detail is ${error.detail.length} characters long`);
  });
}

test('aborted: fails with reason timeout', async () => {
  const reader = await readerFor('hang');
  const controller = new AbortController();
  setTimeout(() => {
    controller.abort();
  }, 50);
  const error: unknown = await reader('ab-1', 'team-a', controller.signal).catch((e: unknown) => e);
  assert.ok(error instanceof PodReadError, `expected a PodReadError, got ${String(error)}`);
  assert.equal(error.reason, 'timeout');
});
