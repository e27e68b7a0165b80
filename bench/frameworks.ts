// npm run bench:frameworks — CPU cost per request of the same JSON endpoint in bare node:http (the
// baseline), Koa 3 + @koa/router, Express 5 and Fastify 5. Each server runs pinned to core 0, autocannon
// to core 1, both on loopback; the server's own CPU time (utime + stime from /proc/PID/stat) over a
// saturating load is divided by the requests it answered. Reported as µs per request and ratio to baseline.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { freeLoopbackPort } from '../packages/tooling/src/free-port';
import { SERVER_CORE, cpuSeconds, saturate as load } from './support/measure';
import { runMain } from './support/run-main';

const DURATION_S = Number(process.env.DURATION ?? 5);
const FRAMEWORKS = ['http', 'koa', 'express', 'fastify'];

async function measure(name: string) {
  const port = await freeLoopbackPort();
  const server = spawn(
    'taskset',
    ['-c', SERVER_CORE, process.execPath, path.join(__dirname, 'framework-servers.mjs'), name, String(port)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    // The server writes a line once it listens.
    await once(server.stdout, 'data');
    const { pid } = server;
    if (pid === undefined) throw new Error(`the ${name} server did not start`);
    const url = `http://127.0.0.1:${port}/api/v1/healthz`;
    load(url, 2); // warm-up: JIT and connection set-up out of the measurement
    const before = cpuSeconds(pid);
    const requests = load(url, DURATION_S);
    const cpu = cpuSeconds(pid) - before;
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
    const columns = [r.perSecond.toFixed(0).padStart(8), r.cpuMicros.toFixed(1).padStart(11)];
    console.log(`${r.name.padEnd(10)} ${columns.join(' ')} ${(r.cpuMicros / baseline).toFixed(2).padStart(6)}`);
  }
}

runMain(main);
