// The Argo CD Application of every variant: valid, named as the catalog entity says, and pointing at a chart
// and value files that exist in the rendered repository, nested where Argo CD reads them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { applicationOf } from './support/chart/chart';
import { schemaProblems } from './support/chart/kube';
import { renderedVariants, type Variant } from './support/backstage/rendered';

let variants: Variant[];
before(async () => {
  variants = await renderedVariants();
});

for (const id of ['short-dev', 'short-prod', 'long-dev', 'long-prod']) {
  describe(`Argo CD Application of ${id}`, () => {
    const variant = () => variants.find(v => v.id === id)!;
    const application = () => applicationOf(variant());
    const entity = () =>
      parseAllDocuments(fs.readFileSync(path.join(variant().dir, 'catalog-info.yaml'), 'utf8'))[0].toJS();

    test('is a valid Application without unknown fields', () => {
      assert.deepEqual(schemaProblems(application()), []);
    });

    test("is named as the catalog entity's argocd/app-name annotation says, in the argocd namespace", () => {
      const { app_name, app_env } = variant();
      assert.equal(application().metadata.name, `${app_name}-${app_env}`);
      assert.equal(application().metadata.name, entity().metadata.annotations['argocd/app-name']);
      assert.equal(application().metadata.namespace, 'argocd');
      assert.deepEqual(application().metadata.finalizers, ['resources-finalizer.argocd.argoproj.io']);
    });

    test("deploys the chart of this repository with the environment's values, nested under helm", () => {
      const { app_name, app_env, values } = variant();
      const { source } = application().spec;
      assert.equal(source.repoURL, `https://github.com/${values.repo_owner}/${values.repo_name}.git`);
      assert.equal(source.targetRevision, 'main');
      assert.equal(source.path, `charts/${app_name}`);
      const chartDir = path.join(variant().dir, source.path);
      assert.ok(fs.existsSync(path.join(chartDir, 'Chart.yaml')), `${source.path}/Chart.yaml is missing`);
      assert.deepEqual(
        source.helm?.valueFiles,
        ['values.yaml', `values-${app_env}.yaml`],
        'spec.source.helm.valueFiles',
      );
      for (const file of source.helm.valueFiles)
        assert.ok(fs.existsSync(path.join(chartDir, file)), `${source.path}/${file} is missing`);
      // Argo CD's label tracking writes the Application's name into app.kubernetes.io/instance, which the
      // chart's selectors use: a different release name would leave the selectors matching nothing.
      assert.equal(source.helm.releaseName ?? application().metadata.name, application().metadata.name, 'releaseName');
    });

    test('syncs into its own restricted namespace in this cluster, pruning, self-healing and retrying', () => {
      const { app_name, app_env } = variant();
      const { destination, syncPolicy } = application().spec;
      assert.deepEqual(destination, { server: 'https://kubernetes.default.svc', namespace: `${app_name}-${app_env}` });
      const annotations = entity().metadata.annotations;
      const namespace = annotations['backstage.io/kubernetes-namespace'];
      if (namespace !== undefined)
        assert.equal(namespace, destination.namespace, 'the catalog looks for the pods in another namespace');
      assert.deepEqual(syncPolicy.automated, { prune: true, selfHeal: true });
      assert.ok(syncPolicy.syncOptions.includes('CreateNamespace=true'));
      assert.equal(syncPolicy.managedNamespaceMetadata?.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
      assert.ok(syncPolicy.retry.limit > 0 && syncPolicy.retry.backoff.duration && syncPolicy.retry.backoff.factor > 1);
    });
  });
}
