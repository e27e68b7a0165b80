// The chart of a rendered repository, linted and templated by the real helm the way Argo CD deploys it:
// release name, namespace and value files come from the rendered Argo CD Application of its first environment.
// Each variant's chart is rendered once per test run for both environments, plus once with every optional
// feature on, each as a delivered environment (DELIVERED: the workload and its monitoring exist only once an
// image is set). renderEnvironment() does the same for any repository and Application (an added environment);
// renderCommitted() renders an environment as its values file is committed, with no image yet.
import fs from 'node:fs';
import path from 'node:path';
import { helm, type HelmResult } from './helm';
import { ofKind, parseObjects, type KubeObject, type KubeObjectOf } from './kube';
import type { Variant } from '../backstage/rendered';

/**
 * The environments a repository can start with (template.yaml's app_env); a dev start holds both, a prod start
 * prod alone (environments.yaml, read by test/support/environments), and every render has both values files.
 */
export const ENVS = ['dev', 'prod'] as const;
export type Env = (typeof ENVS)[number];

/**
 * Values that turn on what the environments leave off: the ServiceMonitor, the alerts, tracing, and the
 * service's read of its own pod (RBAC, with the API server's address it needs).
 */
export const OPTIONAL_FEATURES = [
  'serviceMonitor.enabled=true',
  'alerts.enabled=true',
  'tracing.endpoint=http://otel-collector.observability:4318',
  'tracing.collectorNamespace=observability',
  'rbac.create=true',
  'networkPolicy.apiServerCidrs={10.0.0.10/32}',
];

/**
 * The image of a delivered environment, as Delivery or Promote writes it into values-<env>.yaml. A values file
 * as committed at creation has none, and the chart then renders no workload and nothing that watches one: the
 * checks render every environment with this one, and renderCommitted() the environment without it.
 */
export const DELIVERED_IMAGE = {
  digest: `sha256:${'0123456789abcdef'.repeat(4)}`,
  tag: `sha-${'a1b2c3d4e5'.repeat(4)}`,
};

/** DELIVERED_IMAGE as helm --set values. */
export const DELIVERED = [`image.digest=${DELIVERED_IMAGE.digest}`, `image.tag=${DELIVERED_IMAGE.tag}`];

export interface ChartRender {
  chartDir: string;
  application: Application;
  release: string;
  /** helm lint --strict of each environment, delivered. */
  lint: Record<Env, HelmResult>;
  /** helm template of each environment, delivered. */
  objects: Record<Env, KubeObject[]>;
  /** The variant's own environment with OPTIONAL_FEATURES set. */
  optional: KubeObject[];
  /** helm lint with an unknown value key and a string where the schema wants an integer. */
  schemaProbe: HelmResult;
}

const cache = new Map<string, ChartRender>();

type Application = KubeObjectOf<'Application'>;

/** The namespace a variant's release runs in for ENV, which is also its Argo CD Application's name. */
function namespaceOf(variant: Variant, env: Env = variant.app_env): string {
  return `${variant.app_name}-${env}`;
}

/** Every Argo CD Application of a repository (argocd/applications.yaml), one per environment, in order. */
export function applicationsOf(variant: Pick<Variant, 'dir'>): Application[] {
  const file = path.join(variant.dir, 'argocd', 'applications.yaml');
  return ofKind(parseObjects(fs.readFileSync(file, 'utf8')), 'Application');
}

