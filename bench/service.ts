// npm run bench:service — the generated service at production cost, side by side with its baselines in one
// run: bare node:http returning the same JSON, and the Flask ancestor on Debian's gunicorn. Rounds alternate
// the subjects; each runs pinned to core 0 with the load on core 1, and its CPU is read from /proc.
// The server's stdout is a pipe drained by `cat` on the load core, as a container runtime drains it.
// ROUNDS (3), SATURATE_S (5), PACED_S (10), IDLE_S (5) tune it; ONLY=id,id runs some subjects alone (for
// tuning; the table needs them all). Writes bench/results/service.{md,json}.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeLoopbackPort } from '../packages/tooling/src/free-port';
import { answering } from './support/answering';
import { LOAD_CORE, SERVER_CORE, cpuSeconds, paced, requireTwoCores, rssMb, saturate } from './support/measure';
import { prodTracingEnv } from './support/otlp';
import { writeResults } from './support/results';
import { runMain } from './support/run-main';
import { report, type Sample, type Subject } from './support/service-report';
import { PYTHON, ensureFlask, env, nodeVersion, refusedKubeconfig, withBuiltService } from './support/service-runtime';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SATURATE_S = Number(process.env.SATURATE_S ?? 5);
const PACED_S = Number(process.env.PACED_S ?? 10);
const IDLE_S = Number(process.env.IDLE_S ?? 5);
const support = path.join(__dirname, 'support');

function subjects(work: string, samplingRatio: number | undefined, sink: string): Subject[] {
  const prodTracing = prodTracingEnv(sink, samplingRatio);
  const service = (extra: Record<string, string>, preload: string[] = []) => ({
    argv: ['node', ...preload, 'dist/main.js'],
    env: { LOG_LEVEL: 'info', ...extra },
  });
  const all = ['start', 'cpu', 'paced'] as const;
  return [
    {
      id: 'node-http',
      label: 'bare node:http',
      argv: ['node', path.join(support, 'bare-http.mjs')],
      env: {},
      measures: all,
    },
    {
      id: 'flask',
      label: 'Flask ancestor (gunicorn, 1 sync worker)',
      argv: [
        PYTHON,
        '/usr/bin/gunicorn',
        '--chdir',
        support,
        '--workers',
        '1',
        '--bind',
        '127.0.0.1:$PORT',
        'flask_app:app',
      ],
      env: {},
      // One sync worker serves one connection at a time and closes it; 32 waiting connections time out.
      connections: 4,
      measures: all,
    },
    { id: 'service', label: 'service as prod runs it', ...service(prodTracing), measures: all },
    {
      id: 'no-access-log',
      label: 'access log off',
      ...service({ ...prodTracing, LOG_LEVEL: 'warn' }),
      measures: ['cpu'],
    },
    {
      id: 'no-metrics',
      label: 'request metrics off',
      ...service(prodTracing, ['--import', path.join(support, 'no-metrics.mjs')]),
      measures: ['cpu'],
    },
    // Started and sized too: what the OpenTelemetry SDK adds to the start and to idle memory.
    { id: 'no-tracing', label: 'tracing off', ...service({}), measures: ['cpu', 'start'] },
    {
      id: 'unsampled',
      label: 'tracing on, nothing sampled',
      ...service({ OTEL_EXPORTER_OTLP_ENDPOINT: sink, OTEL_TRACES_SAMPLER: 'always_off' }),
      measures: ['cpu'],
    },
    {
      id: 'sampled',
      label: 'tracing on, every request sampled',
      ...service({ OTEL_EXPORTER_OTLP_ENDPOINT: sink, OTEL_TRACES_SAMPLER: 'always_on' }),
      measures: ['cpu'],
    },
    {
      id: 'in-cluster',
      label: 'service with the Kubernetes client loaded',
      ...service({ ...prodTracing, KUBECONFIG: refusedKubeconfig(work) }),
      measures: ['start'],
    },
  ];
}

