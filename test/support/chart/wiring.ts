// How a release's objects point at each other: selectors at the service's pods (and never at the helm test
// pod), the Ingress at the Service, the Service and the NetworkPolicy at the container's port.
import { only } from './chart';
import type { KubeObject } from './kube';
import { selects } from './policy';
import { SERVICE_CONTRACT } from '../service/service-contract';

export function wiringProblems(objects: KubeObject[]): string[] {
  const found: string[] = [];
  const deployment = only(objects, 'Deployment');
  const podLabels = deployment.spec.template.metadata.labels;
  const testPod = only(objects, 'Pod');
  const service = only(objects, 'Service');
  const policy = only(objects, 'NetworkPolicy');
  const selectors: [string, Record<string, string>][] = [
    ['Deployment', deployment.spec.selector.matchLabels],
    ['Service', service.spec.selector],
    ['NetworkPolicy', policy.spec.podSelector.matchLabels],
    ...objects
      .filter(o => o.kind === 'PodDisruptionBudget')
      .map(o => ['PodDisruptionBudget', o.spec.selector.matchLabels] as [string, Record<string, string>]),
  ];
  for (const [kind, selector] of selectors) {
    if (!selects(selector, podLabels)) found.push(`${kind} does not select the service's pods`);
    if (selects(selector, testPod.metadata.labels ?? {})) found.push(`${kind} selects the helm test pod`);
  }
  const port = service.spec.ports[0];
  const backend = only(objects, 'Ingress').spec.rules[0].http.paths[0].backend.service;
  if (backend.name !== service.metadata.name || backend.port.name !== port.name)
    found.push(`Ingress backend ${backend.name}:${backend.port.name}`);
  if (port.targetPort !== deployment.spec.template.spec.containers[0].ports[0].name)
    found.push(`Service targetPort ${port.targetPort}`);
  const allowed = policy.spec.ingress.flatMap((rule: any) => rule.ports.map((p: any) => p.port));
  if (JSON.stringify(allowed) !== '["http"]') found.push(`NetworkPolicy admits ports ${JSON.stringify(allowed)}`);
  const sources = policy.spec.ingress.flatMap((rule: any) =>
    rule.from.map(
      (peer: any) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] ?? 'pods of this namespace',
    ),
  );
  if (JSON.stringify(sources) !== JSON.stringify(['ingress-nginx', 'monitoring', 'pods of this namespace']))
    found.push(`NetworkPolicy admits traffic from ${sources}`);
  const egress = policy.spec.egress.flatMap((rule: any) => rule.ports.map((p: any) => `${p.port}/${p.protocol}`));
  if (JSON.stringify(egress) !== JSON.stringify(['53/UDP', '53/TCP', '443/TCP', '6443/TCP']))
    found.push(`NetworkPolicy lets out ${egress}`);
  const testUrl = `http://${service.metadata.name}:${port.port}${SERVICE_CONTRACT.livenessPath}`;
  if (!testPod.spec.containers[0].command.at(-1).includes(testUrl))
    found.push(`helm test pod does not call ${testUrl}`);
  return found;
}
