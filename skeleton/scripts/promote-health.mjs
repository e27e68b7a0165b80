// The health of the environment a digest is promoted from, asked of the Prometheus that watches it (its
// `prometheus` address in environments.yaml), with the service's own rules as the chart renders them for that
// environment:
// - no page-level alert firing: the alerts the chart raises at `alerts.criticalSeverity` (users affected now,
//   and the objectives' fast burns). Dev's alerts page nobody (its criticalSeverity is `warning`), so the chart is
//   rendered with a marker severity to tell which alerts would page, and each is looked for in `ALERTS` by its
//   name and the labels its rule gives it (owner, service, burn...);
// - error budget burn over the soak time under the fast-burn threshold: each objective's error ratio, by the
//   expression of its own recording rule with the soak as window, divided by the budget (1 - objective), against
//   the factor of the objective's fast-burn alert (14.4: 2% of a 30-day budget in an hour).
// Only Prometheus' HTTP API is used (GET /api/v1/query and /api/v1/rules), so any compatible server answers.

/** The severity the chart is rendered with to tell the page-level alerts apart (`alerts.criticalSeverity`). */
export const PAGE_MARKER = 'promote-page-level';

const SLI_RECORD = 'slo:sli_error:ratio_rate5m';
// A fast-burn condition: `slo:sli_error:ratio_rate1h{...} > (14.4 * (1 - 0.995))`.
const BURN_CONDITION = /slo:sli_error:ratio_rate\w+\{[^}]*\}\s*>\s*\(([\d.]+)\s*\*\s*\(1 - ([\d.]+)\)\)/;

const rulesOf = groups => groups.flatMap(group => group.rules ?? []);
const selector = labels =>
  Object.entries(labels)
    .map(([name, value]) => `${name}=${JSON.stringify(String(value))}`)
    .join(', ');

/** The page-level alerts in GROUPS (rendered with PAGE_MARKER as criticalSeverity), each with its ALERTS selector. */
export function pageLevelAlerts(groups) {
  return rulesOf(groups)
    .filter(rule => rule.alert && rule.labels?.severity === PAGE_MARKER)
    .map(({ alert, labels }) => {
      // Every label but severity, which is the marker here and the environment's own severity in its Prometheus.
      const own = Object.fromEntries(Object.entries(labels).filter(([label]) => label !== 'severity'));
      const name = own.burn ? `${alert} (burn=${own.burn})` : alert;
      return { name, query: `ALERTS{${selector({ alertstate: 'firing', alertname: alert, ...own })}}` };
    });
}

/** Each objective in GROUPS: its SLI's expression over WINDOW, its objective and its fast-burn factor. */
export function objectives(groups, window) {
  if (!/^\d+[smhdwy]$/.test(window)) throw new Error(`soak must be a Prometheus duration such as 1h, got "${window}"`);
  const rules = rulesOf(groups);
  return rules
    .filter(rule => rule.record === SLI_RECORD)
    .map(({ expr, labels }) => {
      const slo = labels?.slo;
      const fast = rules.find(r => r.alert && r.labels?.burn === 'fast' && r.expr.includes(`slo="${slo}"`));
      const condition = fast && BURN_CONDITION.exec(fast.expr);
      if (!condition) throw new Error(`no fast-burn alert with a readable threshold for the ${slo} objective`);
      return {
        slo,
        factor: Number(condition[1]),
        objective: Number(condition[2]),
        query: expr.replaceAll('[5m]', `[${window}]`),
      };
    });
}

/** GET PATH of Prometheus' HTTP API at BASE: its `data`; throws with its error, or what kept the request from it. */
async function api(base, path, params, what) {
  const url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  let response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(20_000), headers: { accept: 'application/json' } });
  } catch (error) {
    throw new Error(`cannot reach Prometheus at ${base}: ${error.cause?.message ?? error.message}`, { cause: error });
  }
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`Prometheus at ${base} answered ${response.status} without JSON: ${text.slice(0, 200)}`);
  }
  if (body.status !== 'success') throw new Error(`Prometheus at ${base} refused ${what}: ${body.error ?? text}`);
  return body.data;
}

/** An instant query's result vector. */
export async function query(base, promql) {
  return (await api(base, 'api/v1/query', { query: promql }, promql)).result;
}

/** The names of the rule groups Prometheus has loaded. */
export async function loadedGroups(base) {
  return (await api(base, 'api/v1/rules', {}, 'its rules')).groups.map(group => group.name);
}

const round = value => Number(value.toPrecision(3));

/**
 * Checks the environment ENV (`{ name, prometheus, soak }`) with the rule GROUPS rendered for it. Returns
 * `{ checked: false }` when ENV has no Prometheus; otherwise `{ checked: true, ok, reasons, alerts, unloaded,
 * firing, burns }`.
 * A Prometheus that cannot be asked throws: a gate that cannot look does not pass.
 */
export async function checkHealth(env, groups) {
  if (!env.prometheus) return { checked: false };
  const reasons = [];
  // Alerts are looked for only where Prometheus evaluates them: a group it has not loaded (the chart's
  // alerts.enabled is off in that environment, or its Prometheus does not select the PrometheusRule) is named
  // instead, since no ALERTS series could ever show it firing.
  const loaded = new Set(await loadedGroups(env.prometheus));
  const withPages = groups.filter(group => pageLevelAlerts([group]).length > 0);
  const unloaded = withPages.filter(group => !loaded.has(group.name)).map(group => group.name);
  const alerts = pageLevelAlerts(withPages.filter(group => loaded.has(group.name)));
  const firing = [];
  for (const alert of alerts) {
    const series = await query(env.prometheus, alert.query);
    if (series.length > 0) firing.push(alert.name);
  }
  if (firing.length > 0) reasons.push(`page-level alerts firing in ${env.name}: ${firing.join(', ')}`);

  const burns = [];
  for (const objective of objectives(groups, env.soak)) {
    const [sample] = await query(env.prometheus, objective.query);
    const ratio = sample ? Number(sample.value[1]) : undefined;
    const burn = ratio === undefined || Number.isNaN(ratio) ? undefined : round(ratio / (1 - objective.objective));
    burns.push({ ...objective, ratio, burn });
    if (burn !== undefined && burn >= objective.factor) {
      reasons.push(
        `the ${objective.slo} error budget burned ${burn}x over ${env.soak} in ${env.name}, ` +
          `at or over the fast-burn threshold ${objective.factor}x`,
      );
    }
  }
  return { checked: true, ok: reasons.length === 0, reasons, alerts: alerts.map(a => a.name), unloaded, firing, burns };
}
