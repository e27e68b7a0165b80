// The portal's configuration over the tooling's embedded Backstage, as an app-config.yaml would hold it: the
// app, guest sign-in, TechDocs, search, and the example catalog besides the template.
import type { JsonObject } from '@backstage/types';
import { templateLocation } from '../../packages/tooling/src/backstage/config';

export function portalConfig(opts: {
  baseUrl: string;
  repoRoot: string;
  /** Where TechDocs keeps the sites it builds. */
  techdocsDir: string;
  /** Catalog files besides the template's: the example owners, system and user. */
  catalogFiles: string[];
}): JsonObject {
  return {
    app: { baseUrl: opts.baseUrl, title: 'koa-service template: local portal', packageName: 'app' },
    organization: { name: 'Local portal' },
    catalog: {
      locations: [templateLocation(opts.repoRoot), ...opts.catalogFiles.map(target => ({ type: 'file', target }))],
    },
    auth: {
      providers: {
        // Guest sign-in outside NODE_ENV=development needs this opt-in; loopback only.
        guest: { dangerouslyAllowOutsideDevelopment: true, userEntityRef: 'user:default/guest' },
      },
    },
    techdocs: {
      builder: 'local',
      generator: { runIn: 'local', mkdocs: { omitTechdocsCorePlugin: true, disableExternalFonts: true } },
      publisher: { type: 'local', local: { publishDirectory: opts.techdocsDir } },
    },
    search: {
      collators: {
        // Sites are built on first view, so index them soon after rather than hourly.
        techdocs: { schedule: { frequency: { seconds: 30 }, timeout: { minutes: 2 }, initialDelay: { seconds: 3 } } },
      },
    },
  };
}
