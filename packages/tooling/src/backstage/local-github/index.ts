// The one part of the template's run that needs the outside world is GitHub: `publish:github` pushes the
// rendered repository there, and the catalog then reads `catalog-info.yaml` back from it. Locally both are
// stood in for, and only those: the stand-in publish action keeps the real action's id and input schema
// (so Backstage validates the step's input exactly as in production) but commits the workspace into a local
// git repository, and a URL reader answers the catalog's reads of https://github.com/OWNER/REPO/blob/BRANCH/...
// from that local repository. `catalog:register` and the catalog itself stay the real ones.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { createPublishGithubAction } from '@backstage/plugin-scaffolder-backend-module-github';
import { parseRepoUrl, type TemplateAction } from '@backstage/plugin-scaffolder-node';
import { createPublishedReader } from './reader';

export const STAND_IN_NOTE = 'LOCAL STAND-IN';

/** Where a published repository lands, by its GitHub owner and name. */
export type PublishTarget = (repo: { owner: string; repo: string }) => string;

/** A repository the stand-in published, by `owner/repo`. */
export interface Published {
  dir: string;
  branch: string;
}

/**
 * `browseUrl`, when given, is where the portal shows a published repository (its output link "Repository"
 * then stays on this machine); without it the link is the GitHub URL the repository would have.
 */
export function createLocalGithub(publishTarget: PublishTarget, browseUrl?: (owner: string, repo: string) => string) {
  const published = new Map<string, Published>();
  const integrations = ScmIntegrations.fromConfig(new ConfigReader({}));
  const real = createPublishGithubAction({ integrations, config: new ConfigReader({}) });

  const publishAction: TemplateAction<any, any, any> = {
    ...real,
    description: `${STAND_IN_NOTE} for ${real.id}: commits the workspace into a local git repository instead of pushing to GitHub.`,
    supportsDryRun: false,
    async handler(ctx) {
      const input = ctx.input as Record<string, any>;
      const { owner, repo, host } = parseRepoUrl(input.repoUrl, integrations);
      if (!owner) throw new NotFoundError(`repoUrl ${input.repoUrl} names no owner`);
      const branch: string = input.defaultBranch ?? 'main';
      const dir = publishTarget({ owner, repo });
      if (published.has(`${owner}/${repo}`) || (fs.existsSync(dir) && fs.readdirSync(dir).length > 0)) {
        // As GitHub refuses to create a repository that exists.
        throw new ConflictError(`${STAND_IN_NOTE}: repository ${owner}/${repo} already exists (${dir})`);
      }
      const source = path.resolve(ctx.workspacePath, input.sourcePath ?? '.');
      fs.mkdirSync(dir, { recursive: true });
      fs.cpSync(source, dir, { recursive: true });
      const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
      git('init', '-q', '-b', branch);
      git('add', '-A');
      const author = [
        '-c',
        `user.name=${input.gitAuthorName ?? 'Scaffolder'}`,
        '-c',
        `user.email=${input.gitAuthorEmail ?? 'scaffolder@backstage.io'}`,
      ];
      git(...author, 'commit', '-q', '--no-gpg-sign', '-m', input.gitCommitMessage ?? 'initial commit');
      const remoteUrl = `https://${host}/${owner}/${repo}`;
      published.set(`${owner}/${repo}`, { dir, branch });
      ctx.logger.info(
        `${STAND_IN_NOTE}: ${real.id} committed the repository to ${dir} instead of pushing it to ${remoteUrl}`,
      );
      const settings = ['repoVariables', 'secrets', 'topics', 'repoVisibility', 'description']
        .filter(key => input[key] !== undefined)
        .map(key => `${key}=${JSON.stringify(input[key])}`);
      if (settings.length)
        ctx.logger.info(`${STAND_IN_NOTE}: on GitHub the repository would get ${settings.join(', ')}`);
      ctx.output('remoteUrl', browseUrl?.(owner, repo) ?? remoteUrl);
      ctx.output('repoContentsUrl', `${remoteUrl}/blob/${branch}`);
      ctx.output('commitHash', git('rev-parse', 'HEAD'));
    },
  };

  return {
    publishAction,
    published,
    readerFactory: { reader: createPublishedReader(published), predicate: (url: URL) => url.host === 'github.com' },
  };
}
