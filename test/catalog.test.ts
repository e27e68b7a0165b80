// Catalog entities: the generated Component and API, and the template repository's Location, valid by the
// catalog model, ingested by a real catalog without processing errors, related to each other, and
// agreeing with the rendered Argo CD Application and OpenAPI document.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import type { Entity } from '@backstage/catalog-model';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { runTemplate } from '../packages/tooling/src/backstage/run-template';
import { repoRoot } from '../packages/tooling/src/template-repository';
import { useBackstage } from './support/backstage/backstage';
import { only, renderChart } from './support/chart/chart';
import { entityProblems } from './support/catalog/entities';
import { renderedVariants, type Variant } from './support/backstage/rendered';

const readEntities = (file: string): any[] => parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJS());

async function assertValid(entity: Entity) {
  assert.deepEqual(await entityProblems(entity), [], `${entity.kind} ${entity.metadata.name}`);
}

let variants: Variant[];
before(async () => {
  variants = await renderedVariants();
});

describe('catalog entities, offline', () => {
  test("the template repository's Location", async () => {
    const [location] = readEntities(path.join(repoRoot, 'catalog-info.yaml'));
    await assertValid(location);
    assert.deepEqual(location.spec.targets, ['./template.yaml']);
  });

  for (const id of ['short-dev', 'short-prod', 'long-dev', 'long-prod']) {
    test(`${id}: a valid Component providing a valid API, agreeing with the Application and the OpenAPI document`, async () => {
      const variant = variants.find(v => v.id === id)!;
      const [component, api, ...rest] = readEntities(path.join(variant.dir, 'catalog-info.yaml'));
      assert.deepEqual(rest, []);
      assert.equal(api.spec.definition.$text, './openapi.yaml');
      // As the catalog's placeholder processor does before validating.
      api.spec.definition = fs.readFileSync(path.join(variant.dir, 'openapi.yaml'), 'utf8');
      await assertValid(component);
      await assertValid(api);
      assert.deepEqual(component.spec.providesApis, [api.metadata.name]);

      const annotations = component.metadata.annotations;
      const application = parseYaml(fs.readFileSync(path.join(variant.dir, 'argocd', 'application.yaml'), 'utf8'));
      assert.equal(annotations['argocd/app-name'], application.metadata.name);
      assert.equal(annotations['backstage.io/kubernetes-namespace'], application.spec.destination.namespace);
      assert.equal(`https://github.com/${annotations['github.com/project-slug']}.git`, application.spec.source.repoURL);
      assert.equal(annotations['backstage.io/source-template'], variant.values.source_template);

      // The Grafana plugin's annotation selects the dashboard the chart ships, by its tag.
      const chart = renderChart(variant);
      const dashboard = JSON.parse(Object.values<string>(only(chart.objects[variant.app_env], 'ConfigMap').data)[0]);
      const tag = /^tags @> '([^']+)'$/.exec(annotations['grafana/dashboard-selector'])?.[1];
      assert.ok(
        tag && dashboard.tags.includes(tag),
        `grafana/dashboard-selector ${annotations['grafana/dashboard-selector']} vs the dashboard's tags ${dashboard.tags}`,
      );

      const openapi = parseYaml(fs.readFileSync(path.join(variant.dir, 'openapi.yaml'), 'utf8'));
      const links = Object.fromEntries(component.metadata.links.map((l: any) => [l.title, l.url]));
      assert.equal(links.Service, `https://${variant.values.ingress_host}`);
      assert.ok(openapi.paths[new URL(links.Health).pathname], 'the Health link is not an endpoint of the API');
      assert.equal(component.spec.lifecycle, api.spec.lifecycle);
    });
  }
});

describe('catalog entities in an embedded Backstage', () => {
  const backstage = useBackstage();

  test('the generated Component and API are ingested without errors and related', async () => {
    const { api } = backstage();
    const result = await runTemplate(api, { app_name: 'orders', app_env: 'prod', system: 'system:default/payments' });
    assert.equal(result.status, 'completed');
    const component = await api.waitForEntity('component:default/orders', 20_000);
    const provided = await api.waitForEntity('api:default/orders-api', 20_000);
    assert.deepEqual(await api.processingErrors(), []);
    assert.ok(component && provided, 'the Component or the API was not ingested');
    const relations = (entity: Entity, type: string) =>
      (entity.relations ?? []).filter(r => r.type === type).map(r => r.targetRef);
    assert.deepEqual(relations(component, 'providesApi'), ['api:default/orders-api']);
    assert.deepEqual(relations(provided, 'apiProvidedBy'), ['component:default/orders']);
    assert.deepEqual(relations(component, 'partOf'), ['system:default/payments']);
    assert.match((provided.spec as any).definition, /^openapi: 3\.1\.0/, 'the $text placeholder was not resolved');
  });
});
