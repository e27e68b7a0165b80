// The Argo CD manifests of every variant: one valid Application per environment of environments.yaml, each
// deploying this repository's chart with its environment's values into its namespace, and the team's
// AppProject, which allows this repository alone, exactly those namespaces and exactly the kinds the chart
// renders.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useRenderedVariants, VARIANT_IDS } from './support/backstage/rendered';
import { applicationsOf, ENVS, renderChart } from './support/chart/chart';
import {
  applicationProblems,
  appliedKinds,
  environmentsOf,
  projectOf,
  projectProblems,
  serviceOf,
} from './support/environments/environments';

const variant = useRenderedVariants();

for (const id of VARIANT_IDS) {
  describe(`Argo CD manifests of ${id}`, () => {
    test('the environments: dev then prod for a dev start, prod alone for a prod start', () => {
      const names = environmentsOf(variant(id).dir).map(env => env.name);
      assert.deepEqual(names, ENVS.slice(ENVS.indexOf(variant(id).app_env)));
    });

    test('one Application per environment, in its order, each valid and deploying its environment', () => {
      const { dir } = variant(id);
      const envs = environmentsOf(dir);
      const applications = applicationsOf(variant(id));
      assert.deepEqual(
        applications.map(app => app.metadata.name),
        envs.map(env => `${variant(id).app_name}-${env.name}`),
      );
      const problems = envs.flatMap((env, i) => applicationProblems(dir, serviceOf(variant(id)), env, applications[i]));
      assert.deepEqual(problems, []);
    });

    test('the AppProject allows this repository, its namespaces and the kinds its chart renders, nothing more', () => {
      const { dir } = variant(id);
      const chart = renderChart(variant(id));
      const kinds = appliedKinds([...ENVS.flatMap(env => chart.objects[env]), ...chart.optional]);
      assert.deepEqual(projectProblems(projectOf(dir), serviceOf(variant(id)), environmentsOf(dir), kinds), []);
    });
  });
}
