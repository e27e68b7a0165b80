// The portal's page for a repository the publish stand-in committed: where a real run links to GitHub, the
// task's "Repository" link leads here, to the commit and its files, so following it stays on this machine.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { Router } from 'express';
import { STAND_IN_NOTE, type Published } from './local-github/index';

export const LOCAL_GITHUB_PLUGIN = 'local-github';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);

export function localGithubPages(published: Map<string, Published>) {
  const router = Router();
  router.get('/:owner/:repo', (req, res) => {
    const key = `${req.params.owner}/${req.params.repo}`;
    const repo = published.get(key);
    if (!repo) {
      res.status(404).type('text/plain').send(`${key} was not published in this run`);
      return;
    }
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo.dir, encoding: 'utf8' });
    const files = git('ls-files').split('\n').filter(Boolean);
    const items = files
      .map(
        file =>
          `<li><a href="${escapeHtml(`${req.params.repo}/blob/${repo.branch}/${file}`)}">${escapeHtml(file)}</a></li>`,
      )
      .join('\n');
    res.type('html').send(`<!doctype html><meta charset="utf-8"><title>${escapeHtml(key)}</title>
<h1>${escapeHtml(key)}</h1>
<p><strong>${STAND_IN_NOTE}</strong> for GitHub: publish:github committed this repository to
<code>${escapeHtml(repo.dir)}</code> instead of pushing it to https://github.com/${escapeHtml(key)}.</p>
<pre>${escapeHtml(git('log', '--format=commit %H%nAuthor: %an <%ae>%n%n    %s', '-1'))}</pre>
<h2>${files.length} files on ${escapeHtml(repo.branch)}</h2>
<ul>${items}</ul>`);
  });
  router.get('/:owner/:repo/blob/:branch/*', (req, res) => {
    const repo = published.get(`${req.params.owner}/${req.params.repo}`);
    const inRepo: string = (req.params as Record<string, string>)[0];
    const file = repo && path.resolve(repo.dir, inRepo);
    if (
      !repo ||
      !file!.startsWith(repo.dir + path.sep) ||
      !fs.existsSync(file!) ||
      inRepo.split('/').includes('.git')
    ) {
      res.status(404).type('text/plain').send('not found');
      return;
    }
    res.type('text/plain').send(fs.readFileSync(file!));
  });

  return createBackendPlugin({
    pluginId: LOCAL_GITHUB_PLUGIN,
    register(env) {
      env.registerInit({
        deps: { httpRouter: coreServices.httpRouter },
        async init({ httpRouter }) {
          // Opened by following a link, which carries no Backstage token.
          httpRouter.addAuthPolicy({ path: '/', allow: 'unauthenticated' });
          httpRouter.use(router);
        },
      });
    },
  });
}
