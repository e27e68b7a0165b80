// Graceful shutdown of the real process, signalled like the kubelet does.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from '@jest/globals';
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
  expect((await request(port, '/api/v1/healthz', keepAlive)).status).toBe(200);

  const inFlight = request(port, '/api/v1/details', keepAlive);
  await sleep(200);
  child.kill('SIGTERM');
  await sleep(200);

  const ready = await request(port, '/api/v1/readyz');
  expect(ready.status).toBe(503);
  expect(ready.headers.connection).toBe('close');

  await sleep(1200); // past the drain delay: the server no longer accepts
  await expect(request(port, '/api/v1/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

  const answered = await inFlight;
  expect(answered.status).toBe(200);
  expect(answered.headers.connection).toBe('close');
  expect(JSON.parse(answered.body)).toMatchObject({ fallbackReason: 'timeout' });
  expect(await exited).toBe(0);
  expect(running.logs.map(line => line.message)).toEqual(
    expect.arrayContaining(['shutting down: readiness is now 503', 'stopped']),
  );
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

  expect(failed).toEqual([]);
  expect(answered).toBeGreaterThan(150); // the load really ran (about 500 on an idle machine)
  expect(code).toBe(0);
  expect(took).toBeLessThan(6000); // the drain delay plus the in-flight timeout
});

test('a second signal exits at once', async () => {
  running = await startProcess({ SHUTDOWN_DELAY_SECONDS: '30' });
  const { child, exited, logs } = running;
  child.kill('SIGTERM');
  await sleep(300);
  expect(logs.map(line => line.message)).toContain('shutting down: readiness is now 503');
  const started = Date.now();
  child.kill('SIGTERM');
  expect(await exited).toBe(1);
  expect(Date.now() - started).toBeLessThan(1000);
});

test('an invalid configuration stops the start with a clear JSON error', async () => {
  const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH, PORT: 'eighty' }, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise(resolve => {
    child.on('exit', resolve);
  });
  expect(code).toBe(1);
  expect(JSON.parse(stderr)).toMatchObject({
    level: 'error',
    problems: ['PORT must be an integer from 0 to 65535, got "eighty"'],
  });
});
