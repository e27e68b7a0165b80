#!/usr/bin/env node
// The environments of this service, read from environments.yaml (their one home) and checked; the Argo CD
// manifests in argocd/ and the catalog entity's per-environment links are generated from them.
//
//   node scripts/environments.mjs first              the first environment (where each push to main goes)
//   node scripts/environments.mjs names              every environment, in order, space-separated
//   node scripts/environments.mjs matrix             the same as a JSON array (a CI job matrix)
//   node scripts/environments.mjs json               every environment with its settings, as JSON
//   node scripts/environments.mjs values-file ENV    charts/<app>/values-ENV.yaml
//   node scripts/environments.mjs previous ENV       the environment before ENV (exit 1 for the first)
//   node scripts/environments.mjs next ENV           the environment after ENV (exit 1 for the last)
//   node scripts/environments.mjs write              (re)write argocd/ and the catalog links (npm run environments)
//   node scripts/environments.mjs check              exit 1 naming every generated file that is stale (CI)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, parse, parseAllDocuments, Scalar } from 'yaml';

export const ENVIRONMENTS_FILE = 'environments.yaml';
export const PROJECT_FILE = 'argocd/project.yaml';
export const APPLICATIONS_FILE = 'argocd/applications.yaml';
const CATALOG_FILE = 'catalog-info.yaml';

const KEYS = ['name', 'namespace', 'cluster', 'prometheus', 'soak', 'protected'];
// Short: the name is part of namespaces, Application and GitHub environment names, and dashboard uids.
const NAME = /^[a-z][a-z0-9]{0,9}$/;
// The release <app>-<name> names the Deployment, whose pods are named <release>-<10-character hash>-<5
// characters>: within Kubernetes' 63 characters, the release may have 46.
const RELEASE_LENGTH = 63 - 17;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SOAK = /^(0|[1-9][0-9]*)(s|m|h|d)$/;
const SECONDS = { s: 1, m: 60, h: 3600, d: 86400 };
// The service's liveness endpoint, as openapi.yaml declares it: each environment's Health link.
const HEALTH_PATH = '/api/v1/healthz';

/**
 * What the AppProject lets the Applications create: the Namespace Argo CD makes (CreateNamespace), and in it
 * the kinds the chart renders (its optional ServiceMonitor and PrometheusRule included). A kind added to the
 * chart is added here, or Argo CD refuses to sync it.
 */
