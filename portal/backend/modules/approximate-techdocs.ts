// The TechDocs module that builds sites with Backstage's own generator and Debian's mkdocs, mkdocs-techdocs-core
// approximated (techdocs-approximation.ts).
import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { techdocsGeneratorExtensionPoint } from '@backstage/plugin-techdocs-node';
import { ApproximateTechdocsGenerator } from '../techdocs-approximation';

export const approximateTechdocsModule = createBackendModule({
  pluginId: 'techdocs',
  moduleId: 'approximate-techdocs-core',
  register(env) {
    env.registerInit({
      deps: {
        generator: techdocsGeneratorExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      init({ generator, config, logger }) {
        const scmIntegrations = ScmIntegrations.fromConfig(config);
        generator.setTechdocsGenerator(new ApproximateTechdocsGenerator({ logger, config, scmIntegrations }));
        return Promise.resolve();
      },
    });
  },
});
