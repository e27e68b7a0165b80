// Boots a real Backstage backend in this process: the production catalog and scaffolder plugins from
// @backstage/backend-defaults, SQLite in memory, listening on loopback only, with the local GitHub stand-in
// (local-github/). The catalog loads this repo's catalog-info.yaml as a `file` location, exactly as a platform
// team's Backstage would load its URL. A program that embeds it can add plugins, modules and configuration.
import { createBackend } from '@backstage/backend-defaults';
import { coreServices, createServiceFactory, type BackendFeature } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import { freeLoopbackPort } from '../free-port';
import { BackstageApi } from './api';
import { backstageConfig } from './config';
import { createLocalGithub, PublishedRepositories, type BrowseUrl, type PublishTarget } from './local-github/index';
import { localGithubPublishModule } from './modules/local-github-publish';
import { localGithubReaderService } from './modules/local-github-reader';
import { eventsService } from './services/events';
import { rootLoggerService } from './services/root-logger';

export interface EmbeddedBackstage {
  baseUrl: string;
  api: BackstageApi;
  stop(): Promise<void>;
}

/** A backend feature, or the import of a module whose default export is one. */
type Feature = BackendFeature | Promise<{ default: BackendFeature }>;

/** What a program that embeds the backend adds to it. */
interface BackstageExtension {
  features?: Feature[];
  /** Configuration over the tooling's own: a key given here replaces the tooling's value (arrays whole). */
  config?: JsonObject;
  /** Where the publish stand-in's "Repository" link points; default: the GitHub URL the repository would have. */
  browseUrl?: BrowseUrl;
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
  /** The host name the backend is addressed by (default 127.0.0.1); it listens on 127.0.0.1 either way. */
  hostname?: string;
  /** Plugins, modules and configuration to add, given the backend's address and what the stand-in publishes. */
  extend?: (backend: { baseUrl: string; published: PublishedRepositories }) => BackstageExtension;
}

export async function startBackstage(options: BackstageOptions): Promise<EmbeddedBackstage> {
  const port = options.port ?? (await freeLoopbackPort());
  const baseUrl = `http://${options.hostname ?? '127.0.0.1'}:${port}`;
  const published = new PublishedRepositories();
  const extension = options.extend?.({ baseUrl, published }) ?? {};
  const config = backstageConfig({ baseUrl, port, repoRoot: options.repoRoot });
  // ConfigReader.fromConfigs: a later configuration's keys take precedence over an earlier one's.
  const configs = [{ context: 'embedded-backstage', data: config }];
  if (extension.config) configs.push({ context: 'embedding program', data: extension.config });
  const localGithub = createLocalGithub(options.publishTarget, published, extension.browseUrl);

  const backend = createBackend();
  backend.add(
    createServiceFactory({
      service: coreServices.rootConfig,
      deps: {},
      factory: () => ConfigReader.fromConfigs(configs),
    }),
  );
  backend.add(rootLoggerService(options.logLevel ?? 'warn'));
  backend.add(eventsService);
  backend.add(localGithubReaderService(localGithub.readerFactory));
  // The scaffolder publishes its task events to the events backend.
  backend.add(import('@backstage/plugin-events-backend'));
  backend.add(import('@backstage/plugin-catalog-backend'));
  backend.add(import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'));
  // Exposes entities the catalog could not process, with their errors.
  backend.add(import('@backstage/plugin-catalog-backend-module-unprocessed'));
  backend.add(import('@backstage/plugin-scaffolder-backend'));
  backend.add(localGithubPublishModule(localGithub.publishAction));
  for (const feature of extension.features ?? []) backend.add(feature);
  await backend.start();
  return {
    baseUrl,
    api: new BackstageApi(baseUrl),
    stop: () => backend.stop(),
  };
}
