// What an environment's rendered objects actually provide, in the shape of the chart README's promise.
import type { EnvironmentPromise } from './chart-readme';
import { ofKind, only, podTemplate, serviceContainer, type KubeObject } from './kube';

/** A quantity as the README writes it (Kubernetes takes `256Mi` and `0.1` alike). */
const quantity = (value: string | number | undefined) => (value === undefined ? '' : String(value));

export function describeEnvironment(objects: KubeObject[]): EnvironmentPromise {
  const deployment = only(objects, 'Deployment');
  // Kubernetes' defaults: one replica, and an autoscaler's minimum of one.
  const replicas = deployment.spec?.replicas ?? 1;
  const scaling = ofKind(objects, 'HorizontalPodAutoscaler').at(0)?.spec;
  const maxUnavailable = ofKind(objects, 'PodDisruptionBudget').at(0)?.spec?.maxUnavailable;
  if (typeof maxUnavailable === 'string') throw new Error(`maxUnavailable ${maxUnavailable}: the README gives pods`);
  const { requests = {}, limits = {} } = serviceContainer(deployment).resources ?? {};
  const cpuMetric = scaling?.metrics?.find(m => m.type === 'Resource' && m.resource?.name === 'cpu');
  return {
    minPods: scaling ? (scaling.minReplicas ?? 1) : replicas,
    maxPods: scaling ? scaling.maxReplicas : replicas,
    cpuTarget: cpuMetric?.resource?.target.averageUtilization,
    cpuRequest: quantity(requests.cpu),
    memoryRequest: quantity(requests.memory),
    memoryLimit: quantity(limits.memory),
    pdbMaxUnavailable: maxUnavailable,
    spread: (podTemplate(deployment).spec.topologySpreadConstraints ?? []).some(
      s => s.topologyKey === 'kubernetes.io/hostname',
    ),
  };
}

/** Scaling mistakes the promise alone would not show. */
export function scalingProblems(objects: KubeObject[]): string[] {
  const found: string[] = [];
  const deployment = only(objects, 'Deployment');
  const replicas = deployment.spec?.replicas;
  const scaling = ofKind(objects, 'HorizontalPodAutoscaler').at(0)?.spec;
  const { minPods } = describeEnvironment(objects);
  if (scaling) {
    const target = scaling.scaleTargetRef;
    if (target.kind !== 'Deployment' || target.name !== deployment.metadata.name)
      found.push(`the autoscaler scales ${target.kind} ${target.name}`);
    if (replicas !== undefined) found.push('replicas is set under an autoscaler: every sync would reset the pod count');
    if (scaling.metrics?.length !== 1) found.push('the autoscaler has other metrics than CPU');
  } else if (!Number.isInteger(replicas)) {
    found.push(`replicas is ${String(replicas)}`);
  }
  if (ofKind(objects, 'PodDisruptionBudget').length > 0 && minPods < 2) {
    found.push(`a PodDisruptionBudget over ${minPods} pod blocks every drain or allows an outage`);
  }
  if (serviceContainer(deployment).resources?.limits?.cpu !== undefined)
    found.push('a CPU limit, which the README says there is not');
  return found;
}
