// The scaffolder's dry-run API (POST /api/scaffolder/v2/dry-run), as the template editor uses it: a
// template and its skeleton's files sent along, and one set of form values. The scaffolder checks the
// values against the form's schema page by page, then runs fetch:template for real in memory; steps that
// reach the outside world (publish:github, catalog:register) are skipped. ~0.5 s a repository. Any
// release of the template can be rendered this way: the template travels with the request.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { skeletonFiles } from '../release';
import type { BackstageApi, ValidationError } from './api';

export interface TemplateSource {
  /** template.yaml, parsed. */
  template: any;
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
    template: parseYaml(fs.readFileSync(path.join(dir, 'template.yaml'), 'utf8')),
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
  const { status, json } = await api.request<any>('POST', 'scaffolder/v2/dry-run', {
    template: source.template,
    values,
    // A one-file skeleton is rendered in a few milliseconds: enough when only the verdict is wanted.
    directoryContents: render ? source.skeleton : [{ path: 'skeleton/verdict-only', base64Content: '' }],
  });
  if (status === 400 && Array.isArray(json?.errors)) return { verdict: 'rejected', errors: json.errors };
  if (status !== 200) throw new Error(`dry-run: ${status} ${JSON.stringify(json).slice(0, 2000)}`);
  if (!render) return { verdict: 'accepted', files: new Map(), rendered: new Map(), fetchValues: {} };
  const log = (json.log as { body: { message: string; stepId?: string; status?: string } }[]).map(e => e.body);
  const failed = json.steps.filter((s: any) => s.status === 'failed' && s.id === 'fetch');
  if (failed.length) throw new Error(`fetch:template failed:\n${log.map(l => l.message).join('\n')}`);
  const logged = log.map(l => /template files\/directories with input values (\{.*\})/.exec(l.message)).find(Boolean);
  if (!logged) throw new Error('fetch:template no longer logs its input values');
  const files = new Map<string, string>();
  const rendered = new Map<string, RenderedFile>();
  for (const file of json.directoryContents as { path: string; base64Content: string; executable?: boolean }[]) {
    const content = Buffer.from(file.base64Content, 'base64');
    files.set(file.path, content.toString('utf8'));
    rendered.set(file.path, { content, executable: file.executable === true });
  }
  return { verdict: 'accepted', files, rendered, fetchValues: JSON.parse(logged[1]) };
}
