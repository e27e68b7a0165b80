// Releases of the template in its git history: which commit recorded a release, and the template as it
// was there. A release's commit is found from releases.json, and its files are checked against the
// fingerprint the release recorded, so an upgrade renders exactly what that release made.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readReleases, templateContent } from '../template-release';
import { git } from './git';

/** What the template is made of: enough to render it and to read its releases. */
const TEMPLATE_FILES = ['template.yaml', 'skeleton', 'releases.json', 'CHANGELOG.md'];

/** The template at REF in the git repository TEMPLATE_DIR, written to DEST. */
export function extractTemplate(templateDir: string, ref: string, dest: string): void {
  fs.mkdirSync(dest, { recursive: true });
  const archive = execFileSync('git', ['archive', '--format=tar', ref, ...TEMPLATE_FILES], {
    cwd: templateDir,
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  execFileSync('tar', ['-x', '-C', dest], { input: archive });
}

/** The first commit, on the history of HEAD, whose releases.json holds VERSION. */
export function releaseCommit(templateDir: string, version: string): string {
  const commits = git(templateDir, ['log', '--reverse', '--format=%H', 'HEAD', '--', 'releases.json']).split('\n').filter(Boolean);
  for (const commit of commits) {
    const { releases } = JSON.parse(git(templateDir, ['show', `${commit}:releases.json`]));
    if (releases.some((r: { version: string }) => r.version === version)) return commit;
  }
  throw new Error(`release ${version} is in no commit of the template repository ${templateDir} (is it a full clone? fetch-depth: 0)`);
}

/** Writes release VERSION of the template to DEST; returns the commit it came from. */
export function extractRelease(templateDir: string, version: string, dest: string): string {
  const commit = releaseCommit(templateDir, version);
  extractTemplate(templateDir, commit, dest);
  const release = readReleases(dest).find(r => r.version === version)!;
  if (templateContent(dest) !== release.content) {
    throw new Error(`commit ${commit.slice(0, 12)} recorded release ${version}, but its skeleton/ and form differ from what the release recorded`);
  }
  return commit;
}

/** CHANGELOG.md's sections for the versions after FROM up to TO, newest first. */
export function changelogBetween(dir: string, isNewer: (version: string) => boolean): string {
  const text = fs.readFileSync(path.join(dir, 'CHANGELOG.md'), 'utf8');
  const sections = text.split(/^(?=## )/m).filter(section => section.startsWith('## '));
  return sections
    .filter(section => isNewer(section.slice(3).split(/\s/)[0]))
    .map(section => section.trim())
    .join('\n\n');
}
