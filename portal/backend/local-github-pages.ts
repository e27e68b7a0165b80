// The portal's page for a repository the publish stand-in committed: where a real run links to GitHub, the
// task's "Repository" link leads here, to the commit and its files, so following it stays on this machine.
import fs from 'node:fs';
import path from 'node:path';
import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { Router } from 'express';
import { git } from '../../packages/tooling/src/git';
import type { BrowseUrl, PublishedRepositories } from '../../packages/tooling/src/backstage/local-github/index';
import { STAND_IN_NOTE } from '../../packages/tooling/src/backstage/stand-in';

const PLUGIN_ID = 'local-github';

/** The page's address for a repository, on the backend at BASE_URL. */
export const localGithubPage =
  (baseUrl: string): BrowseUrl =>
  (owner, repo) =>
    `${baseUrl}/api/${PLUGIN_ID}/${owner}/${repo}`;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);

function pagesRouter(published: PublishedRepositories) {
  const router = Router();
  router.get('/:owner/:repo', (req, res) => {
    const key = `${req.params.owner}/${req.params.repo}`;
    const repo = published.get(req.params.owner, req.params.repo);
    if (!repo) {
      res.status(404).type('text/plain').send(`${key} was not published in this run`);
      return;
    }
    const files = git(repo.dir, ['ls-files']).split('\n').filter(Boolean);
    const href = (file: string) => escapeHtml(`${req.params.repo}/blob/${repo.branch}/${file}`);
    const items = files.map(file => `<li><a href="${href(file)}">${escapeHtml(file)}</a></li>`).join('\n');
    const commit = git(repo.dir, ['log', '--format=commit %H%nAuthor: %an <%ae>%n%n    %s', '-1']);
    res.type('html').send(`<!doctype html><meta charset="utf-8"><title>${escapeHtml(key)}</title>
<h1>${escapeHtml(key)}</h1>
<p><strong>${STAND_IN_NOTE}</strong> for GitHub: publish:github committed this repository to
<code>${escapeHtml(repo.dir)}</code> instead of pushing it to https://github.com/${escapeHtml(key)}.</p>
<pre>${escapeHtml(commit)}</pre>
<h2>${files.length} files on ${escapeHtml(repo.branch)}</h2>
<ul>${items}</ul>`);
  });
  router.get('/:owner/:repo/blob/:branch/*', (req, res) => {
    const repo = published.get(req.params.owner, req.params.repo);
    const inRepo = (req.params as Partial<Record<string, string>>)[0] ?? '';
    const file = repo && path.resolve(repo.dir, inRepo);
    if (!file || !file.startsWith(repo.dir + path.sep) || !fs.existsSync(file) || inRepo.split('/').includes('.git')) {
      res.status(404).type('text/plain').send('not found');
      return;
    }
    res.type('text/plain').send(fs.readFileSync(file));
  });
  return router;
}

export function localGithubPagesPlugin(published: PublishedRepositories) {
  return createBackendPlugin({
    pluginId: PLUGIN_ID,
    register(env) {
      env.registerInit({
        deps: { httpRouter: coreServices.httpRouter },
        init({ httpRouter }) {
          // Opened by following a link, which carries no Backstage token.
          httpRouter.addAuthPolicy({ path: '/', allow: 'unauthenticated' });
          httpRouter.use(pagesRouter(published));
          return Promise.resolve();
        },
      });
    },
  });
}
