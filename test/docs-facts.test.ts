// The generated repository's TechDocs state numbers and names; every one of them must be what the rendered
// chart (helm template, both environments) and the service (the tables its modules export, its metrics, its
// entry point) have.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applicationsOf, ENVS, renderChart, renderEnvironment, type Env } from './support/chart/chart';
import * as docs from './support/docs/docs-facts';
import { openapiEndpoints, openapiError } from './support/docs/openapi';
import { serviceSeries, serviceTables, startWith } from './support/service/rendered-service';
import { describeEnvironment } from './support/chart/environment';
import { dashboardOf, panelQueries } from './support/monitoring/grafana';
import { comparisons, EXTERNAL_METRICS, numberLiterals, selectors } from './support/monitoring/promql';
import { useRenderedVariants, VARIANT_IDS } from './support/backstage/rendered';
import { ofKind, only, podTemplate, serviceContainer, type KubeObject } from './support/chart/kube';

/** Labels the scrape adds to every series of the service. */
const TARGET_LABELS = ['namespace', 'pod', 'container', 'job', 'instance'];

const variantOf = useRenderedVariants();

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
}
/** The alerting and recording rules of the chart's PrometheusRule. */
const ruleList = (objects: KubeObject[]): Rule[] =>
  (only(objects, 'PrometheusRule').spec.groups ?? []).flatMap(group =>
    (group.rules ?? []).map(rule => ({ ...rule, expr: String(rule.expr) })),
  );
/** The alerting rules. */
const alertRules = (objects: KubeObject[]) =>
  ruleList(objects).filter((rule): rule is Rule & { alert: string } => Boolean(rule.alert));

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
const where = (found: { page: string; value: string }[]) => found.map(f => `${f.page}: ${f.value}`);

