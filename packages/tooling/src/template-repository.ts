// The template repository this tooling belongs to: where it is, what a release of it consists of, and the
// catalog reference its Template entity has once a catalog ingests catalog-info.yaml.
import fs from 'node:fs';
import path from 'node:path';
import type { TemplateEntityV1beta3 } from '@backstage/plugin-scaffolder-common';
import { parse as parseYaml } from 'yaml';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const TEMPLATE_REF = 'template:default/koa-service';

/** The files of a template repository that a release consists of: what renders a repository, and its history. */
export const TEMPLATE_FILES = ['template.yaml', 'skeleton', 'releases.json', 'CHANGELOG.md'] as const;

/** template.yaml of the template repository at ROOT, parsed. */
export function readTemplate(root: string = repoRoot): TemplateEntityV1beta3 {
  return parseYaml(fs.readFileSync(path.join(root, 'template.yaml'), 'utf8')) as TemplateEntityV1beta3;
}
