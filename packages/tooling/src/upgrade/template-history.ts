// Releases of the template in its git history: which commit recorded a release, and the template as it
// was there. A release's commit is found from releases.json, and its files are checked against the
// fingerprint the release recorded, so an upgrade renders exactly what that release made.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git } from '../git';
import { parseReleases, templateContent, type Release } from '../release';
import { TEMPLATE_FILES } from '../template-repository';

/**
 * The template at REF in the git repository TEMPLATE_DIR, written to DEST: its files checked out into DEST
 * through an index of their own, so the repository's index and working tree stay as they are.
 */
export function extractTemplate(templateDir: string, ref: string, dest: string): void {
  fs.mkdirSync(dest, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'template-extract-'));
  try {
    const env = { GIT_INDEX_FILE: path.join(scratch, 'index') };
    git(templateDir, ['--work-tree', path.resolve(dest), 'checkout', ref, '--', ...TEMPLATE_FILES], { env });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Writes RELEASE of the template to DEST and returns the commit it came from: the first commit in the
 * history of TARGET (a ref of TEMPLATE_DIR) whose releases.json records RELEASE as it is recorded now (a
 * release recorded again before it was published has older commits with other content) and whose files
 * have its fingerprint.
 */
export function extractRelease(templateDir: string, release: Release, dest: string, target = 'HEAD'): string {
  const commits = git(templateDir, ['log', '--reverse', '--format=%H', target, '--', 'releases.json'])
    .split('\n')
    .filter(Boolean);
  for (const commit of commits) {
    const releases = parseReleases(git(templateDir, ['show', `${commit}:releases.json`]));
    if (!releases.some(r => r.version === release.version && r.content === release.content)) continue;
    fs.rmSync(dest, { recursive: true, force: true });
    extractTemplate(templateDir, commit, dest);
    if (templateContent(dest) === release.content) return commit;
  }
  throw new Error(
    `release ${release.version} (${release.content}) is in no commit of the template repository ` +
      `${templateDir}: is it a full clone (fetch-depth: 0)?`,
  );
}

/** CHANGELOG.md's sections of the versions IS_NEWER accepts, as written (newest first). */
export function changelogBetween(dir: string, isNewer: (version: string) => boolean): string {
  const text = fs.readFileSync(path.join(dir, 'CHANGELOG.md'), 'utf8');
  const sections = text.split(/^(?=## )/m).filter(section => section.startsWith('## '));
  return sections
    .filter(section => isNewer(section.slice(3).split(/\s/)[0]))
    .map(section => section.trim())
    .join('\n\n');
}
