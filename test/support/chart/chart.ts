// The chart of a rendered repository, linted and templated by the real helm the way Argo CD deploys it:
// release name, namespace and value files come from the rendered Argo CD Application. Each variant's
// chart is rendered once per test run for both environments, plus once with every optional feature on.
import fs from 'node:fs';
import path from 'node:path';
import { helm, type HelmResult } from './helm';
import { only, parseObjects, type KubeObject, type KubeObjectOf } from './kube';
import type { Variant } from '../backstage/rendered';

export const ENVS = ['dev', 'prod'] as const;
export type Env = (typeof ENVS)[number];

/** Values that turn on what the environments leave off: the ServiceMonitor, the alerts and tracing. */
const OPTIONAL_FEATURES = [
  'serviceMonitor.enabled=true',
  'alerts.enabled=true',
  'tracing.endpoint=http://otel-collector.observability:4318',
  'tracing.collectorNamespace=observability',
];

export interface ChartRender {
  chartDir: string;
  application: Application;
  release: string;
  lint: Record<Env, HelmResult>;
  objects: Record<Env, KubeObject[]>;
  /** The variant's own environment with OPTIONAL_FEATURES set. */
  optional: KubeObject[];
  /** helm lint with an unknown value key and a string where the schema wants an integer. */
  schemaProbe: HelmResult;
}

const cache = new Map<string, ChartRender>();

type Application = KubeObjectOf<'Application'>;

/** The namespace a variant's release runs in for ENV, which is also its Argo CD Application's name. */
export function namespaceOf(variant: Variant, env: Env = variant.app_env): string {
  return `${variant.app_name}-${env}`;
}

/** The Argo CD Application of a rendered repository. */
export function applicationOf(variant: Variant): Application {
  const file = path.join(variant.dir, 'argocd', 'application.yaml');
  return only(parseObjects(fs.readFileSync(file, 'utf8')), 'Application');
}

/** The value files Argo CD passes for an environment: the Application's own list for its environment. */
export function valueFilesFor(application: Application, ownEnv: Env, env: Env): string[] {
  const files = application.spec.source?.helm?.valueFiles ?? [];
  return files.map(file => (file === `values-${ownEnv}.yaml` ? `values-${env}.yaml` : file));
}

export function renderChart(variant: Variant): ChartRender {
  const cached = cache.get(variant.id);
  if (cached) return cached;
  const application = applicationOf(variant);
  const source = application.spec.source;
  const chartDir = path.join(variant.dir, source?.path ?? `charts/${variant.app_name}`);
  const release = source?.helm?.releaseName ?? application.metadata.name;
  const valueArgs = (env: Env) => valueFilesFor(application, variant.app_env, env).flatMap(file => ['-f', file]);
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
