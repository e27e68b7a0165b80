// Search that finds what was just created. The catalog collator runs on its schedule and the TechDocs collator
// indexes only sites already built (each site's search/search_index.json), which `builder: local` builds on first
// view; Lunr answers a query for a type it has no index of with MissingIndexError, a 500. So this plugin watches
// the catalog: each entity that is new or changed has its TechDocs built through TechDocs' own sync endpoint, and
// both collations are then run at once through the scheduler's trigger endpoint. `ready` resolves once the
// TechDocs index exists (before it, the TechDocs reader's search would fail).
import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import type { AuthService, DiscoveryService, LoggerService } from '@backstage/backend-plugin-api';

const TECHDOCS_REF = 'backstage.io/techdocs-ref';
/** The search plugin's task ids: `search_index_` and the document type (IndexBuilder). */
const CATALOG_TASK = 'search_index_software_catalog';
const TECHDOCS_TASK = 'search_index_techdocs';
const POLL_MS = 1000;

interface EntitySummary {
  kind: string;
  metadata: { namespace?: string; name: string; etag?: string; annotations?: Record<string, string> };
}

interface TaskState {
  taskId: string;
  taskState: { status: string; lastRunEndedAt?: string } | null;
}

const sleep = (ms: number) =>
  new Promise(resolve => {
    setTimeout(resolve, ms);
  });

class Freshness {
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly auth: AuthService,
    private readonly discovery: DiscoveryService,
    private readonly logger: LoggerService,
  ) {}

  private async call(pluginId: string, route: string, init: RequestInit = {}): Promise<Response> {
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: pluginId,
    });
    const url = `${await this.discovery.getBaseUrl(pluginId)}${route}`;
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    return fetch(url, { ...init, headers });
  }

  /** The entities that are new or changed since the last look. */
  private async changed(): Promise<EntitySummary[]> {
    const fields = ['kind', 'metadata.namespace', 'metadata.name', 'metadata.etag', 'metadata.annotations'];
    const response = await this.call('catalog', `/entities?fields=${fields.join(',')}`);
    if (!response.ok) throw new Error(`catalog: ${response.status} ${await response.text()}`);
    const entities = (await response.json()) as EntitySummary[];
    return entities.filter(e => this.seen.get(this.ref(e)) !== e.metadata.etag);
  }

  private ref(e: EntitySummary) {
    return `${e.kind.toLowerCase()}:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`;
  }

  /** Builds an entity's site as opening it would: TechDocs' sync endpoint, its event stream read to the end. */
  private async sync(e: EntitySummary): Promise<void> {
    const { namespace = 'default', name } = e.metadata;
    const response = await this.call('techdocs', `/sync/${namespace}/${e.kind.toLowerCase()}/${name}`);
    const events = await response.text();
    if (!response.ok || /^event: error$/m.test(events)) {
      this.logger.warn(`TechDocs of ${this.ref(e)} did not build: ${response.status} ${events.slice(-2000)}`);
    }
  }

  private async tasks(): Promise<Map<string, TaskState['taskState']>> {
    const response = await this.call('search', '/.backstage/scheduler/v1/tasks');
    const { tasks } = (await response.json()) as { tasks: TaskState[] };
    return new Map(tasks.map(t => [t.taskId, t.taskState]));
  }

  /** Runs a collation now and waits for it to end; a run already under way is waited for, then run again. */
  private async collate(taskId: string): Promise<void> {
    for (;;) {
      const before = (await this.tasks()).get(taskId);
      if (before?.status !== 'running') {
        const response = await this.call('search', `/.backstage/scheduler/v1/tasks/${taskId}/trigger`, {
          method: 'POST',
        });
        if (response.ok) {
          for (;;) {
            await sleep(POLL_MS);
            const state = (await this.tasks()).get(taskId);
            if (state?.status !== 'running' && state?.lastRunEndedAt !== before?.lastRunEndedAt) return;
          }
        }
        // 409: it started between the look and the trigger.
        if (response.status !== 409) throw new Error(`trigger ${taskId}: ${response.status} ${await response.text()}`);
      }
      await sleep(POLL_MS);
    }
  }

  /** One look at the catalog; returns whether a TechDocs site was indexed. */
  async pass(): Promise<boolean> {
    const changed = await this.changed();
    if (!changed.length) return false;
    // Names and descriptions first: the catalog collation does not wait for the sites to build.
    await this.collate(CATALOG_TASK);
    const withDocs = changed.filter(e => e.metadata.annotations?.[TECHDOCS_REF]);
    for (const entity of withDocs) await this.sync(entity);
    if (withDocs.length) await this.collate(TECHDOCS_TASK);
    for (const entity of changed) this.seen.set(this.ref(entity), entity.metadata.etag ?? '');
    return withDocs.length > 0;
  }
}

/** The plugin, and a promise that resolves once the first TechDocs site is built and indexed. */
export function searchFreshnessPlugin() {
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>(resolve => {
    resolveReady = resolve;
  });
  const plugin = createBackendPlugin({
    pluginId: 'portal-search-freshness',
    register(env) {
      env.registerInit({
        deps: {
          auth: coreServices.auth,
          discovery: coreServices.discovery,
          logger: coreServices.logger,
          lifecycle: coreServices.rootLifecycle,
        },
        init({ auth, discovery, logger, lifecycle }) {
          const freshness = new Freshness(auth, discovery, logger);
          let stopped = false;
          lifecycle.addStartupHook(() => {
            void (async () => {
              while (!stopped) {
                try {
                  if (await freshness.pass()) resolveReady();
                } catch (error) {
                  logger.warn(`search freshness: ${String(error)}`);
                }
                await sleep(POLL_MS);
              }
            })();
          });
          lifecycle.addShutdownHook(() => {
            stopped = true;
          });
          return Promise.resolve();
        },
      });
    },
  });
  return { plugin, ready };
}
