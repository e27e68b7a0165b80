// npm run bench:service — the generated service (short-dev, built, production dependencies only, Node 24)
// against a bare node:http server on the same Node (the baseline), RUNS times each:
//   start   ms from spawning the process to the first 200 on /api/v1/healthz (polled every 5 ms)
//   RSS     resident memory after one /api/v1/details call and IDLE_S seconds idle (/proc/PID/status)
// The service runs outside a cluster (no kubeconfig), and with KUBECONFIG pointing at a refused port, which
// loads the Kubernetes client as in a cluster. Medians, and ratios to the baseline.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeLoopbackPort } from '../tools/free-port';
import { node24Env, run } from '../test/support/node24';
import { renderedVariants } from '../test/support/rendered';

const RUNS = Number(process.env.RUNS ?? 5);
const IDLE_S = Number(process.env.IDLE_S ?? 5);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'koa-service-bench-'));
const env = node24Env();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function must(command: string, args: string[], cwd: string) {
  const result = await run(command, args, cwd, env);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.output}`);
}

/** Builds the service and returns a directory holding what the image's runtime stage holds. */
async function buildRuntime(): Promise<string> {
  const variant = (await renderedVariants()).find(v => v.id === 'short-dev')!;
  const repo = path.join(work, 'repo');
  const runtime = path.join(work, 'runtime');
  fs.cpSync(variant.dir, repo, { recursive: true });
  await must('npm', ['ci', '--no-audit', '--no-fund'], repo);
  await must('npm', ['run', 'build'], repo);
  fs.mkdirSync(runtime);
  for (const file of ['package.json', 'package-lock.json', '.npmrc']) fs.copyFileSync(path.join(repo, file), path.join(runtime, file));
  await must('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], runtime);
  fs.cpSync(path.join(repo, 'dist'), path.join(runtime, 'dist'), { recursive: true });
  fs.writeFileSync(
    path.join(runtime, 'baseline.mjs'),
    `import http from 'node:http';
http.createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end('{"status":"ok"}'); })
  .listen(Number(process.env.PORT), '127.0.0.1');`,
  );
  fs.writeFileSync(
    path.join(work, 'refused-kubeconfig'),
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'http://127.0.0.1:9'}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: bench}}]\ncurrent-context: x\n`,
  );
  return runtime;
}

async function measureOnce(runtime: string, script: string, extraEnv: Record<string, string>) {
  const port = await freeLoopbackPort();
  const started = process.hrtime.bigint();
  const child = spawn('node', [script], {
    cwd: runtime,
    env: { ...env, ...extraEnv, PORT: String(port), HOST: '127.0.0.1', POD_NAME: 'bench-pod', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (;;) {
      const ok = await fetch(`${base}/api/v1/healthz`).then(r => r.status === 200, () => false);
      if (ok) break;
      if (Number(process.hrtime.bigint() - started) > 20e9) throw new Error(`${script} did not answer within 20 s`);
      await sleep(5);
    }
    const startMs = Number(process.hrtime.bigint() - started) / 1e6;
    await fetch(`${base}/api/v1/details`).then(r => r.text());
    await sleep(IDLE_S * 1000);
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rssMb = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
    return { startMs, rssMb };
  } finally {
    child.kill('SIGKILL');
  }
}

async function main() {
  const runtime = await buildRuntime();
  const cases: [string, string, Record<string, string>][] = [
    ['baseline (node:http)', 'baseline.mjs', {}],
    ['service, outside a cluster', 'dist/main.js', {}],
    ['service, Kubernetes client loaded', 'dist/main.js', { KUBECONFIG: path.join(work, 'refused-kubeconfig') }],
  ];
  const results = [];
  for (const [label, script, extra] of cases) {
    const samples = [];
    for (let i = 0; i < RUNS; i++) samples.push(await measureOnce(runtime, script, extra));
    results.push({ label, start: median(samples.map(s => s.startMs)), rss: median(samples.map(s => s.rssMb)), samples });
  }
  const [baseline] = results;
  console.log(`Node ${(await run('node', ['--version'], runtime, env)).output.trim()}, ${RUNS} runs each, medians`);
  for (const r of results) {
    console.log(
      `${r.label.padEnd(36)} first 200 ${r.start.toFixed(0).padStart(5)} ms (${(r.start / baseline.start).toFixed(1)}x)` +
        `   idle RSS ${r.rss.toFixed(0).padStart(4)} MB (${(r.rss / baseline.rss).toFixed(1)}x)` +
        `   runs: ${r.samples.map(s => s.startMs.toFixed(0)).join('/')} ms`,
    );
  }
}

main()
  .then(
    () => 0,
    error => {
      console.error(error);
      return 1;
    },
  )
  .then(code => {
    fs.rmSync(work, { recursive: true, force: true });
    process.exit(code);
  });
