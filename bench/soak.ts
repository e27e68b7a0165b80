// npm run bench:soak — a minute of saturating load on the generated service as prod runs it (access log,
// metrics, tracing at the chart's ratio to a local OTLP sink, the Kubernetes client loaded against an API that
// refuses, asked once a second), over a mix of routes, errors and unparseable requests, with resident memory
// sampled every 5 s. The first half is warm-up (the heap grows to its working size); passes when RSS grows by
// at most 10% over the second half, with no errors and the service still answering: memory is bounded.
// SOAK_S (60) sets the length. Writes bench/results/soak.{md,json}.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { freeLoopbackPort } from '../packages/tooling/src/free-port';
import { LOAD_CORE, SERVER_CORE, rssMb } from './support/measure';
import { buildRuntime, env, refusedKubeconfig } from './support/service-runtime';
import { prodTracingEnv, startOtlpSink } from './support/otlp';
import { runMain } from './support/run-main';

const SOAK_S = Number(process.env.SOAK_S ?? 60);
const SAMPLE_S = 5;
const BOUND = 1.1;
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

const MIX = [
  { method: 'GET', path: '/api/v1/details' },
  { method: 'GET', path: '/api/v1/healthz' },
  { method: 'GET', path: '/no/such/route' },
  { method: 'DELETE', path: '/api/v1/details' },
  {
    method: 'GET',
    path: '/api/v1/details',
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  },
] as const;

async function main() {
  if (os.cpus().length < 2) throw new Error('bench:soak needs two cores: the server on one, the load on the other');
  spawnSync('taskset', ['-cp', LOAD_CORE, String(process.pid)], { stdio: 'ignore' });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'koa-service-soak-'));
  const sink = await startOtlpSink();
  try {
    console.log('Rendering and building the service (prod variant)...');
    const runtime = await buildRuntime(work);
    const port = await freeLoopbackPort();
    const tracing = prodTracingEnv(sink.url, runtime.samplingRatio);
    const drain = spawn('cat', { stdio: ['pipe', 'ignore', 'ignore'] });
    const server = spawn('taskset', ['-c', SERVER_CORE, 'node', 'dist/main.js'], {
      cwd: runtime.dir,
      env: {
        ...env,
        ...tracing,
        LOG_LEVEL: 'info',
        PORT: String(port),
        HOST: '127.0.0.1',
        POD_NAME: 'soak-pod',
        KUBECONFIG: refusedKubeconfig(work),
        POD_INFO_CACHE_SECONDS: '1',
      },
      stdio: ['ignore', drain.stdin, 'ignore'],
    });
    const url = `http://127.0.0.1:${port}`;
    while (
      !(await fetch(`${url}/api/v1/healthz`).then(
        r => r.ok,
        () => false,
      ))
    )
      await sleep(20);

    const samples: { s: number; rssMb: number }[] = [{ s: 0, rssMb: rssMb(server.pid!) }];
    const started = Date.now();
    const sampler = setInterval(
      () => samples.push({ s: Math.round((Date.now() - started) / 1000), rssMb: rssMb(server.pid!) }),
      SAMPLE_S * 1000,
    );
    let malformed = 0;
    const trickle = setInterval(() => {
      const socket = net.connect(port, '127.0.0.1', () =>
        socket.end('GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n'),
      );
      socket.on('error', () => undefined).resume();
      malformed++;
    }, 100);
    const result = await autocannon({ url, connections: 32, duration: SOAK_S, requests: MIX.map(r => ({ ...r })) });
    clearInterval(sampler);
    clearInterval(trickle);
    samples.push({ s: SOAK_S, rssMb: rssMb(server.pid!) });
    const alive = await fetch(`${url}/api/v1/healthz`).then(
      r => r.ok,
      () => false,
    );
    server.kill('SIGKILL');
    drain.kill('SIGKILL');

    const halfway = samples.find(s => s.s >= SOAK_S / 2) ?? samples[0];
    const end = samples.at(-1)!;
    const peak = Math.max(...samples.map(s => s.rssMb));
    const growth = end.rssMb / halfway.rssMb;
    const pass = alive && growth <= BOUND && result.errors === 0;
    const json = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0].model}`,
      node: spawnSync('node', ['--version'], { env, encoding: 'utf8' }).stdout.trim(),
      seconds: SOAK_S,
      requests: result.requests.total,
      requestsPerSecond: Math.round(result.requests.average),
      malformed,
      errors: result.errors,
      statuses: { '2xx': result['2xx'], '4xx': result['4xx'], '5xx': result['5xx'] },
      rssMb: { start: samples[0].rssMb, halfway: halfway.rssMb, peak, end: end.rssMb },
      growth,
      bound: BOUND,
      aliveAfter: alive,
      pass,
      samples,
    };
    const mb = (n: number) => n.toFixed(0);
    const markdown = [
      `Soak, ${json.date.slice(0, 10)}, ${json.machine}, Node ${json.node}: ${SOAK_S} s, ${json.requests.toLocaleString('en')} requests`,
      `(${json.requestsPerSecond.toLocaleString('en')}/s; 2xx ${result['2xx']}, 4xx ${result['4xx']}, 5xx ${result['5xx']}, errors ${result.errors}) and ${malformed} unparseable.`,
      '',
      `| RSS at start | at ${String(halfway.s)} s | peak | at the end | end / at ${String(halfway.s)} s | bound | result |`,
      '| --- | --- | --- | --- | --- | --- | --- |',
      `| ${mb(samples[0].rssMb)} MB | ${mb(halfway.rssMb)} MB | ${mb(peak)} MB | ${mb(end.rssMb)} MB | ${growth.toFixed(2)}x | ≤ ${BOUND}x | ${pass ? 'pass' : 'FAIL'} |`,
      '',
      `RSS every ${SAMPLE_S} s (MB): ${samples.map(s => mb(s.rssMb)).join(', ')}`,
    ].join('\n');
    console.log(`\n${markdown}`);
    const results = path.join(__dirname, 'results');
    fs.mkdirSync(results, { recursive: true });
    fs.writeFileSync(path.join(results, 'soak.md'), `${markdown}\n`);
    fs.writeFileSync(path.join(results, 'soak.json'), `${JSON.stringify(json, null, 2)}\n`);
    if (!pass) throw new Error('the soak failed: see the table');
  } finally {
    sink.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

runMain(main);
