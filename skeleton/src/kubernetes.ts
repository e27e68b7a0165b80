// The only module that talks to the Kubernetes API: it reads this service's own pod. client-node does what it
// is good at, credentials (kubeconfig, in-cluster token, exec plugins, CA), and is loaded only when there is a
// cluster to talk to: it costs about 85 MB and 300 ms to load. The read itself is one GET with a size limit
// over a kept-alive connection; client-node's own call opens a new TLS connection each time and buffers any body.
import http from 'node:http';
import https from 'node:https';

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

/**
 * Why /api/v1/details answers from the Downward API rather than the Kubernetes API; `http-<status>` for an
 * error status without a name here.
 */
export const FALLBACK_REASONS = [
  'not-in-cluster',
  'namespace-unknown',
  'timeout',
  'forbidden',
  'unauthorized',
  'not-found',
  'too-large',
  'unreachable',
  'error',
] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number] | `http-${number}`;

/** Why the API did not answer. */
export class PodReadError extends Error {
  readonly reason: FallbackReason;
  /** For the log: the API's status and the start of its answer, never its headers (they can set cookies). */
  readonly detail: string;

  constructor(reason: FallbackReason, detail: string = reason, options?: ErrorOptions) {
    super(`reading the pod failed: ${reason}`, options);
    this.name = 'PodReadError';
    this.reason = reason;
    this.detail = detail.length > DETAIL_LIMIT ? `${detail.slice(0, DETAIL_LIMIT)}…` : detail;
  }
}

const DETAIL_LIMIT = 300;
/** etcd refuses objects over 1.5 MiB, so no real pod is larger; a bigger answer is not a pod. */
export const MAX_POD_BYTES = 2 * 1024 * 1024;
const BY_STATUS: Record<number, FallbackReason> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not-found' };

/** A reader from KUBECONFIG, else the in-cluster service account, else undefined (not in a cluster). */
export function createPodReader(options: {
  kubeconfig?: string | undefined;
  inCluster: boolean;
}): PodReader | undefined {
  if (!options.kubeconfig && !options.inCluster) return undefined;
  // Loading starts now, in the background; the first read waits for it.
  const api = import('@kubernetes/client-node').then(({ KubeConfig }) => {
    const kubeConfig = new KubeConfig();
    if (options.kubeconfig) kubeConfig.loadFromFile(options.kubeconfig);
    else kubeConfig.loadFromCluster();
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new PodReadError('error', 'the kubeconfig has no current cluster');
    const secure = !cluster.server.startsWith('http:');
    // Through a proxy, client-node's own agent speaks to it.
    const agent = cluster.proxyUrl ? undefined : new (secure ? https : http).Agent({ keepAlive: true });
    return { kubeConfig, server: cluster.server.replace(/\/+$/, ''), secure, agent };
  });
  // A broken kubeconfig surfaces on the first read; this only keeps it from being an unhandled rejection.
  api.catch(() => undefined);

  return async (name, namespace, signal) => {
    try {
      const { kubeConfig, server, secure, agent } = await api;
      // Credentials are applied on every read: service account tokens and exec credentials rotate.
      const request: https.RequestOptions = { signal };
      await kubeConfig.applyToHTTPSOptions(request);
      if (agent) request.agent = agent;
      const url = `${server}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;
      const { status, body } = await get(url, request, secure);
      if (status !== 200)
        throw new PodReadError(BY_STATUS[status] ?? `http-${status}`, `HTTP ${String(status)}: ${body}`);
      return summarize(JSON.parse(body) as RawPod);
    } catch (error) {
      if (error instanceof PodReadError) throw error;
      const message = (error as { message?: unknown } | undefined)?.message;
      throw new PodReadError(classify(error), typeof message === 'string' ? message : String(error), { cause: error });
    }
  };
}

/** One GET; an error answer is read only as far as the log needs. A reused socket the server had closed is retried once. */
function get(
  url: string,
  options: https.RequestOptions,
  secure: boolean,
  retry = true,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).get(url, options, response => {
      const status = response.statusCode ?? 0;
      const limit = status === 200 ? MAX_POD_BYTES : DETAIL_LIMIT;
      const tooLarge = () => new PodReadError('too-large', `the answer exceeds ${String(MAX_POD_BYTES)} bytes`);
      if (status === 200 && Number(response.headers['content-length']) > limit) {
        response.destroy();
        reject(tooLarge());
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size <= limit) return;
        response.destroy();
        if (status === 200) reject(tooLarge());
        else resolve({ status, body: Buffer.concat(chunks).toString('utf8', 0, DETAIL_LIMIT) });
      });
      response.on('end', () => {
        resolve({ status, body: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', reject);
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (retry && request.reusedSocket && error.code === 'ECONNRESET')
        get(url, options, secure, false).then(resolve, reject);
      else reject(error);
    });
  });
}

// Read by name and code alone: an abort or timeout arrives as a DOMException, a socket error as Node's own error.
function classify(error: unknown): FallbackReason {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  if (name === 'AbortError' || name === 'TimeoutError') return 'timeout';
  // Socket errors (ECONNREFUSED, ENOTFOUND, ECONNRESET, ...) carry a code; a bad answer or kubeconfig does not.
  return typeof code === 'string' ? 'unreachable' : 'error';
}

interface RawPod {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: { nodeName?: string; containers?: { name: string; image?: string }[] };
  status?: { podIP?: string; phase?: string; startTime?: string };
}

function summarize(pod: RawPod): PodSummary {
  const started = pod.status?.startTime ? new Date(pod.status.startTime) : undefined;
  return {
    name: pod.metadata?.name ?? null,
    namespace: pod.metadata?.namespace ?? null,
    nodeName: pod.spec?.nodeName ?? null,
    ip: pod.status?.podIP ?? null,
    phase: pod.status?.phase ?? null,
    startTime: started && !Number.isNaN(started.getTime()) ? started.toISOString() : null,
    labels: pod.metadata?.labels ?? {},
    containers: (pod.spec?.containers ?? []).map(c => ({ name: c.name, image: c.image ?? null })),
  };
}
