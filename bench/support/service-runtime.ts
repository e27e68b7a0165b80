// The generated service as its image runs it: rendered through the real scaffolder (the prod variant of the
// render matrix), built, then copied with production dependencies only.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { node24Env, run } from '../../test/support/service/node24';
import { renderedVariants, type VariantId } from '../../test/support/backstage/rendered';
import { startOtlpSink } from './otlp';

export const env = node24Env();

/** The version of the Node the service runs on. */
export const nodeVersion = () => spawnSync('node', ['--version'], { env, encoding: 'utf8' }).stdout.trim();

async function must(command: string, args: string[], cwd: string) {
  const result = await run(command, args, cwd, env);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.output}`);
}

export interface Runtime {
  dir: string;
  /** The chart's trace sampling ratio for the variant's environment (tracing.samplingRatio), when it has one. */
  samplingRatio: number | undefined;
}

/**
 * Runs BENCH against the generated service, rendered and built in a temporary directory WORK, with a local OTLP
 * sink for its traces at SINK_URL; stops the sink and removes the directory afterwards.
 */
export async function withBuiltService(
  bench: (setup: { work: string; runtime: Runtime; sinkUrl: string }) => Promise<void>,
): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'koa-service-bench-'));
  const sink = await startOtlpSink();
  try {
    console.log('Rendering and building the service (prod variant)...');
    await bench({ work, runtime: await buildRuntime(work), sinkUrl: sink.url });
  } finally {
    sink.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Builds the service in WORK and returns a directory holding what the image's runtime stage holds. */
async function buildRuntime(work: string, variantId: VariantId = 'short-prod'): Promise<Runtime> {
  const variant = (await renderedVariants()).find(v => v.id === variantId);
  if (!variant) throw new Error(`no rendered variant ${variantId}`);
  const repo = path.join(work, 'repo');
  const dir = path.join(work, 'runtime');
  fs.cpSync(variant.dir, repo, { recursive: true });
  await must('npm', ['ci', '--no-audit', '--no-fund'], repo);
  await must('npm', ['run', 'build'], repo);
  fs.mkdirSync(dir);
  for (const file of ['package.json', 'package-lock.json', '.npmrc'])
    fs.copyFileSync(path.join(repo, file), path.join(dir, file));
  await must('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], dir);
  fs.cpSync(path.join(repo, 'dist'), path.join(dir, 'dist'), { recursive: true });
  const chart = path.join(repo, 'charts', variant.app_name);
  const samplingRatio = (file: string) =>
    (parseYaml(fs.readFileSync(path.join(chart, file), 'utf8')) as ChartValues).tracing?.samplingRatio;
  return { dir, samplingRatio: samplingRatio(`values-${variant.app_env}.yaml`) ?? samplingRatio('values.yaml') };
}

/** The part of the chart's values the benchmarks read. */
interface ChartValues {
  tracing?: { samplingRatio?: number };
}

/** A kubeconfig whose API server refuses connections: the service loads the Kubernetes client as in a cluster. */
export function refusedKubeconfig(work: string): string {
  const file = path.join(work, 'refused-kubeconfig');
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'http://127.0.0.1:9' } }],
    users: [{ name: 'u', user: { token: 't' } }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'bench' } }],
    'current-context': 'x',
  };
  fs.writeFileSync(file, stringifyYaml(kubeconfig));
  return file;
}

export const PYTHON = '/usr/bin/python3';

/** Debian's Flask and gunicorn for the ancestor baseline, installed when missing and allowed (root with apt). */
export function ensureFlask(): void {
  const has = () => spawnSync(PYTHON, ['-c', 'import flask, gunicorn'], { stdio: 'ignore' }).status === 0;
  if (has()) return;
  const install = ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'python3-flask', 'gunicorn'];
  if (process.getuid?.() === 0) {
    console.log(`Installing the Flask baseline: ${install.join(' ')}`);
    spawnSync(install[0], install.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  if (!has()) throw new Error(`The Flask baseline needs Debian's Flask and gunicorn: ${install.join(' ')}`);
}
