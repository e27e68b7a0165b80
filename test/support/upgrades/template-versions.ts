// Two releases of the template in a git repository of their own, for the upgrade checks: release N is
// this checkout's template; release N+1 changes one file of each kind (changed, new, deleted, renamed)
// and adds a form field with a default. Tools and node_modules are linked in, so `npm run upgrade`
// runs there as it runs in a clone of the template repository.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import semver from 'semver';
import { parseDocument } from 'yaml';
import { repoRoot } from '../../../packages/tooling/src/template-repository';
import { releaseTemplate, templateVersion, VERSION_ANNOTATION } from '../../../packages/tooling/src/release';

export const IDENTITY = {
  GIT_AUTHOR_NAME: 'dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
};
const LINKED = ['node_modules', 'packages', 'package.json', 'tsconfig.json', 'catalog-info.yaml'];
const COPIED = ['template.yaml', 'skeleton', 'releases.json', 'CHANGELOG.md'];

export const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...IDENTITY } }).trim();

/** What release N+1 changes, by kind (paths in the rendered repository). */
export const NEXT = {
  version: semver.inc(templateVersion(repoRoot), 'minor')!,
  changed: {
    path: 'Dockerfile',
    line: 'ENV NODE_ENV=production PORT=8080',
    to: 'ENV NODE_ENV=production PORT=8080 NODE_OPTIONS=--enable-source-maps',
  },
  added: 'SECURITY.md',
  deleted: 'docs/system-design.md',
  renamed: { from: 'docs/adr/0004-tracing-middleware.md', to: 'docs/adr/0004-tracing.md' },
  field: { name: 'security_contact', default: 'security@example.com' },
};

/** A required form field without a default, added by REQUIRED.version on the branch REQUIRED.branch. */
export const REQUIRED = {
  branch: 'required-field',
  version: semver.inc(NEXT.version, 'minor')!,
  field: { name: 'cost_center', pattern: '^cc-[0-9]+$' },
};

/** A git repository holding release N of the template, one commit. */
export function templateRepository(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'template-repo-'));
  for (const name of COPIED) fs.cpSync(path.join(repoRoot, name), path.join(dir, name), { recursive: true });
  for (const name of LINKED) fs.symlinkSync(path.join(repoRoot, name), path.join(dir, name));
  git(dir, 'init', '--quiet', '--initial-branch=main');
  fs.appendFileSync(path.join(dir, '.git', 'info', 'exclude'), `${LINKED.map(n => `/${n}`).join('\n')}\n`);
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '--message', `Release ${templateVersion(repoRoot)}`);
  return dir;
}

/** Commits release N+1 on top: the changes of NEXT, the version, the changelog entry, the release record. */
export function releaseNext(dir: string): string {
  const skeleton = path.join(dir, 'skeleton');
  const edit = (file: string, change: (text: string) => string) => {
    const full = path.join(skeleton, file);
    const before = fs.readFileSync(full, 'utf8');
    const after = change(before);
    if (after === before) throw new Error(`release ${NEXT.version}: ${file} did not change`);
    fs.writeFileSync(full, after);
  };
  edit(NEXT.changed.path, text => text.replace(NEXT.changed.line, NEXT.changed.to));
  fs.writeFileSync(
    path.join(skeleton, NEXT.added),
    '# Security\n\nReport a vulnerability to ${{ values.security_contact }}, not in a public issue.\n',
  );
  fs.rmSync(path.join(skeleton, NEXT.deleted));
  fs.renameSync(path.join(skeleton, NEXT.renamed.from), path.join(skeleton, NEXT.renamed.to));
  edit('mkdocs.yml', text =>
    text
      .replace(/^ {2}- System design: system-design\.md\n/m, '')
      .replace(NEXT.renamed.from.slice('docs/'.length), NEXT.renamed.to.slice('docs/'.length)),
  );
  edit('.template-answers.yaml', text =>
    text.replace(
      /^( {2}repoUrl: .*\n)/m,
      `$1  ${NEXT.field.name}: \${{ values.form_answers.${NEXT.field.name} | dump }}\n`,
    ),
  );

  const template = parseDocument(fs.readFileSync(path.join(dir, 'template.yaml'), 'utf8'));
  template.setIn(['metadata', 'annotations', VERSION_ANNOTATION], NEXT.version);
  template.setIn(['spec', 'parameters', 0, 'properties', NEXT.field.name], {
    title: 'Security contact',
    type: 'string',
    description: 'Where vulnerabilities are reported.',
    default: NEXT.field.default,
  });
  const steps = template.getIn(['spec', 'steps']) as any;
  const fetch = steps.items.findIndex((step: any) => step.get('action') === 'fetch:template');
  template.setIn(['spec', 'steps', fetch, 'input', 'values', 'template_version'], NEXT.version);
  template.setIn(['spec', 'steps', fetch, 'input', 'values', NEXT.field.name], `\${{ parameters.${NEXT.field.name} }}`);
  fs.writeFileSync(path.join(dir, 'template.yaml'), template.toString());
  const changelog = path.join(dir, 'CHANGELOG.md');
  fs.writeFileSync(
    changelog,
    fs
      .readFileSync(changelog, 'utf8')
      .replace(
        /^## /m,
        `## ${NEXT.version} - 2026-12-05\n\n- A security contact, asked by the form; SECURITY.md.\n\n## `,
      ),
  );
  releaseTemplate(dir);
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '--message', `Release ${NEXT.version}`);
  return git(dir, 'rev-parse', 'HEAD');
}

/** Commits release REQUIRED.version on the branch REQUIRED.branch, made from HEAD (release N+1). */
export function releaseRequiredField(dir: string): void {
  git(dir, 'checkout', '--quiet', '-b', REQUIRED.branch);
  const template = parseDocument(fs.readFileSync(path.join(dir, 'template.yaml'), 'utf8'));
  template.setIn(['metadata', 'annotations', VERSION_ANNOTATION], REQUIRED.version);
  template.setIn(['spec', 'parameters', 0, 'properties', REQUIRED.field.name], {
    title: 'Cost center',
    type: 'string',
    pattern: REQUIRED.field.pattern,
  });
  (template.getIn(['spec', 'parameters', 0, 'required']) as any).add(REQUIRED.field.name);
  const steps = template.getIn(['spec', 'steps']) as any;
  const fetch = steps.items.findIndex((step: any) => step.get('action') === 'fetch:template');
  template.setIn(['spec', 'steps', fetch, 'input', 'values', 'template_version'], REQUIRED.version);
  fs.writeFileSync(path.join(dir, 'template.yaml'), template.toString());
  const changelog = path.join(dir, 'CHANGELOG.md');
  fs.writeFileSync(
    changelog,
    fs
      .readFileSync(changelog, 'utf8')
      .replace(/^## /m, `## ${REQUIRED.version} - 2026-12-06\n\n- The form asks for a cost center.\n\n## `),
  );
  releaseTemplate(dir);
  git(dir, 'commit', '--quiet', '--all', '--message', `Release ${REQUIRED.version}`);
  git(dir, 'checkout', '--quiet', 'main');
}