const CLUSTER_KINDS = [{ group: '', kind: 'Namespace' }];
const NAMESPACED_KINDS = [
  { group: '', kind: 'ConfigMap' },
  { group: '', kind: 'Service' },
  { group: '', kind: 'ServiceAccount' },
  { group: 'apps', kind: 'Deployment' },
  { group: 'autoscaling', kind: 'HorizontalPodAutoscaler' },
  { group: 'monitoring.coreos.com', kind: 'PrometheusRule' },
  { group: 'monitoring.coreos.com', kind: 'ServiceMonitor' },
  { group: 'networking.k8s.io', kind: 'Ingress' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: 'policy', kind: 'PodDisruptionBudget' },
  { group: 'rbac.authorization.k8s.io', kind: 'Role' },
  { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
];

const read = (root, file) => fs.readFileSync(path.join(root, file), 'utf8');
const exists = (root, file) => fs.existsSync(path.join(root, file));

/** The service's name: package.json's, which is also the chart's directory under charts/. */
export function appName(root = process.cwd()) {
  const { name } = JSON.parse(read(root, 'package.json'));
  if (typeof name !== 'string' || !DNS_LABEL.test(name))
    throw new Error(`package.json: "${name}" is not a service name`);
  return name;
}

/**
 * The environments of environments.yaml, in order, each with its soak in seconds and its values file; throws
 * one error listing every problem found.
 */
export function loadEnvironments(root = process.cwd()) {
  const app = appName(root);
  const problems = [];
  let document;
  try {
    document = parse(read(root, ENVIRONMENTS_FILE));
  } catch (error) {
    throw new Error(`${ENVIRONMENTS_FILE}: ${error.message}`, { cause: error });
  }
  const list = document?.environments;
  const extra = Object.keys(document ?? {}).filter(key => key !== 'environments');
  if (extra.length) problems.push(`unknown top-level keys ${extra.join(', ')} (only "environments")`);
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error(`${ENVIRONMENTS_FILE}: "environments" must be a non-empty list`);
  }

  const envs = list.map((entry, i) => {
    const at = `environments[${i}]${typeof entry?.name === 'string' ? ` (${entry.name})` : ''}`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(`${at}: not a mapping`);
      return undefined;
    }
    const unknown = Object.keys(entry).filter(key => !KEYS.includes(key));
    if (unknown.length) problems.push(`${at}: unknown keys ${unknown.join(', ')} (known: ${KEYS.join(', ')})`);
    const missing = KEYS.filter(key => !(key in entry));
    if (missing.length) problems.push(`${at}: missing ${missing.join(', ')}`);
    const { name, namespace, cluster, prometheus, soak } = entry;
    if (typeof name !== 'string' || !NAME.test(name)) {
      problems.push(`${at}: name must be a lowercase letter then up to 9 lowercase letters or digits`);
    } else if (`${app}-${name}`.length > RELEASE_LENGTH) {
      const room = RELEASE_LENGTH - app.length - 1;
      problems.push(
        `${at}: ${app}-${name} is too long for pod names: with this service's name, at most ${room} letters`,
      );
    }
    if (typeof namespace !== 'string' || !DNS_LABEL.test(namespace)) {
      problems.push(`${at}: namespace must be a DNS label (up to 63 lowercase letters, digits and inner hyphens)`);
    }
    if (!isUrl(cluster, ['https:'])) problems.push(`${at}: cluster must be the https URL of an Argo CD cluster`);
    if (prometheus !== '' && !isUrl(prometheus, ['http:', 'https:'])) {
      problems.push(`${at}: prometheus must be an http(s) URL, or "" when none watches it`);
    }
    const soakMatch = typeof soak === 'string' ? SOAK.exec(soak) : null;
    if (!soakMatch) problems.push(`${at}: soak must be a number and a unit (s, m, h or d), like 30m, 1h or 2d`);
    if (typeof entry.protected !== 'boolean') problems.push(`${at}: protected must be true or false`);
    const valuesFile = `charts/${app}/values-${name}.yaml`;
    if (typeof name === 'string' && NAME.test(name)) {
      const values = readValues(root, valuesFile, problems, at);
      if (values && values.environment !== name) {
        problems.push(`${at}: ${valuesFile} says environment: ${JSON.stringify(values.environment)}, not "${name}"`);
      }
    }
    return {
      name,
      namespace,
      cluster,
      prometheus,
      soak,
      soakSeconds: soakMatch ? Number(soakMatch[1]) * SECONDS[soakMatch[2]] : undefined,
      protected: entry.protected,
      valuesFile,
    };
  });

  for (const [what, key] of [
    ['name', env => env.name],
    ['destination (cluster and namespace)', env => `${env.cluster} ${env.namespace}`],
  ]) {
    const seen = new Set();
    for (const env of envs.filter(Boolean)) {
      if (seen.has(key(env))) problems.push(`two environments have the same ${what}: ${key(env)}`);
      seen.add(key(env));
    }
  }
  if (problems.length) throw new Error(`${ENVIRONMENTS_FILE}:\n  ${problems.join('\n  ')}`);
  return envs;
}

