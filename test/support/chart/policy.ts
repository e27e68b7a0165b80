// Policy rules over rendered objects. Each returns the violations it finds, [] when the objects comply.
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { ofKind, podTemplate, type KubeObject } from './kube';

const RESTRICTED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
const READ_VERBS = ['get', 'list', 'watch'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A pod's name is its ReplicaSet's (Deployment name + '-' + 10) plus '-' + 5 characters. */
const POD_NAME_SUFFIX = 17;

/** The pod specs an object runs: a Deployment's template or a bare Pod's spec. */
export function podSpecs(objects: KubeObject[]): { owner: string; spec: IPodSpec; labels: Record<string, string> }[] {
  const deployments = ofKind(objects, 'Deployment').map(deployment => {
    const { metadata, spec } = podTemplate(deployment);
    return { owner: `Deployment ${deployment.metadata.name}`, spec, labels: metadata.labels ?? {} };
  });
  const pods = ofKind(objects, 'Pod').map(pod => {
    if (!pod.spec) throw new Error(`Pod ${pod.metadata.name} has no spec`);
    return { owner: `Pod ${pod.metadata.name}`, spec: pod.spec, labels: pod.metadata.labels ?? {} };
  });
  return [...deployments, ...pods];
}

/** Pod Security Standards "restricted" (v1.27+), plus a read-only root filesystem with a writable /tmp. */
export function restrictedViolations(owner: string, spec: IPodSpec): string[] {
  const found: string[] = [];
  const pod = spec.securityContext ?? {};
  for (const host of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (spec[host]) found.push(`${owner}: ${host}`);
  if (spec.hostUsers === true) found.push(`${owner}: hostUsers`);
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find(k => k !== 'name');
    if (!type || !RESTRICTED_VOLUMES.includes(type)) found.push(`${owner}: volume ${volume.name} is ${String(type)}`);
  }
  const containers = [...(spec.initContainers ?? []), ...spec.containers, ...(spec.ephemeralContainers ?? [])];
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const at = `${owner} container ${c.name}`;
    if (sc.privileged) found.push(`${at}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) found.push(`${at}: allowPrivilegeEscalation is not false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) found.push(`${at}: capabilities do not drop ALL`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') found.push(`${at}: adds ${cap}`);
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) found.push(`${at}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? pod.runAsUser) === 0) found.push(`${at}: runs as user 0`);
    const seccomp = (sc.seccompProfile ?? pod.seccompProfile)?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
      found.push(`${at}: seccompProfile is ${String(seccomp)}`);
    if ((c.ports ?? []).some(p => p.hostPort)) found.push(`${at}: hostPort`);
    if (sc.readOnlyRootFilesystem !== true) found.push(`${at}: root filesystem is writable`);
    const tmp = (c.volumeMounts ?? []).find(m => m.mountPath === '/tmp');
    const tmpVolume = tmp && (spec.volumes ?? []).find(v => v.name === tmp.name);
    if (owner.startsWith('Deployment') && !tmpVolume?.emptyDir) found.push(`${at}: no emptyDir at /tmp`);
  }
  return found;
}

/** RBAC no wider than get/list/watch on pods in the release's namespace, bound to the chart's ServiceAccount only. */
export function rbacViolations(objects: KubeObject[], serviceAccount: string, namespace: string): string[] {
  const found: string[] = [];
  const roles = ofKind(objects, 'Role');
  const roleNames = new Set(roles.map(o => o.metadata.name));
  for (const o of objects) {
    if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') found.push(`${o.kind} ${o.metadata.name}`);
    if (o.metadata.namespace && o.metadata.namespace !== namespace)
      found.push(`${o.kind} ${o.metadata.name} in ${o.metadata.namespace}`);
  }
  for (const role of roles) {
    const at = `Role ${role.metadata.name}`;
    for (const rule of role.rules ?? []) {
      if (rule.nonResourceURLs) found.push(`${at}: nonResourceURLs`);
      if (JSON.stringify(rule.apiGroups) !== '[""]') found.push(`${at}: apiGroups ${JSON.stringify(rule.apiGroups)}`);
      for (const r of rule.resources ?? []) if (r !== 'pods') found.push(`${at}: resource ${r}`);
      for (const v of rule.verbs) if (!READ_VERBS.includes(v)) found.push(`${at}: verb ${v}`);
    }
  }
  for (const binding of ofKind(objects, 'RoleBinding')) {
    const { roleRef, subjects = [] } = binding;
    const at = `RoleBinding ${binding.metadata.name}`;
    if (roleRef.kind !== 'Role' || !roleNames.has(roleRef.name))
      found.push(`${at}: binds ${roleRef.kind} ${roleRef.name}`);
    for (const s of subjects) {
      if (s.kind !== 'ServiceAccount' || s.name !== serviceAccount || s.namespace !== namespace)
        found.push(`${at}: subject ${s.kind} ${s.namespace ?? ''}/${s.name}`);
    }
  }
  return found;
}

/** Names and label values within Kubernetes' 63-character limit, pod names included. */
export function nameViolations(objects: KubeObject[]): string[] {
  const found: string[] = [];
  for (const o of objects) {
    const { name, labels = {} } = o.metadata;
    if (!DNS_LABEL.test(name) || name.length > 63) found.push(`${o.kind} name ${name} (${name.length})`);
    if (o.kind === 'Deployment' && name.length + POD_NAME_SUFFIX > 63)
      found.push(`pods of ${name} get ${name.length + POD_NAME_SUFFIX}-character names`);
    for (const [key, value] of Object.entries(labels))
      if (value.length > 63) found.push(`${o.kind} ${name} label ${key}=${value}`);
  }
  return found;
}

/** Whether a label selector's matchLabels (or a plain map) select the given labels. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

// Hardening beyond "restricted": what kube-score, checkov and Polaris report on a workload, each finding named
// by the public rule id that reports it (kube-score's README_CHECKS.md, checkov's CKV_K8S_* ids, Polaris' checks).

/** A UID or GID this low may be a user of the node: kube-score and checkov want more than 10000. */
const HIGH_ID = 10_000;
/** An image reference pinned to its content. */
const BY_DIGEST = /@sha256:[0-9a-f]{64}$/;
const USER_GROUP_ID = 'container-security-context-user-group-id';
const EPHEMERAL = 'container-ephemeral-storage-request-and-limit';

const containersOf = (spec: IPodSpec) => [...(spec.initContainers ?? []), ...spec.containers];

/**
 * Images: never `latest` or no tag (kube-score container-image-tag, checkov CKV_K8S_14, Polaris tagNotSpecified);
 * by digest when BY_DIGEST is expected (checkov CKV_K8S_43).
 */
export function imageViolations(objects: KubeObject[], byDigest: boolean): string[] {
  return podSpecs(objects).flatMap(({ owner, spec }) =>
    containersOf(spec).flatMap(c => {
      const image = c.image ?? '';
      const at = `${owner} container ${c.name}: image ${image}`;
      if (byDigest) return BY_DIGEST.test(image) ? [] : [`${at} is not by digest (checkov CKV_K8S_43)`];
      if (BY_DIGEST.test(image)) return [];
      const tag = /:([^:/@]+)$/.exec(image)?.[1];
      return tag === undefined || tag === 'latest'
        ? [`${at} has no fixed tag (kube-score container-image-tag, checkov CKV_K8S_14, Polaris tagNotSpecified)`]
        : [];
    }),
  );
}

/** User and group above 10000 (kube-score container-security-context-user-group-id, checkov CKV_K8S_40). */
export function userGroupViolations(objects: KubeObject[]): string[] {
  return podSpecs(objects).flatMap(({ owner, spec }) =>
    containersOf(spec).flatMap(c => {
      const user = c.securityContext?.runAsUser ?? spec.securityContext?.runAsUser;
      const group = c.securityContext?.runAsGroup ?? spec.securityContext?.runAsGroup;
      const at = `${owner} container ${c.name}`;
      return [
        ...(user !== undefined && user > HIGH_ID
          ? []
          : [`${at}: runAsUser ${String(user)} (kube-score ${USER_GROUP_ID}, checkov CKV_K8S_40)`]),
        ...(group !== undefined && group > HIGH_ID
          ? []
          : [`${at}: runAsGroup ${String(group)} (kube-score ${USER_GROUP_ID})`]),
      ];
    }),
  );
}

/** An ephemeral-storage request and limit on every container (kube-score EPHEMERAL). */
export function ephemeralStorageViolations(objects: KubeObject[]): string[] {
  return podSpecs(objects).flatMap(({ owner, spec }) =>
    containersOf(spec).flatMap(c =>
      (['requests', 'limits'] as const)
        .filter(kind => c.resources?.[kind]?.['ephemeral-storage'] === undefined)
        .map(kind => `${owner} container ${c.name}: no ephemeral-storage ${kind} (kube-score ${EPHEMERAL})`),
    ),
  );
}

/**
 * A service account token only in the pods of a service that reads the Kubernetes API, which the chart grants
 * with a Role (checkov CKV_K8S_38, Polaris automountServiceAccountToken): explicitly off everywhere else, since
 * Kubernetes mounts one by default.
 */
export function tokenViolations(objects: KubeObject[]): string[] {
  const readsApi = ofKind(objects, 'Role').length > 0;
  const accounts = ofKind(objects, 'ServiceAccount').flatMap(account =>
    account.automountServiceAccountToken === false
      ? []
      : [`ServiceAccount ${account.metadata.name} mounts its token by default (checkov CKV_K8S_38)`],
  );
  const pods = podSpecs(objects).flatMap(({ owner, spec }) => {
    const wanted = readsApi && owner.startsWith('Deployment');
    return spec.automountServiceAccountToken === wanted
      ? []
      : [
          `${owner}: automountServiceAccountToken ${String(spec.automountServiceAccountToken)}, ` +
            `${wanted ? 'but the Role is for its token' : 'with no Role to use it'} ` +
            '(checkov CKV_K8S_38, Polaris automountServiceAccountToken)',
        ];
  });
  return [...accounts, ...pods];
}

/** Where the cluster's DNS pods are, as the NetworkPolicy must name them. */
const KUBE_DNS = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };

/**
 * The NetworkPolicy's egress: no rule open to every destination (no `to`, or a /0 block); DNS only to the
 * kube-dns pods; the API server only for a service that reads it (a Role) and only to set CIDRs. kube-score's
 * pod-networkpolicy and networkpolicy-targets-pod (a policy selects the pods) are wiringProblems' selectors.
 */
export function egressViolations(objects: KubeObject[]): string[] {
  const found: string[] = [];
  const readsApi = ofKind(objects, 'Role').length > 0;
  let apiRules = 0;
  for (const policy of ofKind(objects, 'NetworkPolicy')) {
    const at = `NetworkPolicy ${policy.metadata.name}`;
    for (const rule of policy.spec?.egress ?? []) {
      const ports = (rule.ports ?? []).map(p => `${String(p.port)}/${String(p.protocol)}`);
      const peers = rule.to ?? [];
      if (peers.length === 0) found.push(`${at}: egress on ${ports.join(', ') || 'every port'} to any destination`);
      for (const peer of peers) {
        const cidr = peer.ipBlock?.cidr;
        if (cidr?.endsWith('/0')) found.push(`${at}: egress to ${cidr}, the whole internet`);
      }
      if (ports.some(p => p.startsWith('53/'))) {
        const toDns = peers.every(
          peer =>
            peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === KUBE_DNS.namespace &&
            JSON.stringify(peer.podSelector?.matchLabels) === JSON.stringify(KUBE_DNS.podLabels),
        );
        if (!toDns) found.push(`${at}: DNS egress to ${JSON.stringify(peers)}, not only the kube-dns pods`);
      }
      if (peers.some(peer => peer.ipBlock)) apiRules += 1;
    }
  }
  if (apiRules > 0 && !readsApi) found.push('egress to IP blocks (the API server) for a service that does not read it');
  if (apiRules === 0 && readsApi) found.push('a Role to read the API, and no egress to the API server');
  return found;
}

/** How the Ingress routes a request path: Exact, or Prefix by whole path elements (ImplementationSpecific too). */
function routes(rulePath: string, pathType: string, request: string): boolean {
  if (pathType === 'Exact') return request === rulePath;
  const prefix = rulePath.replace(/\/+$/, '');
  return prefix === '' || request === prefix || request.startsWith(`${prefix}/`);
}

/**
 * The Ingress serves the service's API and nothing else: every endpoint but the scrape path is routed, the scrape
 * path (METRICS) is not, and no Ingress path routes none of the endpoints.
 */
export function ingressViolations(objects: KubeObject[], endpoints: readonly string[], metrics: string): string[] {
  const found: string[] = [];
  const paths = ofKind(objects, 'Ingress').flatMap(ingress =>
    (ingress.spec?.rules ?? []).flatMap(rule => rule.http?.paths ?? []),
  );
  const routed = (request: string) => paths.some(p => routes(p.path ?? '/', p.pathType, request));
  for (const endpoint of endpoints) {
    if (endpoint === metrics && routed(endpoint)) found.push(`the Ingress publishes ${metrics}`);
    if (endpoint !== metrics && !routed(endpoint)) found.push(`the Ingress does not route ${endpoint}`);
  }
  for (const p of paths)
    if (!endpoints.some(endpoint => endpoint !== metrics && routes(p.path ?? '/', p.pathType, endpoint)))
      found.push(`the Ingress path ${String(p.path)} routes none of the API's endpoints`);
  return found;
}
