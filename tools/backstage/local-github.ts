// The one part of the template's run that needs the outside world is GitHub: `publish:github` pushes the
// rendered repository there, and the catalog then reads `catalog-info.yaml` back from it. Locally both are
// stood in for, and only those: the stand-in publish action keeps the real action's id and input schema
// (so Backstage validates the step's input exactly as in production) but commits the workspace into a local
// git repository, and a URL reader answers the catalog's reads of https://github.com/OWNER/REPO/blob/BRANCH/...
// from that local repository. `catalog:register` and the catalog itself stay the real ones.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ConfigReader } from '@backstage/config';
import { NotFoundError, NotAllowedError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import type { UrlReaderService } from '@backstage/backend-plugin-api';
import { createPublishGithubAction } from '@backstage/plugin-scaffolder-backend-module-github';
import { parseRepoUrl, type TemplateAction } from '@backstage/plugin-scaffolder-node';

export const STAND_IN_NOTE = 'LOCAL STAND-IN';

/** Where a published repository lands, by its GitHub owner and name. */
export type PublishTarget = (repo: { owner: string; repo: string }) => string;

interface Published {
  dir: string;
  branch: string;
}

export function createLocalGithub(publishTarget: PublishTarget) {
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
      const source = path.resolve(ctx.workspacePath, input.sourcePath ?? '.');
      fs.mkdirSync(dir, { recursive: true });
      fs.cpSync(source, dir, { recursive: true });
      const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
      git('init', '-q', '-b', branch);
      git('add', '-A');
      const author = [
        '-c', `user.name=${input.gitAuthorName ?? 'Scaffolder'}`,
        '-c', `user.email=${input.gitAuthorEmail ?? 'scaffolder@backstage.io'}`,
      ];
      git(...author, 'commit', '-q', '--no-gpg-sign', '-m', input.gitCommitMessage ?? 'initial commit');
      const remoteUrl = `https://${host}/${owner}/${repo}`;
      published.set(`${owner}/${repo}`, { dir, branch });
      ctx.logger.info(`${STAND_IN_NOTE}: ${real.id} committed the repository to ${dir} instead of pushing it to ${remoteUrl}`);
      const settings = ['repoVariables', 'secrets', 'topics', 'repoVisibility', 'description']
        .filter(key => input[key] !== undefined)
        .map(key => `${key}=${JSON.stringify(input[key])}`);
      if (settings.length) ctx.logger.info(`${STAND_IN_NOTE}: on GitHub the repository would get ${settings.join(', ')}`);
      ctx.output('remoteUrl', remoteUrl);
      ctx.output('repoContentsUrl', `${remoteUrl}/blob/${branch}`);
      ctx.output('commitHash', git('rev-parse', 'HEAD'));
    },
  };

  // Answers reads of published repositories' files; anything else on github.com is not reachable here.
  const reader: UrlReaderService = {
    async readUrl(url) {
      const file = resolvePublishedFile(url);
      const data = fs.readFileSync(file);
      return { buffer: async () => data, stream: () => Readable.from(data) };
    },
    async readTree(url) {
      throw new NotAllowedError(`${STAND_IN_NOTE} GitHub reader cannot read trees (${url})`);
    },
    // The catalog reads a location through search; a plain path matches just that file.
    async search(url) {
      if (/[*?[\]{}]/.test(new URL(url).pathname)) {
        throw new NotAllowedError(`${STAND_IN_NOTE} GitHub reader cannot search with globs (${url})`);
      }
      const data = fs.readFileSync(resolvePublishedFile(url));
      return { files: [{ url, content: async () => data }], etag: '' };
    },
  };

  function resolvePublishedFile(url: string): string {
    const match = /^https:\/\/github\.com\/([^/]+)\/([^/]+)\/(?:blob|tree)\/([^/]+)\/(.+)$/.exec(url);
    const repo = match && published.get(`${match[1]}/${match[2]}`);
    if (!match || !repo || repo.branch !== match[3]) {
      throw new NotFoundError(`${url} is not a repository published in this local run`);
    }
    const file = path.resolve(repo.dir, decodeURIComponent(match[4]));
    if (!file.startsWith(repo.dir + path.sep) || !fs.existsSync(file)) throw new NotFoundError(`${url} does not exist`);
    return file;
  }

  return {
    publishAction,
    readerFactory: { reader, predicate: (url: URL) => url.host === 'github.com' },
  };
}
