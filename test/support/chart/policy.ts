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
