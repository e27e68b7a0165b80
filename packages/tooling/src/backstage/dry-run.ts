// The scaffolder's dry-run API (POST /api/scaffolder/v2/dry-run), as the template editor uses it: a
// template and its skeleton's files sent along, and one set of form values. The scaffolder checks the
// values against the form's schema page by page, then runs fetch:template for real in memory; steps that
// reach the outside world (publish:github, catalog:register) are skipped. ~0.5 s a repository. Any
// release of the template can be rendered this way: the template travels with the request.
import fs from 'node:fs';
import path from 'node:path';
import type { ScaffolderDryRunResponse, TemplateEntityV1beta3 } from '@backstage/plugin-scaffolder-common';
import { skeletonFiles } from '../release';
import { readTemplate } from '../template-repository';
import { validationErrors, type BackstageApi, type ValidationError } from './api';

/** What fetch:template logs of the values it renders with: the line's JSON is group 1. */
export const LOGGED_INPUT_VALUES = /template files\/directories with input values (\{.*\})/;

export interface TemplateSource {
  template: TemplateEntityV1beta3;
  /** skeleton/ as the API takes it. */
  skeleton: { path: string; base64Content: string; executable?: boolean }[];
}

export interface RenderedFile {
  content: Buffer;
  executable: boolean;
}

export type DryRun =
  | { verdict: 'rejected'; errors: ValidationError[] }
  | {
      verdict: 'accepted';
      /** Each file's text, by path. */
      files: Map<string, string>;
      /** Each file's bytes and mode, by path. */
      rendered: Map<string, RenderedFile>;
      fetchValues: Record<string, unknown>;
    };

/** template.yaml and skeleton/ of the template in DIR. */
export function templateSource(dir: string): TemplateSource {
  const skeletonDir = path.join(dir, 'skeleton');
  return {
    template: readTemplate(dir),
    skeleton: skeletonFiles(dir).map(file => {
      const full = path.join(skeletonDir, file);
      return {
        path: `skeleton/${file}`,
        base64Content: fs.readFileSync(full).toString('base64'),
        executable: (fs.statSync(full).mode & 0o100) !== 0,
      };
    }),
  };
}

/** The scaffolder's verdict on the values and, if it accepts them, the repository fetch:template renders. */
export async function dryRun(
  api: BackstageApi,
  source: TemplateSource,
  values: Record<string, unknown>,
  { render = true } = {},
): Promise<DryRun> {
  const { status, json } = await api.request('POST', 'scaffolder/v2/dry-run', {
    template: source.template,
    values,
    // A one-file skeleton is rendered in a few milliseconds: enough when only the verdict is wanted.
    directoryContents: render ? source.skeleton : [{ path: 'skeleton/verdict-only', base64Content: '' }],
  });
  const errors = validationErrors(status, json);
  if (errors) return { verdict: 'rejected', errors };
  if (status !== 200) throw new Error(`dry-run: ${status} ${JSON.stringify(json).slice(0, 2000)}`);
  if (!render) return { verdict: 'accepted', files: new Map(), rendered: new Map(), fetchValues: {} };
  const response = json as Omit<ScaffolderDryRunResponse, 'steps'> & { steps: { id?: string; status?: string }[] };
  const log = response.log.map(e => e.body.message);
  if (response.steps.some(s => s.status === 'failed' && s.id === 'fetch'))
    throw new Error(`fetch:template failed:\n${log.join('\n')}`);
  const logged = log.map(message => LOGGED_INPUT_VALUES.exec(message)).find(Boolean);
  if (!logged) throw new Error('fetch:template no longer logs its input values');
  const files = new Map<string, string>();
  const rendered = new Map<string, RenderedFile>();
  for (const file of response.directoryContents) {
    const content = Buffer.from(file.base64Content, 'base64');
    files.set(file.path, content.toString('utf8'));
    rendered.set(file.path, { content, executable: file.executable === true });
  }
  return { verdict: 'accepted', files, rendered, fetchValues: JSON.parse(logged[1]) as Record<string, unknown> };
}
