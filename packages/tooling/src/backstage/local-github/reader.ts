// The catalog's and TechDocs' reads of https://github.com/OWNER/REPO/{blob,tree}/BRANCH/PATH for the
// repositories the local publish stand-in committed, answered from their local git repositories: a file
// (readUrl, search without globs) for the catalog, a tree (readTree) for TechDocs. Anything else on
// github.com is not reachable here and is refused.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { NotAllowedError, NotFoundError, NotModifiedError } from '@backstage/errors';
import type { UrlReaderService } from '@backstage/backend-plugin-api';
import { STAND_IN_NOTE, type Published } from './index';

interface Target {
  repo: Published;
  /** The path inside the repository, '' for its root. */
  inRepo: string;
}

export function createPublishedReader(published: Map<string, Published>): UrlReaderService {
  function resolve(url: string): Target {
    const match = /^https:\/\/github\.com\/([^/]+)\/([^/]+)\/(?:blob|tree)\/([^/]+)\/?(.*)$/.exec(url);
    const repo = match && published.get(`${match[1]}/${match[2]}`);
    if (!match || !repo || repo.branch !== match[3]) {
      throw new NotFoundError(`${url} is not a repository published in this local run`);
    }
    const inRepo = path.normalize(decodeURIComponent(match[4])).replace(/^(\.\/?)+|\/+$/g, '');
    if (inRepo.startsWith('..') || !fs.existsSync(path.join(repo.dir, inRepo)))
      throw new NotFoundError(`${url} does not exist`);
    return { repo, inRepo };
  }

  function readFile(url: string): Buffer {
    const { repo, inRepo } = resolve(url);
    const file = path.join(repo.dir, inRepo);
    if (!inRepo || !fs.statSync(file).isFile()) throw new NotFoundError(`${url} is not a file`);
    return fs.readFileSync(file);
  }

  return {
    async readUrl(url) {
      const data = readFile(url);
      return { buffer: async () => data, stream: () => Readable.from(data) };
    },
    async readTree(url, options) {
      const { repo, inRepo } = resolve(url);
      const git = (...args: string[]) => execFileSync('git', args, { cwd: repo.dir, encoding: 'utf8' });
      const etag = git('rev-parse', 'HEAD').trim();
      if (options?.etag === etag) throw new NotModifiedError();
      const files = git('ls-files', '-z', '--', inRepo || '.')
        .split('\0')
        .filter(Boolean)
        .map(file => ({ file, relative: path.relative(inRepo, file) }))
        .filter(({ relative }) => !options?.filter || options.filter(relative));
      return {
        etag,
        async files() {
          return files.map(({ file, relative }) => ({
            path: relative,
            content: async () => fs.readFileSync(path.join(repo.dir, file)),
          }));
        },
        async archive() {
          const tree = inRepo ? `HEAD:${inRepo}` : 'HEAD';
          return spawn('git', ['archive', '--format=tar', tree], { cwd: repo.dir }).stdout;
        },
        async dir(dirOptions) {
          const target = dirOptions?.targetDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'local-github-'));
          for (const { file, relative } of files) {
            fs.mkdirSync(path.dirname(path.join(target, relative)), { recursive: true });
            fs.copyFileSync(path.join(repo.dir, file), path.join(target, relative));
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
      const data = readFile(url);
      return { files: [{ url, content: async () => data }], etag: '' };
    },
  };
}
