// The Argo CD Application of every variant: valid, named as the catalog entity says, and pointing at a chart
// and value files that exist in the rendered repository, nested where Argo CD reads them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { useRenderedVariants, VARIANT_IDS } from './support/backstage/rendered';
import { catalogEntities } from './support/catalog/entities';
import { applicationOf, namespaceOf } from './support/chart/chart';
import { schemaProblems } from './support/chart/kube';

const variant = useRenderedVariants();

for (const id of VARIANT_IDS) {
  describe(`Argo CD Application of ${id}`, () => {
    const application = () => applicationOf(variant(id));
    const annotations = (): Partial<Record<string, string>> =>
      catalogEntities(variant(id).dir)[0].metadata.annotations ?? {};

    test('is a valid Application without unknown fields', () => {
      assert.deepEqual(schemaProblems(application()), []);
    });

    test("is named as the catalog entity's argocd/app-name annotation says, in the argocd namespace", () => {
      const { metadata } = application();
      assert.equal(metadata.name, namespaceOf(variant(id)));
      assert.equal(metadata.name, annotations()['argocd/app-name']);
      assert.equal(metadata.namespace, 'argocd');
      assert.deepEqual(metadata.finalizers, ['resources-finalizer.argocd.argoproj.io']);
    });

    test("deploys the chart of this repository with the environment's values, nested under helm", () => {
      const { app_name, app_env, values, dir } = variant(id);
      const { source } = application().spec;
      assert.ok(source, 'spec.source');
      assert.equal(source.repoURL, `https://github.com/${String(values.repo_owner)}/${String(values.repo_name)}.git`);
      assert.equal(source.targetRevision, 'main');
      assert.equal(source.path, `charts/${app_name}`);
      const chartDir = path.join(dir, source.path);
      assert.ok(fs.existsSync(path.join(chartDir, 'Chart.yaml')), `${source.path}/Chart.yaml is missing`);
      const valueFiles = source.helm?.valueFiles;
      assert.deepEqual(valueFiles, ['values.yaml', `values-${app_env}.yaml`], 'spec.source.helm.valueFiles');
      for (const file of valueFiles)
        assert.ok(fs.existsSync(path.join(chartDir, file)), `${source.path}/${file} is missing`);
      // Argo CD's label tracking writes the Application's name into app.kubernetes.io/instance, which the
      // chart's selectors use: a different release name would leave the selectors matching nothing.
      const { name } = application().metadata;
      assert.equal(source.helm?.releaseName ?? name, name, 'releaseName');
    });

    test('syncs into its own restricted namespace in this cluster, pruning, self-healing and retrying', () => {
      const { destination, syncPolicy } = application().spec;
      assert.deepEqual(destination, { server: 'https://kubernetes.default.svc', namespace: namespaceOf(variant(id)) });
      const namespace = annotations()['backstage.io/kubernetes-namespace'];
      if (namespace !== undefined)
        assert.equal(namespace, destination.namespace, 'the catalog looks for the pods in another namespace');
      assert.ok(syncPolicy, 'spec.syncPolicy');
      assert.deepEqual(syncPolicy.automated, { prune: true, selfHeal: true });
      assert.ok(syncPolicy.syncOptions?.includes('CreateNamespace=true'));
      assert.equal(syncPolicy.managedNamespaceMetadata?.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
      const { limit = 0, backoff } = syncPolicy.retry ?? {};
      assert.ok(limit > 0 && backoff?.duration && (backoff.factor ?? 0) > 1, JSON.stringify(syncPolicy.retry));
    });
  });
}
