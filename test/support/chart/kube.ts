// Schema checks for rendered Kubernetes objects: kubernetes-models (and @kubernetes-models/argo-cd and
// @kubernetes-models/prometheus-operator, from the projects' own CRDs) validate
// types and required fields; they ignore unknown fields, so validation runs on a proxy that records which
// fields the schema's validator reads. A field it never reads, in an object whose fields it does read,
// is unknown to the schema (a misspelling or a mis-nested key). Free-form maps (labels, limits) are read
// whole by the validator and pass; objects the schema leaves open are not read at all and are not judged.
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Pod, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
  };
  [field: string]: any;
}

const MODELS: Record<string, { prototype: { validate(): void } }> = Object.fromEntries(
  [
    ConfigMap,
    Deployment,
    HorizontalPodAutoscaler,
    Ingress,
    NetworkPolicy,
    PodDisruptionBudget,
    Role,
    RoleBinding,
    Pod,
    Service,
    ServiceAccount,
    Application,
    PrometheusRule,
    ServiceMonitor,
  ].map(model => [`${model.apiVersion}/${model.kind}`, model]),
);

/** The objects of a multi-document YAML stream (helm template output), empty documents dropped. */
export function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map(doc => {
      if (doc.errors.length) throw new Error(doc.errors.join('\n'));
      return doc.toJS();
    })
    .filter(Boolean);
}

/** Schema errors and unknown fields of one object, as readable strings; [] when valid. */
export function schemaProblems(object: KubeObject): string[] {
  const model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!model) return [`no schema known for ${object.apiVersion} ${object.kind}`];
  const tracker = readTracker();
  try {
    model.prototype.validate.call(tracker.track(object, ''));
  } catch (error) {
    return [(error as Error).message];
  }
  return tracker.unread().map(field => `unknown field ${field}`);
}

function readTracker() {
  const reads = new Map<object, { path: string; fields: Set<string> }>();
  const proxies = new WeakMap<object, object>();
  const track = (value: unknown, path: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (!proxies.has(value)) {
      const fields = new Set<string>();
      reads.set(value, { path, fields });
      const handler: ProxyHandler<any> = {
        get: (target, key) => {
          if (typeof key === 'string') fields.add(key);
          return track(target[key], `${path}/${String(key)}`);
        },
      };
      proxies.set(value, new Proxy(value, handler));
    }
    return proxies.get(value);
  };
  const unread = () =>
    [...reads]
      .filter(([value, { fields }]) => fields.size > 0 && !Array.isArray(value))
      .flatMap(([value, { path, fields }]) =>
        Object.keys(value)
          .filter(k => !fields.has(k))
          .map(k => `${path}/${k}`),
      );
  return { track, unread };
}
