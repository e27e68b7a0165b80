// The chart of a rendered repository, linted and templated by the real helm the way Argo CD deploys it:
// release name, namespace and value files come from the rendered Argo CD Application. Each variant's
// chart is rendered once per test run for both environments, plus once with every optional feature on.
import fs from 'node:fs';
import path from 'node:path';
import { helm, type HelmResult } from './helm';
import { parseObjects, type KubeObject } from './kube';
import type { Variant } from '../backstage/rendered';

export const ENVS = ['dev', 'prod'] as const;
export type Env = (typeof ENVS)[number];

/** Values that turn on what the environments leave off: the ServiceMonitor, the alerts and tracing. */
export const OPTIONAL_FEATURES = [
  'serviceMonitor.enabled=true',
  'alerts.enabled=true',
  'tracing.endpoint=http://otel-collector.observability:4318',
  'tracing.collectorNamespace=observability',
];

export interface ChartRender {
  chartDir: string;
  application: KubeObject;
  release: string;
  lint: Record<Env, HelmResult>;
  objects: Record<Env, KubeObject[]>;
  /** The variant's own environment with OPTIONAL_FEATURES set. */
  optional: KubeObject[];
  /** helm lint with an unknown value key and a string where the schema wants an integer. */
  schemaProbe: HelmResult;
}

const cache = new Map<string, ChartRender>();

export function applicationOf(variant: Variant): KubeObject {
  const [application] = parseObjects(fs.readFileSync(path.join(variant.dir, 'argocd', 'application.yaml'), 'utf8'));
  return application;
}

/** The value files Argo CD passes for an environment: the Application's own list for its environment. */
export function valueFilesFor(application: KubeObject, ownEnv: Env, env: Env): string[] {
  const files: string[] = application.spec?.source?.helm?.valueFiles ?? [];
  return files.map(file => (file === `values-${ownEnv}.yaml` ? `values-${env}.yaml` : file));
}

export function renderChart(variant: Variant): ChartRender {
  const cached = cache.get(variant.id);
  if (cached) return cached;
  const application = applicationOf(variant);
  const source = application.spec?.source ?? {};
  const chartDir = path.join(variant.dir, source.path ?? `charts/${variant.app_name}`);
  const release: string = source.helm?.releaseName ?? application.metadata.name;
  const namespace = (env: Env) => `${variant.app_name}-${env}`;
  const valueArgs = (env: Env) => valueFilesFor(application, variant.app_env, env).flatMap(file => ['-f', file]);
  const template = (env: Env, extra: string[] = []) => {
    const result = helm(
      ['template', release, '.', '--namespace', namespace(env), ...valueArgs(env), ...extra],
      chartDir,
    );
    if (result.status !== 0) throw new Error(`helm template (${env}) failed:\n${result.output}`);
    return parseObjects(result.output);
  };
  const lint = (env: Env, extra: string[] = []) =>
    helm(['lint', '--strict', '.', '--namespace', namespace(env), ...valueArgs(env), ...extra], chartDir);

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

/** The one object of a kind (fails loudly when there is not exactly one). */
export function only(objects: KubeObject[], kind: string): KubeObject {
  const found = objects.filter(o => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
}