function isUrl(value, protocols) {
  if (typeof value !== 'string') return false;
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function readValues(root, file, problems, at) {
  if (!exists(root, file)) {
    problems.push(`${at}: ${file} is missing (its values: environment, ingress.host, image)`);
    return undefined;
  }
  try {
    return parse(read(root, file)) ?? {};
  } catch (error) {
    problems.push(`${at}: ${file}: ${error.message}`);
    return undefined;
  }
}

/** The environment named NAME; throws naming the known ones. */
export function find(envs, name) {
  const env = envs.find(e => e.name === name);
  if (!env) throw new Error(`unknown environment ${name}; known: ${envs.map(e => e.name).join(', ')}`);
  return env;
}

/** The environment before NAME on the path, or undefined for the first. */
export function previousOf(envs, name) {
  return envs[envs.indexOf(find(envs, name)) - 1];
}

/** The environment after NAME on the path, or undefined for the last. */
export function nextOf(envs, name) {
  return envs[envs.indexOf(find(envs, name)) + 1];
}

/** What the manifests say about the service besides its environments: all of it from catalog-info.yaml. */
export function loadService(root = process.cwd()) {
  const app = appName(root);
  const component = catalogComponent(root, app).toJS();
  const slug = component.metadata?.annotations?.['github.com/project-slug'];
  if (typeof slug !== 'string' || !/^[^/\s]+\/[^/\s]+$/.test(slug)) {
    throw new Error(`${CATALOG_FILE}: the Component has no github.com/project-slug annotation (owner/repository)`);
  }
  const argocd = (component.metadata?.links ?? []).find(link => link?.title === 'Argo CD')?.url;
  if (!isUrl(argocd, ['https:'])) throw new Error(`${CATALOG_FILE}: the Component has no "Argo CD" link`);
  return {
    app,
    owner: String(component.spec?.owner),
    repoURL: `https://github.com/${slug}.git`,
    argocd: new URL(argocd).origin,
  };
}

function catalogDocuments(root) {
  const documents = parseAllDocuments(read(root, CATALOG_FILE));
  for (const document of documents) {
    if (document.errors.length) throw new Error(`${CATALOG_FILE}: ${document.errors[0].message}`);
  }
  return documents;
}

function catalogComponent(root, app, documents = catalogDocuments(root)) {
  const component = documents.find(d => d.get('kind') === 'Component' && d.getIn(['metadata', 'name']) === app);
  if (!component) throw new Error(`${CATALOG_FILE}: no Component named ${app}`);
  return component;
}

const quote = value => JSON.stringify(value);

const HEADER = [
  '# Generated by `npm run environments` (scripts/environments.mjs) from environments.yaml: edit that list, not',
  '# this file (CI runs `node scripts/environments.mjs check`).',
];

/** argocd/project.yaml: the AppProject the Applications belong to, restricted to this service. */
export function projectYaml(service, envs) {
  const kinds = list => list.flatMap(({ group, kind }) => [`    - group: ${quote(group)}`, `      kind: ${kind}`]);
  return [
    ...HEADER,
    `# The Argo CD project of ${service.app}.`,
    '# Its Applications deploy only this repository, only into the namespaces of its environments, and only the',
    '# kinds its chart renders. Apply it once, with the Applications: kubectl apply -n argocd -f argocd/',
    'apiVersion: argoproj.io/v1alpha1',
    'kind: AppProject',
    'metadata:',
    `  name: ${quote(service.app)}`,
    '  namespace: argocd',
    '  labels:',
    `    app.kubernetes.io/part-of: ${quote(service.app)}`,
    'spec:',
    `  description: ${quote(`${service.app}, run by ${service.owner}`)}`,
    '  sourceRepos:',
    `    - ${quote(service.repoURL)}`,
    '  destinations:',
    ...envs.flatMap(env => [`    - server: ${quote(env.cluster)}`, `      namespace: ${quote(env.namespace)}`]),
    '  # Argo CD creates each namespace (CreateNamespace); nothing else outside them.',
    '  clusterResourceWhitelist:',
    ...kinds(CLUSTER_KINDS),
    '  namespaceResourceWhitelist:',
    ...kinds(NAMESPACED_KINDS),
    '  # What runs in the namespaces without coming from this repository shows as a warning in Argo CD.',
    '  orphanedResources:',
    '    warn: true',
    '',
  ].join('\n');
}

/** argocd/applications.yaml: one Application per environment, in the order of the list. */
export function applicationsYaml(service, envs) {
  const application = env => [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: ${quote(`${service.app}-${env.name}`)}`,
    '  namespace: argocd',
    '  labels:',
    "    # The catalog entity's argocd/app-selector finds every environment's Application by this label.",
    `    app.kubernetes.io/part-of: ${quote(service.app)}`,
    ...(env.protected
      ? [`  # No resources finalizer: ${env.name} is protected, so deleting the Application leaves it running.`]
      : [
          `  # Deleting the Application deletes what it deployed (${env.name} is not protected).`,
          '  finalizers:',
          '    - resources-finalizer.argocd.argoproj.io',
        ]),
    'spec:',
    `  project: ${quote(service.app)}`,
    '  source:',
    `    repoURL: ${quote(service.repoURL)}`,
    '    targetRevision: main',
    `    path: ${quote(`charts/${service.app}`)}`,
    '    helm:',
    "      # No releaseName: the release is named after the Application, the value Argo CD's label tracking writes",
    "      # into app.kubernetes.io/instance, which the chart's selectors use too.",
    '      valueFiles:',
    '        - values.yaml',
    `        - ${quote(`values-${env.name}.yaml`)}`,
    '  destination:',
    `    server: ${quote(env.cluster)}`,
    `    namespace: ${quote(env.namespace)}`,
    '  syncPolicy:',
    '    automated:',
    '      prune: true',
    '      selfHeal: true',
    '    syncOptions:',
    '      - CreateNamespace=true',
    '    # The namespace Argo CD creates enforces Pod Security Standards "restricted", which the chart meets.',
    '    managedNamespaceMetadata:',
    '      labels:',
    '        pod-security.kubernetes.io/enforce: restricted',
    '        pod-security.kubernetes.io/enforce-version: latest',
    '    retry:',
    '      limit: 5',
    '      backoff:',
    '        duration: 10s',
    '        factor: 2',
    '        maxDuration: 5m',
  ];
  return [
    ...HEADER,
    '# One Argo CD Application per environment, in the AppProject of project.yaml. Each deploys the chart',
    `# charts/${service.app} from main, with values.yaml and its environment's values file on top.`,
    '# Apply them once, with the project: kubectl apply -n argocd -f argocd/',
    ...envs.flatMap((env, i) => [...(i > 0 ? ['---'] : []), ...application(env)]),
    '',
  ].join('\n');
}

