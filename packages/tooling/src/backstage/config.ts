// The embedded Backstage's configuration, as an app-config.yaml would hold it. `npm run create` needs the
// catalog and the scaffolder; the portal (`npm start`) adds the app, guest sign-in, TechDocs and search.
import path from 'node:path';

export interface PortalOptions {
  /** Where TechDocs keeps the sites it builds. */
  techdocsDir: string;
  /** Extra catalog files: the example owner, system and user. */
  catalogFiles: string[];
}

export function backstageConfig(opts: {
  baseUrl: string;
  port: number;
  repoRoot: string;
  logLevel: string;
  portal?: PortalOptions;
}) {
  const { baseUrl, port, portal } = opts;
  const files = [path.join(opts.repoRoot, 'catalog-info.yaml'), ...(portal?.catalogFiles ?? [])];
  return {
    app: { baseUrl, title: 'koa-service template: local portal', packageName: 'app' },
    organization: { name: 'Local portal' },
    backend: {
      baseUrl,
      listen: { host: '127.0.0.1', port },
      database: { client: 'better-sqlite3', connection: ':memory:' },
      // Loopback-only development backend: API calls without a token are allowed, as in Backstage's own
      // local dev setup; the portal's browser still signs in and sends the guest's token.
      auth: { dangerouslyDisableDefaultAuthPolicy: true },
      logger: { level: opts.logLevel },
    },
    integrations: { github: [{ host: 'github.com' }] },
    catalog: {
      rules: [{ allow: ['Component', 'API', 'System', 'Resource', 'Group', 'User', 'Location', 'Template'] }],
      locations: files.map(target => ({ type: 'file', target })),
    },
    ...(portal && {
      auth: {
        providers: {
          // Guest sign-in outside NODE_ENV=development needs this opt-in; loopback only.
          guest: { dangerouslyAllowOutsideDevelopment: true, userEntityRef: 'user:default/guest' },
        },
      },
      techdocs: {
        builder: 'local',
        generator: { runIn: 'local', mkdocs: { omitTechdocsCorePlugin: true, disableExternalFonts: true } },
        publisher: { type: 'local', local: { publishDirectory: portal.techdocsDir } },
      },
      search: {
        collators: {
          // Sites are built on first view, so index them soon after rather than hourly.
          techdocs: { schedule: { frequency: { seconds: 30 }, timeout: { minutes: 2 }, initialDelay: { seconds: 3 } } },
        },
      },
    }),
  };
}
