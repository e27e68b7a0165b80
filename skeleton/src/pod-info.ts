// What /api/v1/details reports about this pod. The Kubernetes API is asked at most once per cache period
// (concurrent requests share one call) and never for longer than the timeout; when it cannot answer, the
// Downward API environment does, and `source` says which one did.
import type { Config } from './config.ts';
import { PodReadError, type PodReader, type PodSummary } from './kubernetes.ts';
import type { Logger } from './logger.ts';

export interface PodInfo {
  source: 'kubernetes-api' | 'downward-api';
  /** Why the Kubernetes API was not used (not-in-cluster, timeout, forbidden, unreachable, ...). */
  fallbackReason?: string;
  pod: PodSummary;
}

export interface PodInfoSource {
  get(): Promise<PodInfo>;
}

// A failed read is retried after this long at most, so a broken API is not asked on every request.
const RETRY_AFTER_FAILURE_MS = 10_000;

export function createPodInfoSource(options: {
  readPod: PodReader | undefined;
  downward: Config['pod'];
  cacheMs: number;
  timeoutMs: number;
  logger: Logger;
}): PodInfoSource {
  const { readPod, downward, cacheMs, timeoutMs, logger } = options;
  let cached: { value: PodInfo; expires: number } | undefined;
  let pending: Promise<PodInfo> | undefined;

  const fromDownwardApi = (fallbackReason: string): PodInfo => ({
    source: 'downward-api',
    fallbackReason,
    pod: {
      name: downward.name,
      namespace: downward.namespace ?? null,
      nodeName: downward.nodeName ?? null,
      ip: downward.ip ?? null,
      phase: null,
      startTime: null,
      labels: {},
      containers: [],
    },
  });

  async function read(): Promise<{ value: PodInfo; ttl: number }> {
    if (!readPod) return { value: fromDownwardApi('not-in-cluster'), ttl: cacheMs };
    if (!downward.namespace) return { value: fromDownwardApi('namespace-unknown'), ttl: cacheMs };
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new PodReadError('timeout'));
      }, timeoutMs);
    });
    try {
      const pod = await Promise.race([readPod(downward.name, downward.namespace, controller.signal), timedOut]);
      return { value: { source: 'kubernetes-api', pod }, ttl: cacheMs };
    } catch (error) {
      const reason = error instanceof PodReadError ? error.reason : 'error';
      logger.warn('Kubernetes API did not give the pod; answering from the Downward API', {
        reason,
        detail: describe(error),
      });
      return { value: fromDownwardApi(reason), ttl: Math.min(cacheMs, RETRY_AFTER_FAILURE_MS) };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    get() {
      if (cached && Date.now() < cached.expires) return Promise.resolve(cached.value);
      pending ??= read()
        .then(({ value, ttl }) => {
          cached = { value, expires: Date.now() + ttl };
          return value;
        })
        .finally(() => {
          pending = undefined;
        });
      return pending;
    },
  };
}

function describe(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  return String(cause instanceof Error ? cause.message : error instanceof Error ? error.message : error);
}
