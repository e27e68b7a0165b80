// npm run bench:frameworks — CPU cost per request of the same JSON endpoint in bare node:http (the
// baseline), Koa 3 + @koa/router, Express 5 and Fastify 5. Each server runs pinned to core 0, autocannon
// to core 1, both on loopback; the server's own CPU time (utime + stime from /proc/PID/stat) over a
// saturating load is divided by the requests it answered. Reported as µs per request and ratio to baseline.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freeLoopbackPort } from '../packages/tooling/src/free-port';
import { SERVER_CORE, cpuSeconds, saturate as load } from './support/measure';

const DURATION_S = Number(process.env.DURATION ?? 5);
const FRAMEWORKS = ['http', 'koa', 'express', 'fastify'];

async function measure(name: string) {
  const port = await freeLoopbackPort();
  const server: ChildProcess = spawn(
    'taskset',
    ['-c', SERVER_CORE, process.execPath, path.join(__dirname, 'framework-servers.mjs'), name, String(port)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise(resolve => server.stdout!.once('data', resolve));
  try {
    const url = `http://127.0.0.1:${port}/api/v1/healthz`;
    load(url, 2); // warm-up: JIT and connection set-up out of the measurement
    const before = cpuSeconds(server.pid!);
    const requests = load(url, DURATION_S);
    const cpu = cpuSeconds(server.pid!) - before;
    return { name, requests, perSecond: requests / DURATION_S, cpuMicros: (cpu * 1e6) / requests };
  } finally {
    server.kill('SIGTERM');
  }
}

async function main() {
  const results = [];
  for (const name of FRAMEWORKS) results.push(await measure(name));
  const baseline = results[0].cpuMicros;
  console.log(`${'framework'.padEnd(10)} ${'req/s'.padStart(8)} ${'CPU µs/req'.padStart(11)} ${'ratio'.padStart(6)}`);
  for (const r of results) {
    console.log(
      `${r.name.padEnd(10)} ${r.perSecond.toFixed(0).padStart(8)} ${r.cpuMicros.toFixed(1).padStart(11)} ${(r.cpuMicros / baseline).toFixed(2).padStart(6)}`,
    );
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
