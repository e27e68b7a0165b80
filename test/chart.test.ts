// The generated chart, linted and templated by the real helm for both environments of every variant, the way
// Argo CD deploys it; every object schema-checked and held to the policies the chart README promises.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import { parse } from 'yaml';
import { catalogSelector } from './support/catalog/catalog-selector';
import {
  DELIVERED,
  DELIVERED_IMAGE as IMAGE,
  ENVS,
  renderChart,
  renderCommitted,
  valueFilesFor,
  type Env,
} from './support/chart/chart';
import { environmentPromise, regeneratedReadme } from './support/chart/chart-readme';
import { describeEnvironment, scalingProblems } from './support/chart/environment';
import { only, parseObjects, podTemplate, schemaProblems, serviceContainer } from './support/chart/kube';
import { helm } from './support/chart/helm';
import {
  egressViolations,
  ephemeralStorageViolations,
  imageViolations,
  ingressViolations,
  nameViolations,
  podSpecs,
  rbacViolations,
  restrictedViolations,
  selects,
  tokenViolations,
  userGroupViolations,
} from './support/chart/policy';
import { useRenderedVariants, VARIANT_IDS } from './support/backstage/rendered';
import { serviceTables } from './support/service/rendered-service';
import { SERVICE_CONTRACT as CONTRACT } from './support/service/service-contract';
import { wiringProblems } from './support/chart/wiring';

const KINDS = {
  dev: ['ConfigMap', 'Deployment', 'Ingress', 'NetworkPolicy', 'Pod', 'Service', 'ServiceAccount'],
  prod: [
    'ConfigMap',
    'Deployment',
    'HorizontalPodAutoscaler',
    'Ingress',
    'NetworkPolicy',
    'Pod',
    'PodDisruptionBudget',
    'PrometheusRule',
    'Service',
    'ServiceAccount',
    'ServiceMonitor',
  ],
};

/** The workload and what watches it: rendered only once the environment has an image. */
const WORKLOAD = [
  'Deployment',
  'HorizontalPodAutoscaler',
  'Pod',
  'PodDisruptionBudget',
  'PrometheusRule',
  'ServiceMonitor',
];
/** The values that let the service read its own pod: the Role, its token, and egress to the API server. */
const READS_API = ['rbac.create=true', 'networkPolicy.apiServerCidrs={10.0.0.10/32}'];

const renderedVariant = useRenderedVariants();

