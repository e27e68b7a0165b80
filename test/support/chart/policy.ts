// Policy rules over rendered objects. Each returns the violations it finds, [] when the objects comply.
import type { KubeObject } from './kube';

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
export function podSpecs(objects: KubeObject[]): { owner: string; spec: any; labels: Record<string, string> }[] {
  return objects.flatMap(o => {
    if (o.kind === 'Deployment')
      return [
        {
          owner: `Deployment ${o.metadata.name}`,
          spec: o.spec.template.spec,
          labels: o.spec.template.metadata?.labels ?? {},
        },
      ];
    if (o.kind === 'Pod') return [{ owner: `Pod ${o.metadata.name}`, spec: o.spec, labels: o.metadata.labels ?? {} }];
    return [];
  });
}

/** Pod Security Standards "restricted" (v1.27+), plus a read-only root filesystem with a writable /tmp. */
export function restrictedViolations(owner: string, spec: any): string[] {
  const found: string[] = [];
  const pod = spec.securityContext ?? {};
  for (const host of ['hostNetwork', 'hostPID', 'hostIPC', 'hostUsers']) {
    if (host === 'hostUsers' ? spec[host] === true : spec[host]) found.push(`${owner}: ${host}`);
  }
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find(k => k !== 'name');
    if (!type || !RESTRICTED_VOLUMES.includes(type)) found.push(`${owner}: volume ${volume.name} is ${type}`);
  }
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
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
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') found.push(`${at}: seccompProfile is ${seccomp}`);
    if ((c.ports ?? []).some((p: any) => p.hostPort)) found.push(`${at}: hostPort`);
    if (sc.readOnlyRootFilesystem !== true) found.push(`${at}: root filesystem is writable`);
    const tmp = (c.volumeMounts ?? []).find((m: any) => m.mountPath === '/tmp');
    const tmpVolume = tmp && (spec.volumes ?? []).find((v: any) => v.name === tmp.name);
    if (owner.startsWith('Deployment') && !tmpVolume?.emptyDir) found.push(`${at}: no emptyDir at /tmp`);
  }
  return found;
}

/** RBAC no wider than get/list/watch on pods in the release's namespace, bound to the chart's ServiceAccount only. */
export function rbacViolations(objects: KubeObject[], serviceAccount: string, namespace: string): string[] {
  const found: string[] = [];
  const roles = new Set(objects.filter(o => o.kind === 'Role').map(o => o.metadata.name));
  for (const o of objects) {
    if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') found.push(`${o.kind} ${o.metadata.name}`);
    if (o.metadata.namespace && o.metadata.namespace !== namespace)
      found.push(`${o.kind} ${o.metadata.name} in ${o.metadata.namespace}`);
    if (o.kind === 'Role') {
      for (const rule of o.rules ?? []) {
        const at = `Role ${o.metadata.name}`;
        if (rule.nonResourceURLs) found.push(`${at}: nonResourceURLs`);
        if (JSON.stringify(rule.apiGroups) !== '[""]') found.push(`${at}: apiGroups ${JSON.stringify(rule.apiGroups)}`);
        for (const r of rule.resources ?? []) if (r !== 'pods') found.push(`${at}: resource ${r}`);
        for (const v of rule.verbs ?? []) if (!READ_VERBS.includes(v)) found.push(`${at}: verb ${v}`);
      }
    }
    if (o.kind === 'RoleBinding') {
      if (o.roleRef.kind !== 'Role' || !roles.has(o.roleRef.name))
        found.push(`RoleBinding ${o.metadata.name}: binds ${o.roleRef.kind} ${o.roleRef.name}`);
      for (const s of o.subjects ?? []) {
        if (s.kind !== 'ServiceAccount' || s.name !== serviceAccount || s.namespace !== namespace) {
          found.push(`RoleBinding ${o.metadata.name}: subject ${s.kind} ${s.namespace ?? ''}/${s.name}`);
        }
      }
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
      if (String(value).length > 63) found.push(`${o.kind} ${name} label ${key}=${value}`);
  }
  return found;
}

/** Whether a label selector's matchLabels (or a plain map) select the given labels. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}
