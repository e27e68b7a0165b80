// One upgrade of a repository made from this template: the recorded release and the target release are
// rendered by the scaffolder (dry-run API) with the recorded answers, and git merges the difference into
// the repository as the team changed it, as one commit on a new branch.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import semver from 'semver';
import type { BackstageApi } from '../backstage/api';
import { dryRun, templateSource, type RenderedFile, type TemplateSource } from '../backstage/dry-run';
import { formErrors, templateFormPages } from '../backstage/form-errors';
import { git } from '../git';
import { readReleases, releaseProblems, templateVersion } from '../release';
import { TEMPLATE_FILES } from '../template-repository';
import { ANSWERS_FILE, answersFor, readRecorded, type NewAnswers, type Recorded } from './answers';
import { mergeDependencies, type DependencyMerge } from './dependencies';
import { commitTree, mergeTrees, treeChanges, uncommitted, writeTree, type Change } from './git';
import { changelogBetween, extractRelease, extractTemplate } from './template-history';
import { upgradeMessage } from './message';

/** A refusal in words: nothing was changed. */
export class UpgradeRefused extends Error {}

export interface UpgradeOptions {
  /** The scaffolder's API, or how to start one: asked for only once the checks that need none have passed. */
  api: BackstageApi | (() => Promise<BackstageApi>);
  /** The template's git repository. */
  templateDir: string;
  repoDir: string;
  /** A ref of the template repository to upgrade to; default: its checkout as it is. */
  to?: string;
  /** Default: template-upgrade/<version>. */
  branch?: string;
  /** Answers given (--answer NAME=VALUE): for fields new to the form, or in place of recorded ones. */
  given?: Record<string, unknown>;
}

export type UpgradeResult =
  | { outcome: 'current'; version: string }
  | {
      outcome: 'prepared' | 'prepared-before';
      from: string;
      to: string;
      branch: string;
      commit: string;
      message: string;
      changes: Change[];
      conflicts: string[];
      /** What the upgrade could not do (a lock file npm could not regenerate). */
      leftToDo: string[];
      defaulted: { name: string; value: unknown }[];
    };

