// The generated service, for real: one rendered repository (short-dev) gets its own `npm ci`, lint, build
// and tests under Node 24, as its CI would run them; then the built service, with production dependencies
// only as in the image, is started, every endpoint is hit once, and SIGTERM must end it with 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRequire } from 'node:module';
import { parse as parseYaml } from 'yaml';
import { freeLoopbackPort } from '../packages/tooling/src/free-port';
import { dashboardOf, panelQueries } from './support/monitoring/grafana';
import { helmBinary } from './support/chart/helm';
import { parseObjects } from './support/chart/kube';
import { node24Env, run } from './support/service/node24';
import { serviceTables } from './support/service/rendered-service';
import { EXTERNAL_METRICS, exposedSeries, metricNames } from './support/monitoring/promql';
import { renderedVariants, type Variant } from './support/backstage/rendered';

let variant: Variant;
let repo: string;
let env: NodeJS.ProcessEnv;
let runtime: string;
let metricsText = '';

before(async () => {
  variant = (await renderedVariants()).find(v => v.id === 'short-dev') ?? assert.fail('short-dev was not rendered');
  env = node24Env();
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'generated-service-'));
  runtime = `${repo}-runtime`;
  fs.cpSync(variant.dir, repo, { recursive: true, filter: source => path.basename(source) !== 'node_modules' });
});
after(() => {
  if (repo) for (const dir of [repo, runtime]) fs.rmSync(dir, { recursive: true, force: true });
});

// A step that needs an earlier one says so when that one failed, instead of piling up errors of its own.
const passed = new Set<string>();
function step(name: string, needs: string[], body: () => Promise<void>) {
  test(name, async () => {
    for (const need of needs) assert.ok(passed.has(need), `not run: it needs "${need}", which failed`);
    await body();
    passed.add(name);
  });
}

async function npm(...args: string[]) {
  return npmIn(repo, ...args);
}

async function npmIn(cwd: string, ...args: string[]) {
  const result = await run('npm', args, cwd, env);
  assert.equal(
    result.code,
    0,
    `npm ${args.join(' ')} failed (exit ${result.code}) in the generated repo:\n${result.output}`,
  );
  return result;
}

