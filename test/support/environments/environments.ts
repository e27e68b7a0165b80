// A repository's environments, read through its own scripts/environments.mjs (loaded with require(): Node
// loads an ES module without top-level await synchronously), and what the checks hold every environment's
// Argo CD manifests and catalog links to. The expectations come from the template's values and the
// environments list, never from the script's own output, so that they judge it.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import type { Entity } from '@backstage/catalog-model';
import { parse } from 'yaml';
import type { Variant } from '../backstage/rendered';
import { parseObjects, schemaProblems, type KubeObject, type KubeObjectOf } from '../chart/kube';

/** An entry of environments.yaml, as loadEnvironments() returns it. */
export interface Environment {
  name: string;
  namespace: string;
  cluster: string;
  prometheus: string;
  soak: string;
  soakSeconds: number;
  protected: boolean;
  valuesFile: string;
}

/** What scripts/environments.mjs exports. */
interface EnvironmentsScript {
  loadEnvironments(root: string): Environment[];
  check(root: string): string[];
  write(root: string): string[];
}

/** The environments script of the repository in DIR. */
export function environmentsScript(dir: string): EnvironmentsScript {
  return createRequire(path.join(dir, 'package.json'))('./scripts/environments.mjs') as EnvironmentsScript;
}

/** The environments of the repository in DIR, in order. */
export const environmentsOf = (dir: string): Environment[] => environmentsScript(dir).loadEnvironments(dir);

type Application = KubeObjectOf<'Application'>;
export type Project = Omit<IAppProject, 'metadata'> & Pick<KubeObject, 'metadata'>;

/** Who the service is, as the template's values say. */
export interface Service {
  app: string;
  repoURL: string;
  argocdUrl: string;
}

/** Who a rendered service is, from the values the template gave it. */
export const serviceOf = ({ app_name, values }: Pick<Variant, 'app_name' | 'values'>): Service => ({
  app: app_name,
  repoURL: `https://github.com/${String(values.repo_owner)}/${String(values.repo_name)}.git`,
  argocdUrl: String(values.argocd_url),
});

/** The AppProject of a repository (argocd/project.yaml). */
export const projectOf = (dir: string): Project =>
  parseObjects(fs.readFileSync(path.join(dir, 'argocd', 'project.yaml'), 'utf8'))[0] as unknown as Project;

const FINALIZER = 'resources-finalizer.argocd.argoproj.io';
export const PART_OF = 'app.kubernetes.io/part-of';

/** What is wrong with ENV's Application in the repository in DIR, as sentences; [] when nothing. */
export function applicationProblems(dir: string, service: Service, env: Environment, app: Application): string[] {
  const problems = schemaProblems(app);
  const expect = (ok: boolean, what: string) => {
    if (!ok) problems.push(`${env.name}: ${what}`);
  };
  const { metadata, spec } = app;
  const { source, destination, syncPolicy } = spec;
  expect(metadata.name === `${service.app}-${env.name}`, `named ${metadata.name}, not <app>-<environment>`);
  expect(metadata.namespace === 'argocd', `in namespace ${String(metadata.namespace)}, not argocd`);
  expect(metadata.labels?.[PART_OF] === service.app, `no label ${PART_OF}: ${service.app}`);
  // Deleting a protected environment's Application must leave what runs there running.
  const finalizers = env.protected ? [] : [FINALIZER];
  expect(isDeepStrictEqual(metadata.finalizers ?? [], finalizers), `finalizers ${String(metadata.finalizers)}`);
  expect(spec.project === service.app, `in project ${spec.project}, not the service's`);
  expect(source?.repoURL === service.repoURL, `source ${String(source?.repoURL)}, not ${service.repoURL}`);
  expect(source?.targetRevision === 'main', `revision ${String(source?.targetRevision)}, not main`);
  expect(source?.path === `charts/${service.app}`, `chart path ${String(source?.path)}`);
  const chartDir = path.join(dir, source?.path ?? '');
  expect(fs.existsSync(path.join(chartDir, 'Chart.yaml')), `${String(source?.path)}/Chart.yaml is missing`);
  const valueFiles = source?.helm?.valueFiles ?? [];
  expect(
    isDeepStrictEqual(valueFiles, ['values.yaml', `values-${env.name}.yaml`]),
    `value files ${String(valueFiles)}`,
  );
  for (const file of valueFiles) expect(fs.existsSync(path.join(chartDir, file)), `${file} is missing`);
  // Argo CD's label tracking writes the Application's name into app.kubernetes.io/instance, which the chart's
  // selectors use: a different release name would leave the selectors matching nothing.
  expect((source?.helm?.releaseName ?? metadata.name) === metadata.name, 'a releaseName other than its name');
  const wanted = { server: env.cluster, namespace: env.namespace };
  expect(isDeepStrictEqual(destination, wanted), `destination ${JSON.stringify(destination)}`);
  expect(isDeepStrictEqual(syncPolicy?.automated, { prune: true, selfHeal: true }), 'not pruning and self-healing');
  expect(syncPolicy?.syncOptions?.includes('CreateNamespace=true') === true, 'does not create its namespace');
  const enforce = syncPolicy?.managedNamespaceMetadata?.labels?.['pod-security.kubernetes.io/enforce'];
  expect(enforce === 'restricted', `its namespace enforces ${String(enforce)}, not restricted`);
  const { limit = 0, backoff } = syncPolicy?.retry ?? {};
  expect(limit > 0 && !!backoff?.duration && (backoff.factor ?? 0) > 1, `retry ${JSON.stringify(syncPolicy?.retry)}`);
  return problems;
}

