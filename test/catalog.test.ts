// Catalog entities: the generated Component and API, and the template repository's Location, valid by the
// catalog model, ingested by a real catalog without processing errors, related to each other, and
// agreeing with the rendered Argo CD Applications (every environment's) and OpenAPI document.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { isApiEntity, isComponentEntity, isLocationEntity, type Entity } from '@backstage/catalog-model';
import { parse as parseYaml } from 'yaml';
import { runTemplate } from '../packages/tooling/src/backstage/run-template';
import { repoRoot } from '../packages/tooling/src/template-repository';
import { useBackstage } from './support/backstage/backstage';
import { useRenderedVariants, VARIANT_IDS } from './support/backstage/rendered';
import { catalogEntities, entityProblems } from './support/catalog/entities';
import { applicationsOf, renderChart } from './support/chart/chart';
import {
  catalogProblems,
  environmentsOf,
  hostOf,
  serviceOf,
  type Environment,
} from './support/environments/environments';
import { dashboardOf } from './support/monitoring/grafana';

async function assertValid(entity: Entity) {
  assert.deepEqual(await entityProblems(entity), [], `${entity.kind} ${entity.metadata.name}`);
}

/** The paths of an OpenAPI document. */
const openapiPaths = (dir: string) =>
  (parseYaml(fs.readFileSync(path.join(dir, 'openapi.yaml'), 'utf8')) as { paths: Record<string, unknown> }).paths;

const variant = useRenderedVariants();

describe('catalog entities, offline', () => {
  test("the template repository's Location", async () => {
    const [location] = catalogEntities(repoRoot);
    await assertValid(location);
    assert.ok(isLocationEntity(location));
    assert.deepEqual(location.spec.targets, ['./template.yaml']);
  });

  for (const id of VARIANT_IDS) {
    const agreeing = 'linking every environment, agreeing with the Applications and the OpenAPI document';
    test(`${id}: a valid Component providing a valid API, ${agreeing}`, async () => {
      const { dir, app_name, app_env, values } = variant(id);
      const [component, api, ...rest] = catalogEntities(dir);
      assert.deepEqual(rest, []);
      assert.deepEqual(api.spec?.definition, { $text: './openapi.yaml' });
      // As the catalog's placeholder processor does before validating.
      api.spec = { ...api.spec, definition: fs.readFileSync(path.join(dir, 'openapi.yaml'), 'utf8') };
      await assertValid(component);
      await assertValid(api);
      assert.ok(isComponentEntity(component) && isApiEntity(api));
      assert.deepEqual(component.spec.providesApis, [api.metadata.name]);

      const annotations: Partial<Record<string, string>> = component.metadata.annotations ?? {};
      const applications = applicationsOf(variant(id));
      for (const application of applications) {
        assert.equal(
          `https://github.com/${String(annotations['github.com/project-slug'])}.git`,
          application.spec.source?.repoURL,
        );
      }
      assert.equal(annotations['backstage.io/source-template'], values.source_template);

      // Every environment with its links, each host the one its values file serves and the form's domain gives.
      const envs = environmentsOf(dir);
      const host = (env: Environment) => `${app_name}-${env.name}.${String(values.ingress_domain)}`;
      for (const env of envs) assert.equal(hostOf(dir, env), host(env), `${env.valuesFile}'s ingress.host`);
      const paths = Object.keys(openapiPaths(dir));
      assert.deepEqual(catalogProblems(component, serviceOf(variant(id)), envs, applications, host, paths), []);

      // The Grafana plugin's annotation selects the dashboard the chart ships, by its tag.
      const dashboard = dashboardOf(renderChart(variant(id)).objects[app_env]);
      const selector = String(annotations['grafana/dashboard-selector']);
      const tag = /^tags @> '([^']+)'$/.exec(selector)?.[1];
      assert.ok(
        tag && dashboard.tags.includes(tag),
        `grafana/dashboard-selector ${selector} vs the dashboard's tags ${dashboard.tags.join(', ')}`,
      );

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
    assert.ok(isApiEntity(provided));
    assert.match(provided.spec.definition, /^openapi: 3\.1\.0/, 'the $text placeholder was not resolved');
  });
});
