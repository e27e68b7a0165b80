// PromQL read by the Prometheus project's own grammar (@prometheus-io/lezer-promql, the parser of
// Prometheus' web UI): the metric names an expression selects, or the parse error it has.
import { parser } from '@prometheus-io/lezer-promql';

export interface Selector {
  metric: string;
  /** Label matchers, the value unquoted: `job="x"` → `{ label: 'job', op: '=', value: 'x' }`. */
  matchers: { label: string; op: string; value: string }[];
}

/** The vector selectors of EXPR, each with its metric name and label matchers; throws when EXPR does not parse. */
export function selectors(expr: string): Selector[] {
  const found: Selector[] = [];
  const text = (node: { from: number; to: number } | null) => (node ? expr.slice(node.from, node.to) : '');
  const cursor = parser.parse(expr).cursor();
  do {
    if (cursor.type.isError)
      throw new Error(
        `PromQL does not parse at ${cursor.from}: ${expr.slice(cursor.from, cursor.from + 40) || 'end'}\n${expr}`,
      );
    if (cursor.name !== 'VectorSelector') continue;
    const node = cursor.node;
    const matchers = (node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []).map(m => ({
      label: text(m.getChild('LabelName')),
      op: text(m.getChild('MatchOp')),
      value: stringLiteralValue(text(m.getChild('StringLiteral'))),
    }));
    found.push({ metric: text(node.getChild('Identifier')), matchers });
  } while (cursor.next());
  return found;
}

/** A PromQL string literal's value: double-quoted as JSON, single-quoted alike, backquoted raw. */
function stringLiteralValue(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  const doubleQuoted = literal.replace(/^'(.*)'$/s, '"$1"');
  return JSON.parse(doubleQuoted) as string;
}

/**
 * The comparisons of EXPR whose left side is a vector selector (`rate1h{...} > (14.4 * (1 - 0.995))`): its
 * metric, and the number literals of the right side in order (`[14.4, 1, 0.995]`).
 */
export function comparisons(expr: string): { metric: string; numbers: number[] }[] {
  const found: { metric: string; numbers: number[] }[] = [];
  const cursor = parser.parse(expr).cursor();
  do {
    if (cursor.name !== 'BinaryExpr') continue;
    const [left, operator, right] = [
      cursor.node.firstChild,
      cursor.node.firstChild?.nextSibling,
      cursor.node.lastChild,
    ];
    if (left?.name !== 'VectorSelector' || !['Gtr', 'Gte', 'Lss', 'Lte'].includes(operator?.name ?? '') || !right)
      continue;
    const identifier = left.getChild('Identifier');
    if (!identifier) continue;
    found.push({ metric: expr.slice(identifier.from, identifier.to), numbers: numberLiterals(expr, right) });
  } while (cursor.next());
  return found;
}

/** The number literals of EXPR in order, or of the part of it that NODE spans (`vector(0.995)` → `[0.995]`). */
export function numberLiterals(
  expr: string,
  node: { from: number; to: number } = { from: 0, to: expr.length },
): number[] {
  const numbers: number[] = [];
  const cursor = parser.parse(expr).cursor();
  do {
    if (cursor.name === 'NumberDurationLiteral' && cursor.from >= node.from && cursor.to <= node.to)
      numbers.push(Number(expr.slice(cursor.from, cursor.to)));
  } while (cursor.next());
  return numbers;
}

/** Metric names of EXPR's vector selectors; throws when EXPR does not parse. */
export function metricNames(expr: string): string[] {
  return [
    ...new Set(
      selectors(expr)
        .map(s => s.metric)
        .filter(Boolean),
    ),
  ];
}

/**
 * Metrics the chart's rules and dashboard may use without the service exposing them, each named for its source:
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
  kube_pod_container_resource_requests: 'kube-state-metrics',
  container_memory_working_set_bytes: 'cAdvisor (kubelet)',
  container_cpu_usage_seconds_total: 'cAdvisor (kubelet)',
};

/** The series names a scrape of the exposition TEXT can hold: each family, and a histogram's or summary's parts. */
export function exposedSeries(families: { name: string; type: string }[]): Set<string> {
  const parts: Record<string, string[]> = { HISTOGRAM: ['_bucket', '_sum', '_count'], SUMMARY: ['', '_sum', '_count'] };
  return new Set(families.flatMap(({ name, type }) => (parts[type] ?? ['']).map(suffix => name + suffix)));
}
