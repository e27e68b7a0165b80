// Boots a real Backstage backend in this process: the production catalog and scaffolder plugins from
// @backstage/backend-defaults, SQLite in memory, listening on loopback only. The catalog loads this repo's
// catalog-info.yaml as a `file` location, exactly as a platform team's Backstage would load its URL.
import path from 'node:path';
import { createBackend } from '@backstage/backend-defaults';
import { urlReaderFactoriesServiceRef } from '@backstage/backend-defaults/urlReader';
import {
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createLocalGithub, type PublishTarget } from './local-github';
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
}

export async function startBackstage(options: BackstageOptions): Promise<EmbeddedBackstage> {
  const port = await freeLoopbackPort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = {
    app: { baseUrl },
    backend: {
      baseUrl,
      listen: { host: '127.0.0.1', port },
      database: { client: 'better-sqlite3', connection: ':memory:' },
      // Loopback-only development backend: no sign-in, as in Backstage's own local dev setup.
      auth: { dangerouslyDisableDefaultAuthPolicy: true },
      logger: { level: options.logLevel ?? 'warn' },
    },
    integrations: { github: [{ host: 'github.com' }] },
    catalog: {
      rules: [{ allow: ['Component', 'API', 'System', 'Resource', 'Group', 'User', 'Location', 'Template'] }],
      locations: [{ type: 'file', target: path.join(options.repoRoot, 'catalog-info.yaml') }],
    },
  };

  const localGithub = createLocalGithub(options.publishTarget);
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
  await backend.start();
  return {
    baseUrl,
    api: new BackstageApi(baseUrl),
    stop: () => backend.stop(),
  };
}
