// The template's releases: template.yaml declares a version that releases.json records with the fingerprint of
// skeleton/ and the form, CHANGELOG.md describes every release, and a change to what repositories are made
// from without a new version fails this check (the check tried on a copy: a changed file, a changed form, a bump
// that was never released, then `npm run release`'s own code).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { releaseProblems, releaseTemplate, templateVersion, VERSION_ANNOTATION } from '../packages/tooling/src/release';
import { repoRoot, TEMPLATE_FILES } from '../packages/tooling/src/template-repository';
import { editTemplate } from './support/upgrades/template-versions';

const copies: string[] = [];
after(() => {
  for (const dir of copies) fs.rmSync(dir, { recursive: true, force: true });
});

function copyOfTemplate(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'template-release-'));
  copies.push(dir);
  for (const entry of TEMPLATE_FILES) fs.cpSync(path.join(repoRoot, entry), path.join(dir, entry), { recursive: true });
  return dir;
}

test('the declared version is released, and skeleton/ and the form are what that release recorded', () => {
  assert.deepEqual(releaseProblems(repoRoot), []);
});

test('a change to skeleton/ or to the form without a new version fails; a released new version passes', () => {
  const version = templateVersion(repoRoot);
  const changedFile = copyOfTemplate();
  fs.appendFileSync(path.join(changedFile, 'skeleton', 'README.md'), '\nOne more line.\n');
  assert.match(
    releaseProblems(changedFile).join('\n'),
    new RegExp(`changed since release ${version.replace(/\./g, '\\.')}`),
  );

  const changedForm = copyOfTemplate();
  editTemplate(changedForm, template => {
    template.setIn(['spec', 'parameters', 0, 'title'], 'Another title');
  });
  assert.match(releaseProblems(changedForm).join('\n'), /changed since release/);

  editTemplate(changedForm, template => {
    template.setIn(['metadata', 'annotations', VERSION_ANNOTATION], '99.0.0');
  });
  assert.match(releaseProblems(changedForm).join('\n'), /declares 99\.0\.0, which is not released/);
  assert.throws(() => releaseTemplate(changedForm), /CHANGELOG\.md: add a "## 99\.0\.0/);
  fs.appendFileSync(path.join(changedForm, 'CHANGELOG.md'), '\n## 99.0.0 - 2026-12-04\n\n- Another title.\n');
  assert.match(releaseTemplate(changedForm), /^released 99\.0\.0/);
  assert.deepEqual(releaseProblems(changedForm), []);
  assert.throws(() => {
    fs.appendFileSync(path.join(changedForm, 'skeleton', 'README.md'), '\nLater.\n');
    releaseTemplate(changedForm);
  }, /released already with other content/);
});
