// What an environment's rendered objects actually provide, in the shape of the chart README's promise.
import { only } from './chart';
import type { EnvironmentPromise } from './chart-readme';
import type { KubeObject } from './kube';

export function describeEnvironment(objects: KubeObject[]): EnvironmentPromise {
  const deployment = only(objects, 'Deployment');
  const pod = deployment.spec.template.spec;
  const hpa = objects.find(o => o.kind === 'HorizontalPodAutoscaler');
  const pdb = objects.find(o => o.kind === 'PodDisruptionBudget');
  const { requests = {}, limits = {} } = pod.containers[0].resources ?? {};
  const cpuMetric = hpa?.spec.metrics?.find((m: any) => m.type === 'Resource' && m.resource.name === 'cpu');
  return {
    minPods: hpa ? hpa.spec.minReplicas : deployment.spec.replicas,
    maxPods: hpa ? hpa.spec.maxReplicas : deployment.spec.replicas,
    cpuTarget: cpuMetric?.resource.target.averageUtilization,
    cpuRequest: requests.cpu,
    memoryRequest: requests.memory,
    memoryLimit: limits.memory,
    pdbMaxUnavailable: pdb?.spec.maxUnavailable,
    spread: (pod.topologySpreadConstraints ?? []).some((s: any) => s.topologyKey === 'kubernetes.io/hostname'),
  };
}

/** Scaling mistakes the promise alone would not show. */
export function scalingProblems(objects: KubeObject[]): string[] {
  const found: string[] = [];
  const deployment = only(objects, 'Deployment');
  const hpa = objects.find(o => o.kind === 'HorizontalPodAutoscaler');
  const { minPods } = describeEnvironment(objects);
  if (hpa) {
    const target = hpa.spec.scaleTargetRef;
    if (target.kind !== 'Deployment' || target.name !== deployment.metadata.name)
      found.push(`the autoscaler scales ${target.kind} ${target.name}`);
    if (deployment.spec.replicas !== undefined)
      found.push('replicas is set under an autoscaler: every sync would reset the pod count');
    if (hpa.spec.metrics.length !== 1) found.push('the autoscaler has other metrics than CPU');
  } else if (!Number.isInteger(deployment.spec.replicas)) {
    found.push(`replicas is ${deployment.spec.replicas}`);
  }
  if (objects.some(o => o.kind === 'PodDisruptionBudget') && !(minPods >= 2)) {
    found.push(`a PodDisruptionBudget over ${minPods} pod blocks every drain or allows an outage`);
  }
  if (deployment.spec.template.spec.containers[0].resources?.limits?.cpu)
    found.push('a CPU limit, which the README says there is not');
  return found;
}
