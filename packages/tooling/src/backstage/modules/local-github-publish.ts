// The scaffolder module that adds the local GitHub stand-in's publish action (local-github/).
import { createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import type { createLocalGithub } from '../local-github/index';

export function localGithubPublishModule(action: ReturnType<typeof createLocalGithub>['publishAction']) {
  return createBackendModule({
    pluginId: 'scaffolder',
    moduleId: 'local-github-publish',
    register(env) {
      env.registerInit({
        deps: { scaffolder: scaffolderActionsExtensionPoint },
        init({ scaffolder }) {
          scaffolder.addActions(action);
          return Promise.resolve();
        },
      });
    },
  });
}
