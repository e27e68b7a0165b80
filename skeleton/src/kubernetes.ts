// The only module that talks to the Kubernetes API: it reads this service's own pod. The client is
// loaded only when there is a cluster to talk to: it costs about 85 MB and 300 ms to load.
import type { ObservableMiddleware, V1Pod } from '@kubernetes/client-node';

type Client = typeof import('@kubernetes/client-node');

export interface PodSummary {
  name: string | null;
  namespace: string | null;
  nodeName: string | null;
  ip: string | null;
  phase: string | null;
  startTime: string | null;
  labels: Record<string, string>;
  containers: { name: string; image: string | null }[];
}

export type PodReader = (name: string, namespace: string, signal: AbortSignal) => Promise<PodSummary>;

/** Why the API did not answer: forbidden (RBAC), unauthorized, not-found, unreachable or error. */
export class PodReadError extends Error {
  readonly reason: string;
  /** For the log: the API's status and the start of its answer, never its headers (they can set cookies). */
  readonly detail: string;

  constructor(reason: string, detail = reason, options?: ErrorOptions) {
    super(`reading the pod failed: ${reason}`, options);
    this.name = 'PodReadError';
    this.reason = reason;
    this.detail = detail;
  }
}

const DETAIL_LIMIT = 300;

/** A reader from KUBECONFIG, else the in-cluster service account, else undefined (not in a cluster). */
export function createPodReader(options: {
  kubeconfig?: string | undefined;
  inCluster: boolean;
}): PodReader | undefined {
  if (!options.kubeconfig && !options.inCluster) return undefined;
  // Loading starts now, in the background; the first read waits for it.
  const client = import('@kubernetes/client-node').then(k8s => {
    const kubeConfig = new k8s.KubeConfig();
    if (options.kubeconfig) kubeConfig.loadFromFile(options.kubeconfig);
    else kubeConfig.loadFromCluster();
    return { k8s, api: kubeConfig.makeApiClient(k8s.CoreV1Api) };
  });
  // A broken kubeconfig surfaces on the first read; this only keeps it from being an unhandled rejection.
  client.catch(() => undefined);

  return async (name, namespace, signal) => {
    let k8s: Client | undefined;
    try {
      const loaded = await client;
      k8s = loaded.k8s;
      const { Observable } = loaded.k8s;
      const abortable: ObservableMiddleware = {
        pre: request => {
          request.setSignal(signal);
          return new Observable(Promise.resolve(request));
        },
        post: response => new Observable(Promise.resolve(response)),
      };
      const pod = await loaded.api.readNamespacedPod(
        { name, namespace },
        { middleware: [abortable], middlewareMergeStrategy: 'append' },
      );
      return summarize(pod);
    } catch (error) {
      throw new PodReadError(classify(error, k8s), describe(error, k8s), { cause: error });
    }
  };
}

function classify(error: unknown, k8s: Client | undefined): string {
  if (!(error instanceof Error)) return 'error';
  if (k8s && error instanceof k8s.ApiException) {
    const code = error.code;
    const byStatus: Record<number, string> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not-found' };
    return byStatus[code] ?? `http-${code}`;
  }
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return 'timeout';
  // fetch failures carry the socket error (ECONNREFUSED, ENOTFOUND, ...) as their cause.
  const cause = error.cause as { code?: unknown } | undefined;
  return typeof cause?.code === 'string' ? 'unreachable' : 'error';
}

function describe(error: unknown, k8s: Client | undefined): string {
  let detail: string;
  if (k8s && error instanceof k8s.ApiException) {
    const body: unknown = error.body;
    detail = `HTTP ${String(error.code)}: ${typeof body === 'string' ? body : JSON.stringify(body)}`;
  } else {
    const cause = error instanceof Error ? error.cause : undefined;
    detail = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
  }
  return detail.length > DETAIL_LIMIT
    ? `${detail.slice(0, DETAIL_LIMIT)}… [${detail.length - DETAIL_LIMIT} more]`
    : detail;
}

function summarize(pod: V1Pod): PodSummary {
  return {
    name: pod.metadata?.name ?? null,
    namespace: pod.metadata?.namespace ?? null,
    nodeName: pod.spec?.nodeName ?? null,
    ip: pod.status?.podIP ?? null,
    phase: pod.status?.phase ?? null,
    startTime: pod.status?.startTime ? new Date(pod.status.startTime).toISOString() : null,
    labels: pod.metadata?.labels ?? {},
    containers: (pod.spec?.containers ?? []).map(c => ({ name: c.name, image: c.image ?? null })),
  };
}
