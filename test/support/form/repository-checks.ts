// What every repository the form can produce must satisfy, whatever was typed: each returns the problems
// found, as sentences naming the file. Used by the property tests over the create form.
import { isDeepStrictEqual } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Entity } from '@backstage/catalog-model';
import { actionlint } from '../workflows/actionlint';
import { entityProblems } from '../catalog/entities';
import { DELIVERED } from '../chart/chart';
import { helmRun } from './helm-runs';
import { githubStructures, readYamlGo, readYamlJs, readYamlPython, techdocsStructures } from './readers';

export type Files = Map<string, string>;

/** YAML files, bar the chart's templates: those are Go templates, YAML only once helm renders them. */
const isYaml = (file: string) => /\.ya?ml$/.test(file) && !/^charts\/[^/]+\/templates\//.test(file);
const isPage = (file: string) => file.endsWith('.md');
const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** Every YAML file means the same to Go (helm, Argo CD), Python (mkdocs) and JS (Backstage); JSON parses. */
export async function readersAgree(files: Files): Promise<string[]> {
  const yamlFiles = new Map([...files].filter(([file]) => isYaml(file)));
  // Python reads while helm runs.
  const python = readYamlPython([...yamlFiles.values()]);
  const go = await readYamlGo(yamlFiles);
  const pythonReadings = await python;
  const problems = [...yamlFiles].flatMap(([file, text], i) => {
    const js = readYamlJs(text);
    if ('error' in js) return [`${file}: the JS yaml parser refuses it: ${js.error}`];
    const expected = json(js.data);
    return (
      [
        ['Go (helm)', go.get(file)],
        ['PyYAML (mkdocs)', pythonReadings[i]],
      ] as const
    ).flatMap(([reader, parsed]) => {
      if (!parsed) return [`${file}: ${reader} gave no reading`];
      if ('error' in parsed) return [`${file}: ${reader} refuses it: ${parsed.error.split('\n')[0]}`];
      const actual = json(parsed.data);
      return isDeepStrictEqual(actual, expected)
        ? []
        : [`${file}: ${reader} reads other data than Backstage's parser: ${firstDifference(actual, expected)}`];
    });
  });
  for (const [file, text] of files) {
    if (!file.endsWith('.json')) continue;
    try {
      JSON.parse(text);
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`);
    }
  }
  return problems;
}

function firstDifference(actual: unknown, expected: unknown, at = ''): string {
  if (isRecord(actual) && isRecord(expected)) {
    for (const key of new Set([...Object.keys(actual), ...Object.keys(expected)])) {
      if (!isDeepStrictEqual(actual[key], expected[key]))
        return firstDifference(actual[key], expected[key], `${at}/${key}`);
    }
  }
  const shown = (value: unknown) => `${JSON.stringify(value) as string | undefined}`.slice(0, 120);
  return `at ${at || '/'}: ${shown(actual)} instead of ${shown(expected)}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Paths of every key an entity sets, e.g. `metadata.annotations.github.com/project-slug`. */
function keyPaths(value: unknown, at = ''): string[] {
  if (!value || typeof value !== 'object') return [at];
  return Object.entries(value).flatMap(([key, inner]) =>
    keyPaths(inner, at ? `${at}.${Array.isArray(value) ? '[]' : key}` : key),
  );
}

export interface Typed {
  description: string;
  owner: string;
  system?: string;
  projectSlug: string;
}

/** The catalog's entities are valid, carry exactly the typed values and no key the skeleton does not write. */
export async function entitiesHoldTyped(files: Files, typed: Typed, baseline: Files): Promise<string[]> {
  const problems: string[] = [];
  const parsed = readYamlJs(files.get('catalog-info.yaml') ?? '');
  if ('error' in parsed) return [`catalog-info.yaml: ${parsed.error}`];
  const original = readYamlJs(baseline.get('catalog-info.yaml') ?? '');
  if ('error' in original) return [`the baseline's catalog-info.yaml: ${original.error}`];
  const kinds = (docs: unknown[]) => JSON.stringify(docs.map(doc => (isRecord(doc) ? doc.kind : doc)));
  if (kinds(parsed.data) !== kinds(original.data))
    return [`catalog-info.yaml: entities ${kinds(parsed.data)} instead of ${kinds(original.data)}`];
  const entities = parsed.data as Entity[];
  const expected = original.data as Entity[];
  for (const [i, entity] of entities.entries()) {
    const where = `catalog-info.yaml ${entity.kind}`;
    const paths = new Set(keyPaths(entity));
    const baselinePaths = new Set(keyPaths(expected[i]));
    const added = [...paths].filter(p => !baselinePaths.has(p));
    const lost = [...baselinePaths].filter(p => !paths.has(p));
    if (added.length || lost.length)
      problems.push(`${where}: keys added ${JSON.stringify(added)}, lost ${JSON.stringify(lost)}`);
    // As the catalog's placeholder processor does before validating: $text becomes the document.
    const resolved =
      entity.kind === 'API' ? { ...entity, spec: { ...entity.spec, definition: 'openapi: 3.1.0' } } : entity;
    problems.push(...(await entityProblems(resolved)).map(problem => `${where}: ${problem}`));
    const spec = entity.spec as Record<string, unknown>;
    if (spec.owner !== typed.owner)
      problems.push(`${where}: owner ${JSON.stringify(spec.owner)} instead of ${JSON.stringify(typed.owner)}`);
    if (spec.system !== typed.system)
      problems.push(`${where}: system ${JSON.stringify(spec.system)} instead of ${JSON.stringify(typed.system)}`);
    const slug = entity.metadata.annotations?.['github.com/project-slug'];
    if (slug !== typed.projectSlug)
      problems.push(`${where}: project-slug ${JSON.stringify(slug)} instead of ${JSON.stringify(typed.projectSlug)}`);
  }
  const description = entities.at(0)?.metadata.description;
  if (description !== typed.description) {
    problems.push(
      `catalog-info.yaml: description ${JSON.stringify(description)} instead of ${JSON.stringify(typed.description)}`,
    );
  }
  return problems;
}

// One directory per process, reused case after case: TechDocs' Markdown reader is built once per directory.
const scratch = path.join(os.tmpdir(), `form-property-${process.pid}`);
process.on('exit', () => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** Writes a repository's files under dir. */
export function writeFiles(dir: string, files: Files) {
  for (const [file, text] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
}

/** What the scratch directory holds now: consecutive repositories share most files. */
let inScratch: Files = new Map();

/** Writes the files to a scratch directory for the tools that read a tree, touching only what differs. */
export async function onDisk<T>(files: Files, work: (dir: string) => Promise<T>): Promise<T> {
  if (!inScratch.size) fs.rmSync(scratch, { recursive: true, force: true });
  for (const file of inScratch.keys()) {
    if (!files.has(file)) removeWithEmptyParents(file);
  }
  writeFiles(scratch, new Map([...files].filter(([file, text]) => inScratch.get(file) !== text)));
  inScratch = new Map(files);
  return work(scratch);
}

/** Removes a file of the scratch directory and the directories it leaves empty. */
function removeWithEmptyParents(file: string) {
  fs.rmSync(path.join(scratch, file));
  for (let dir = path.dirname(file); dir !== '.'; dir = path.dirname(dir)) {
    const full = path.join(scratch, dir);
    if (fs.readdirSync(full).length) break;
    fs.rmdirSync(full);
  }
}

/**
 * The chart lints strictly (and so renders) for both environments, delivered: only then does it render the workload,
 * whose names the form's values make. As committed (no image yet) it renders a subset of those objects from the
 * same templates, so a value that breaks it breaks the delivered render too; chart.test lints that state per variant.
 * The workflows pass actionlint.
 */
export async function toolsAccept(dir: string, files: Files, appName: string): Promise<string[]> {
  const chart = path.join(dir, 'charts', appName);
  if (!fs.existsSync(chart)) return [`charts/${appName} is missing`];
  const lints = ['dev', 'prod'].map(async env => {
    const args = ['.', '--namespace', `${appName}-${env}`, '-f', `values-${env}.yaml`];
    // lint renders every template too, with the values of the environment.
    const run = await helmRun(['lint', '--strict', ...args, ...DELIVERED.flatMap(value => ['--set', value])], chart);
    return run.status === 0
      ? []
      : [`charts/${appName} (${env}): ${run.output.trim().split('\n').slice(-3).join(' | ')}`];
  });
  const workflows = [...files].filter(([file]) => file.startsWith('.github/workflows/'));
  return (await Promise.all([...lints, ...workflows.map(([file, text]) => linted(file, text))])).flat();
}

const lintings = new Map<string, Promise<string[]>>();

/** actionlint's findings, once per workflow text. */
function linted(file: string, text: string): Promise<string[]> {
  const key = `${file}\0${text}`;
  let findings = lintings.get(key);
  if (!findings) lintings.set(key, (findings = actionlint(text, file)));
  return findings;
}

export interface Rendered {
  dir: string;
  files: Files;
  appName: string;
}

/** A repository's files by path, with the chart's directory named the same whatever the service's name. */
export const byRole = ({ files, appName }: Omit<Rendered, 'dir'>) =>
  new Map([...files].map(([file, text]) => [file.replace(`charts/${appName}/`, 'charts/NAME/'), text]));

/** Pages have the element structure of the baseline's pages, on GitHub and in TechDocs. */
export async function pagesKeepStructure(rendered: Rendered, baseline: Rendered): Promise<string[]> {
  const pages = byRole(rendered);
  const expectedPages = [...byRole(baseline)].filter(([page]) => isPage(page));
  const missing = expectedPages.filter(([page]) => !pages.has(page)).map(([page]) => `${page} is missing`);
  const present = expectedPages.filter(([page]) => pages.has(page));
  const docs = present.filter(([page]) => page.startsWith('docs/'));
  const textOf = (page: string) => pages.get(page) ?? '';
  // Every page to Python at once, before any answer is awaited.
  const [github, expectedGithub, techdocs, expectedTechdocs] = await Promise.all([
    githubStructures(present.map(([page]) => textOf(page))),
    githubStructures(present.map(([, original]) => original)),
    techdocsStructures(
      docs.map(([page]) => textOf(page)),
      rendered.dir,
    ),
    techdocsStructures(
      docs.map(([, original]) => original),
      baseline.dir,
    ),
  ]);
  const differences = (where: string, pagesRead: [string, string][], actual: string[][], expected: string[][]) =>
    pagesRead.flatMap(([page], i) =>
      isDeepStrictEqual(actual[i], expected[i]) ? [] : [`${page} ${where}: ${tagDifference(actual[i], expected[i])}`],
    );
  return [
    ...missing,
    ...differences('on GitHub', present, github, expectedGithub),
    ...differences('in TechDocs', docs, techdocs, expectedTechdocs),
  ];
}

function tagDifference(actual: string[], expected: string[]): string {
  const i = actual.findIndex((tag, j) => tag !== expected[j]);
  const at = i < 0 ? Math.min(actual.length, expected.length) : i;
  const shown = (tags: string[]) => `<${tags.slice(at, at + 4).join('><')}>`;
  return `element ${at}: ${shown(actual)} where the skeleton has ${shown(expected)}`;
}
