// The embedded Backstage's configuration, as an app-config.yaml would hold it: what the catalog and the
// scaffolder need to run this repository's template.
import path from 'node:path';
import type { JsonObject } from '@backstage/types';

/** The catalog location of the template repository at ROOT: its catalog-info.yaml, which points at template.yaml. */
export function templateLocation(root: string): JsonObject {
  return { type: 'file', target: path.join(root, 'catalog-info.yaml') };
}

export function backstageConfig(opts: { baseUrl: string; port: number; repoRoot: string }): JsonObject {
  return {
    backend: {
      baseUrl: opts.baseUrl,
      listen: { host: '127.0.0.1', port: opts.port },
      // Node's default (5 s) lets the server close an idle kept-alive socket just as fetch reuses it, which
      // fails that request with ECONNRESET when the machine is busy. A longer timeout leaves closing idle
      // sockets to the client, which does it sooner.
      server: { keepAliveTimeout: { seconds: 65 } },
      database: { client: 'better-sqlite3', connection: ':memory:' },
      // Loopback-only development backend: API calls without a token are allowed, as in Backstage's own
      // local dev setup.
      auth: { dangerouslyDisableDefaultAuthPolicy: true },
    },
    integrations: { github: [{ host: 'github.com' }] },
    catalog: {
      rules: [{ allow: ['Component', 'API', 'System', 'Resource', 'Group', 'User', 'Location', 'Template'] }],
      locations: [templateLocation(opts.repoRoot)],
      // Stitching an entity after processing is deferred to a loop that looks for work this often (default
      // 1 s): a one-shot run waits for the template's entity before it can start.
      stitchingStrategy: { pollingInterval: { milliseconds: 50 } },
    },
  };
}
