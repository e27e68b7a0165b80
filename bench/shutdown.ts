// npm run bench:shutdown — what a SIGTERM under heavy load loses. The generated service (prod variant, built)
// gets CLIENTS (64) clients sending back to back over kept-alive connections, then SIGTERM with a 1 s drain
// delay, for RUNS (5) shutdowns in two ways: the load stops 200 ms before the drain delay ends (as it does once
// Kubernetes has taken the pod out of its endpoints), or it goes on through the close. Every failure is
// counted by kind; a reset on a connection the client had just opened is one the kernel completed and Node had
// not accepted when the listening socket closed. Writes bench/results/shutdown.{md,json}.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeLoopbackPort } from '../packages/tooling/src/free-port';
import { answering } from './support/answering';
import { machine, pinToLoadCore, SERVER_CORE } from './support/measure';
import { writeResults } from './support/results';
import { runMain } from './support/run-main';
import { env, nodeVersion, withBuiltService } from './support/service-runtime';

const RUNS = Number(process.env.RUNS ?? 5);
const CLIENTS = Number(process.env.CLIENTS ?? 64);
const DRAIN_MS = 1000;

interface Run {
  mode: 'stops before close' | 'through the close';
  answered: number;
  refused: number;
  failed: Record<string, number>;
  exitCode: number | null;
  exitMs: number;
}

function get(port: number, agent: http.Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/api/v1/details', agent }, response => {
      response.resume();
      response.on('end', resolve);
      response.on('error', reject);
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      reject(Object.assign(error, { reused: request.reusedSocket }));
    });
  });
}

async function shutdownOnce(dir: string, mode: Run['mode']): Promise<Run> {
  const port = await freeLoopbackPort();
  const server = spawn('taskset', ['-c', SERVER_CORE, 'node', 'dist/main.js'], {
    cwd: dir,
    env: {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SHUTDOWN_DELAY_SECONDS: String(DRAIN_MS / 1000),
    },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>(resolve => server.on('exit', resolve));
  await answering(`http://127.0.0.1:${port}/api/v1/healthz`);
  const agent = new http.Agent({ keepAlive: true });
  const run: Run = { mode, answered: 0, refused: 0, failed: {}, exitCode: null, exitMs: 0 };
  let done = false;
  const client = async () => {
    while (!done) {
      try {
        await get(port, agent);
        run.answered++;
      } catch (error) {
        const { code, reused } = error as NodeJS.ErrnoException & { reused: boolean };
        if (code === 'ECONNREFUSED') {
          run.refused++;
          await sleep(5);
        } else {
          const kind = `${code ?? 'error'} on a ${reused ? 'reused' : 'new'} connection`;
          run.failed[kind] = (run.failed[kind] ?? 0) + 1;
        }
      }
    }
  };
  const clients = Array.from({ length: CLIENTS }, client);
  await sleep(1000);
  const signalled = Date.now();
  server.kill('SIGTERM');
  if (mode === 'stops before close') {
    await sleep(DRAIN_MS - 200);
    done = true;
  }
  run.exitCode = await exited;
  run.exitMs = Date.now() - signalled;
  done = true;
  await Promise.all(clients);
  agent.destroy();
  return run;
}

async function main() {
  pinToLoadCore();
  await withBuiltService(async ({ runtime: { dir } }) => {
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      for (const mode of ['stops before close', 'through the close'] as const) {
        const run = await shutdownOnce(dir, mode);
        console.log(JSON.stringify(run));
        runs.push(run);
      }
    }
    const lines = [
      `Shutdown under load, ${new Date().toISOString().slice(0, 10)}, ${machine()}, Node ${nodeVersion()}:`,
      `${CLIENTS} clients back to back over kept-alive connections, SIGTERM, ${DRAIN_MS} ms drain delay, ` +
        `${RUNS} shutdowns each way.`,
      '',
      '| Load | Answered | Refused after close | Failed | Exit code | Exit after |',
      '| --- | --: | --: | --- | --: | --: |',
      ...runs.map(
        r =>
          `| ${r.mode} | ${r.answered} | ${r.refused} | ${
            Object.entries(r.failed)
              .map(([k, n]) => `${n} ${k}`)
              .join(', ') || 'none'
          } | ${String(r.exitCode)} | ${r.exitMs} ms |`,
      ),
    ];
    const markdown = lines.join('\n');
    writeResults('shutdown', markdown, { clients: CLIENTS, drainMs: DRAIN_MS, runs });
    const lost = runs.filter(
      r => r.mode === 'stops before close' && (Object.keys(r.failed).length > 0 || r.exitCode !== 0),
    );
    if (lost.length > 0) throw new Error('a shutdown lost requests although the load stopped before the close');
  });
}

runMain(main);
