// Rendered Kubernetes objects: parsed from helm's output, read by kind with their schemas' types (ofKind, only,
// podTemplate, serviceContainer), and checked against those schemas. kubernetes-models (and
// @kubernetes-models/argo-cd and @kubernetes-models/prometheus-operator, from the projects' own CRDs) validate
// types and required fields; they ignore unknown fields, so validation runs on a proxy that records which
// fields the schema's validator reads. A field it never reads, in an object whose fields it does read,
// is unknown to the schema (a misspelling or a mis-nested key). Free-form maps (labels, limits) are read
// whole by the validator and pass; objects the schema leaves open are not read at all and are not judged.
import { Application, type IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { AppProject, type IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import {
  PrometheusRule,
  type IPrometheusRule,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import {
  ServiceMonitor,
  type IServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import {
  HorizontalPodAutoscaler,
  type IHorizontalPodAutoscaler,
} from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress, type IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role, type IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding, type IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { Pod, type IPod } from 'kubernetes-models/v1/Pod';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { ServiceAccount, type IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parseAllDocuments } from 'yaml';

/** What every object helm or Argo CD reads has; the rest depends on the kind. */
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
  [field: string]: unknown;
}

/** The kinds the chart and the Argo CD manifests hold, as the schemas below type them. */
interface Kinds {
  Application: IApplication;
  AppProject: IAppProject;
  ConfigMap: IConfigMap;
  Deployment: IDeployment;
  HorizontalPodAutoscaler: IHorizontalPodAutoscaler;
  Ingress: IIngress;
  NetworkPolicy: INetworkPolicy;
  Pod: IPod;
  PodDisruptionBudget: IPodDisruptionBudget;
  PrometheusRule: IPrometheusRule;
  Role: IRole;
  RoleBinding: IRoleBinding;
  Service: IService;
  ServiceAccount: IServiceAccount;
  ServiceMonitor: IServiceMonitor;
}
export type Kind = keyof Kinds;
/** An object of a known kind: its schema's type, with the metadata every rendered object has. */
export type KubeObjectOf<K extends Kind> = Omit<Kinds[K], 'metadata'> & Pick<KubeObject, 'metadata'>;

const MODELS: Record<Kind, { apiVersion: string; prototype: { validate(): void } }> = {
  Application,
  AppProject,
  ConfigMap,
  Deployment,
  HorizontalPodAutoscaler,
  Ingress,
  NetworkPolicy,
  Pod,
  PodDisruptionBudget,
  PrometheusRule,
  Role,
  RoleBinding,
  Service,
  ServiceAccount,
  ServiceMonitor,
};

const isKind = (kind: string): kind is Kind => Object.hasOwn(MODELS, kind);

/**
 * Fields a kind's schema declares (its TypeScript type has them) that its generated validator never reads, so the
 * read tracker cannot tell them from unknown ones: an unconstrained string in Argo CD's CRD.
 */
const DECLARED_UNREAD: Partial<Record<Kind, string[]>> = { AppProject: ['/spec/description'] };

/**
 * The objects of one kind, typed by its schema. The type is taken on trust: schemaProblems holds the same
 * objects to the same schemas, and the chart's checks run it on every one of them.
 */
export function ofKind<K extends Kind>(objects: KubeObject[], kind: K): KubeObjectOf<K>[] {
  return objects.filter(o => o.kind === kind) as unknown as KubeObjectOf<K>[];
}

/** The one object of a kind (fails loudly when there is not exactly one). */
export function only<K extends Kind>(objects: KubeObject[], kind: K): KubeObjectOf<K> {
  const found = ofKind(objects, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
}

/** The objects of a multi-document YAML stream (helm template output), empty documents dropped. */
export function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map(doc => {
      if (doc.errors.length) throw new Error(doc.errors.join('\n'));
      return doc.toJS() as KubeObject | null;
    })
    .filter(object => object !== null);
}

/** Schema errors and unknown fields of one object, as readable strings; [] when valid. */
export function schemaProblems(object: KubeObject): string[] {
  const model = isKind(object.kind) ? MODELS[object.kind] : undefined;
  if (model?.apiVersion !== object.apiVersion) return [`no schema known for ${object.apiVersion} ${object.kind}`];
  const tracker = readTracker();
  try {
    model.prototype.validate.call(tracker.track(object, ''));
  } catch (error) {
    return [(error as Error).message];
  }
  const declared = (isKind(object.kind) && DECLARED_UNREAD[object.kind]) || [];
  return tracker
    .unread()
    .filter(field => !declared.includes(field))
    .map(field => `unknown field ${field}`);
}

function readTracker() {
  const reads = new Map<object, { path: string; fields: Set<string> }>();
  const proxies = new WeakMap<object, object>();
  const track = (value: unknown, path: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (!proxies.has(value)) {
      const fields = new Set<string>();
      reads.set(value, { path, fields });
      const handler: ProxyHandler<object> = {
        get: (target, key) => {
          if (typeof key === 'string') fields.add(key);
          return track(Reflect.get(target, key), `${path}/${String(key)}`);
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

type ObjectMeta = NonNullable<IPod['metadata']>;

/** A Deployment's pod template (Kubernetes refuses a Deployment without one). */
export function podTemplate(deployment: KubeObjectOf<'Deployment'>): { metadata: ObjectMeta; spec: IPodSpec } {
  const template = deployment.spec?.template;
  if (!template?.spec) throw new Error(`Deployment ${deployment.metadata.name} has no pod template`);
  return { metadata: template.metadata ?? {}, spec: template.spec };
}

/** The service's own container: the first of the Deployment's pod. */
export function serviceContainer(deployment: KubeObjectOf<'Deployment'>): IContainer {
  const container = podTemplate(deployment).spec.containers.at(0);
  if (!container) throw new Error(`Deployment ${deployment.metadata.name} has no container`);
  return container;
}
