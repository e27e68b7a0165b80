// Two releases of the template in a git repository of their own, for the upgrade checks: release N is
// this checkout's template; release N+1 changes one file of each kind (changed, new, deleted, renamed)
// and adds a form field with a default. The tooling and node_modules are linked in, so `npm run upgrade`
// runs there as it runs in a clone of the template repository.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import semver from 'semver';
import { isSeq, parseDocument, type Document } from 'yaml';
import { git } from '../../../packages/tooling/src/git';
import { releaseTemplate, templateVersion, VERSION_ANNOTATION } from '../../../packages/tooling/src/release';
import { readTemplate, repoRoot, TEMPLATE_FILES } from '../../../packages/tooling/src/template-repository';
import { DEVELOPER_ENV } from '../workflows/developer';

/** What `npm run upgrade` needs of a template repository besides a release's files, linked from this checkout. */
const LINKED = ['node_modules', 'packages', 'package.json', 'tsconfig.json', 'catalog-info.yaml'];

function nextMinor(version: string): string {
  const next = semver.inc(version, 'minor');
  if (!next) throw new Error(`${version} is not a semantic version`);
  return next;
}

/** What release N+1 changes, by kind (paths in the rendered repository). */
export const NEXT = {
  version: nextMinor(templateVersion(repoRoot)),
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
  version: nextMinor(NEXT.version),
  field: { name: 'cost_center', pattern: '^cc-[0-9]+$' },
};

/** template.yaml of the template repository at DIR, edited in place through yaml's Document (comments kept). */
export function editTemplate(dir: string, edit: (template: Document) => void): void {
  const file = path.join(dir, 'template.yaml');
  const template = parseDocument(fs.readFileSync(file, 'utf8'));
  edit(template);
  fs.writeFileSync(file, template.toString());
}

/** A git repository holding release N of the template, one commit. */
export function templateRepository(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'template-repo-'));
  for (const name of TEMPLATE_FILES) fs.cpSync(path.join(repoRoot, name), path.join(dir, name), { recursive: true });
  for (const name of LINKED) fs.symlinkSync(path.join(repoRoot, name), path.join(dir, name));
  git(dir, ['init', '--quiet', '--initial-branch=main']);
  fs.appendFileSync(path.join(dir, '.git', 'info', 'exclude'), `${LINKED.map(n => `/${n}`).join('\n')}\n`);
  commitAll(dir, `Release ${templateVersion(repoRoot)}`);
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
  release(dir, NEXT.version, '- A security contact, asked by the form; SECURITY.md.', (template, fetchValues) => {
    template.setIn(['spec', 'parameters', 0, 'properties', NEXT.field.name], {
      title: 'Security contact',
      type: 'string',
      description: 'Where vulnerabilities are reported.',
      default: NEXT.field.default,
    });
    template.setIn([...fetchValues, NEXT.field.name], `\${{ parameters.${NEXT.field.name} }}`);
  });
  return git(dir, ['rev-parse', 'HEAD']);
}

/** Commits release REQUIRED.version on the branch REQUIRED.branch, made from HEAD (release N+1). */
export function releaseRequiredField(dir: string): void {
  git(dir, ['checkout', '--quiet', '-b', REQUIRED.branch]);
  release(dir, REQUIRED.version, '- The form asks for a cost center.', template => {
    template.setIn(['spec', 'parameters', 0, 'properties', REQUIRED.field.name], {
      title: 'Cost center',
      type: 'string',
      pattern: REQUIRED.field.pattern,
    });
    const required = template.getIn(['spec', 'parameters', 0, 'required']);
    if (!isSeq(required)) throw new Error("template.yaml: the form's first page has no required list");
    required.add(REQUIRED.field.name);
  });
  git(dir, ['checkout', '--quiet', 'main']);
}

/**
 * Releases VERSION of the template repository at DIR, as its maintainer would: the form and steps changed by
 * EDIT (given the path of fetch:template's values), the version declared and passed to the skeleton, a
 * changelog entry saying NOTE, `npm run release`'s record, and one commit.
 */
export function release(
  dir: string,
  version: string,
  note: string,
  edit: (template: Document, fetchValues: (string | number)[]) => void,
): void {
  const fetchStep = readTemplate(dir).spec.steps.findIndex(step => step.action === 'fetch:template');
  if (fetchStep < 0) throw new Error('template.yaml has no fetch:template step');
  const fetchValues = ['spec', 'steps', fetchStep, 'input', 'values'];
  editTemplate(dir, template => {
    template.setIn(['metadata', 'annotations', VERSION_ANNOTATION], version);
    template.setIn([...fetchValues, 'template_version'], version);
    edit(template, fetchValues);
  });
  const changelog = path.join(dir, 'CHANGELOG.md');
  const entry = `## ${version} - ${new Date().toISOString().slice(0, 10)}\n\n${note}\n\n`;
  fs.writeFileSync(changelog, fs.readFileSync(changelog, 'utf8').replace(/^## /m, `${entry}## `));
  releaseTemplate(dir);
  commitAll(dir, `Release ${version}`);
}

function commitAll(dir: string, message: string): void {
  git(dir, ['add', '--all']);
  git(dir, ['commit', '--quiet', '--message', message], { env: DEVELOPER_ENV });
}
