// What a release of this template is: a version (the backstage.io/template-version annotation of
// template.yaml), a CHANGELOG.md entry, and the fingerprint of what repositories are made from — the files of
// skeleton/ and the form and steps of template.yaml — recorded in releases.json. A change to either without a
// new version is what releaseProblems reports.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { readTemplate } from './template-repository';

export const VERSION_ANNOTATION = 'backstage.io/template-version';

export interface Release {
  version: string;
  date: string;
  /** sha256 of skeleton/ and of template.yaml's parameters, steps and output. */
  content: string;
}

/** The version template.yaml declares. */
export function templateVersion(root: string): string {
  return readTemplate(root).metadata.annotations?.[VERSION_ANNOTATION] ?? '';
}

/** The files of ROOT/skeleton, as sorted relative paths with forward slashes. */
export function skeletonFiles(root: string): string[] {
  const skeleton = path.join(root, 'skeleton');
  return fs
    .readdirSync(skeleton, { recursive: true, encoding: 'utf8' })
    .filter(file => fs.statSync(path.join(skeleton, file)).isFile())
    .map(file => file.split(path.sep).join('/'))
    .sort();
}

/** The fingerprint of what a repository is made from: every file of skeleton/ by path, and the form and steps. */
export function templateContent(root: string): string {
  const hash = createHash('sha256');
  const skeleton = path.join(root, 'skeleton');
  for (const file of skeletonFiles(root))
    hash
      .update(`${file}\0`)
      .update(fs.readFileSync(path.join(skeleton, file)))
      .update('\0');
  const { spec } = readTemplate(root);
  hash.update(JSON.stringify({ parameters: spec.parameters, steps: spec.steps, output: spec.output }));
  return `sha256:${hash.digest('hex')}`;
}

export function readReleases(root: string): Release[] {
  return parseReleases(fs.readFileSync(path.join(root, 'releases.json'), 'utf8'));
}

/** The releases a releases.json file's TEXT records. */
export function parseReleases(text: string): Release[] {
  return (JSON.parse(text) as { releases: Release[] }).releases;
}

/** The version headings of CHANGELOG.md (`## 1.2.0 - 2026-12-04`), newest first as written. */
function changelogVersions(root: string): string[] {
  const text = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
  return [...text.matchAll(/^## (\S+)/gm)].map(m => m[1]);
}

/** What is wrong with the releases of the template at ROOT, as sentences; empty when all is in order. */
export function releaseProblems(root: string): string[] {
  const version = templateVersion(root);
  if (!semver.valid(version))
    return [`template.yaml: ${VERSION_ANNOTATION} must be a semantic version, not "${version}"`];
  const releases = readReleases(root);
  const problems: string[] = [];
  releases.forEach((release, i) => {
    if (i > 0 && !semver.gt(release.version, releases[i - 1].version))
      problems.push(`releases.json: ${release.version} does not come after ${releases[i - 1].version}`);
  });
  const released = changelogVersions(root);
  const missing = releases.map(r => r.version).filter(v => !released.includes(v));
  if (missing.length) problems.push(`CHANGELOG.md has no entry for ${missing.join(', ')}`);
  const latest = releases.at(-1);
  const content = templateContent(root);
  if (!latest || latest.version !== version) {
    problems.push(
      `template.yaml declares ${version}, which is not released: describe it in CHANGELOG.md, then run npm run release`,
    );
  } else if (latest.content !== content) {
    problems.push(
      `skeleton/ or the form changed since release ${version}: set ${VERSION_ANNOTATION} in template.yaml to a ` +
        'new version, describe the change in CHANGELOG.md, then run npm run release',
    );
  }
  return problems;
}

/** Records the version template.yaml declares as a release of ROOT; says what it did. */
export function releaseTemplate(root: string): string {
  const version = templateVersion(root);
  if (!semver.valid(version)) throw new Error(`template.yaml: set a semantic version first (${version || 'none'})`);
  if (!changelogVersions(root).includes(version))
    throw new Error(`CHANGELOG.md: add a "## ${version} - <date>" entry saying what changed`);
  const releases = readReleases(root);
  const content = templateContent(root);
  const latest = releases.at(-1);
  if (latest?.version === version && latest.content === content) return `${version} is released already; nothing to do`;
  if (releases.some(r => r.version === version))
    throw new Error(`${version} is released already with other content: choose a new version`);
  if (latest && !semver.gt(version, latest.version)) throw new Error(`${version} must come after ${latest.version}`);
  const entry: Release = { version, date: new Date().toISOString().slice(0, 10), content };
  fs.writeFileSync(
    path.join(root, 'releases.json'),
    `${JSON.stringify({ releases: [...releases, entry] }, null, 2)}\n`,
  );
  const problems = releaseProblems(root);
  if (problems.length) throw new Error(problems.join('\n'));
  return `released ${version} (${content})`;
}
