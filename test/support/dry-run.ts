// The scaffolder's dry-run API (POST /api/scaffolder/v2/dry-run), as the template editor uses it: the
// template as shipped, the skeleton's files sent along, and one set of form values. The scaffolder checks
// the values against the form's schema page by page, then runs fetch:template for real in memory; steps
// that reach the outside world (publish:github, catalog:register) are skipped. ~0.5 s a repository.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { BackstageApi, ValidationError } from '../../tools/backstage/api';
import { repoRoot } from '../../tools/backstage/run-template';
import { listFiles } from './rendered';

export type DryRun =
  | { verdict: 'rejected'; errors: ValidationError[] }
  | { verdict: 'accepted'; files: Map<string, string>; fetchValues: Record<string, unknown> };

const template = parseYaml(fs.readFileSync(path.join(repoRoot, 'template.yaml'), 'utf8'));
const skeletonDir = path.join(repoRoot, 'skeleton');
const skeleton = listFiles(skeletonDir).map(file => ({
  path: `skeleton/${file}`,
  base64Content: fs.readFileSync(path.join(skeletonDir, file)).toString('base64'),
}));

/** The scaffolder's verdict on the values and, if it accepts them, the repository fetch:template renders. */
export async function dryRun(api: BackstageApi, values: Record<string, unknown>, { render = true } = {}): Promise<DryRun> {
  const { status, json } = await api.request<any>('POST', 'scaffolder/v2/dry-run', {
    template,
    values,
    // A one-file skeleton is rendered in a few milliseconds: enough when only the verdict is wanted.
    directoryContents: render ? skeleton : [{ path: 'skeleton/verdict-only', base64Content: '' }],
  });
  if (status === 400 && Array.isArray(json?.errors)) return { verdict: 'rejected', errors: json.errors };
  if (status !== 200) throw new Error(`dry-run: ${status} ${JSON.stringify(json).slice(0, 2000)}`);
  if (!render) return { verdict: 'accepted', files: new Map(), fetchValues: {} };
  const log = (json.log as { body: { message: string; stepId?: string; status?: string } }[]).map(e => e.body);
  const failed = json.steps.filter((s: any) => s.status === 'failed' && s.id === 'fetch');
  if (failed.length) throw new Error(`fetch:template failed:\n${log.map(l => l.message).join('\n')}`);
  const logged = log.map(l => /template files\/directories with input values (\{.*\})/.exec(l.message)).find(Boolean);
  if (!logged) throw new Error('fetch:template no longer logs its input values');
  const files = new Map<string, string>();
  for (const file of json.directoryContents as { path: string; base64Content: string }[]) {
    files.set(file.path, Buffer.from(file.base64Content, 'base64').toString('utf8'));
  }
  return { verdict: 'accepted', files, fetchValues: JSON.parse(logged[1]) };
}
