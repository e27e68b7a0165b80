// How a release's objects point at each other: selectors at the service's pods (and never at the helm test
// pod), the Ingress at the Service, the Service and the NetworkPolicy at the container's port.
import { ofKind, only, podTemplate, serviceContainer, type KubeObject } from './kube';
import { selects } from './policy';
import { SERVICE_CONTRACT } from '../service/service-contract';

/** Where the NetworkPolicy admits traffic from: the ingress controller, Prometheus, and the namespace's pods. */
const INGRESS_SOURCES = ['ingress-nginx', 'monitoring', 'pods of this namespace'];
/** What the NetworkPolicy lets out: DNS, and the Kubernetes API (HTTPS) for a service that reads it (a Role). */
const DNS_PORTS = ['53/UDP', '53/TCP'];
const API_PORTS = ['443/TCP', '6443/TCP'];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function wiringProblems(objects: KubeObject[]): string[] {
  const found: string[] = [];
  const deployment = only(objects, 'Deployment');
  const podLabels = podTemplate(deployment).metadata.labels ?? {};
  const testPod = only(objects, 'Pod');
  const service = only(objects, 'Service');
  const policy = only(objects, 'NetworkPolicy');
  const selectors: [string, Record<string, string> | undefined][] = [
    ['Deployment', deployment.spec?.selector.matchLabels],
    ['Service', service.spec?.selector],
    ['NetworkPolicy', policy.spec?.podSelector.matchLabels],
    ...ofKind(objects, 'PodDisruptionBudget').map(
      o => ['PodDisruptionBudget', o.spec?.selector?.matchLabels] as [string, Record<string, string> | undefined],
    ),
  ];
  for (const [kind, selector] of selectors) {
    if (!selects(selector, podLabels)) found.push(`${kind} does not select the service's pods`);
    if (selects(selector, testPod.metadata.labels ?? {})) found.push(`${kind} selects the helm test pod`);
  }
  const port = service.spec?.ports?.at(0);
  const paths = (only(objects, 'Ingress').spec?.rules ?? []).flatMap(rule => rule.http?.paths ?? []);
  if (paths.length === 0) found.push('Ingress routes no path');
  for (const { path, backend } of paths)
    if (backend.service?.name !== service.metadata.name || backend.service.port?.name !== port?.name)
      found.push(`Ingress backend of ${String(path)}: ${JSON.stringify(backend)}`);
  if (port?.targetPort !== serviceContainer(deployment).ports?.at(0)?.name)
    found.push(`Service targetPort ${JSON.stringify(port?.targetPort)}`);
  const ingress = policy.spec?.ingress ?? [];
  const allowed = ingress.flatMap(rule => (rule.ports ?? []).map(p => p.port));
  if (!same(allowed, ['http'])) found.push(`NetworkPolicy admits ports ${JSON.stringify(allowed)}`);
  const sources = ingress.flatMap(rule =>
    (rule.from ?? []).map(
      peer => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] ?? 'pods of this namespace',
    ),
  );
  if (!same(sources, INGRESS_SOURCES)) found.push(`NetworkPolicy admits traffic from ${sources.join(', ')}`);
  const egress = (policy.spec?.egress ?? []).flatMap(rule =>
    (rule.ports ?? []).map(p => `${String(p.port)}/${String(p.protocol)}`),
  );
  const expected = [...DNS_PORTS, ...(ofKind(objects, 'Role').length > 0 ? API_PORTS : [])];
  if (!same(egress, expected)) found.push(`NetworkPolicy lets out ${egress.join(', ')}`);
  const testUrl = `http://${service.metadata.name}:${String(port?.port)}${SERVICE_CONTRACT.livenessPath}`;
  if (!testPod.spec?.containers.at(0)?.command?.at(-1)?.includes(testUrl))
    found.push(`helm test pod does not call ${testUrl}`);
  return found;
}
