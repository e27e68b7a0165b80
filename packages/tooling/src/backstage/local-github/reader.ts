// The catalog's and TechDocs' reads of https://github.com/OWNER/REPO/{blob,tree}/BRANCH/PATH for the
// repositories the local publish action committed, answered from their local git repositories: a file
// (readUrl, search without globs) for the catalog, a tree (readTree) for TechDocs. Anything else on
// github.com is not reachable here and is refused.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { NotAllowedError, NotFoundError, NotModifiedError } from '@backstage/errors';
import type { UrlReaderService } from '@backstage/backend-plugin-api';
import { git } from '../../git';
import { STAND_IN_NOTE } from '../stand-in';
import type { Published, PublishedRepositories } from './published';

interface Target {
  repo: Published;
  /** The path inside the repository, '' for its root. */
  inRepo: string;
  stats: fs.Stats;
}

const GITHUB_URL = /^https:\/\/github\.com\/([^/]+)\/([^/]+)\/(?:blob|tree)\/([^/]+)\/?(.*)$/;

export function createPublishedReader(published: PublishedRepositories): UrlReaderService {
  async function resolve(url: string): Promise<Target> {
    const [, owner = '', name = '', branch = '', rest = ''] = GITHUB_URL.exec(url) ?? [];
    const repo = published.get(owner, name);
    if (!repo || repo.branch !== branch) {
      throw new NotFoundError(`${url} is not a repository published in this local run`);
    }
    const inRepo = path.normalize(decodeURIComponent(rest)).replace(/^(\.\/?)+|\/+$/g, '');
    const stats = inRepo.startsWith('..')
      ? undefined
      : await fs.promises.stat(path.join(repo.dir, inRepo)).catch(() => undefined);
    if (!stats) throw new NotFoundError(`${url} does not exist`);
    return { repo, inRepo, stats };
  }

  async function readFile(url: string): Promise<Buffer> {
    const { repo, inRepo, stats } = await resolve(url);
    if (!inRepo || !stats.isFile()) throw new NotFoundError(`${url} is not a file`);
    return fs.promises.readFile(path.join(repo.dir, inRepo));
  }

  return {
    async readUrl(url) {
      const data = await readFile(url);
      return { buffer: () => Promise.resolve(data), stream: () => Readable.from(data) };
    },
    async readTree(url, options) {
      const { repo, inRepo } = await resolve(url);
      const etag = git(repo.dir, ['rev-parse', 'HEAD']);
      if (options?.etag === etag) throw new NotModifiedError();
      const files = git(repo.dir, ['ls-files', '-z', '--', inRepo || '.'])
        .split('\0')
        .filter(Boolean)
        .map(file => ({ file, relative: path.relative(inRepo, file) }))
        .filter(({ relative }) => !options?.filter || options.filter(relative));
      const tree = inRepo ? `HEAD:${inRepo}` : 'HEAD';
      return {
        etag,
        files: () =>
          Promise.resolve(
            files.map(({ file, relative }) => ({
              path: relative,
              content: () => fs.promises.readFile(path.join(repo.dir, file)),
            })),
          ),
        // A spawn, not git(): the reader's contract is a stream, which git archive writes the tar into as it goes.
        archive: () => Promise.resolve(spawn('git', ['archive', '--format=tar', tree], { cwd: repo.dir }).stdout),
        async dir(dirOptions) {
          const target = dirOptions?.targetDir ?? (await fs.promises.mkdtemp(path.join(os.tmpdir(), 'local-github-')));
          for (const { file, relative } of files) {
            await fs.promises.mkdir(path.dirname(path.join(target, relative)), { recursive: true });
            await fs.promises.copyFile(path.join(repo.dir, file), path.join(target, relative));
          }
          return target;
        },
      };
    },
    // The catalog reads a location through search; a plain path matches just that file.
    async search(url) {
      if (/[*?[\]{}]/.test(new URL(url).pathname)) {
        throw new NotAllowedError(`${STAND_IN_NOTE} GitHub reader cannot search with globs (${url})`);
      }
      const data = await readFile(url);
      return { files: [{ url, content: () => Promise.resolve(data) }], etag: '' };
    },
  };
}
