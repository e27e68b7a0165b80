// The local portal: the app in portal/app (built by build-app.ts), served by the embedded backend with guest
// sign-in, TechDocs and search, and the example catalog.
import fs from 'node:fs';
import path from 'node:path';
import { startBackstage, type EmbeddedBackstage } from '../../packages/tooling/src/backstage/backend';
import { repoRoot } from '../../packages/tooling/src/template-repository';
import { portalConfig } from './config';
import { localGithubPage, localGithubPagesPlugin } from './local-github-pages';
import { approximateTechdocsModule } from './modules/approximate-techdocs';
import { searchFreshnessPlugin } from './modules/search-freshness';
import { pathWithPlantuml } from './techdocs-approximation';

export interface StartPortalOptions {
  port?: number;
  /** Where the publish stand-in commits each new repository (default ./out/REPO). */
  outDir?: string;
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
}

export async function startPortal(options: StartPortalOptions = {}): Promise<EmbeddedBackstage> {
  const outDir = options.outDir ?? path.join(repoRoot, 'out');
  const techdocsDir = path.join(repoRoot, '.cache', 'portal', `techdocs-${process.pid}`);
  fs.mkdirSync(techdocsDir, { recursive: true });
  // Backstage's generator runs mkdocs with this process's environment; plantuml_markdown runs `plantuml`.
  process.env.PATH = pathWithPlantuml();
  // mkdocs imports the PlantUML hook from portal/backend: no __pycache__ left in the working tree.
  process.env.PYTHONDONTWRITEBYTECODE = '1';
  const freshness = searchFreshnessPlugin();
  const backstage = await startBackstage({
    repoRoot,
    port: options.port,
    logLevel: options.logLevel,
    publishTarget: ({ repo }) => path.join(outDir, repo),
    // The address a browser and Backstage's own docs use; it listens on 127.0.0.1 only either way.
    hostname: 'localhost',
    extend: ({ baseUrl, published }) => ({
      config: portalConfig({
        baseUrl,
        repoRoot,
        techdocsDir,
        catalogFiles: [path.join(repoRoot, 'portal', 'examples.yaml')],
      }),
      browseUrl: localGithubPage(baseUrl),
      features: [
        import('@backstage/plugin-app-backend'),
        import('@backstage/plugin-auth-backend'),
        import('@backstage/plugin-auth-backend-module-guest-provider'),
        import('@backstage/plugin-techdocs-backend'),
        approximateTechdocsModule,
        import('@backstage/plugin-search-backend'),
        import('@backstage/plugin-search-backend-module-catalog'),
        import('@backstage/plugin-search-backend-module-techdocs'),
        localGithubPagesPlugin(published),
        freshness.plugin,
      ],
    }),
  });
  // The TechDocs reader's search asks for the techdocs index: it must exist before anyone can open a site.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error('the TechDocs search index was not built within 3 minutes: see the log above'));
    }, 180_000);
  });
  try {
    await Promise.race([freshness.ready, timeout]);
  } catch (error) {
    await backstage.stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    ...backstage,
    async stop() {
      await backstage.stop();
      fs.rmSync(techdocsDir, { recursive: true, force: true });
    },
  };
}
