// Boots a real Backstage backend in this process: the production catalog and scaffolder plugins from
// @backstage/backend-defaults, SQLite in memory, listening on loopback only. The catalog loads this repo's
// catalog-info.yaml as a `file` location, exactly as a platform team's Backstage would load its URL. With
// `portal`, the same backend also serves the app (portal/app), guest sign-in, TechDocs and search.
import { createBackend } from '@backstage/backend-defaults';
import { urlReaderFactoriesServiceRef } from '@backstage/backend-defaults/urlReader';
import { coreServices, createBackendModule, createServiceFactory } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { techdocsGeneratorExtensionPoint } from '@backstage/plugin-techdocs-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { backstageConfig, type PortalOptions } from './config';
import { createLocalGithub, type PublishTarget } from './local-github/index';
import { LOCAL_GITHUB_PLUGIN, localGithubPages } from './local-github-pages';
import { ApproximateTechdocsGenerator } from './techdocs-approximation';
import { freeLoopbackPort } from '../free-port';
import { BackstageApi } from './api';

export interface EmbeddedBackstage {
  baseUrl: string;
  api: BackstageApi;
  stop(): Promise<void>;
}

export interface BackstageOptions {
  /** The template repository: its catalog-info.yaml is the catalog location. */
  repoRoot: string;
  /** Where the local `publish:github` stand-in writes each repository. */
  publishTarget: PublishTarget;
  /** Backstage's own log level (its task logs are read through the API regardless). */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** A fixed port (default: a free one). */
  port?: number;
  /** Serve the portal: the app, guest sign-in, TechDocs and search besides the catalog and scaffolder. */
  portal?: PortalOptions;
}

// TechDocs sites are built by Backstage's own generator with Debian's mkdocs, techdocs-core approximated.
const approximateTechdocs = createBackendModule({
  pluginId: 'techdocs',
  moduleId: 'approximate-techdocs-core',
  register(env) {
    env.registerInit({
      deps: {
        generator: techdocsGeneratorExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ generator, config, logger }) {
        const scmIntegrations = ScmIntegrations.fromConfig(config);
        generator.setTechdocsGenerator(new ApproximateTechdocsGenerator({ logger, config, scmIntegrations }));
      },
    });
  },
});

export async function startBackstage(options: BackstageOptions): Promise<EmbeddedBackstage> {
  const port = options.port ?? (await freeLoopbackPort());
  // The portal is addressed as localhost (what a browser and Backstage's own docs use); it listens on
  // 127.0.0.1 only either way.
  const baseUrl = `http://${options.portal ? 'localhost' : '127.0.0.1'}:${port}`;
  const config = backstageConfig({
    baseUrl,
    port,
    repoRoot: options.repoRoot,
    logLevel: options.logLevel ?? 'warn',
    portal: options.portal,
  });
  const localGithub = createLocalGithub(
    options.publishTarget,
    options.portal && ((owner, repo) => `${baseUrl}/api/${LOCAL_GITHUB_PLUGIN}/${owner}/${repo}`),
  );
  const backend = createBackend();
  backend.add(
    createServiceFactory({
      service: coreServices.rootConfig,
      deps: {},
      factory: () => new ConfigReader(config, 'embedded-backstage'),
    }),
  );
  backend.add(
    createServiceFactory({
      service: urlReaderFactoriesServiceRef,
      deps: {},
      factory: () => () => [localGithub.readerFactory],
    }),
  );
  backend.add(import('@backstage/plugin-events-backend'));
  backend.add(import('@backstage/plugin-catalog-backend'));
  backend.add(import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'));
  // Exposes entities the catalog could not process, with their errors.
  backend.add(import('@backstage/plugin-catalog-backend-module-unprocessed'));
  backend.add(import('@backstage/plugin-scaffolder-backend'));
  backend.add(
    createBackendModule({
      pluginId: 'scaffolder',
      moduleId: 'local-github-stand-in',
      register(env) {
        env.registerInit({
          deps: { scaffolder: scaffolderActionsExtensionPoint },
          async init({ scaffolder }) {
            scaffolder.addActions(localGithub.publishAction);
          },
        });
      },
    }),
  );
  if (options.portal) {
    backend.add(import('@backstage/plugin-app-backend'));
    backend.add(import('@backstage/plugin-auth-backend'));
    backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
    backend.add(import('@backstage/plugin-techdocs-backend'));
    backend.add(approximateTechdocs);
    backend.add(import('@backstage/plugin-search-backend'));
    backend.add(import('@backstage/plugin-search-backend-module-catalog'));
    backend.add(import('@backstage/plugin-search-backend-module-techdocs'));
    backend.add(localGithubPages(localGithub.published));
  }
  await backend.start();
  return {
    baseUrl,
    api: new BackstageApi(baseUrl),
    stop: () => backend.stop(),
  };
}