/** The host an environment is served at: its values file's ingress.host, else values.yaml's. */
export function hostOf(root, app, env) {
  const own = parse(read(root, env.valuesFile))?.ingress?.host;
  const host = own ?? parse(read(root, `charts/${app}/values.yaml`))?.ingress?.host;
  if (typeof host !== 'string' || host === '') throw new Error(`${env.valuesFile}: no ingress.host`);
  return host;
}

/** The catalog links each environment gets, in order: its Service, its Health endpoint, its Application. */
export function environmentLinks(root, service, envs) {
  const hosts = envs.map(env => hostOf(root, service.app, env));
  const shared = hosts.find((host, i) => hosts.indexOf(host) !== i);
  if (shared) throw new Error(`two environments are served at ${shared}: give each values file its own ingress.host`);
  return envs.flatMap((env, i) => {
    const host = hosts[i];
    return [
      { url: `https://${host}`, title: `Service (${env.name})`, icon: 'web' },
      { url: `https://${host}${HEALTH_PATH}`, title: `Health (${env.name})`, icon: 'dashboard' },
      {
        url: `${service.argocd}/applications/argocd/${service.app}-${env.name}`,
        title: `Argo CD (${env.name})`,
        icon: 'cloud',
      },
    ];
  });
}

/** A link this script writes: one of an environment's (the titles environmentLinks gives). */
const isEnvironmentLink = title => /^(Service|Health|Argo CD) \([a-z][a-z0-9]*\)$/.test(String(title));

const linksOf = component => {
  const links = component.getIn(['metadata', 'links']);
  if (!isSeq(links)) throw new Error(`${CATALOG_FILE}: the Component has no metadata.links list`);
  return links;
};

/** The catalog entity's text with its environment links replaced by LINKS, in the place of the first. */
function withLinks(root, app, links) {
  const documents = catalogDocuments(root);
  const component = catalogComponent(root, app, documents);
  const items = linksOf(component).items;
  const first = items.findIndex(item => isMap(item) && isEnvironmentLink(item.get('title')));
  const kept = items.filter(item => !(isMap(item) && isEnvironmentLink(item.get('title'))));
  const created = links.map(link => {
    const node = component.createNode(link);
    for (const pair of node.items) if (pair.key.value !== 'icon') pair.value.type = Scalar.QUOTE_DOUBLE;
    return node;
  });
  const at = first === -1 ? 0 : items.slice(0, first).filter(item => kept.includes(item)).length;
  kept.splice(at, 0, ...created);
  linksOf(component).items = kept;
  return documents.map(document => document.toString({ lineWidth: 0 })).join('');
}

