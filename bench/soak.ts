// npm run bench:soak — a minute of saturating load on the generated service as prod runs it (access log,
// metrics, tracing at the chart's ratio to a local OTLP sink, the Kubernetes client loaded against an API that
// refuses, asked once a second), over a mix of routes, errors and unparseable requests, with resident memory
// sampled every 5 s. The first half is warm-up (the heap grows to its working size); passes when RSS grows by
// at most 10% over the second half, with no errors and the service still answering: memory is bounded.
// SOAK_S (60) sets the length. Writes bench/results/soak.{md,json}.
import { spawn } from 'node:child_process';
import net from 'node:net';
import autocannon from 'autocannon';
import { freeLoopbackPort } from '../packages/tooling/src/free-port';
import { answering, answers } from './support/answering';
import { machine, pinToLoadCore, requireTwoCores, rssMb, SERVER_CORE } from './support/measure';
import { prodTracingEnv } from './support/otlp';
import { writeResults } from './support/results';
import { runMain } from './support/run-main';
import { env, nodeVersion, refusedKubeconfig, withBuiltService } from './support/service-runtime';

const SOAK_S = Number(process.env.SOAK_S ?? 60);
const SAMPLE_S = 5;
const BOUND = 1.1;

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
  requireTwoCores('bench:soak');
  pinToLoadCore();
  await withBuiltService(async ({ work, runtime, sinkUrl }) => {
    const port = await freeLoopbackPort();
    const tracing = prodTracingEnv(sinkUrl, runtime.samplingRatio);
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
    const { pid } = server;
    if (pid === undefined) throw new Error('the service did not start');
    await answering(`${url}/api/v1/healthz`);

    const samples: { s: number; rssMb: number }[] = [{ s: 0, rssMb: rssMb(pid) }];
    const started = Date.now();
    const sampler = setInterval(
      () => samples.push({ s: Math.round((Date.now() - started) / 1000), rssMb: rssMb(pid) }),
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
    const end = { s: SOAK_S, rssMb: rssMb(pid) };
    samples.push(end);
    const alive = await answers(`${url}/api/v1/healthz`);
    server.kill('SIGKILL');
    drain.kill('SIGKILL');

    const halfway = samples.find(s => s.s >= SOAK_S / 2) ?? samples[0];
    const peak = Math.max(...samples.map(s => s.rssMb));
    const growth = end.rssMb / halfway.rssMb;
    const pass = alive && growth <= BOUND && result.errors === 0;
    const json = {
      date: new Date().toISOString(),
      machine: machine(),
      node: nodeVersion(),
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
    const { statuses } = json;
    const row = [mb(samples[0].rssMb), mb(halfway.rssMb), mb(peak), mb(end.rssMb)].map(figure => `${figure} MB`);
    const markdown = [
      `Soak, ${json.date.slice(0, 10)}, ${json.machine}, Node ${json.node}: ${SOAK_S} s, ` +
        `${json.requests.toLocaleString('en')} requests (${json.requestsPerSecond.toLocaleString('en')}/s; ` +
        `2xx ${statuses['2xx']}, 4xx ${statuses['4xx']}, 5xx ${statuses['5xx']}, errors ${result.errors}) ` +
        `and ${malformed} unparseable.`,
      '',
      `| RSS at start | at ${halfway.s} s | peak | at the end | end / at ${halfway.s} s | bound | result |`,
      '| --- | --- | --- | --- | --- | --- | --- |',
      `| ${row.join(' | ')} | ${growth.toFixed(2)}x | ≤ ${BOUND}x | ${pass ? 'pass' : 'FAIL'} |`,
      '',
      `RSS every ${SAMPLE_S} s (MB): ${samples.map(s => mb(s.rssMb)).join(', ')}`,
    ].join('\n');
    writeResults('soak', markdown, json);
    if (!pass) throw new Error('the soak failed: see the table');
  });
}

runMain(main);
