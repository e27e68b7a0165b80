// What the chart's README promises, read back so the checks hold the chart to it.
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';

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

const cells = (line: string) =>
  line
    .split('|')
    .slice(1, -1)
    .map(cell => cell.trim());

/** The Environments table: `| dev | 1 | none | 50m | 128Mi | 256Mi | none | no |`. */
export function environmentPromise(chartDir: string, env: string): EnvironmentPromise {
  const line = readme(chartDir)
    .split('\n')
    .find(l => l.startsWith(`| ${env} |`));
  if (!line) throw new Error(`the chart README has no Environments row for ${env}`);
  const [, pods, target, cpuRequest, memoryRequest, memoryLimit, pdb, spread] = cells(line);
  const [minPods, maxPods = minPods] = pods.split(' to ').map(Number);
  return {
    minPods,
    maxPods,
    cpuTarget: target === 'none' ? undefined : Number(target.replace('%', '')),
    cpuRequest,
    memoryRequest,
    memoryLimit,
    pdbMaxUnavailable: pdb === 'none' ? undefined : Number(/^maxUnavailable (\d+)$/.exec(pdb)?.[1]),
    spread: spread === 'yes',
  };
}

/** Keys in the Values table: rows that start with a `key` in backquotes. */
export function documentedValues(chartDir: string): string[] {
  return readme(chartDir)
    .split('\n')
    .flatMap(line => /^\| `([A-Za-z0-9.]+)` \|/.exec(line)?.[1] ?? []);
}

function readme(chartDir: string): string {
  return fs.readFileSync(path.join(chartDir, 'README.md'), 'utf8');
}

/** Defaults in the Values table that are a literal (`` `0.1` ``, not prose): key and the literal, read as YAML. */
function documentedDefaults(chartDir: string): { key: string; value: unknown }[] {
  return readme(chartDir)
    .split('\n')
    .flatMap(line => {
      const match = /^\| `([A-Za-z0-9.]+)` \| `([^`]*)`/.exec(line);
      return match ? [{ key: match[1], value: parse(match[2]) as unknown }] : [];
    });
}

/** values.yaml keys the Values table misses, table rows values.yaml does not have, and defaults it contradicts. */
export function valuesDocumentation(chartDir: string, values: unknown) {
  const documented = documentedValues(chartDir);
  const leaves = leafPaths(values);
  const covers = (key: string, leaf: string) => leaf === key || leaf.startsWith(`${key}.`);
  const at = (key: string) =>
    key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], values);
  return {
    undocumented: leaves.filter(leaf => !documented.some(key => covers(key, leaf))),
    unknown: documented.filter(key => !leaves.some(leaf => covers(key, leaf))),
    wrongDefaults: documentedDefaults(chartDir)
      .filter(({ key, value }) => !isDeepStrictEqual(at(key), value))
      .map(
        ({ key, value }) =>
          `${key}: the README says ${JSON.stringify(value)}, values.yaml has ${JSON.stringify(at(key))}`,
      ),
  };
}

function leafPaths(value: unknown, prefix = ''): string[] {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}