for (const id of VARIANT_IDS) {
  describe(`the docs of ${id} state what the chart and the service have`, () => {
    const variant = () => variantOf(id);
    const pages = () => docs.readDocs(variant().dir);
    const page = (name: string): string => pages()[name] ?? assert.fail(`docs/${name} is missing`);
    const objects = (env: Env) => renderChart(variant()).objects[env];
    const deployment = (env: Env) => only(objects(env), 'Deployment');
    const service = () => serviceTables(variant().dir);
    /** Every PromQL expression the chart ships: its rules (alerts on) and its dashboard's panels. */
    const chartQueries = () => [
      ...ruleList(renderChart(variant()).optional).map(rule => ({
        what: rule.alert ?? rule.record ?? assert.fail(`a rule with neither alert nor record: ${rule.expr}`),
        expr: rule.expr,
      })),
      ...panelQueries(dashboardOf(objects(variant().app_env))).map(q => ({ what: `panel "${q.panel}"`, expr: q.expr })),
    ];

    test('the Scaling table: pods, CPU target, requests and limits of each environment', () => {
      for (const env of ENVS) {
        assert.deepEqual(
          docs.scalingTable(page('system-design.md'), env),
          describeEnvironment(objects(env)),
          `system-design.md, Scaling, ${env}`,
        );
      }
    });

    test('every CPU and memory quantity and CPU target named anywhere is one the chart renders', () => {
      const rendered = ENVS.flatMap(env => {
        const { requests = {}, limits = {} } = serviceContainer(deployment(env)).resources ?? {};
        const volumes = podTemplate(deployment(env)).spec.volumes ?? [];
        return [
          ...Object.values(requests),
          ...Object.values(limits),
          ...volumes.flatMap(v => v.emptyDir?.sizeLimit ?? []),
        ].map(String);
      });
      const memory = docs.mentions(pages(), /(?<![\w.-])(\d+(?:Mi|Gi))(?!\w)/g);
      const cpu = docs.mentions(pages(), /`(\d+m)`/g);
      assert.ok(memory.length > 0 && cpu.length > 0, 'the docs name no CPU or memory quantity');
      assert.deepEqual(
        where([...memory, ...cpu].filter(q => !rendered.includes(q.value))),
        [],
        `not rendered (rendered: ${sorted(rendered).join(', ')})`,
      );

      const targets = ENVS.flatMap(env => ofKind(objects(env), 'HorizontalPodAutoscaler')).map(hpa =>
        String(hpa.spec?.metrics?.at(0)?.resource?.target.averageUtilization),
      );
      const stated = docs.mentions(pages(), /(\d+)% of (?:the|its) CPU request/g);
      assert.ok(stated.length > 0, 'the docs never state the CPU target');
      assert.deepEqual(
        where(stated.filter(s => !targets.includes(s.value))),
        [],
        `CPU targets rendered: ${targets.join(', ')}`,
      );
    });

    test('the ports: container port, Service port, and localhost URLs', async () => {
      const containerPort = String(serviceContainer(deployment('dev')).ports?.at(0)?.containerPort);
      const servicePort = String(only(objects('dev'), 'Service').spec?.ports?.at(0)?.port);
      const { PORT } = (await service()).variables;
      assert.equal(PORT.type === 'integer' && String(PORT.default), containerPort, 'default PORT vs containerPort');
      const checks = [
        { pattern: /(?:container|pod) port `?(\d+)`?/gi, expected: containerPort },
        { pattern: /Service port `?(\d+)`?/g, expected: servicePort },
        { pattern: /localhost:(\d+)\//g, expected: containerPort },
      ];
      for (const { pattern, expected } of checks) {
        const found = docs.mentions(pages(), pattern);
        assert.ok(found.length > 0, `the docs never state ${pattern}`);
        assert.deepEqual(where(found.filter(f => f.value !== expected)), [], `${pattern} should be ${expected}`);
      }
    });

    test('the probes and shutdown tables match the Deployment', () => {
      const pod = podTemplate(deployment(variant().app_env)).spec;
      const container = serviceContainer(deployment(variant().app_env));
      const probes = docs.rowsByLabel(docs.section(page('system-design.md'), 'Probes'));
      for (const [label, key] of [
        ['Startup', 'startupProbe'],
        ['Liveness', 'livenessProbe'],
        ['Readiness', 'readinessProbe'],
      ] as const) {
        const probe = container[key];
        const rendered = [
          String(probe?.httpGet?.path),
          `${String(probe?.periodSeconds)} s`,
          `${String(probe?.failureThreshold)} failures`,
        ];
        assert.deepEqual(
          Object.hasOwn(probes, label) ? probes[label].map(c => c.replace(/`/g, '')) : `no ${label} row`,
          rendered,
          `system-design.md, Probes, ${label}`,
        );
      }
      const shutdown = docs.rowsByLabel(docs.section(page('system-design.md'), 'Shutdown'));
      const values = Object.fromEntries(
        Object.values(shutdown).map(([setting, value]) => [setting.replace(/`/g, ''), value]),
      );
      const env = (name: string) => `${String(container.env?.find(e => e.name === name)?.value)} s`;
      assert.deepEqual(
        values,
        {
          SHUTDOWN_DELAY_SECONDS: env('SHUTDOWN_DELAY_SECONDS'),
          SHUTDOWN_TIMEOUT_SECONDS: env('SHUTDOWN_TIMEOUT_SECONDS'),
          terminationGracePeriodSeconds: `${String(pod.terminationGracePeriodSeconds)} s`,
        },
        'system-design.md, Shutdown',
      );
    });

    test('every endpoint: the index table, openapi.yaml and the router agree; every path named is served', async () => {
      const router = sorted((await service()).endpoints.map(({ method, path }) => `${method} ${path}`));
      assert.deepEqual(sorted(openapiEndpoints(variant().dir)), router, 'openapi.yaml vs src/endpoints.ts');
      assert.deepEqual(
        sorted(docs.endpointsTable(page('index.md'))),
        router,
        'index.md Endpoints table vs src/endpoints.ts',
      );
      const paths = router.map(endpoint => endpoint.split(' ')[1]);
      const named = docs.mentions(pages(), /(\/api\/v\d+\/[\w-]+|\/metrics\b)/g);
      assert.deepEqual(
        where(named.filter(n => !paths.includes(n.value))),
        [],
        `paths the service does not serve (it serves ${paths.join(', ')})`,
      );
    });

    test('the development page lists exactly the variables the service reads, with defaults and ranges', async () => {
      const table = docs.variablesTable(page('development.md'));
      const { variables } = await service();
      assert.deepEqual(
        sorted(table.map(v => v.name)),
        sorted(Object.keys(variables)),
        'development.md Configure table vs VARIABLES of src/config.ts',
      );
      for (const { name, default: fallback, accepted } of table) {
        const variable = variables[name];
        if (variable.type === 'integer' || variable.type === 'choice') {
          const range =
            variable.type === 'integer' ? `${variable.min} to ${variable.max}` : variable.allowed.join(', ');
          assert.deepEqual({ fallback, accepted }, { fallback: `\`${variable.default}\``, accepted: range }, name);
        }
        if (variable.type === 'url') assert.equal(accepted, 'a URL', name);
      }
    });

    test('the rules, the panels and the docs name only series the service exports, with their labels', async () => {
      const series = await serviceSeries(variant().dir);
      const rules = ruleList(renderChart(variant()).optional);
      assert.ok(
        alertRules(renderChart(variant()).optional).some(rule => /http_requests_total/.test(rule.expr)),
        'no alert on the request metrics',
      );
      // A series the rules record has the labels the scrape gave its inputs and those the rule adds.
      for (const { record, labels = {} } of rules)
        if (record) series.set(record, [...(series.get(record) ?? []), ...Object.keys(labels)]);
      const problems = chartQueries().flatMap(({ what, expr }) =>
        selectors(expr).flatMap(({ metric, matchers }) => {
          if (metric in EXTERNAL_METRICS) return [];
          const own = series.get(metric);
          if (!own) return [`${what}: ${metric} is not a series of the service`];
          return matchers
            .map(m => m.label)
            .filter(l => !own.includes(l) && !TARGET_LABELS.includes(l))
            .map(l => `${what}: ${metric} has no label ${l}`);
        }),
      );
      const named = docs.mentions(pages(), /`((?:http|nodejs|process)_\w+)`/g);
      problems.push(
        ...where(named.filter(n => !series.has(n.value) && !series.has(`${n.value}_bucket`))).map(
          n => `${n} is not a series of the service`,
        ),
      );
      assert.deepEqual(problems, [], 'PrometheusRule and dashboard expressions, and metric names in the docs');
    });

    test('the objectives page states the objectives, latency threshold and burn windows the PrometheusRule has', () => {
      const objectives = page('objectives.md');
      const rules = ruleList(renderChart(variant()).optional);
      const recorded = (record: string, slo: string) =>
        rules.find(r => r.record === record && r.labels?.slo === slo) ?? assert.fail(`no ${record} rule for ${slo}`);
      const objective = (slo: string) => numberLiterals(recorded('slo:objective:ratio', slo).expr)[0];
      const percent = (ratio: number) => `${Number((ratio * 100).toFixed(3))}%`;
      const bucket =
        selectors(recorded('slo:sli_error:ratio_rate5m', 'latency').expr).find(s => s.metric.endsWith('_bucket')) ??
        assert.fail('the latency objective selects no _bucket series');
      const le = bucket.matchers.find(m => m.label === 'le') ?? assert.fail(`${bucket.metric} has no le matcher`);
      // A whole-second bound is matched as le=~"1(\\.0)?"; its number is what precedes the group.
      const seconds = Number(le.value.replace(/\(.*$/, ''));
      const [header, ...rows] = docs.table(docs.section(objectives, 'Objectives'));
      const column = header.indexOf(variant().app_env);
      assert.ok(column > 0, `no ${variant().app_env} column in objectives.md`);
      assert.deepEqual(
        Object.fromEntries(rows.map(row => [row[0], row[column]])),
        {
          Availability: percent(objective('availability')),
          Latency: `${percent(objective('latency'))} within ${seconds} s`,
        },
        'objectives.md objectives vs the PrometheusRule',
      );

      const burns = docs.table(docs.section(objectives, 'Error budget and burn rate')).slice(1);
      const stated = sorted(burns.map(([burn, , long, short, rate]) => `${burn}: ${long} and ${short} at ${rate}`));
      const windowOf = (metric: string) => metric.replace('slo:sli_error:ratio_rate', '');
      for (const slo of ['availability', 'latency']) {
        const alerts = rules.filter(
          r =>
            r.alert &&
            selectors(r.expr).some(({ matchers }) => matchers.some(m => m.label === 'slo' && m.value === slo)),
        );
        assert.equal(alerts.length, 2, `${slo}: a fast and a slow burn alert`);
        const rendered = alerts.flatMap(alert => {
          const pairs = comparisons(alert.expr);
          return pairs
            .filter((_, i) => i % 2 === 0)
            .map((long, i) => {
              const short = windowOf(pairs[2 * i + 1].metric);
              return `${String(alert.labels?.burn)}: ${windowOf(long.metric)} and ${short} at ${long.numbers[0]}`;
            });
        });
        assert.deepEqual(sorted(rendered), stated, `objectives.md burn table vs the ${slo} alerts`);
      }
    });

    test("the runbook's bad-configuration example is what the service prints, and it exits 1", () => {
      const example = docs.configErrorExample(page('runbook.md'));
      const { code, stderr } = startWith(variant().dir, example.name, example.value);
      assert.equal(code, 1, `the service with ${example.name}=${example.value} exited ${String(code)}:\n${stderr}`);
      assert.equal(example.line, stderr, 'runbook.md, CrashLoopBackOff');
    });

    test("the runbook names each environment's namespace, Deployment, Application; the rules select them", () => {
      const runbook = page('runbook.md');
      const named = (pattern: RegExp) => sorted([...runbook.matchAll(pattern)].map(m => m[1]));
      // The environments table: one row per environment, its one name for namespace, Deployment and Application.
      const rows = [...runbook.matchAll(/^\| ([a-z][a-z0-9]*) \| `([\w-]+)` \|$/gm)].map(m => ({
        env: m[1],
        name: m[2],
      }));
      const environments = applicationsOf(variant()).map(application => {
        const env = application.metadata.name.slice(variant().app_name.length + 1);
        const namespace =
          application.spec.destination.namespace ?? assert.fail(`${env}: the Application names no namespace`);
        const chartObjects = renderEnvironment(variant().dir, application).objects;
        const names = new Set([
          application.metadata.name,
          namespace,
          only(chartObjects, 'Deployment').metadata.name,
          String(podTemplate(only(chartObjects, 'Deployment')).spec.serviceAccountName),
        ]);
        assert.equal(
          names.size,
          1,
          `${env}: namespace, Application, Deployment and service account differ: ${[...names].join(', ')}`,
        );
        return { env, name: namespace };
      });
      assert.deepEqual(rows, environments, 'runbook.md, the environments table');
      // The commands use NS, set once to the first environment's namespace, as namespace, Deployment and account.
      assert.deepEqual(named(/^NS=([\w-]+)$/gm), [`${variant().app_name}-${variant().app_env}`], 'runbook.md, NS=');
      assert.deepEqual(named(/deploy\/("\$NS"|[\w-]+)/g), ['"$NS"'], 'runbook.md, deploy/...');
      assert.deepEqual(
        named(/system:serviceaccount:([\w$-]+:[\w$-]+)/g),
        ['$NS:$NS'],
        'runbook.md, the service account',
      );
      const namespace = `${variant().app_name}-${variant().app_env}`;
      const deploymentName = deployment(variant().app_env).metadata.name;

      // Prometheus labels a scraped series with the Service's namespace and name (job) and the container's name;
      // kube-state-metrics labels its series with the object's namespace and name.
      const expected: Record<string, string> = {
        namespace,
        job: only(objects(variant().app_env), 'Service').metadata.name,
        container: serviceContainer(deployment(variant().app_env)).name,
        deployment: deploymentName,
        horizontalpodautoscaler: deploymentName,
      };
      const selected = chartQueries().flatMap(({ what, expr }) =>
        selectors(expr).flatMap(({ metric, matchers }) =>
          matchers
            .filter(m => m.label in expected)
            .map(m => ({ what, ...m, text: `${what}: ${metric}{${m.label}${m.op}"${m.value}"}` })),
        ),
      );
      assert.ok(
        selected.some(s => s.label === 'container') &&
          selected.some(s => s.label === 'job') &&
          selected.some(s => s.what.startsWith('panel')),
        `no container, job or panel selected:\n${selected.map(s => s.text).join('\n')}`,
      );
      const wrong = selected.filter(s => s.op !== '=' || s.value !== expected[s.label]).map(s => s.text);
      assert.deepEqual(wrong, [], `selectors that are not exactly ${JSON.stringify(expected)}`);
    });

    test("the runbook's fallbackReason table has exactly the reasons the service gives", async () => {
      const reasons = docs.fallbackReasons(page('runbook.md'));
      assert.ok(reasons.includes('forbidden'), 'the runbook does not cover an RBAC refusal');
      assert.deepEqual(
        sorted(reasons.filter(r => !r.includes('<'))),
        sorted((await service()).fallbackReasons),
        'runbook.md vs FALLBACK_REASONS of src/kubernetes.ts',
      );
    });

    test('the request flow lists the middleware in the order the app registers it', async () => {
      assert.deepEqual(
        docs.middlewareList(page('system-design.md')),
        (await service()).middlewareOrder,
        'system-design.md Request flow vs src/middleware/order.ts',
      );
    });

    test("the error example is the service's error body, with the fields of openapi.yaml's Error", async () => {
      const example = docs.jsonExample(page('system-design.md'), 'Error handling');
      const fields = Object.keys(example).sort();
      const schema = openapiError(variant().dir);
      assert.deepEqual(fields, [...schema.required].sort(), 'system-design.md example vs openapi.yaml Error.required');
      assert.deepEqual(fields, [...schema.properties].sort(), 'vs openapi.yaml Error.properties');
      const { status, message, requestId } = example;
      assert.ok(typeof status === 'number' && typeof message === 'string' && typeof requestId === 'string', 'types');
      assert.deepEqual(example, (await service()).errorBody(status, message, requestId), 'vs src/middleware/errors.ts');
    });
  });
}
