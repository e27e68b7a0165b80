// One upgrade of a repository made from this template: the recorded release and the target release are
// rendered by the scaffolder (dry-run API) with the recorded answers, and git merges the difference into
// the repository as the team changed it, as one commit on a new branch.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import semver from 'semver';
import type { BackstageApi } from '../backstage/api';
import { dryRun, templateSource } from '../backstage/dry-run';
import { formErrors } from '../backstage/form-errors';
import { readReleases, releaseProblems, templateVersion } from '../release';
import { ANSWERS_FILE, answersFor, readRecorded } from './answers';
import { commitTree, git, mergeTrees, treeChanges, uncommitted, writeTree, type Change } from './git';
import { changelogBetween, extractRelease, extractTemplate } from './template-history';
import { upgradeMessage } from './message';

/** A refusal in words: nothing was changed. */
export class UpgradeRefused extends Error {}

export interface UpgradeOptions {
  api: BackstageApi;
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
      defaulted: { name: string; value: unknown }[];
    };

export async function upgradeRepository(options: UpgradeOptions): Promise<UpgradeResult> {
  const { api, templateDir, repoDir } = options;
  const dirty = uncommitted(repoDir);
  if (dirty.length)
    throw new UpgradeRefused(
      `${repoDir} has uncommitted changes; commit or stash them first:\n${dirty.map(l => `  ${l}`).join('\n')}`,
    );
  const recorded = readRecorded(repoDir);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'template-upgrade-'));
  try {
    const target = options.to ? path.join(scratch, 'new') : templateDir;
    if (options.to) extractTemplate(templateDir, options.to, target);
    const problems = releaseProblems(target);
    if (problems.length)
      throw new UpgradeRefused(
        `the target (${options.to ?? 'the checkout'}) is not a release of the template:\n${problems.map(p => `  - ${p}`).join('\n')}`,
      );
    const version = templateVersion(target);
    if (version === recorded.version) return { outcome: 'current', version };
    if (semver.lt(version, recorded.version))
      throw new UpgradeRefused(`the repository is at ${recorded.version}; ${version} is older`);

    const release = readReleases(target).find(r => r.version === recorded.version);
    if (!release)
      throw new UpgradeRefused(
        `${ANSWERS_FILE} records release ${recorded.version}, which the template's releases.json does not have`,
      );
    const oldDir = path.join(scratch, 'old');
    const fromCommit = extractRelease(templateDir, release, oldDir, options.to ?? 'HEAD');
    const [oldSource, newSource] = [templateSource(oldDir), templateSource(target)];
    const ref = stringifyEntityRef({
      kind: 'Template',
      namespace: newSource.template.metadata.namespace,
      name: newSource.template.metadata.name,
    });
    if (recorded.template && stringifyEntityRef(parseEntityRef(recorded.template)) !== ref) {
      throw new UpgradeRefused(`${ANSWERS_FILE} says the repository was made from ${recorded.template}, not ${ref}`);
    }
    const answers = answersFor(oldSource.template, newSource.template, recorded.answers, options.given ?? {});
    if (answers.missing.length) {
      throw new UpgradeRefused(
        `release ${version}'s form asks for ${answers.missing.map(f => `${f.title ?? f.name} (${f.name})`).join(', ')}, with no default: ` +
          `give ${answers.missing.length === 1 ? 'it' : 'them'} with ${answers.missing.map(f => `--answer ${f.name}=VALUE`).join(' ')}`,
      );
    }
    const base = await dryRun(api, oldSource, recorded.answers);
    if (base.verdict !== 'accepted')
      throw new UpgradeRefused(
        `release ${recorded.version} refuses the answers it recorded: ${base.errors.map(e => e.stack).join('; ')}`,
      );
    const theirs = await dryRun(api, newSource, answers.answers);
    if (theirs.verdict !== 'accepted') {
      const pages = (newSource.template.spec.parameters as any[]).map(page => ({ title: page.title, schema: page }));
      const words = formErrors(pages, answers.answers);
      throw new UpgradeRefused(
        `release ${version}'s form refuses the recorded answers; give new ones with --answer NAME=VALUE:\n` +
          (words.length ? words : theirs.errors.map(e => e.stack)).map(e => `  - ${e}`).join('\n'),
      );
    }

    const trees = {
      base: writeTree(repoDir, base.rendered),
      ours: git(repoDir, ['rev-parse', 'HEAD^{tree}']),
      theirs: writeTree(repoDir, theirs.rendered),
    };
    const merge = mergeTrees(repoDir, trees, { ours: 'this-repository', theirs: `template-${version}` });
    const changes = treeChanges(repoDir, trees.base, trees.theirs);
    const toCommit = git(templateDir, ['rev-parse', `${options.to ?? 'HEAD'}^{commit}`]).slice(0, 12);
    const edited =
      !options.to &&
      git(templateDir, ['status', '--porcelain', '--', 'template.yaml', 'skeleton', 'releases.json', 'CHANGELOG.md']);
    const message = upgradeMessage({
      template: ref,
      from: { version: recorded.version, commit: fromCommit },
      to: { version, commit: edited ? `${toCommit} with uncommitted changes` : toCommit },
      changes,
      merge,
      answers,
      changelog: changelogBetween(
        target,
        v => semver.valid(v) !== null && semver.gt(v, recorded.version) && semver.lte(v, version),
      ),
    });

    const branch = options.branch ?? `template-upgrade/${version}`;
    const head = git(repoDir, ['rev-parse', 'HEAD']);
    const existing = git(repoDir, ['branch', '--list', '--format=%(objectname)', branch]);
    const result = {
      from: recorded.version,
      to: version,
      branch,
      message,
      changes,
      conflicts: merge.conflicts,
      defaulted: answers.defaulted,
    };
    if (existing) {
      const [parent, tree] = [
        git(repoDir, ['rev-parse', `${existing}^`]),
        git(repoDir, ['rev-parse', `${existing}^{tree}`]),
      ];
      if (parent === head && tree === merge.tree) {
        git(repoDir, ['checkout', '--quiet', branch]);
        return { outcome: 'prepared-before', commit: existing, ...result };
      }
      throw new UpgradeRefused(
        `branch ${branch} exists and holds something else: merge or delete it, or name another with --branch`,
      );
    }
    const commit = commitTree(repoDir, merge.tree, [head], message);
    git(repoDir, ['checkout', '--quiet', '-b', branch, commit]);
    return { outcome: 'prepared', commit, ...result };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
