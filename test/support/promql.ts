// PromQL read by the Prometheus project's own grammar (@prometheus-io/lezer-promql, the parser of
// Prometheus' web UI): the metric names an expression selects, or the parse error it has.
import { parser } from '@prometheus-io/lezer-promql';

export interface Selector {
  metric: string;
  /** Label matchers, `{ label, op, value }` with the value unquoted (`job="x"` → `{ label: 'job', op: '=', value: 'x' }`). */
  matchers: { label: string; op: string; value: string }[];
}

/** The vector selectors of EXPR, each with its metric name and label matchers; throws when EXPR does not parse. */
export function selectors(expr: string): Selector[] {
  const found: Selector[] = [];
  const text = (node: { from: number; to: number } | null) => (node ? expr.slice(node.from, node.to) : '');
  const cursor = parser.parse(expr).cursor();
  do {
    if (cursor.type.isError) throw new Error(`PromQL does not parse at ${cursor.from}: ${expr.slice(cursor.from, cursor.from + 40) || 'end'}\n${expr}`);
    if (cursor.name !== 'VectorSelector') continue;
    const node = cursor.node;
    const matchers = (node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []).map(m => ({
      label: text(m.getChild('LabelName')),
      op: text(m.getChild('MatchOp')),
      value: JSON.parse(text(m.getChild('StringLiteral')).replace(/^'(.*)'$/s, '"$1"').replace(/^`(.*)`$/s, (_, raw: string) => JSON.stringify(raw))),
    }));
    found.push({ metric: text(node.getChild('Identifier')), matchers });
  } while (cursor.next());
  return found;
}

/** Metric names of EXPR's vector selectors; throws when EXPR does not parse. */
export function metricNames(expr: string): string[] {
  return [...new Set(selectors(expr).map(s => s.metric).filter(Boolean))];
}

/**
 * Metrics the service's rules may use without the service exposing them, each named for its source:
 * kube-state-metrics and the kubelet's cAdvisor, which every Prometheus on Kubernetes scrapes, and
 * Prometheus' own `up`.
 */
export const EXTERNAL_METRICS: Record<string, string> = {
  up: 'Prometheus (one per scrape target)',
  kube_deployment_status_replicas_available: 'kube-state-metrics',
  kube_pod_container_status_restarts_total: 'kube-state-metrics',
  kube_pod_container_resource_limits: 'kube-state-metrics',
  kube_horizontalpodautoscaler_status_current_replicas: 'kube-state-metrics',
  kube_horizontalpodautoscaler_spec_max_replicas: 'kube-state-metrics',
  container_memory_working_set_bytes: 'cAdvisor (kubelet)',
};

/** The series names a scrape of the exposition TEXT can hold: each family, and a histogram's or summary's parts. */
export function exposedSeries(families: { name: string; type: string }[]): Set<string> {
  const parts: Record<string, string[]> = { HISTOGRAM: ['_bucket', '_sum', '_count'], SUMMARY: ['', '_sum', '_count'] };
  return new Set(families.flatMap(({ name, type }) => (parts[type] ?? ['']).map(suffix => name + suffix)));
}
