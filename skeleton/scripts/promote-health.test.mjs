// Run by CI: node --test scripts/*.test.mjs
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { checkHealth, objectives, PAGE_MARKER, pageLevelAlerts, query } from './promote-health.mjs';

// The shape of the chart's rules for one environment, rendered with PAGE_MARKER as alerts.criticalSeverity.
const SELECTOR = 'namespace="orders-dev", job="orders-dev", slo="availability"';
const GROUPS = [
  {
    name: 'orders-dev.alerts',
    rules: [
      {
        alert: 'NoReadyPods',
        expr: 'x == 0',
        labels: { severity: PAGE_MARKER, service: 'orders', environment: 'dev' },
      },
      { alert: 'SlowDetails', expr: 'y > 1', labels: { severity: 'warning', service: 'orders', environment: 'dev' } },
    ],
  },
  {
    name: 'orders-dev.slo-availability',
    rules: [
      {
        record: 'slo:sli_error:ratio_rate5m',
        expr: 'sum(rate(bad[5m])) / sum(rate(all[5m]))',
        labels: { slo: 'availability' },
      },
      { record: 'slo:sli_error:ratio_rate1h', expr: 'sum(rate(bad[1h])) / sum(rate(all[1h]))' },
      {
        alert: 'DetailsErrorBudgetBurn',
        expr: [
          `(slo:sli_error:ratio_rate1h{${SELECTOR}} > (14.4 * (1 - 0.99))`,
          `and slo:sli_error:ratio_rate5m{${SELECTOR}} > (14.4 * (1 - 0.99)))`,
          `or (slo:sli_error:ratio_rate6h{${SELECTOR}} > (6 * (1 - 0.99)))`,
        ].join('\n'),
        labels: { severity: PAGE_MARKER, burn: 'fast', service: 'orders' },
      },
      {
        alert: 'DetailsErrorBudgetBurn',
        expr: `slo:sli_error:ratio_rate1d{${SELECTOR}} > (3 * (1 - 0.99))`,
        labels: { severity: 'warning', burn: 'slow', service: 'orders' },
      },
    ],
  },
];

test('the page-level alerts are the rules at the marker severity, looked for by every other label', () => {
  assert.deepEqual(pageLevelAlerts(GROUPS), [
    {
      name: 'NoReadyPods',
      query: 'ALERTS{alertstate="firing", alertname="NoReadyPods", service="orders", environment="dev"}',
    },
    {
      name: 'DetailsErrorBudgetBurn (burn=fast)',
      query: 'ALERTS{alertstate="firing", alertname="DetailsErrorBudgetBurn", burn="fast", service="orders"}',
    },
  ]);
});

test("each objective: its SLI's own expression over the soak, its objective and fast-burn factor", () => {
  assert.deepEqual(objectives(GROUPS, '2h'), [
    { slo: 'availability', factor: 14.4, objective: 0.99, query: 'sum(rate(bad[2h])) / sum(rate(all[2h]))' },
  ]);
  assert.throws(() => objectives(GROUPS, 'an hour'), /soak must be a Prometheus duration/);
  const withoutFastBurn = GROUPS.map(g => ({ ...g, rules: g.rules.filter(r => r.labels?.burn !== 'fast') }));
  assert.throws(() => objectives(withoutFastBurn, '1h'), /no fast-burn alert .* for the availability objective/);
});

/**
 * A Prometheus HTTP API answering each query from ANSWERS (PromQL → result vector), with LOADED as its rule
 * groups.
 */
async function fakePrometheus(t, answers, loaded = GROUPS.map(g => g.name)) {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://x');
    const result =
      url.pathname === '/api/v1/rules'
        ? { groups: loaded.map(name => ({ name })) }
        : answers(url.searchParams.get('query'));
    response.setHeader('content-type', 'application/json');
    if (result instanceof Error) {
      response.statusCode = 400;
      response.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: result.message }));
    } else {
      const data = Array.isArray(result) ? { resultType: 'vector', result } : result;
      response.end(JSON.stringify({ status: 'success', data }));
    }
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return `http://127.0.0.1:${server.address().port}`;
}

const env = prometheus => ({ name: 'dev', prometheus, soak: '1h' });
const sample = value => [{ metric: {}, value: [0, String(value)] }];

test('healthy: nothing page-level firing, the burn under the threshold', async t => {
  const url = await fakePrometheus(t, promql => (promql.startsWith('ALERTS') ? [] : sample(0.01)));
  const health = await checkHealth(env(url), GROUPS);
  assert.equal(health.ok, true);
  assert.deepEqual(health.firing, []);
  assert.equal(health.burns[0].burn, 1);
});

test('refused: a page-level alert firing, or a burn at the fast-burn threshold', async t => {
  const url = await fakePrometheus(t, promql => {
    if (promql.includes('NoReadyPods')) return sample(1);
    return promql.startsWith('ALERTS') ? [] : sample(0.144);
  });
  const health = await checkHealth(env(url), GROUPS);
  assert.equal(health.ok, false);
  assert.deepEqual(health.reasons, [
    'page-level alerts firing in dev: NoReadyPods',
    'the availability error budget burned 14.4x over 1h in dev, at or over the fast-burn threshold 14.4x',
  ]);
});

test('alerts of a group that Prometheus has not loaded are named as not checked, not looked for', async t => {
  const asked = [];
  const url = await fakePrometheus(
    t,
    promql => {
      asked.push(promql);
      return promql.startsWith('ALERTS') ? sample(1) : sample(0);
    },
    ['orders-dev.slo-availability'],
  );
  const health = await checkHealth(env(url), GROUPS);
  assert.deepEqual(health.unloaded, ['orders-dev.alerts']);
  assert.deepEqual(health.alerts, ['DetailsErrorBudgetBurn (burn=fast)']);
  assert.ok(!asked.some(promql => promql.includes('NoReadyPods')), asked.join('\n'));
});

test('no requests over the soak: the burn is not measured, not failed', async t => {
  const url = await fakePrometheus(t, () => []);
  const health = await checkHealth(env(url), GROUPS);
  assert.equal(health.ok, true);
  assert.equal(health.burns[0].burn, undefined);
});

test('no Prometheus: not checked; one that cannot be asked throws, it never passes', async t => {
  assert.deepEqual(await checkHealth(env(''), GROUPS), { checked: false });
  await assert.rejects(checkHealth(env('http://127.0.0.1:1'), GROUPS), /cannot reach Prometheus at http:\/\/127/);
  const url = await fakePrometheus(t, () => new Error('parse error'));
  await assert.rejects(query(url, 'up{'), /refused up\{: parse error/);
});