for (const id of VARIANT_IDS) {
  describe(`chart of ${id}`, () => {
    const variant = () => renderedVariant(id);
    const chart = () => renderChart(variant());
    const namespace = (env: Env) => `${variant().app_name}-${env}`;
    const deployment = (env: Env) => only(chart().objects[env], 'Deployment');
    const container = (env: Env) => serviceContainer(deployment(env));
    /**
     * helm template for ENV as Argo CD runs it once delivered (the release is the Application's name,
     * `<app>-<env>`), with SET values on top; the result, not thrown on failure.
     */
    const templateWith = (env: Env, set: string[]) => {
      const { chartDir, application } = chart();
      const files = valueFilesFor(application, variant().app_env, env).flatMap(file => ['-f', file]);
      const values = [...DELIVERED, ...set].flatMap(value => ['--set', value]);
      const release = `${variant().app_name}-${env}`;
      return helm(['template', release, '.', '--namespace', namespace(env), ...files, ...values], chartDir);
    };
    const objectsWith = (env: Env, set: string[]) => {
      const result = templateWith(env, set);
      assert.equal(result.status, 0, result.output);
      return parseObjects(result.output);
    };

    test("passes helm lint --strict with each environment's values", () => {
      for (const env of ENVS) assert.equal(chart().lint[env].status, 0, `${env}:\n${chart().lint[env].output}`);
    });

    test('has a values schema that rejects unknown keys and wrong types', async () => {
      const { status, output } = chart().schemaProbe;
      assert.notEqual(status, 0, 'lint passed an unknown key and a string replicaCount');
      assert.match(output, /additional properties 'replicaCont' not allowed/);
      assert.match(output, /'\/replicaCount': got string, want integer/);
      const schema = JSON.parse(fs.readFileSync(path.join(chart().chartDir, 'values.schema.json'), 'utf8')) as {
        properties: { logLevel: { enum: string[] } };
      };
      const { logLevels } = await serviceTables(variant().dir);
      assert.deepEqual(schema.properties.logLevel.enum, logLevels, 'log levels the service accepts');
    });

    test('renders the objects each environment promises', () => {
      for (const env of ENVS)
        assert.deepEqual(
          chart()
            .objects[env].map(o => o.kind)
            .sort(),
          KINDS[env],
          env,
        );
    });

    test('renders only schema-valid objects, without unknown fields', () => {
      const all = [
        ...chart().objects.dev,
        ...chart().objects.prod,
        ...chart().optional,
        ...objectsWith(variant().app_env, READS_API),
        chart().application,
      ];
      const problems = all.flatMap(o => schemaProblems(o).map(p => `${o.kind} ${o.metadata.name}: ${p}`));
      assert.deepEqual(problems, []);
    });

    test('runs pods that meet Pod Security Standards "restricted", read-only with a writable /tmp', () => {
      for (const env of ENVS) {
        const pods = podSpecs(chart().objects[env]);
        assert.equal(pods.length, 2, 'the Deployment and the helm test pod');
        assert.deepEqual(
          pods.flatMap(p => restrictedViolations(p.owner, p.spec)),
          [],
          env,
        );
      }
    });

    test('holds no Kubernetes credential unless it reads its own pod, and then may only read pods', () => {
      for (const env of ENVS) {
        const objects = chart().objects[env];
        assert.deepEqual(tokenViolations(objects), [], env);
        assert.equal(podTemplate(deployment(env)).spec.automountServiceAccountToken, false, env);
        const api = new Map((container(env).env ?? []).map(e => [e.name, e.value]));
        assert.equal(api.get('KUBERNETES_SERVICE_HOST'), '', 'the service is told it has no API to call');

        const reads = objectsWith(env, READS_API);
        const account = only(reads, 'ServiceAccount').metadata.name;
        assert.deepEqual(rbacViolations(reads, account, namespace(env)), [], env);
        assert.deepEqual(tokenViolations(reads), [], env);
        assert.deepEqual(
          (only(reads, 'Role').rules ?? []).flatMap(r => r.verbs),
          ['get'],
          'get is all /api/v1/details needs',
        );
        const pod = podTemplate(only(reads, 'Deployment')).spec;
        assert.equal(pod.serviceAccountName, account);
        assert.equal(pod.automountServiceAccountToken, true, 'the service needs its token');
        const names = (serviceContainer(only(reads, 'Deployment')).env ?? []).map(e => e.name);
        assert.ok(!names.includes('KUBERNETES_SERVICE_HOST'), 'the kubelet sets it');
      }
    });

    test('keeps every name and label value within 63 characters', () => {
      for (const env of ENVS) assert.deepEqual(nameViolations(chart().objects[env]), [], env);
    });

    test('probes, port, metrics and environment match the service', () => {
      for (const env of ENVS) {
        const c = container(env);
        const pod = podTemplate(deployment(env));
        assert.deepEqual(c.ports, [{ name: 'http', containerPort: CONTRACT.port, protocol: 'TCP' }]);
        const probe = (p: IProbe | undefined) => [p?.httpGet?.path, p?.httpGet?.port];
        assert.deepEqual(probe(c.startupProbe), [CONTRACT.startupPath, 'http']);
        assert.deepEqual(probe(c.livenessProbe), [CONTRACT.livenessPath, 'http']);
        assert.deepEqual(probe(c.readinessProbe), [CONTRACT.readinessPath, 'http']);
        const annotations = new Map(Object.entries(pod.metadata.annotations ?? {}));
        assert.equal(annotations.get('prometheus.io/scrape'), 'true');
        assert.equal(annotations.get('prometheus.io/port'), String(CONTRACT.port));
        assert.equal(annotations.get('prometheus.io/path'), CONTRACT.metricsPath);

        const env_ = new Map((c.env ?? []).map(e => [e.name, e]));
        for (const [name, field] of Object.entries(CONTRACT.downwardApi))
          assert.equal(env_.get(name)?.valueFrom?.fieldRef?.fieldPath, field, name);
        for (const name of CONTRACT.plainEnv) assert.equal(typeof env_.get(name)?.value, 'string', name);
        assert.equal(env_.get('PORT')?.value, String(CONTRACT.port));
        assert.equal(env_.get('APP_VERSION')?.value, IMAGE.tag, "APP_VERSION is the image's tag");
        assert.equal(env_.get(CONTRACT.tracingEnv), undefined, 'no tracing without an endpoint');

        const grace = pod.spec.terminationGracePeriodSeconds;
        const seconds = (name: string) => Number(env_.get(name)?.value);
        const drain = seconds('SHUTDOWN_DELAY_SECONDS') + seconds('SHUTDOWN_TIMEOUT_SECONDS');
        assert.ok(
          grace !== undefined && grace > drain,
          `terminationGracePeriodSeconds ${grace} must exceed drain + in-flight wait ${drain}`,
        );
      }
    });

    test('probes routes the rendered service serves, and sets only environment variables it reads', async () => {
      const service = await serviceTables(variant().dir);
      const served = service.endpoints.filter(e => e.method === 'GET').map(e => e.path);
      const c = container(variant().app_env);
      const paths = [c.startupProbe, c.livenessProbe, c.readinessProbe]
        .map(probe => String(probe?.httpGet?.path))
        .concat(CONTRACT.metricsPath);
      assert.deepEqual(
        paths.filter(route => !served.includes(route)),
        [],
        'no GET endpoint in src/endpoints.ts for these',
      );
      const names = (serviceContainer(only(chart().optional, 'Deployment')).env ?? []).map(e => e.name);
      // OTEL_* variables are read by the OpenTelemetry SDK, not by name in src/.
      assert.deepEqual(
        names.filter(name => !(name in service.variables) && !name.startsWith('OTEL_')),
        [],
        'set by the chart, never read by src/',
      );
    });

    test("scales, budgets and sizes each environment as its values files, the chart README's source, say", () => {
      for (const env of ENVS) {
        const files = valueFilesFor(chart().application, variant().app_env, env);
        assert.deepEqual(describeEnvironment(chart().objects[env]), environmentPromise(chart().chartDir, files), env);
        assert.deepEqual(scalingProblems(chart().objects[env]), [], env);
      }
    });

    test('labels its objects and pods with what the catalog entity selects on', () => {
      const selector = catalogSelector(variant().dir);
      for (const env of ENVS) {
        const pods = podSpecs(chart().objects[env]).filter(p => p.owner.startsWith('Deployment'));
        for (const pod of pods)
          assert.ok(
            selects(selector, pod.labels),
            `${env} pods ${JSON.stringify(pod.labels)} miss ${JSON.stringify(selector)}`,
          );
        const unlabelled = chart().objects[env].filter(
          o => o.kind !== 'Pod' && !selects(selector, o.metadata.labels ?? {}),
        );
        assert.deepEqual(
          unlabelled.map(o => o.kind),
          [],
          `${env}: objects Backstage would not find`,
        );
      }
    });

    test('wires selectors, ports and NetworkPolicy peers to its pods, and no selector to the helm test pod', () => {
      for (const env of ENVS) assert.deepEqual(wiringProblems(chart().objects[env]), [], env);
    });

    test('documents every value: its README tables are what readme-generator-for-helm writes from the values', () => {
      const readme = fs.readFileSync(path.join(chart().chartDir, 'README.md'), 'utf8');
      assert.equal(readme, regeneratedReadme(chart().chartDir), 'run `npm run chart:readme`');
    });

    test('with tracing and the ServiceMonitor on, exports the endpoint and lets traces and scrapes through', () => {
      const objects = chart().optional;
      const c = serviceContainer(only(objects, 'Deployment'));
      const env_ = Object.fromEntries((c.env ?? []).map(e => [e.name, e.value]));
      assert.equal(env_[CONTRACT.tracingEnv], 'http://otel-collector.observability:4318');
      const valuesOf = (file: string) =>
        parse(fs.readFileSync(path.join(chart().chartDir, file), 'utf8')) as { tracing?: { samplingRatio?: number } };
      const defaults = valuesOf('values.yaml').tracing;
      const ratio = valuesOf(`values-${variant().app_env}.yaml`).tracing?.samplingRatio ?? defaults?.samplingRatio;
      assert.equal(env_.OTEL_TRACES_SAMPLER, 'parentbased_traceidratio');
      assert.equal(Number(env_.OTEL_TRACES_SAMPLER_ARG), ratio, "the environment's tracing.samplingRatio");
      const egress = only(objects, 'NetworkPolicy').spec?.egress ?? [];
      assert.ok(
        egress.some(
          r => r.to?.[0]?.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'observability',
        ),
      );
      const monitor = only(objects, 'ServiceMonitor');
      assert.equal(monitor.apiVersion, 'monitoring.coreos.com/v1');
      assert.ok(selects(monitor.spec.selector.matchLabels, only(objects, 'Service').metadata.labels ?? {}));
      assert.deepEqual(
        monitor.spec.endpoints.map(e => [e.port, e.path]),
        [['http', CONTRACT.metricsPath]],
      );
    });

    test('runs the image by digest once one is set, never latest; its schema refuses a malformed digest', () => {
      const { chartDir, application } = chart();
      for (const file of fs.readdirSync(chartDir).filter(f => /^values.*\.yaml$/.test(f))) {
        const { image } = parse(fs.readFileSync(path.join(chartDir, file), 'utf8')) as { image?: { tag?: string } };
        assert.notEqual(image?.tag, 'latest', `${file}: tag latest`);
      }
      for (const env of ENVS) {
        const pinned = chart().objects[env];
        assert.deepEqual(imageViolations(pinned, true), [], env);
        const c = serviceContainer(only(pinned, 'Deployment'));
        assert.ok(c.image?.endsWith(`@${IMAGE.digest}`), `${env}: ${String(c.image)}`);
        const vars = new Map((c.env ?? []).map(e => [e.name, e.value]));
        assert.equal(vars.get('APP_VERSION'), IMAGE.tag, 'APP_VERSION is the human-readable tag');
        const tagged = renderCommitted(variant(), env, [`image.tag=${IMAGE.tag}`]).objects;
        assert.deepEqual(imageViolations(tagged, false), [], `${env} with a tag only`);
        assert.match(String(serviceContainer(only(tagged, 'Deployment')).image), new RegExp(`:${IMAGE.tag}$`));
      }
      const files = valueFilesFor(application, variant().app_env, variant().app_env).flatMap(f => ['-f', f]);
      for (const digest of [`sha256:${'0123456789ABCDEF'.repeat(4)}`, 'sha256:0123', `sha512:${'ab'.repeat(64)}`]) {
        const lint = helm(['lint', '--strict', '.', ...files, '--set', `image.digest=${digest}`], chartDir);
        assert.notEqual(lint.status, 0, `${digest} passed`);
        assert.match(lint.output, /at '\/image\/digest': .* does not match pattern/);
      }
    });

    test('renders no workload and nothing that watches one before the environment has an image', () => {
      const { chartDir } = chart();
      for (const env of ENVS) {
        const committed = parse(fs.readFileSync(path.join(chartDir, `values-${env}.yaml`), 'utf8')) as {
          image: { digest: string; tag: string };
        };
        assert.deepEqual(committed.image, { digest: '', tag: '' }, `${env}: no image at creation`);
        const bare = renderCommitted(variant(), env);
        assert.equal(bare.lint.status, 0, `${env}:\n${bare.lint.output}`);
        const kinds = bare.objects.map(o => o.kind).sort();
        assert.deepEqual(
          kinds,
          KINDS[env].filter(kind => !WORKLOAD.includes(kind)),
          `${env}: only what is safe without pods`,
        );
        assert.match(bare.notes, new RegExp(`\\(${env}\\) has no image yet`));
        assert.match(bare.notes, /Delivery[^]*first environment[^]*Promote[^]*for the others/);
        assert.doesNotMatch(bare.notes, /rollout status/);

        // Either half of an image is one: Delivery and Promote write both, a person may set only one.
        for (const set of [`image.digest=${IMAGE.digest}`, `image.tag=${IMAGE.tag}`]) {
          const delivered = renderCommitted(variant(), env, [set]);
          assert.equal(delivered.lint.status, 0, `${env} ${set}:\n${delivered.lint.output}`);
          assert.deepEqual(delivered.objects.map(o => o.kind).sort(), KINDS[env], `${env} with only ${set}`);
          assert.match(delivered.notes, /is deployed to namespace/);
        }
      }
      // Alerts and scrapes turned on in an environment without an image: still none.
      const watched = renderCommitted(variant(), variant().app_env, [
        'alerts.enabled=true',
        'serviceMonitor.enabled=true',
      ]);
      assert.deepEqual(
        watched.objects.filter(o => WORKLOAD.includes(o.kind)).map(o => o.kind),
        [],
        'alerts.enabled and serviceMonitor.enabled without an image',
      );
    });

    test("names each environment: APP_ENV, its alerts' environment label, its host and dashboard uid", () => {
      const domain = String(variant().values.ingress_domain);
      const uids = new Set<string>();
      for (const env of ENVS) {
        const objects = objectsWith(env, ['alerts.enabled=true']);
        const vars = new Map((serviceContainer(only(objects, 'Deployment')).env ?? []).map(e => [e.name, e.value]));
        assert.equal(vars.get('APP_ENV'), env);
        const rules = (only(objects, 'PrometheusRule').spec.groups ?? []).flatMap(g => g.rules ?? []);
        const alerts = rules.filter(r => r.alert);
        assert.ok(alerts.length > 0);
        assert.deepEqual(
          alerts.filter(r => r.labels?.environment !== env).map(r => r.alert),
          [],
          `${env}: alerts without environment: ${env}`,
        );
        const ingress = only(objects, 'Ingress').spec;
        const host = `${variant().app_name}-${env}.${domain}`;
        assert.deepEqual([ingress?.rules?.map(r => r.host), ingress?.tls?.map(t => t.hosts)], [[host], [[host]]]);
        const [json = '{}'] = Object.values(only(objects, 'ConfigMap').data ?? {});
        uids.add((JSON.parse(json) as { uid: string }).uid);
      }
      assert.equal(uids.size, ENVS.length, 'one dashboard uid per environment');
      const { chartDir, release } = chart();
      const bare = helm(['template', release, '.', '--set', 'ingress.host=any.example.com'], chartDir);
      assert.notEqual(bare.status, 0, 'rendered without an environment');
      assert.match(bare.output, /environment is required/);
    });

    test('serves only the API on the Ingress: /metrics stays inside the cluster', async () => {
      const endpoints = (await serviceTables(variant().dir)).endpoints.map(e => e.path);
      assert.ok(endpoints.includes(CONTRACT.metricsPath), 'the service serves metrics');
      for (const env of ENVS)
        assert.deepEqual(ingressViolations(chart().objects[env], endpoints, CONTRACT.metricsPath), [], env);
      for (const paths of ['{/}', '{/api,/metrics}']) {
        const result = templateWith(variant().app_env, [`ingress.paths=${paths}`]);
        assert.notEqual(result.status, 0, `ingress.paths=${paths} rendered`);
        assert.match(result.output, /would publish \/metrics on the internet/);
      }
    });

    test("runs as a user and group above 10000 (the image's own) with bounded ephemeral storage", () => {
      const dockerfile = fs.readFileSync(path.join(variant().dir, 'Dockerfile'), 'utf8');
      const user = [...dockerfile.matchAll(/^USER\s+(\S+)\s*$/gm)].at(-1)?.[1];
      for (const env of ENVS) {
        const objects = chart().objects[env];
        assert.deepEqual(userGroupViolations(objects), [], env);
        assert.deepEqual(ephemeralStorageViolations(objects), [], env);
        const pod = podTemplate(deployment(env)).spec.securityContext;
        assert.equal(`${String(pod?.runAsUser)}:${String(pod?.runAsGroup)}`, user, "the Dockerfile's USER");
      }
    });

    test('lets out DNS to the kube-dns pods only, and the API server only when it reads it, to set addresses', () => {
      for (const env of ENVS) {
        assert.deepEqual(egressViolations(chart().objects[env]), [], env);
        const reads = objectsWith(env, READS_API);
        assert.deepEqual(egressViolations(reads), [], `${env} reading the API`);
        assert.deepEqual(wiringProblems(reads), [], `${env} reading the API`);
      }
      const unset = templateWith(variant().app_env, ['rbac.create=true']);
      assert.notEqual(unset.status, 0, 'rbac.create rendered without API server addresses');
      assert.match(unset.output, /networkPolicy\.apiServerCidrs is required with rbac\.create/);
      const open = templateWith(variant().app_env, ['rbac.create=true', 'networkPolicy.apiServerCidrs={0.0.0.0/0}']);
      assert.notEqual(open.status, 0, '0.0.0.0/0 accepted');
      assert.match(open.output, /at '\/networkPolicy\/apiServerCidrs\/0'/);
    });
  });
}
