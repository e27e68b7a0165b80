// The stand-in for publish:github: the real action's id and input schema, taken from the real action, and a
// handler that commits the workspace into a local git repository instead of pushing it to GitHub.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { createPublishGithubAction } from '@backstage/plugin-scaffolder-backend-module-github';
import { parseRepoUrl } from '@backstage/plugin-scaffolder-node';
import { git } from '../../git';
import { STAND_IN_NOTE } from '../stand-in';
import type { PublishedRepositories } from './published';

/** Where a published repository lands, by its GitHub owner and name. */
export type PublishTarget = (repo: { owner: string; repo: string }) => string;

/** Where the "Repository" output link of a published repository points; default: its GitHub URL. */
export type BrowseUrl = (owner: string, repo: string) => string;

export function createLocalPublishAction(target: PublishTarget, published: PublishedRepositories, browse?: BrowseUrl) {
  const integrations = ScmIntegrations.fromConfig(new ConfigReader({}));
  const real = createPublishGithubAction({ integrations, config: new ConfigReader({}) });
  const action: typeof real = {
    ...real,
    description: `${STAND_IN_NOTE} for ${real.id}: commits the workspace into a local git repository.`,
    supportsDryRun: false,
    async handler(ctx) {
      const { input } = ctx;
      const { owner, repo, host } = parseRepoUrl(input.repoUrl, integrations);
      if (!owner) throw new NotFoundError(`repoUrl ${input.repoUrl} names no owner`);
      const branch = input.defaultBranch ?? 'main';
      const dir = target({ owner, repo });
      if (published.has(owner, repo) || (fs.existsSync(dir) && fs.readdirSync(dir).length > 0)) {
        // As GitHub refuses to create a repository that exists.
        throw new ConflictError(`${STAND_IN_NOTE}: repository ${owner}/${repo} already exists (${dir})`);
      }
      await fs.promises.cp(path.resolve(ctx.workspacePath, input.sourcePath ?? '.'), dir, { recursive: true });
      const commitHash = commitAll(dir, branch, {
        name: input.gitAuthorName ?? 'Scaffolder',
        email: input.gitAuthorEmail ?? 'scaffolder@backstage.io',
        message: input.gitCommitMessage ?? 'initial commit',
      });
      const remoteUrl = `https://${host}/${owner}/${repo}`;
      published.add(owner, repo, { dir, branch });
      ctx.logger.info(
        `${STAND_IN_NOTE}: ${real.id} committed the repository to ${dir} instead of pushing it to ${remoteUrl}`,
      );
      const settings = (['repoVariables', 'secrets', 'topics', 'repoVisibility', 'description'] as const)
        .filter(key => input[key] !== undefined)
        .map(key => `${key}=${JSON.stringify(input[key])}`);
      if (settings.length)
        ctx.logger.info(`${STAND_IN_NOTE}: on GitHub the repository would get ${settings.join(', ')}`);
      ctx.output('remoteUrl', browse?.(owner, repo) ?? remoteUrl);
      ctx.output('repoContentsUrl', `${remoteUrl}/blob/${branch}`);
      ctx.output('commitHash', commitHash);
    },
  };
  return action;
}

/** Makes DIR a git repository whose one commit holds everything in it; returns the commit's id. */
function commitAll(dir: string, branch: string, commit: { name: string; email: string; message: string }): string {
  git(dir, ['init', '-q', '-b', branch]);
  git(dir, ['add', '-A']);
  const author = ['-c', `user.name=${commit.name}`, '-c', `user.email=${commit.email}`];
  git(dir, [...author, 'commit', '-q', '--no-gpg-sign', '-m', commit.message]);
  return git(dir, ['rev-parse', 'HEAD']);
}