describe('the generated service (short-dev) under Node 24', { timeout: 15 * 60_000 }, () => {
  step('runs on Node 24', [], async () => {
    const { output } = await run('node', ['--version'], repo, env);
    assert.match(output.trim(), /^v24\./);
  });

  step('npm ci installs from the committed lock file', ['runs on Node 24'], async () => {
    const { seconds } = await npm('ci', '--no-audit', '--no-fund');
    console.log(`npm ci of the generated repo: ${seconds.toFixed(1)} s`);
  });

  step('npm run lint passes (tsc, ESLint, Prettier)', ['npm ci installs from the committed lock file'], async () => {
    await npm('run', 'lint');
  });

  step('npm run build compiles to dist/', ['npm ci installs from the committed lock file'], async () => {
    await npm('run', 'build');
    assert.ok(fs.existsSync(path.join(repo, 'dist', 'main.js')));
    assert.ok(!fs.existsSync(path.join(repo, 'dist', 'app.test.js')), 'tests must not be compiled into dist/');
  });

  step(
    "npm test passes (the service's suite, on Node's test runner), leaving no temporary file",
    ['npm ci installs from the committed lock file'],
    async () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'service-test-tmp-'));
      try {
        const result = await run('npm', ['test'], repo, { ...env, TMPDIR: tmp });
        assert.equal(result.code, 0, `npm test failed (exit ${result.code}) in the generated repo:\n${result.output}`);
        // The runner's summary (spec or TAP): every test ran and passed, none skipped, cancelled or left to do.
        const summary = (count: string) =>
          Number(new RegExp(`^(?:ℹ|#) ${count} (\\d+)$`, 'm').exec(result.output)?.[1]);
        assert.ok(summary('tests') > 0, `no test summary in:\n${result.output.slice(-2000)}`);
        assert.equal(summary('pass'), summary('tests'));
        for (const count of ['fail', 'cancelled', 'skipped', 'todo']) assert.equal(summary(count), 0, count);
        // Node's compiled-code cache stays there on purpose.
        assert.deepEqual(
          fs.readdirSync(tmp).filter(entry => entry !== 'node-compile-cache'),
          [],
        );
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    },
  );

  // What the Dockerfile's runtime stage holds: package.json, production dependencies and dist/.
  step(
    'production dependencies alone hold what the built service needs (the image runtime stage)',
    ['npm run build compiles to dist/'],
    async () => {
      fs.mkdirSync(runtime);
      for (const file of ['package.json', 'package-lock.json', '.npmrc'])
        fs.copyFileSync(path.join(repo, file), path.join(runtime, file));
      await npmIn(runtime, 'ci', '--omit=dev', '--no-audit', '--no-fund');
      fs.cpSync(path.join(repo, 'dist'), path.join(runtime, 'dist'), { recursive: true });
      for (const devTool of ['typescript', 'eslint', 'prettier']) {
        assert.ok(!fs.existsSync(path.join(runtime, 'node_modules', devTool)), `${devTool} is a production dependency`);
      }
    },
  );

  step(
    'the built service answers each endpoint and exits 0 on SIGTERM',
    ['production dependencies alone hold what the built service needs (the image runtime stage)'],
    async () => {
      const port = await freeLoopbackPort();
      const child = spawn('node', ['dist/main.js'], {
        cwd: runtime,
        env: { ...env, PORT: String(port), HOST: '127.0.0.1', SHUTDOWN_DELAY_SECONDS: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const append = (chunk: Buffer) => {
        output += chunk.toString();
      };
      child.stdout.on('data', append);
      child.stderr.on('data', append);
      const exited = new Promise<number | null>(resolve => {
        child.on('exit', code => {
          resolve(code);
        });
      });
      try {
        const base = `http://127.0.0.1:${port}`;
        await waitForHealth(`${base}/api/v1/healthz`, exited, () => output);

        const called = new Set<string>();
        const get = (urlPath: string) => {
          called.add(urlPath);
          return fetch(base + urlPath);
        };
        const json = async (urlPath: string, status: number) => {
          const res = await get(urlPath);
          assert.equal(res.status, status, `${urlPath}: ${output}`);
          assert.match(res.headers.get('content-type') ?? '', /^application\/json/, urlPath);
          return res.json() as Promise<Record<string, unknown>>;
        };
        assert.deepEqual(await json('/api/v1/healthz', 200), { status: 'ok' });
        assert.deepEqual(await json('/api/v1/readyz', 200), { status: 'ready' });
        const details = await json('/api/v1/details', 200);
        assert.equal(details.app, variant.app_name);
        assert.equal(details.environment, variant.app_env);
        assert.equal(details.version, '0.1.0');
        assert.equal(details.source, 'downward-api');
        const notFound = await json('/no/such/route', 404);
        assert.equal(notFound.status, 404);

        const metrics = await get('/metrics');
        assert.equal(metrics.status, 200);
        const text = (metricsText = await metrics.text());
        assert.match(text, /^# TYPE http_requests_total counter$/m);
        assert.match(text, /^http_requests_total\{method="GET",route="\/api\/v1\/details",status="200"\} 1$/m);
        assert.match(text, /^process_resident_memory_bytes \d+/m);

        const { endpoints } = await serviceTables(variant.dir);
        assert.deepEqual(
          endpoints.filter(endpoint => !called.has(endpoint.path)),
          [],
          'endpoints of src/endpoints.ts not called here',
        );

        child.kill('SIGTERM');
        assert.equal(await exited, 0, `exit code after SIGTERM; output:\n${output}`);
        const lines = output
          .trim()
          .split('\n')
          .map(line => JSON.parse(line) as Record<string, unknown>);
        assert.deepEqual(lines.at(-1), { ...lines.at(-1), message: 'stopped', exit_code: 0 });
      } finally {
        child.kill('SIGKILL');
      }
    },
  );

  // The rules as a Prometheus without the Operator gets them: the repository's own script, with helm.
  step(
    "the chart's rules and dashboard use only metrics the service exposes, the rules record, or Kubernetes has",
    ['the built service answers each endpoint and exits 0 on SIGTERM'],
    async () => {
      const parsePrometheus = createRequire(path.join(repo, 'package.json'))('parse-prometheus-text-format') as (
        text: string,
      ) => { name: string; type: string }[];
      const exposed = exposedSeries(parsePrometheus(metricsText));
      const withHelm = { ...env, PATH: `${path.dirname(helmBinary())}${path.delimiter}${env.PATH}` };
      const unknown: string[] = [];
      let expressions = 0;
      for (const environment of ['dev', 'prod']) {
        const rules = await run('node', ['scripts/prometheus-rules.mjs', environment], repo, withHelm);
        assert.equal(rules.code, 0, rules.output);
        const { groups } = parseYaml(rules.output) as { groups: { rules: { expr: string; record?: string }[] }[] };
        const all = groups.flatMap(group => group.rules);
        // Series the rules record themselves (the objectives' ratios) are inputs of later rules.
        const recorded = new Set(all.flatMap(rule => rule.record ?? []));
        // The dashboard as Grafana's sidecar gets it, its variables resolved.
        const chart = await run(
          helmBinary(),
          [
            'template',
            'service',
            path.join('charts', variant.app_name),
            '-f',
            path.join('charts', variant.app_name, `values-${environment}.yaml`),
            '--show-only',
            'templates/dashboard.yaml',
          ],
          repo,
          env,
        );
        assert.equal(chart.code, 0, chart.output);
        const queries = [
          ...all.map(rule => ({ what: rule.record ?? 'alert', expr: rule.expr })),
          ...panelQueries(dashboardOf(parseObjects(chart.output))).map(q => ({
            what: `panel "${q.panel}"`,
            expr: q.expr,
          })),
        ];
        for (const { what, expr } of queries) {
          expressions++;
          for (const name of metricNames(expr))
            if (!exposed.has(name) && !(name in EXTERNAL_METRICS) && !recorded.has(name))
              unknown.push(`${environment}, ${what}: ${name}`);
        }
      }
      assert.ok(expressions >= 60, `only ${expressions} rule and panel expressions`);
      assert.deepEqual(unknown, []);

      // The latency objective counts one bucket: the chart's schema offers exactly the service's bucket bounds.
      const durations = parsePrometheus(metricsText).find(
        family => family.name === 'http_request_duration_seconds',
      ) as unknown as { metrics: { buckets: Record<string, string> }[] };
      const bounds = Object.keys(durations.metrics[0].buckets)
        .filter(le => le !== '+Inf')
        .map(Number)
        .sort((a, b) => a - b);
      const schema = JSON.parse(
        fs.readFileSync(path.join(repo, 'charts', variant.app_name, 'values.schema.json'), 'utf8'),
      ) as { properties: { slos: { properties: { latencySeconds: { enum: number[] } } } } };
      assert.deepEqual(
        schema.properties.slos.properties.latencySeconds.enum,
        bounds,
        'values.schema.json slos.latencySeconds vs the buckets of http_request_duration_seconds',
      );
    },
  );
});

async function waitForHealth(url: string, exited: Promise<number | null>, output: () => string) {
  const service = { gone: false };
  void exited.then(() => {
    service.gone = true;
  });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !service.gone) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  assert.fail(`the service never answered ${url}${service.gone ? ' (it exited)' : ''}:\n${output()}`);
}
