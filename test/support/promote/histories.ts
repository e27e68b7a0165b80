// Three hours of what Prometheus would have scraped from a service's environment (its request counters and
// latency buckets, kube-state-metrics' ready replicas, `up`), in the states a promotion gate must tell apart.
// The series carry the labels the chart's ServiceMonitor and kube-state-metrics give them, so the generated
// rules select them as they would in a cluster.
import type { History, Series } from './prometheus';

const SPAN = 3 * 3600;
const STEP = 15;
const ROUTE = '/api/v1/details';
const REQUESTS_PER_SECOND = 10;
// Every bound of the service's latency histogram that an objective could name: all requests are fast here.
const BOUNDS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];

export interface Target {
  namespace: string;
  /** The Service's name: the `job` label the ServiceMonitor gives. */
  job: string;
}

/** A counter whose rate, `ago` seconds before now, is RATE(ago). */
function counter(rate: (ago: number) => number): (ago: number) => number {
  const values = new Map<number, number>();
  let total = 0;
  for (let ago = SPAN; ago >= 0; ago -= STEP) {
    total += rate(ago) * STEP;
    values.set(ago, Math.round(total));
  }
  return ago => values.get(ago) ?? 0;
}

/** Requests to /api/v1/details at REQUESTS_PER_SECOND when SERVING(ago), the share ERRORS(ago) answered 500. */
function traffic(
  { namespace, job }: Target,
  serving: (ago: number) => boolean,
  errors: (ago: number) => number,
): Series[] {
  const labels = { namespace, job, route: ROUTE, method: 'GET' };
  const rate = (ago: number) => (serving(ago) ? REQUESTS_PER_SECOND : 0);
  const all = counter(rate);
  return [
    {
      name: 'http_requests_total',
      labels: { ...labels, status: '200' },
      value: counter(a => rate(a) * (1 - errors(a))),
    },
    { name: 'http_requests_total', labels: { ...labels, status: '500' }, value: counter(a => rate(a) * errors(a)) },
    ...BOUNDS.map(le => ({ name: 'http_request_duration_seconds_bucket', labels: { ...labels, le }, value: all })),
    { name: 'http_request_duration_seconds_count', labels, value: all },
  ];
}

function replicas({ namespace, job }: Target, available: (ago: number) => number): Series[] {
  return [
    { name: 'kube_deployment_status_replicas_available', labels: { namespace, deployment: job }, value: available },
    { name: 'up', labels: { namespace, job }, value: () => 1 },
  ];
}

const history = (series: Series[]): History => ({ span: SPAN, step: STEP, series });

/** Serving for three hours, one request in a thousand failing. */
export function healthy(target: Target): History {
  return history([
    ...traffic(
      target,
      () => true,
      () => 0.001,
    ),
    ...replicas(target, () => 1),
  ]);
}

/**
 * No pod ready for the last 30 minutes, so no traffic: NoReadyPods' condition has held six times its `for`.
 * ALERT_LABELS are the alert's labels (its rule's and its expression's); its ALERTS_FOR_STATE series records
 * when it became active, as Prometheus keeps it, so a Prometheus started now restores it as firing.
 */
export function noReadyPods(target: Target, alertLabels: Record<string, string>): History {
  const down = 30 * 60;
  return history([
    ...traffic(
      target,
      ago => ago > down,
      () => 0.001,
    ),
    ...replicas(target, ago => (ago > down ? 1 : 0)),
    {
      name: 'ALERTS_FOR_STATE',
      labels: { alertname: 'NoReadyPods', ...alertLabels },
      value: ago => (ago <= down ? Math.floor(Date.now() / 1000) - down : undefined),
    },
  ]);
}

/**
 * Every request failing from 60 to 35 minutes ago, none since: the last hour burned 40% of its requests, yet the
 * fast-burn alert's short windows (5 and 30 minutes) are clean, so no alert fires now.
 */
export function burnedWithinTheHour(target: Target): History {
  return history([
    ...traffic(
      target,
      () => true,
      ago => (ago > 35 * 60 && ago <= 60 * 60 ? 1 : 0),
    ),
    ...replicas(target, () => 1),
  ]);
}
