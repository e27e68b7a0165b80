// The chart's Grafana dashboard: a ConfigMap Grafana's sidecar loads, holding a dashboard that is whole
// (panels in the grid, every query on the dashboard's data source, every query parsed by Prometheus' own
// grammar), that shows each signal the service is run by, and that carries this release's identity.
// Grafana itself is not among the checks' tools: no screenshot, and the JSON is not checked by Grafana's loader.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CORNER_VARIANT_IDS, MATRIX, useRenderedVariants, type VariantId } from './support/backstage/rendered';
import { DELIVERED, renderChart, valueFilesFor } from './support/chart/chart';
import { helm } from './support/chart/helm';
import { ofKind, only, parseObjects, serviceContainer } from './support/chart/kube';
import { dashboardConstants, dashboardOf, panelQueries } from './support/monitoring/grafana';
import { metricNames } from './support/monitoring/promql';

/** Each signal the dashboard must show, by a metric only a panel about it would use. */
const SIGNALS: Record<string, string> = {
  traffic: 'http_requests_total',
  'latency percentiles': 'http_request_duration_seconds_bucket',
  'event-loop lag': 'nodejs_eventloop_lag_p99_seconds',
  CPU: 'container_cpu_usage_seconds_total',
  'memory against the limit': 'kube_pod_container_resource_limits',
  restarts: 'kube_pod_container_status_restarts_total',
  'objective budgets': 'slo:error_budget_remaining:ratio',
};

const variant = useRenderedVariants();

/** The same service made for the other environment. */
function twinOf(id: VariantId) {
  const { app_name, app_env } = variant(id);
  const twin = MATRIX.find(v => v.app_name === app_name && v.app_env !== app_env);
  if (!twin) throw new Error(`${id} has no twin in the render matrix`);
  return variant(twin.id);
}

for (const id of CORNER_VARIANT_IDS) {
  describe(`the dashboard of ${id}`, () => {
    const chart = () => renderChart(variant(id));
    const objects = () => chart().objects[variant(id).app_env];

    test('is a ConfigMap with the sidecar label, identified as this release', () => {
      const configMap = only(objects(), 'ConfigMap');
      assert.equal(configMap.metadata.labels?.grafana_dashboard, '1');
      const dashboard = dashboardOf(objects());
      const deployment = only(objects(), 'Deployment');
      const namespace = chart().application.spec.destination.namespace;
      assert.match(dashboard.uid, /^[\w-]{1,40}$/, 'Grafana uids are at most 40 letters, digits, - and _');
      const { name } = deployment.metadata;
      if (name.length <= 40) assert.equal(dashboard.uid, name);
      else assert.ok(dashboard.uid.startsWith(name.slice(0, 20)), `uid ${dashboard.uid} for ${name}`);
      // The same service made for the other environment: both dashboards may land in one Grafana.
      const twin = twinOf(id);
      assert.notEqual(
        dashboardOf(renderChart(twin).objects[twin.app_env]).uid,
        dashboard.uid,
        `${id} and ${twin.id} share a uid`,
      );
      assert.equal(dashboard.title, `${variant(id).app_name} (${String(namespace)})`);
      assert.deepEqual(dashboard.tags, [variant(id).app_name]);
      assert.deepEqual(dashboardConstants(dashboard), {
        namespace,
        job: only(objects(), 'Service').metadata.name,
        container: serviceContainer(deployment).name,
      });
      const rule = only(chart().optional, 'PrometheusRule').spec.groups?.at(0)?.rules?.at(0);
      const runbook = rule?.annotations?.runbook_url.replace(/#.*$/, '');
      assert.deepEqual(
        dashboard.links.map(l => [l.title, l.url]),
        [['Runbook', runbook]],
      );
    });

    test("has its panels in the grid, without overlap, each querying the dashboard's data source", () => {
      const { panels, templating } = dashboardOf(objects());
      assert.ok(
        templating.list.some(v => v.name === 'datasource' && v.type === 'datasource'),
        'no data source variable',
      );
      assert.equal(new Set(panels.map(p => p.id)).size, panels.length, 'panel ids repeat');
      const problems: string[] = [];
      panels.forEach((panel, i) => {
        const { x, y, w, h } = panel.gridPos;
        if (x < 0 || w < 1 || x + w > 24 || h < 1) problems.push(`${panel.title}: outside the 24-column grid`);
        for (const other of panels.slice(0, i)) {
          const o = other.gridPos;
          if (x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h)
            problems.push(`${panel.title} overlaps ${other.title}`);
        }
        if (panel.type === 'row') return;
        if (!panel.targets?.length) problems.push(`${panel.title}: no query`);
        for (const source of [panel.datasource, ...(panel.targets ?? []).map(t => t.datasource)]) {
          if (source?.uid !== '${datasource}') problems.push(`${panel.title}: data source ${JSON.stringify(source)}`);
        }
      });
      assert.deepEqual(problems, []);
    });

    test('shows every signal, and every query parses', () => {
      const used = new Set(
        panelQueries(dashboardOf(objects())).flatMap(({ panel, expr }) => {
          try {
            return metricNames(expr);
          } catch (error) {
            throw new Error(`panel "${panel}": ${(error as Error).message}`, { cause: error });
          }
        }),
      );
      assert.deepEqual(
        Object.entries(SIGNALS)
          .filter(([, metric]) => !used.has(metric))
          .map(([signal]) => signal),
        [],
        'signals without a panel',
      );
    });

    test('is left out with dashboard.enabled=false', () => {
      const { chartDir, release, application } = chart();
      const { app_env } = variant(id);
      const values = valueFilesFor(application, app_env, app_env).flatMap(file => ['-f', file]);
      // Delivered, as every other render here: what is left out is the dashboard's own doing.
      const set = [...DELIVERED, 'dashboard.enabled=false'].flatMap(value => ['--set', value]);
      const result = helm(['template', release, '.', ...values, ...set], chartDir);
      assert.equal(result.status, 0, result.output);
      const left = parseObjects(result.output);
      assert.deepEqual(ofKind(left, 'ConfigMap'), []);
      assert.equal(ofKind(left, 'Deployment').length, 1, 'the rest is rendered');
    });
  });
}
