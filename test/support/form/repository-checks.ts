// What every repository the form can produce must satisfy, whatever was typed: each returns the problems
// found, as sentences naming the file. Used by the property tests over the create form.
import { isDeepStrictEqual } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Entity } from '@backstage/catalog-model';
import { actionlint } from '../workflows/actionlint';
import { entityProblems } from '../catalog/entities';
import { helm } from '../chart/helm';
import { githubStructure, readYamlGo, readYamlJs, readYamlPython, techdocsStructure } from './readers';

export type Files = Map<string, string>;

/** YAML files, bar the chart's templates: those are Go templates, YAML only once helm renders them. */
const isYaml = (file: string) => /\.ya?ml$/.test(file) && !/^charts\/[^/]+\/templates\//.test(file);
const isPage = (file: string) => file.endsWith('.md');
const json = (value: unknown) => JSON.parse(JSON.stringify(value));

/** Every YAML file means the same to Go (helm, Argo CD), Python (mkdocs) and JS (Backstage); JSON parses. */
export async function readersAgree(files: Files): Promise<string[]> {
  const problems: string[] = [];
  const yamlFiles = new Map([...files].filter(([file]) => isYaml(file)));
  const go = readYamlGo(yamlFiles);
  for (const [file, text] of yamlFiles) {
    const js = readYamlJs(text);
    if ('error' in js) {
      problems.push(`${file}: the JS yaml parser refuses it: ${js.error}`);
      continue;
    }
    const expected = json(js.data);
    for (const [reader, parsed] of [
      ['Go (helm)', go.get(file)!],
      ['PyYAML (mkdocs)', await readYamlPython(text)],
    ] as const) {
      if ('error' in parsed) problems.push(`${file}: ${reader} refuses it: ${parsed.error.split('\n')[0]}`);
      else if (!isDeepStrictEqual(json(parsed.data), expected)) {
        problems.push(
          `${file}: ${reader} reads other data than Backstage's parser: ${firstDifference(json(parsed.data), expected)}`,
        );
      }
    }
  }
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

function firstDifference(actual: any, expected: any, at = ''): string {
  if (actual && expected && typeof actual === 'object' && typeof expected === 'object') {
    for (const key of new Set([...Object.keys(actual), ...Object.keys(expected)])) {
      if (!isDeepStrictEqual(actual[key], expected[key]))
        return firstDifference(actual[key], expected[key], `${at}/${key}`);
    }
  }
  return `at ${at || '/'}: ${JSON.stringify(actual)?.slice(0, 120)} instead of ${JSON.stringify(expected)?.slice(0, 120)}`;
}

/** Paths of every key an entity sets, e.g. `metadata.annotations.github.com/project-slug`. */
export function keyPaths(value: unknown, at = ''): string[] {
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
  const entities = parsed.data as Entity[];
  const expected = (readYamlJs(baseline.get('catalog-info.yaml')!) as { data: Entity[] }).data;
  if (
    !isDeepStrictEqual(
      entities.map(e => e?.kind),
      expected.map(e => e.kind),
    )
  ) {
    return [`catalog-info.yaml: entities ${entities.map(e => e?.kind)} instead of ${expected.map(e => e.kind)}`];
  }
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
  const description = entities[0]?.metadata?.description;
  if (description !== typed.description) {
    problems.push(
      `catalog-info.yaml: description ${JSON.stringify(description)} instead of ${JSON.stringify(typed.description)}`,
    );
  }
  return problems;
}

// One directory per process, reused case after case: TechDocs' Markdown reader is built once per directory.
const scratch = path.join(os.tmpdir(), `form-property-${process.pid}`);
process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));

/** Writes a repository's files under dir. */
export function writeTree(dir: string, files: Files) {
  for (const [file, text] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
}

/** Writes the files to a scratch directory for the tools that read a tree. */
export async function onDisk<T>(files: Files, work: (dir: string) => Promise<T>): Promise<T> {
  fs.rmSync(scratch, { recursive: true, force: true });
  writeTree(scratch, files);
  return work(scratch);
}

/** The chart lints strictly (and so renders) for both environments; the workflows pass actionlint. */
export async function toolsAccept(dir: string, files: Files, appName: string): Promise<string[]> {
  const problems: string[] = [];
  const chart = path.join(dir, 'charts', appName);
  if (!fs.existsSync(chart)) return [`charts/${appName} is missing`];
  for (const env of ['dev', 'prod']) {
    const args = ['.', '--namespace', `${appName}-${env}`, '-f', `values-${env}.yaml`];
    // lint renders every template too, with the values of the environment.
    const run = helm(['lint', '--strict', ...args], chart);
    if (run.status !== 0)
      problems.push(`charts/${appName} (${env}): ${run.output.trim().split('\n').slice(-3).join(' | ')}`);
  }
  for (const [file, text] of files) {
    if (file.startsWith('.github/workflows/')) problems.push(...(await actionlint(text, file)));
  }
  return problems;
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
  const problems: string[] = [];
  const pages = byRole(rendered);
  const expectedPages = byRole(baseline);
  for (const [page, original] of expectedPages) {
    if (!isPage(page)) continue;
    const text = pages.get(page);
    if (text === undefined) {
      problems.push(`${page} is missing`);
      continue;
    }
    const github = await githubStructure(text);
    const expected = await memo(`github:${original}`, () => githubStructure(original));
    if (!isDeepStrictEqual(github, expected)) problems.push(`${page} on GitHub: ${tagDifference(github, expected)}`);
    if (!page.startsWith('docs/')) continue;
    const techdocs = await techdocsStructure(text, rendered.dir);
    const expectedDocs = await memo(`techdocs:${baseline.dir}:${original}`, () =>
      techdocsStructure(original, baseline.dir),
    );
    if (!isDeepStrictEqual(techdocs, expectedDocs))
      problems.push(`${page} in TechDocs: ${tagDifference(techdocs, expectedDocs)}`);
  }
  return problems;
}

const memos = new Map<string, Promise<string[]>>();
const memo = (key: string, compute: () => Promise<string[]>) => {
  if (!memos.has(key)) memos.set(key, compute());
  return memos.get(key)!;
};

function tagDifference(actual: string[], expected: string[]): string {
  const i = actual.findIndex((tag, j) => tag !== expected[j]);
  const at = i < 0 ? Math.min(actual.length, expected.length) : i;
  return `element ${at}: <${actual.slice(at, at + 4).join('><')}> where the skeleton has <${expected.slice(at, at + 4).join('><')}>`;
}
