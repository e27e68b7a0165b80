// The portal's configuration over the tooling's embedded Backstage, as an app-config.yaml would hold it: the
// app, guest sign-in, TechDocs, search, and the example catalog besides the template.
import type { JsonObject } from '@backstage/types';
import { templateLocation } from '../../packages/tooling/src/backstage/config';

const COLLATOR_SCHEDULE = { frequency: { minutes: 10 }, timeout: { minutes: 2 }, initialDelay: { seconds: 3 } };

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
      generator: {
        runIn: 'local',
        mkdocs: {
          omitTechdocsCorePlugin: true,
          disableExternalFonts: true,
          // The approximation's PlantUML hook (plantuml_hook.py); a site's own `hooks` are replaced by it.
          dangerouslyAllowAdditionalKeys: ['hooks'],
        },
      },
      publisher: { type: 'local', local: { publishDirectory: opts.techdocsDir } },
    },
    search: {
      // The scheduled runs; modules/search-freshness.ts triggers both as soon as the catalog changes.
      collators: { catalog: { schedule: COLLATOR_SCHEDULE }, techdocs: { schedule: COLLATOR_SCHEDULE } },
    },
  };
}