export async function upgradeRepository(options: UpgradeOptions): Promise<UpgradeResult> {
  refuseUncommitted(options.repoDir);
  const recorded = readRecorded(options.repoDir);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'template-upgrade-'));
  try {
    const target = targetRelease(options, scratch);
    if (target.version === recorded.version) return { outcome: 'current', version: target.version };
    if (semver.lt(target.version, recorded.version))
      throw new UpgradeRefused(`the repository is at ${recorded.version}; ${target.version} is older`);
    const from = recordedRelease(options, recorded, target.dir, path.join(scratch, 'old'));
    const sources = { from: templateSource(from.dir), to: templateSource(target.dir) };
    const ref = templateRef(sources.to, recorded);
    const answers = newAnswers(sources, recorded, options.given ?? {}, target.version);
    const api = typeof options.api === 'function' ? await options.api() : options.api;
    const renders = await renderReleases(api, sources, recorded, answers, target.version);
    const { dependencies, changes } = await mergeRenders(options.repoDir, renders, target.version);
    const { merge } = dependencies;
    const message = upgradeMessage({
      template: ref,
      from: { version: recorded.version, commit: from.commit },
      to: { version: target.version, commit: targetCommit(options) },
      changes,
      merge,
      dependencies,
      answers,
      changelog: changelogBetween(target.dir, v => isBetween(v, recorded.version, target.version)),
    });
    const branch = options.branch ?? `template-upgrade/${target.version}`;
    const result = { from: recorded.version, to: target.version, branch, message, changes };
    const facts = {
      ...result,
      conflicts: merge.conflicts,
      leftToDo: dependencies.leftToDo,
      defaulted: answers.defaulted,
    };
    return { ...commitUpgrade(options.repoDir, branch, merge.tree, message), ...facts };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Refusal: an upgrade starts from the repository as committed. */
function refuseUncommitted(repoDir: string): void {
  const dirty = uncommitted(repoDir);
  if (dirty.length)
    throw new UpgradeRefused(
      `${repoDir} has uncommitted changes; commit or stash them first:\n${dirty.map(l => `  ${l}`).join('\n')}`,
    );
}

/** The template to upgrade to (the checkout, or options.to extracted into SCRATCH), which must be a release. */
function targetRelease(options: UpgradeOptions, scratch: string): { dir: string; version: string } {
  const dir = options.to ? path.join(scratch, 'new') : options.templateDir;
  if (options.to) extractTemplate(options.templateDir, options.to, dir);
  const problems = releaseProblems(dir);
  if (problems.length)
    throw new UpgradeRefused(
      `the target (${options.to ?? 'the checkout'}) is not a release of the template:\n` +
        problems.map(p => `  - ${p}`).join('\n'),
    );
  return { dir, version: templateVersion(dir) };
}

/** The release the repository was made from, written to DEST, and the template commit it came from. */
function recordedRelease(options: UpgradeOptions, recorded: Recorded, targetDir: string, dest: string) {
  const release = readReleases(targetDir).find(r => r.version === recorded.version);
  if (!release)
    throw new UpgradeRefused(
      `${ANSWERS_FILE} records release ${recorded.version}, which the template's releases.json does not have`,
    );
  return { dir: dest, commit: extractRelease(options.templateDir, release, dest, options.to ?? 'HEAD') };
}

/** The target's entity ref; refusal: the repository says it was made from another template. */
function templateRef(target: TemplateSource, recorded: Recorded): string {
  const { namespace, name } = target.template.metadata;
  const ref = stringifyEntityRef({ kind: 'Template', namespace, name });
  if (recorded.template && stringifyEntityRef(parseEntityRef(recorded.template)) !== ref)
    throw new UpgradeRefused(`${ANSWERS_FILE} says the repository was made from ${recorded.template}, not ${ref}`);
  return ref;
}

/** The answers for the target's form; refusal: it asks for a field with no default that was not given. */
function newAnswers(
  sources: { from: TemplateSource; to: TemplateSource },
  recorded: Recorded,
  given: Record<string, unknown>,
  version: string,
): NewAnswers {
  const answers = answersFor(sources.from.template, sources.to.template, recorded.answers, given);
  const { missing } = answers;
  if (missing.length)
    throw new UpgradeRefused(
      `release ${version}'s form asks for ${missing.map(f => `${f.title ?? f.name} (${f.name})`).join(', ')}, ` +
        `with no default: give ${missing.length === 1 ? 'it' : 'them'} with ` +
        missing.map(f => `--answer ${f.name}=VALUE`).join(' '),
    );
  return answers;
}

/** Both releases rendered by the scaffolder; refusal: either form refuses its answers. */
async function renderReleases(
  api: BackstageApi,
  sources: { from: TemplateSource; to: TemplateSource },
  recorded: Recorded,
  answers: NewAnswers,
  version: string,
): Promise<{ base: Map<string, RenderedFile>; theirs: Map<string, RenderedFile> }> {
  const base = await dryRun(api, sources.from, recorded.answers);
  if (base.verdict !== 'accepted')
    throw new UpgradeRefused(
      `release ${recorded.version} refuses the answers it recorded: ${base.errors.map(e => e.stack).join('; ')}`,
    );
  const theirs = await dryRun(api, sources.to, answers.answers);
  if (theirs.verdict !== 'accepted') {
    const words = formErrors(templateFormPages(sources.to.template), answers.answers);
    throw new UpgradeRefused(
      `release ${version}'s form refuses the recorded answers; give new ones with --answer NAME=VALUE:\n` +
        (words.length ? words : theirs.errors.map(e => e.stack)).map(e => `  - ${e}`).join('\n'),
    );
  }
  return { base: base.rendered, theirs: theirs.rendered };
}

/**
 * The three-way merge of the new render into the repository over the old render (git's, then package.json's
 * as data and the lock regenerated), and what the template changed.
 */
async function mergeRenders(
  repoDir: string,
  renders: { base: Map<string, RenderedFile>; theirs: Map<string, RenderedFile> },
  version: string,
): Promise<{ dependencies: DependencyMerge; changes: Change[] }> {
  const trees = {
    base: writeTree(repoDir, renders.base),
    ours: git(repoDir, ['rev-parse', 'HEAD^{tree}']),
    theirs: writeTree(repoDir, renders.theirs),
  };
  const merge = mergeTrees(repoDir, trees, { ours: 'this-repository', theirs: `template-${version}` });
  return {
    dependencies: await mergeDependencies(repoDir, renders, merge),
    changes: treeChanges(repoDir, trees.base, trees.theirs),
  };
}

/** The template commit upgraded to, as the message names it: a checkout with edits says so. */
function targetCommit(options: UpgradeOptions): string {
  const commit = git(options.templateDir, ['rev-parse', `${options.to ?? 'HEAD'}^{commit}`]).slice(0, 12);
  const edited = !options.to && git(options.templateDir, ['status', '--porcelain', '--', ...TEMPLATE_FILES]);
  return edited ? `${commit} with uncommitted changes` : commit;
}

const isBetween = (version: string, from: string, to: string) =>
  semver.valid(version) !== null && semver.gt(version, from) && semver.lte(version, to);

/**
 * The merged tree committed onto HEAD as BRANCH, checked out. A branch that holds this very commit already is
 * checked out as it is; refusal: the branch holds something else.
 */
function commitUpgrade(
  repoDir: string,
  branch: string,
  tree: string,
  message: string,
): { outcome: 'prepared' | 'prepared-before'; commit: string } {
  const head = git(repoDir, ['rev-parse', 'HEAD']);
  const existing = git(repoDir, ['branch', '--list', '--format=%(objectname)', branch]);
  if (existing) {
    const parent = git(repoDir, ['rev-parse', `${existing}^`]);
    if (parent !== head || git(repoDir, ['rev-parse', `${existing}^{tree}`]) !== tree)
      throw new UpgradeRefused(
        `branch ${branch} exists and holds something else: merge or delete it, or name another with --branch`,
      );
    git(repoDir, ['checkout', '--quiet', branch]);
    return { outcome: 'prepared-before', commit: existing };
  }
  const commit = commitTree(repoDir, tree, [head], message);
  git(repoDir, ['checkout', '--quiet', '-b', branch, commit]);
  return { outcome: 'prepared', commit };
}