/** The Argo CD Application of a rendered repository's environment ENV (by default the first, app_env). */
function applicationOf(variant: Variant, env: string = variant.app_env): Application {
  const name = `${variant.app_name}-${env}`;
  const found = applicationsOf(variant).filter(application => application.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one Application ${name}, found ${found.length}`);
  return found[0];
}

/** The value files Argo CD passes for an environment: the Application's own list for its environment. */
export function valueFilesFor(application: Application, ownEnv: Env, env: Env): string[] {
  const files = application.spec.source?.helm?.valueFiles ?? [];
  return files.map(file => (file === `values-${ownEnv}.yaml` ? `values-${env}.yaml` : file));
}

/**
 * An environment as its Argo CD Application deploys it once delivered (DELIVERED), or as committed when
 * DELIVERED is false: helm lint --strict and helm template, EXTRA values set.
 */
export function renderEnvironment(
  dir: string,
  application: Application,
  extra: string[] = [],
  delivered = true,
): { lint: HelmResult; objects: KubeObject[] } {
  const { source, destination } = application.spec;
  const chartDir = path.join(dir, source?.path ?? '.');
  const release = source?.helm?.releaseName ?? application.metadata.name;
  const args = [
    '--namespace',
    destination.namespace ?? '',
    ...(source?.helm?.valueFiles ?? []).flatMap(file => ['-f', file]),
    ...[...(delivered ? DELIVERED : []), ...extra].flatMap(value => ['--set', value]),
  ];
  const result = helm(['template', release, '.', ...args], chartDir);
  if (result.status !== 0) throw new Error(`helm template ${release} failed:\n${result.output}`);
  return { lint: helm(['lint', '--strict', '.', ...args], chartDir), objects: parseObjects(result.output) };
}

export function renderChart(variant: Variant): ChartRender {
  const cached = cache.get(variant.id);
  if (cached) return cached;
  const application = applicationOf(variant);
  const source = application.spec.source;
  const chartDir = path.join(variant.dir, source?.path ?? `charts/${variant.app_name}`);
  const release = source?.helm?.releaseName ?? application.metadata.name;
  const valueArgs = (env: Env) => [
    ...valueFilesFor(application, variant.app_env, env).flatMap(file => ['-f', file]),
    ...DELIVERED.flatMap(value => ['--set', value]),
  ];
  const template = (env: Env, extra: string[] = []) => {
    const result = helm(
      ['template', release, '.', '--namespace', namespaceOf(variant, env), ...valueArgs(env), ...extra],
      chartDir,
    );
    if (result.status !== 0) throw new Error(`helm template (${env}) failed:\n${result.output}`);
    return parseObjects(result.output);
  };
  const lint = (env: Env, extra: string[] = []) =>
    helm(['lint', '--strict', '.', '--namespace', namespaceOf(variant, env), ...valueArgs(env), ...extra], chartDir);

  const render: ChartRender = {
    chartDir,
    application,
    release,
    lint: { dev: lint('dev'), prod: lint('prod') },
    objects: { dev: template('dev'), prod: template('prod') },
    optional: template(
      variant.app_env,
      OPTIONAL_FEATURES.flatMap(value => ['--set', value]),
    ),
    schemaProbe: lint(variant.app_env, ['--set', 'replicaCont=2', '--set-string', 'replicaCount=two']),
  };
  cache.set(variant.id, render);
  return render;
}

interface CommittedRender {
  lint: HelmResult;
  /** The objects helm install would apply, its hooks (the `helm test` pod) among them. */
  objects: KubeObject[];
  /** What helm prints after installing: NOTES.txt. */
  notes: string;
}

/**
 * A variant's environment ENV as its values file is committed (no image before Delivery or Promote writes one),
 * SET on top, as Argo CD deploys it: helm lint --strict, and `helm install --dry-run=client`, which renders
 * NOTES.txt as well (helm template leaves it out).
 */
export function renderCommitted(variant: Variant, env: Env, set: string[] = []): CommittedRender {
  const application = applicationOf(variant);
  const chartDir = path.join(variant.dir, application.spec.source?.path ?? `charts/${variant.app_name}`);
  const release = namespaceOf(variant, env);
  const args = [
    '--namespace',
    namespaceOf(variant, env),
    ...valueFilesFor(application, variant.app_env, env).flatMap(file => ['-f', file]),
    ...set.flatMap(value => ['--set', value]),
  ];
  const install = helm(['install', release, '.', ...args, '--dry-run=client', '--output', 'json'], chartDir);
  if (install.status !== 0) throw new Error(`helm install --dry-run (${env}) failed:\n${install.output}`);
  const dryRun = JSON.parse(install.output) as {
    manifest: string;
    hooks?: { manifest: string }[];
    info: { notes?: string };
  };
  return {
    lint: helm(['lint', '--strict', '.', ...args], chartDir),
    objects: parseObjects([dryRun.manifest, ...(dryRun.hooks ?? []).map(hook => hook.manifest)].join('\n---\n')),
    notes: dryRun.info.notes ?? '',
  };
}