const linkKey = link => `${link.title} ${link.url} ${link.icon}`;

/** The generated files and what they should hold; the catalog entity only when its environment links differ. */
function generated(root) {
  const envs = loadEnvironments(root);
  const service = loadService(root);
  const links = environmentLinks(root, service, envs);
  const component = catalogComponent(root, service.app).toJS();
  const current = (component.metadata.links ?? []).filter(link => isEnvironmentLink(link?.title));
  return {
    [PROJECT_FILE]: projectYaml(service, envs),
    [APPLICATIONS_FILE]: applicationsYaml(service, envs),
    [CATALOG_FILE]:
      current.map(linkKey).join('\n') === links.map(linkKey).join('\n')
        ? read(root, CATALOG_FILE)
        : withLinks(root, service.app, links),
  };
}

/** Files argocd/ holds that this script does not write: an Application there would escape the list. */
function strays(root) {
  if (!exists(root, 'argocd')) return [];
  const ours = [PROJECT_FILE, APPLICATIONS_FILE].map(file => path.basename(file));
  return fs
    .readdirSync(path.join(root, 'argocd'))
    .filter(file => !ours.includes(file))
    .map(file => `argocd/${file}`);
}

/** Every way the generated files differ from what environments.yaml says, as sentences; [] when none. */
export function check(root = process.cwd()) {
  let files;
  try {
    files = generated(root);
  } catch (error) {
    return [error.message];
  }
  const problems = Object.entries(files).flatMap(([file, text]) => {
    if (!exists(root, file)) return [`${file} is missing: run npm run environments`];
    if (read(root, file) === text) return [];
    return file === CATALOG_FILE
      ? [`${file}: its environments' links differ from ${ENVIRONMENTS_FILE}: run npm run environments`]
      : [`${file} differs from what ${ENVIRONMENTS_FILE} gives: run npm run environments`];
  });
  return [...problems, ...strays(root).map(file => `${file} is not generated from ${ENVIRONMENTS_FILE}: remove it`)];
}

/** Writes the generated files; returns the ones it changed. */
export function write(root = process.cwd()) {
  const changed = [];
  for (const [file, text] of Object.entries(generated(root))) {
    if (exists(root, file) && read(root, file) === text) continue;
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
    changed.push(file);
  }
  return changed;
}

function main([command, arg]) {
  const envs = () => loadEnvironments();
  const named = () => {
    if (!arg) throw new Error(`${command} needs an environment's name`);
    return find(envs(), arg);
  };
  switch (command) {
    case 'first':
      return envs()[0].name;
    case 'names':
      return envs()
        .map(env => env.name)
        .join(' ');
    case 'matrix':
      return JSON.stringify(envs().map(env => env.name));
    case 'json':
      return JSON.stringify(envs(), null, 2);
    case 'values-file':
      return named().valuesFile;
    case 'previous': {
      const env = previousOf(envs(), named().name);
      if (!env) throw new Error(`${arg} is the first environment: nothing comes before it`);
      return env.name;
    }
    case 'next': {
      const env = nextOf(envs(), named().name);
      if (!env) throw new Error(`${arg} is the last environment: nothing comes after it`);
      return env.name;
    }
    case 'write': {
      const changed = write();
      return changed.length ? `wrote ${changed.join(', ')}` : 'up to date';
    }
    case 'check': {
      const problems = check();
      if (problems.length) throw new Error(problems.join('\n'));
      return `${ENVIRONMENTS_FILE}: argocd/ and ${CATALOG_FILE} are up to date`;
    }
    default:
      throw new Error(
        'usage: node scripts/environments.mjs first|names|matrix|json|write|check, or values-file|previous|next ENV',
      );
  }
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(main(process.argv.slice(2)));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
