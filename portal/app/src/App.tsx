// The local portal's frontend: Backstage's new frontend system with the plugins the template's users meet
// (catalog, create form, TechDocs, search, API docs) and guest sign-in. Served by the embedded backend.
import { createApp } from '@backstage/frontend-defaults';
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import apiDocsPlugin from '@backstage/plugin-api-docs/alpha';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import catalogGraphPlugin from '@backstage/plugin-catalog-graph/alpha';
import orgPlugin from '@backstage/plugin-org/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import searchPlugin from '@backstage/plugin-search/alpha';
import techdocsPlugin from '@backstage/plugin-techdocs/alpha';

// Guest only: the portal is a loopback-only try-out; a production Backstage signs in with GitHub, OIDC, ...
const signIn = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: {
        loader: async () => {
          const { SignInPage } = await import('@backstage/core-components');
          return props => <SignInPage {...props} title="koa-service template: local portal" providers={['guest']} />;
        },
      },
    }),
  ],
});

export default createApp({
  features: [
    catalogPlugin,
    scaffolderPlugin,
    techdocsPlugin,
    searchPlugin,
    apiDocsPlugin,
    catalogGraphPlugin,
    orgPlugin,
    signIn,
  ],
});
