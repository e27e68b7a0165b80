// The chart README's tables of values, as readme-generator-for-helm writes them from the `## @param` comments of
// the values files, and what each environment's values promise, read from the same files.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ENVS } from './chart';

/** The README's generated sections: the heading the generator replaces, and the values file it reads. */
const GENERATED = [
  { heading: 'Parameters', valuesFile: 'values.yaml' },
  ...ENVS.map(env => ({ heading: `Overrides in ${env}`, valuesFile: `values-${env}.yaml` })),
];

/**
 * Rewrites the generated sections of `readme` from the values files in `chartDir`. Throws with the generator's
 * own message when a value has no `## @param` comment or a comment names no value.
 */
export function generateTables(readme: string, chartDir: string): void {
  const packageDir = path.dirname(require.resolve('@bitnami/readme-generator-for-helm/package.json'));
  const defaults: unknown = JSON.parse(fs.readFileSync(path.join(packageDir, 'config.json'), 'utf8'));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chart-readme-'));
  try {
    for (const { heading, valuesFile } of GENERATED) {
      // The generator finds its section by the configured title; everything else is its default configuration.
      const config = path.join(scratch, `${valuesFile}.json`);
      fs.writeFileSync(config, JSON.stringify({ ...(defaults as object), regexp: { paramsSectionTitle: heading } }));
      const args = ['-v', path.join(chartDir, valuesFile), '-r', readme, '-c', config];
      try {
        execFileSync(process.execPath, [path.join(packageDir, 'bin', 'index.js'), ...args], { stdio: 'pipe' });
      } catch (error) {
        const { stdout = '', stderr = '' } = error as { stdout?: Buffer; stderr?: Buffer };
        const errors = `${stdout.toString()}${stderr.toString()}`
          .split('\n')
          .filter(line => line.startsWith('ERROR: '));
        throw new Error(`readme-generator-for-helm on ${valuesFile}:\n${errors.join('\n')}`, { cause: error });
      }
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The chart's README as the generator would write it from the chart's values files, without touching it. */
export function regeneratedReadme(chartDir: string): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chart-readme-'));
  try {
    const copy = path.join(scratch, 'README.md');
    fs.copyFileSync(path.join(chartDir, 'README.md'), copy);
    generateTables(copy, chartDir);
    return fs.readFileSync(copy, 'utf8');
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

export interface EnvironmentPromise {
  minPods: number;
  maxPods: number;
  /** Percent of the CPU request the autoscaler aims for; undefined without an autoscaler. */
  cpuTarget?: number;
  cpuRequest: string;
  memoryRequest: string;
  memoryLimit: string;
  /** maxUnavailable of the PodDisruptionBudget; undefined without one. */
  pdbMaxUnavailable?: number;
  spread: boolean;
}

/** The sizing an environment's values promise: `valueFiles` of `chartDir` merged in order, as Helm merges them. */
export function environmentPromise(chartDir: string, valueFiles: string[]): EnvironmentPromise {
  const values = valueFiles
    .map(file => parse(fs.readFileSync(path.join(chartDir, file), 'utf8')) as unknown)
    .reduce(merge, {}) as SizingValues;
  const { autoscaling, podDisruptionBudget, resources } = values;
  return {
    minPods: autoscaling.enabled ? autoscaling.minReplicas : values.replicaCount,
    maxPods: autoscaling.enabled ? autoscaling.maxReplicas : values.replicaCount,
    cpuTarget: autoscaling.enabled ? autoscaling.targetCPUUtilizationPercentage : undefined,
    cpuRequest: resources.requests.cpu,
    memoryRequest: resources.requests.memory,
    memoryLimit: resources.limits.memory,
    pdbMaxUnavailable: podDisruptionBudget.enabled ? podDisruptionBudget.maxUnavailable : undefined,
    spread: values.spreadAcrossNodes,
  };
}

/** The values the sizing reads, as values.schema.json types them. */
interface SizingValues {
  replicaCount: number;
  autoscaling: { enabled: boolean; minReplicas: number; maxReplicas: number; targetCPUUtilizationPercentage: number };
  podDisruptionBudget: { enabled: boolean; maxUnavailable: number };
  resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
  spreadAcrossNodes: boolean;
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Helm's merge of value files: maps merge key by key, anything else (lists too) is replaced. */
function merge(base: unknown, override: unknown): unknown {
  if (!isMap(base) || !isMap(override)) return override;
  return Object.fromEntries(
    [...new Set([...Object.keys(base), ...Object.keys(override)])].map(key => [
      key,
      key in override ? merge(base[key], override[key]) : base[key],
    ]),
  );
}
