// What /api/v1/details reports about this pod. The Kubernetes API is asked at most once per cache period
// (concurrent requests share one call) and never for longer than the timeout; when it cannot answer, the
// Downward API environment does, and `source` says which one did.
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Config } from './config.ts';
import { PodReadError, type FallbackReason, type PodReader, type PodSummary } from './kubernetes.ts';
import type { Logger } from './logger.ts';

export interface PodInfo {
  source: 'kubernetes-api' | 'downward-api';
  /** Why the Kubernetes API was not used. */
  fallbackReason?: FallbackReason;
  pod: PodSummary;
}

export interface PodInfoSource {
  get(): Promise<PodInfo>;
}

const tracer = trace.getTracer('kubernetes-api');
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

  const fromDownwardApi = (fallbackReason: FallbackReason): PodInfo => ({
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
        reject(new PodReadError('timeout', `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    // A client span when tracing is on (a no-op otherwise): the one call this service makes.
    const span = tracer.startSpan('GET pod', {
      kind: SpanKind.CLIENT,
      attributes: { 'k8s.pod.name': downward.name, 'k8s.namespace.name': downward.namespace },
    });
    try {
      const pod = await Promise.race([readPod(downward.name, downward.namespace, controller.signal), timedOut]);
      return { value: { source: 'kubernetes-api', pod }, ttl: cacheMs };
    } catch (error) {
      const reason = error instanceof PodReadError ? error.reason : 'error';
      span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
      logger.warn('Kubernetes API did not give the pod; answering from the Downward API', {
        reason,
        detail: error instanceof PodReadError ? error.detail : String(error),
      });
      return { value: fromDownwardApi(reason), ttl: Math.min(cacheMs, RETRY_AFTER_FAILURE_MS) };
    } finally {
      clearTimeout(timer);
      span.end();
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
