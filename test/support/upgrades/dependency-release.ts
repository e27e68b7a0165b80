// A release of the template that changes the service's dependencies, made as a template author makes one:
// skeleton/package.json and package-lock.json copied out with their template expressions swapped for plain
// strings (a rendered copy npm can read), npm run there, the expressions put back, then released with
// template-versions.ts's release(). And the npm commands a team runs in its generated repository.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { node24Env, run } from '../service/node24';
import { release } from './template-versions';

const DEPENDENCY_FILES = ['package.json', 'package-lock.json'];

/** npm in DIR on Node 24; fails the test with npm's output when it fails. */
export async function npm(dir: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { code, output } = await run('npm', args, dir, node24Env(env));
  assert.equal(code, 0, `npm ${args.join(' ')} in ${dir}:\n${output.slice(-4000)}`);
  return output;
}

/** The newest published version of PACKAGE in RANGE, from the registry. */
export async function newest(dir: string, spec: string): Promise<string> {
  const versions = JSON.parse(await npm(dir, ['view', spec, 'version', '--json'])) as string | string[];
  const all = Array.isArray(versions) ? versions : [versions];
  const last = all.at(-1);
  assert.ok(last, `the registry has no ${spec}`);
  return last;
}

/**
 * In the template repository at DIR: the skeleton's dependency files changed by CHANGE (given a rendered copy
 * to run npm in), then released as VERSION with the changelog entry NOTE.
 */
export async function releaseDependencies(
  dir: string,
  version: string,
  note: string,
  change: (copy: string) => Promise<void>,
): Promise<void> {
  const skeleton = path.join(dir, 'skeleton');
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'skeleton-dependencies-'));
  const expressions: string[] = [];
  // Each `${{ ... }}` stands where a JSON string renders; a plain string of its own stands in for it.
  const placeholder = (index: number) => `"template-expression-${index}"`;
  for (const file of DEPENDENCY_FILES) {
    const text = fs.readFileSync(path.join(skeleton, file), 'utf8').replace(/\$\{\{[^}]*\}\}/g, expression => {
      if (!expressions.includes(expression)) expressions.push(expression);
      return placeholder(expressions.indexOf(expression));
    });
    fs.writeFileSync(path.join(copy, file), text);
  }
  await change(copy);
  for (const file of DEPENDENCY_FILES) {
    let text = fs.readFileSync(path.join(copy, file), 'utf8');
    expressions.forEach((expression, index) => {
      text = text.replaceAll(placeholder(index), expression);
    });
    assert.doesNotMatch(text, /template-expression-/, `${file}: every template expression is put back`);
    fs.writeFileSync(path.join(skeleton, file), text);
  }
  fs.rmSync(copy, { recursive: true, force: true });
  release(dir, version, note, () => undefined);
}

/** package.json of DIR, parsed. */
export function packageJson(dir: string): {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
} {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as ReturnType<typeof packageJson>;
}

/** The version package-lock.json of DIR resolves PACKAGE to. */
export function lockedVersion(dir: string, name: string): string | undefined {
  const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8')) as {
    packages: Partial<Record<string, { version?: string }>>;
  };
  return lock.packages[`node_modules/${name}`]?.version;
}

/** A change to package.json's data, written back as npm writes it. */
export function editPackageJson(dir: string, edit: (data: ReturnType<typeof packageJson>) => void): void {
  const data = packageJson(dir);
  edit(data);
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(data, null, 2)}\n`);
}
