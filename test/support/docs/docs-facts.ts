// What a generated repository's TechDocs state, read back so docs-facts.test.ts can hold each fact against the
// rendered chart and the service's source. Each reader fails loudly when the docs lose the part it reads.
import fs from 'node:fs';
import path from 'node:path';
import type { EnvironmentPromise } from '../chart/chart-readme';

/** Every page of docs/, by path relative to docs/ (chart.md only includes the chart README, checked elsewhere). */
export function readDocs(repoDir: string): Record<string, string> {
  const docsDir = path.join(repoDir, 'docs');
  return Object.fromEntries(
    fs
      .readdirSync(docsDir, { recursive: true, encoding: 'utf8' })
      .filter(file => file.endsWith('.md') && file !== 'chart.md')
      .map(file => [file, fs.readFileSync(path.join(docsDir, file), 'utf8')]),
  );
}

/** The text under a heading, up to the next heading of the same or a higher level. */
export function section(page: string, heading: string): string {
  const lines = page.split('\n');
  const start = lines.findIndex(line => /^#+ /.test(line) && line.replace(/^#+ /, '') === heading);
  if (start < 0) throw new Error(`no "${heading}" heading`);
  const level = lines[start].indexOf(' ');
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && line.indexOf(' ') <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The cells of the first table in a text, header row first, the |---| row dropped. */
export function table(text: string): string[][] {
  const rows = text.split('\n').filter(line => line.startsWith('|'));
  if (rows.length === 0) throw new Error('no table');
  const first = text.split('\n').findIndex(line => line.startsWith('|'));
  const block = text.split('\n').slice(first);
  const end = block.findIndex(line => !line.startsWith('|'));
  return block
    .slice(0, end < 0 ? undefined : end)
    .filter(line => !/^\|\s*-/.test(line))
    .map(line =>
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map(cell => cell.trim()),
    );
}

/** Rows of a table keyed by their first cell. */
export function rowsByLabel(text: string): Record<string, string[]> {
  return Object.fromEntries(
    table(text)
      .slice(1)
      .map(([label, ...cells]) => [label.replace(/`/g, ''), cells]),
  );
}

const unquote = (cell: string) => cell.replace(/`/g, '');

/** The Scaling table of system-design.md, in the shape of the chart README's Environments promise. */
export function scalingTable(systemDesign: string, env: string): EnvironmentPromise {
  const text = section(systemDesign, 'Scaling');
  const [header] = table(text);
  const column = header.indexOf(env);
  if (column < 0) throw new Error(`the Scaling table has no ${env} column`);
  const rows = rowsByLabel(text);
  const cell = (label: string) => {
    if (!Object.hasOwn(rows, label)) throw new Error(`the Scaling table has no "${label}" row`);
    return unquote(rows[label][column - 1]);
  };
  const [minPods, maxPods = minPods] = cell('Pods').split(' to ').map(Number);
  const target = cell('CPU target');
  const pdb = cell('PodDisruptionBudget');
  return {
    minPods,
    maxPods,
    cpuTarget: target === 'none' ? undefined : Number(target.replace('%', '')),
    cpuRequest: cell('CPU request'),
    memoryRequest: cell('Memory request'),
    memoryLimit: cell('Memory limit'),
    pdbMaxUnavailable: pdb === 'none' ? undefined : Number(/^maxUnavailable (\d+)$/.exec(pdb)?.[1]),
    spread: cell('Spread across nodes') === 'yes',
  };
}

/** Every match of a regular expression's first group across the pages, with the page it is on. */
export function mentions(docs: Record<string, string>, pattern: RegExp): { page: string; value: string }[] {
  return Object.entries(docs).flatMap(([page, text]) => [...text.matchAll(pattern)].map(m => ({ page, value: m[1] })));
}

/** `GET /path` entries of the Endpoints table on index.md. */
export function endpointsTable(index: string): string[] {
  return table(section(index, 'Endpoints'))
    .slice(1)
    .map(([endpoint]) => unquote(endpoint));
}

/** The environment variable table of development.md: name, default and accepted values. */
export function variablesTable(development: string): { name: string; default: string; accepted: string }[] {
  return table(section(development, 'Configure'))
    .slice(1)
    .map(([name, fallback, accepted]) => ({ name: unquote(name), default: fallback, accepted }));
}

/** The numbered middleware list of the Request flow section: `requestId()` and so on. */
export function middlewareList(systemDesign: string): string[] {
  return [...section(systemDesign, 'Request flow').matchAll(/^\d+\. `([\w.]+)\(\)`/gm)].map(m => m[1]);
}

/** The first JSON code block of a section. */
export function jsonExample(page: string, heading: string): Record<string, unknown> {
  const block = /```json\n([\s\S]*?)```/.exec(section(page, heading));
  if (!block) throw new Error(`"${heading}" has no json block`);
  return JSON.parse(block[1]) as Record<string, unknown>;
}

/** The runbook's bad-configuration example: the variable, its value, and the line it says the pod prints. */
export function configErrorExample(runbook: string): { name: string; value: string; line: string } {
  const match = /With `([A-Z_]+)=([^`]*)`[^`]*?```json\n\s*(.*?)\n\s*```/s.exec(section(runbook, 'CrashLoopBackOff'));
  if (!match) throw new Error('the CrashLoopBackOff section has no "With `NAME=value`" example and json line');
  return { name: match[1], value: match[2], line: match[3] };
}

/** The fallbackReason values of the runbook's table. */
export function fallbackReasons(runbook: string): string[] {
  return table(section(runbook, 'Kubernetes API denied'))
    .slice(1)
    .map(([reason]) => unquote(reason));
}