function startProcess(subject: Subject, cwd: string, port: number): { pid: number; stop: () => void } {
  const argv = subject.argv.map(arg => arg.replace('$PORT', String(port)));
  const drain = spawn('taskset', ['-c', LOAD_CORE, 'cat'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const server = spawn('taskset', ['-c', SERVER_CORE, ...argv], {
    cwd,
    env: { ...env, ...subject.env, PORT: String(port), HOST: '127.0.0.1', POD_NAME: 'bench-pod' },
    stdio: ['ignore', drain.stdin, 'ignore'],
  });
  const stop = () => {
    server.kill('SIGKILL');
    drain.kill('SIGKILL');
  };
  if (server.pid === undefined) {
    stop();
    throw new Error(`${subject.id} did not start`);
  }
  return { pid: server.pid, stop };
}

async function measure(subject: Subject, cwd: string): Promise<Sample> {
  const port = await freeLoopbackPort();
  const base = `http://127.0.0.1:${port}`;
  const started = process.hrtime.bigint();
  const { pid, stop } = startProcess(subject, cwd, port);
  const sample: Sample = {};
  try {
    await answering(`${base}/api/v1/healthz`, { pollMs: 5 });
    sample.firstOkMs = Number(process.hrtime.bigint() - started) / 1e6;
    const details = `${base}/api/v1/details`;
    if (!(await fetch(details)).ok) throw new Error(`${subject.id}: /api/v1/details failed`);
    if (subject.measures.includes('start')) {
      await sleep(IDLE_S * 1000);
      sample.idleRssMb = rssMb(pid);
    }
    if (subject.measures.includes('cpu')) {
      saturate(details, 2, subject.connections); // warm-up: JIT and connections out of the measurement
      const before = cpuSeconds(pid);
      const requests = saturate(details, SATURATE_S, subject.connections);
      sample.cpuMicrosPerRequest = ((cpuSeconds(pid) - before) * 1e6) / requests;
      sample.requestsPerSecond = requests / SATURATE_S;
    }
    if (subject.measures.includes('paced')) {
      const before = cpuSeconds(pid);
      const at = process.hrtime.bigint();
      const slow = paced(details, 100, PACED_S);
      sample.millicoresAt100 = ((cpuSeconds(pid) - before) * 1e3) / (Number(process.hrtime.bigint() - at) / 1e9);
      const fast = paced(details, 1000, PACED_S);
      if (slow.errors || fast.errors)
        throw new Error(`${subject.id}: ${slow.errors + fast.errors} paced requests failed`);
      Object.assign(sample, { p50At1000: fast.p50, p99At1000: fast.p99, rssAfterLoadMb: rssMb(pid) });
    }
    return sample;
  } finally {
    stop();
  }
}

async function main() {
  requireTwoCores('bench:service');
  ensureFlask();
  await withBuiltService(async ({ work, runtime, sinkUrl }) => {
    const only = process.env.ONLY?.split(',');
    const list = subjects(work, runtime.samplingRatio, sinkUrl).filter(s => !only || only.includes(s.id));
    const samples = new Map<string, Sample[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const subject of list) {
        process.stdout.write(`round ${round}/${ROUNDS}: ${subject.label}...`);
        const sample = await measure(subject, runtime.dir);
        samples.set(subject.id, [...(samples.get(subject.id) ?? []), sample]);
        console.log(` ${sample.cpuMicrosPerRequest?.toFixed(1) ?? '-'} µs/req`);
      }
    }
    const versions = {
      node: nodeVersion(),
      python: spawnSync(PYTHON, ['--version'], { encoding: 'utf8' }).stdout.trim(),
      gunicorn: spawnSync(PYTHON, ['/usr/bin/gunicorn', '--version'], { encoding: 'utf8' }).stdout.trim(),
    };
    if (only) return;
    const { markdown, json } = report({
      subjects: list,
      samples,
      versions,
      samplingRatio: runtime.samplingRatio,
      rounds: ROUNDS,
    });
    writeResults('service', markdown, json);
  });
}

runMain(main);