/** A kind as the AppProject names it: the API group ("" for the core group) and the kind. */
export interface GroupKind {
  group: string;
  kind: string;
}

/** The kinds Argo CD applies of OBJECTS: helm test hooks it never applies (it runs no Helm test). */
export function appliedKinds(objects: KubeObject[]): GroupKind[] {
  const kinds = new Map<string, GroupKind>();
  for (const object of objects) {
    if (object.metadata.annotations?.['helm.sh/hook']?.split(',').includes('test')) continue;
    const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
    kinds.set(`${group}/${object.kind}`, { group, kind: object.kind });
  }
  return [...kinds.values()];
}

const sortKinds = (kinds: readonly GroupKind[] = []) =>
  kinds.map(({ group, kind }) => `${group}/${kind}`).sort((a, b) => a.localeCompare(b));

/**
 * What is wrong with the AppProject: it must allow this repository alone as a source, exactly the environments'
 * namespaces as destinations, only the Namespace Argo CD creates outside them, and in them exactly the kinds
 * the chart renders (KINDS, every environment and optional feature together).
 */
export function projectProblems(project: Project, service: Service, envs: Environment[], kinds: GroupKind[]): string[] {
  const problems = schemaProblems(project);
  const expect = (ok: boolean, what: string) => {
    if (!ok) problems.push(`AppProject: ${what}`);
  };
  const { metadata, spec } = project;
  expect(metadata.name === service.app && metadata.namespace === 'argocd', `named ${metadata.name}`);
  expect(isDeepStrictEqual(spec.sourceRepos, [service.repoURL]), `sources ${String(spec.sourceRepos)}`);
  const destinations = envs.map(env => ({ server: env.cluster, namespace: env.namespace }));
  expect(isDeepStrictEqual(spec.destinations, destinations), `destinations ${JSON.stringify(spec.destinations)}`);
  const cluster = sortKinds(spec.clusterResourceWhitelist);
  expect(isDeepStrictEqual(cluster, ['/Namespace']), `cluster-wide kinds ${cluster.join(', ')}`);
  const allowed = sortKinds(spec.namespaceResourceWhitelist);
  const rendered = sortKinds(kinds);
  const missing = rendered.filter(kind => !allowed.includes(kind));
  const extra = allowed.filter(kind => !rendered.includes(kind));
  expect(missing.length === 0, `the chart renders kinds it does not allow: ${missing.join(', ')}`);
  expect(extra.length === 0, `it allows kinds the chart never renders: ${extra.join(', ')}`);
  expect(spec.clusterResourceBlacklist === undefined && spec.namespaceResourceBlacklist === undefined, 'blacklists');
  expect(spec.orphanedResources?.warn === true, 'orphaned resources are not warned about');
  return problems;
}

/** The host an environment's values file serves it at. */
export function hostOf(dir: string, env: Environment): string {
  const values = parse(fs.readFileSync(path.join(dir, env.valuesFile), 'utf8')) as { ingress?: { host?: string } };
  return String(values.ingress?.host);
}

/**
 * What is wrong with the Component's view of the environments: each one's Service, Health and Argo CD links
 * (the host from its values file, the Application by name), annotations that hold for every environment.
 */
export function catalogProblems(
  component: Entity,
  service: Service,
  envs: Environment[],
  applications: Application[],
  host: (env: Environment) => string,
  apiPaths: string[],
): string[] {
  const problems: string[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) problems.push(`catalog: ${what}`);
  };
  const annotations: Partial<Record<string, string>> = component.metadata.annotations ?? {};
  const selector = annotations['argocd/app-selector'] ?? '';
  const [key, value] = selector.split('=');
  const selected = applications.filter(app => app.metadata.labels?.[key] === value).map(app => app.metadata.name);
  expect(
    isDeepStrictEqual(
      selected,
      applications.map(app => app.metadata.name),
    ) && selected.length === envs.length,
    `argocd/app-selector ${selector} selects ${selected.join(', ')}`,
  );
  for (const single of ['argocd/app-name', 'backstage.io/kubernetes-namespace'])
    expect(annotations[single] === undefined, `${single} names one environment only`);
  expect(annotations['backstage.io/kubernetes-id'] === service.app, 'backstage.io/kubernetes-id');

  const links = new Map((component.metadata.links ?? []).map(link => [link.title, link.url]));
  for (const env of envs) {
    expect(links.get(`Service (${env.name})`) === `https://${host(env)}`, `${env.name}'s Service link`);
    const health = links.get(`Health (${env.name})`);
    expect(
      health !== undefined && health.startsWith(`https://${host(env)}/`) && apiPaths.includes(new URL(health).pathname),
      `${env.name}'s Health link ${String(health)} is not an endpoint of the API on its host`,
    );
    const argocd = `${service.argocdUrl}/applications/argocd/${service.app}-${env.name}`;
    expect(links.get(`Argo CD (${env.name})`) === argocd, `${env.name}'s Argo CD link`);
    expect(
      applications.some(app => app.metadata.name === `${service.app}-${env.name}`),
      `no Application behind ${env.name}'s Argo CD link`,
    );
  }
  const perEnvironment = [...links.keys()].filter(title => / \([a-z0-9]+\)$/.test(String(title)));
  expect(perEnvironment.length === 3 * envs.length, `environment links ${perEnvironment.join(', ')}`);
  return problems;
}
