// Graceful shutdown of the real process, signalled like the kubelet does.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, test } from 'node:test';
import { startFakeKubernetes, type FakeKubernetes } from './test-support/fake-kubernetes.ts';
import { request, sleep, startProcess, type Running } from './test-support/process.ts';

const main = fileURLToPath(new URL('main.ts', import.meta.url));

let running: Running | undefined;
let fake: FakeKubernetes | undefined;
afterEach(async () => {
  running?.child.kill('SIGKILL');
  await fake?.close();
  running = fake = undefined;
});

test('SIGTERM: readiness 503 while draining, in-flight request completes, new connections refused, exit 0', async () => {
  // A hanging API server makes /api/v1/details an in-flight request that lasts the 2.5 s timeout.
  fake = await startFakeKubernetes('hang');
  running = await startProcess({
    KUBECONFIG: fake.kubeconfig,
    POD_NAMESPACE: 'team-a',
    POD_INFO_TIMEOUT_MS: '2500',
    SHUTDOWN_DELAY_SECONDS: '1',
    SHUTDOWN_TIMEOUT_SECONDS: '10',
  });
  const { child, port, exited } = running;
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
  assert.equal((await request(port, '/api/v1/healthz', keepAlive)).status, 200);

  const inFlight = request(port, '/api/v1/details', keepAlive);
  await sleep(200);
  child.kill('SIGTERM');
  await sleep(200);

  const ready = await request(port, '/api/v1/readyz');
  assert.equal(ready.status, 503);
  assert.equal(ready.headers.connection, 'close');

  await sleep(1200); // past the drain delay: the server no longer accepts
  await assert.rejects(request(port, '/api/v1/healthz'), { code: 'ECONNREFUSED' });

  const answered = await inFlight;
  assert.equal(answered.status, 200);
  assert.equal(answered.headers.connection, 'close');
  assert.partialDeepStrictEqual(JSON.parse(answered.body), { fallbackReason: 'timeout' });
  assert.equal(await exited, 0);
  const messages = running.logs.map(line => line.message);
  for (const message of ['shutting down: readiness is now 503', 'stopped']) {
    assert.ok(messages.includes(message), `"${message}" is not among ${JSON.stringify(messages)}`);
  }
  keepAlive.destroy();
});

test('SIGTERM under load over kept-alive connections: no request fails through the drain, exit 0 in time', async () => {
  running = await startProcess({ SHUTDOWN_DELAY_SECONDS: '1', SHUTDOWN_TIMEOUT_SECONDS: '5' });
  const { child, port, exited } = running;
  const agent = new http.Agent({ keepAlive: true });
  const failed: string[] = [];
  let answered = 0;
  let done = false;
  // 16 clients, each a request every ~40 ms: about 400 requests a second. They stop 200 ms before the drain
  // delay ends, as traffic does once Kubernetes has taken the pod out of the Service's endpoints.
  const client = async () => {
    while (!done) {
      try {
        await request(port, '/api/v1/details', agent);
        answered++;
      } catch (error) {
        failed.push((error as NodeJS.ErrnoException).code ?? String(error));
      }
      await sleep(40);
    }
  };
  const clients = Array.from({ length: 16 }, client);
  await sleep(500);
  const signalled = Date.now();
  child.kill('SIGTERM');
  await sleep(800);
  done = true;
  await Promise.all(clients);
  const code = await exited;
  const took = Date.now() - signalled;
  agent.destroy();

  assert.deepEqual(failed, []);
  assert.ok(answered > 150, `${answered} answered`); // the load really ran (about 500 on an idle machine)
  assert.equal(code, 0);
  assert.ok(took < 6000, `exited after ${took} ms`); // the drain delay plus the in-flight timeout
});

test('a second signal exits at once', async () => {
  running = await startProcess({ SHUTDOWN_DELAY_SECONDS: '30' });
  const { child, exited, logs } = running;
  child.kill('SIGTERM');
  await sleep(300);
  const messages = logs.map(line => line.message);
  assert.ok(messages.includes('shutting down: readiness is now 503'), `the messages: ${JSON.stringify(messages)}`);
  const started = Date.now();
  child.kill('SIGTERM');
  assert.equal(await exited, 1);
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 1000, `exited after ${elapsed} ms`);
});

test('an invalid configuration stops the start with a clear JSON error', async () => {
  const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH, PORT: 'eighty' }, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise(resolve => {
    child.on('exit', resolve);
  });
  assert.equal(code, 1);
  const error = JSON.parse(stderr) as { problems: unknown[] };
  assert.partialDeepStrictEqual(error, {
    level: 'error',
    problems: ['PORT must be an integer from 0 to 65535, got "eighty"'],
  });
  assert.equal(error.problems.length, 1);
});
