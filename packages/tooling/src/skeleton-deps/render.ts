// The skeleton's package files rendered with fixed sample answers, and npm's rewrite of them turned back into
// templates: each value the skeleton writes through an expression (`${{ values.app_name | dump }}`) is found in
// the render, and wherever npm's files hold that rendered value the expression takes its place again.
import fs from 'node:fs';
import path from 'node:path';
import type { BackstageApi } from '../backstage/api';
import { dryRun, type TemplateSource } from '../backstage/dry-run';
import { formValues, waitForTemplate } from '../backstage/run-template';
import { SkeletonDepsRefused } from './npm';

/** The files skeleton:deps writes back, relative to skeleton/ and to the rendered repository alike. */
export const PACKAGE_FILES = ['package.json', 'package-lock.json'] as const;
type PackageFile = (typeof PACKAGE_FILES)[number];
export type PackageTexts = Record<PackageFile, string>;

/**
 * The answers every render uses: values found nowhere else in a package file, so that each occurrence of one in
 * npm's output is the skeleton's expression and nothing else.
 */
const SAMPLE_ANSWERS = {
  app_name: 'skeleton-deps-sample',
  app_env: 'dev',
  description: 'skeleton-deps: the sample answer that stands for the description',
};

/** The values the create form submits with the sample answers (its defaults from the catalog's template). */
export async function sampleValues(api: BackstageApi): Promise<Record<string, unknown>> {
  await waitForTemplate(api);
  return formValues(api, SAMPLE_ANSWERS);
}

/** SOURCE with the package files' texts replaced by TEXTS. */
export function withPackageFiles(source: TemplateSource, texts: PackageTexts): TemplateSource {
  const replaced = new Map<string, string>(PACKAGE_FILES.map(file => [`skeleton/${file}`, texts[file]]));
  return {
    template: source.template,
    skeleton: source.skeleton.map(file => {
      const text = replaced.get(file.path);
      return text === undefined ? file : { ...file, base64Content: Buffer.from(text).toString('base64') };
    }),
  };
}

/** The repository SOURCE renders with VALUES, every file's bytes by path. */
export async function render(
  api: BackstageApi,
  source: TemplateSource,
  values: Record<string, unknown>,
): Promise<Map<string, Buffer>> {
  const result = await dryRun(api, source, values);
  if (result.verdict === 'rejected') {
    const errors = result.errors.map(e => `  - ${e.stack}`).join('\n');
    throw new Error(`the scaffolder refuses the sample answers:\n${errors}`);
  }
  return new Map([...result.rendered].map(([file, { content }]) => [file, content]));
}

/** Writes a rendered repository into DIR. */
export function writeRendered(dir: string, files: Map<string, Buffer>) {
  for (const [file, content] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
}

const EXPRESSION = /\$\{\{[\s\S]*?\}\}/g;

/**
 * Each expression of a skeleton file with what it rendered to: the file's literal text, found in the render in
 * order, leaves the expressions' values in between (each ends where the next literal first appears). An
 * expression must render to one non-empty value.
 */
function expressionValues(file: string, template: string, rendered: string): Map<string, string> {
  const expressions = template.match(EXPRESSION) ?? [];
  const literals = template.split(EXPRESSION);
  const refuse = (why: string) =>
    new SkeletonDepsRefused(`skeleton/${file}: ${why}; skeleton:deps rewrites only files whose tags are \${{ }}`);
  if (!rendered.startsWith(literals[0])) throw refuse('its render does not start as the file does');
  const values = new Map<string, string>();
  let at = literals[0].length;
  expressions.forEach((expression, i) => {
    const next = literals[i + 1];
    const last = i === expressions.length - 1;
    const end = last ? rendered.length - next.length : rendered.indexOf(next, at);
    if (next === '' && !last) throw refuse(`${expression} is followed by another expression`);
    if (end < at || (last && !rendered.endsWith(next))) throw refuse('its render is more than its expressions');
    const value = rendered.slice(at, end);
    const before = values.get(expression);
    if (value === '' || (before !== undefined && before !== value))
      throw refuse(`${expression} renders to ${JSON.stringify(value)}`);
    values.set(expression, value);
    at = end + next.length;
  });
  if (!expressions.length && rendered !== template) throw refuse('its render differs from it');
  return values;
}

/**
 * npm's text of a package file, its rendered values turned back into the skeleton's expressions. Each value must
 * occur exactly as often as the skeleton writes its expression: npm keeps the name where it was (package.json,
 * the lock's top level and its root package), and a value found anywhere else could not be told apart.
 */
export function restoreExpressions(file: string, template: string, rendered: string, written: string): string {
  let text = written;
  for (const [expression, value] of expressionValues(file, template, rendered)) {
    const expected = template.split(expression).length - 1;
    const found = text.split(value).length - 1;
    if (found !== expected) {
      throw new SkeletonDepsRefused(
        `npm's ${file} holds the sample value ${value} ${found} times where the skeleton has ${expression} ` +
          `${expected} times: the expressions cannot be put back`,
      );
    }
    text = text.split(value).join(expression);
  }
  return text;
}
