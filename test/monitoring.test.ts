// The generated repository's alerts, as its CI checks them: `npm run check:monitoring` renders the chart's
// rules for each environment of environments.yaml with helm and runs promtool over them (check rules, then the
// unit tests in monitoring/), here with Debian's promtool. The check must also fail when a rule and its tests
// part, and cover an environment added to the path.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../packages/tooling/src/template-repository';
import { CORNER_VARIANT_IDS, useRenderedVariants, type Variant } from './support/backstage/rendered';
import { helmBinary } from './support/chart/helm';
import { node24Env, run } from './support/service/node24';

/** What the generated repository's scripts/check-monitoring.mjs exports for its own tests. */
interface CheckMonitoring {
  /** The alerts of RULES (a rule file's text) that the unit test FILES leave untested, as sentences. */
  untested: (rules: string, files: string[]) => string[];
}

/** What the generated repository's scripts/environments.mjs exports: its environments, in order. */
interface Environments {
  loadEnvironments: (root: string) => { name: string; valuesFile: string }[];
}

const copies: string[] = [];
before(() => {
  if (spawnSync('sh', ['-c', 'command -v promtool']).status !== 0)
    throw new Error('promtool is not installed: apt-get install -y prometheus');
});
const variant = useRenderedVariants();
after(() => {
  for (const dir of copies) fs.rmSync(dir, { recursive: true, force: true });
});

/** A copy of the variant's repository; its scripts find `yaml` in this repository's node_modules. */
function copyOf(variant: Variant): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `monitoring-${variant.id}-`));
  copies.push(dir);
  fs.cpSync(variant.dir, dir, { recursive: true });
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** The environments of a repository, read by its own scripts/environments.mjs. */
async function environmentsOf(dir: string) {
  const { loadEnvironments } = (await import(path.join(dir, 'scripts', 'environments.mjs'))) as Environments;
  return loadEnvironments(dir);
}

/** `npm run check:monitoring`, for every environment or only those named. */
const checkMonitoring = (dir: string, envs: string[] = []) =>
  run(
    'node',
    ['scripts/check-monitoring.mjs', ...envs],
    dir,
    node24Env({ PATH: `${path.dirname(helmBinary())}${path.delimiter}${process.env.PATH}` }),
  );

/** Replaces LINE (which must be there) in a repository's FILE. */
function edit(dir: string, file: string, line: RegExp, to: string) {
  const text = fs.readFileSync(path.join(dir, file), 'utf8');
  assert.match(text, line, file);
  fs.writeFileSync(path.join(dir, file), text.replace(line, to));
}

for (const id of CORNER_VARIANT_IDS) {
  describe(`alerts of ${id}`, () => {
    test('pass promtool check rules and their unit tests, in every environment', async () => {
      const dir = copyOf(variant(id));
      const envs = (await environmentsOf(dir)).map(env => env.name);
      assert.deepEqual(envs, variant(id).app_env === 'dev' ? ['dev', 'prod'] : ['prod']);
      const { code, output } = await checkMonitoring(dir);
      assert.equal(code, 0, output);
      assert.equal(output.match(/SUCCESS: \d+ rules found/g)?.length, envs.length, output);
      const testFiles = fs
        .readdirSync(path.join(dir, 'monitoring'))
        .filter(file => envs.some(env => file.endsWith(`-${env}.test.yaml`)));
      assert.ok(testFiles.length >= 2 * envs.length, `monitoring/ has ${testFiles.join(', ')}`);
      assert.equal(output.match(/Unit Testing: .*\n\s+SUCCESS/g)?.length, testFiles.length, output);
    });

    // Values moved in values.yaml, each away from the prod tests of one alert. Both go into one copy, checked
    // once for prod alone: each move changes one rule's expression, so each failure names its own alert.
    test('fail when a threshold or an objective no longer matches its tests, naming each alert', async () => {
      const dir = copyOf(variant(id));
      const values = path.join('charts', variant(id).app_name, 'values.yaml');
      edit(dir, values, /^ {2}errorRatio: 0\.05$/m, '  errorRatio: 0.07');
      edit(dir, values, /^ {2}availabilityObjective: 0\.995$/m, '  availabilityObjective: 0.999');
      const { code, output } = await checkMonitoring(dir, ['prod']);
      assert.notEqual(code, 0, output);
      assert.match(output, /alertname: HighErrorRate, time: 25m/, 'the threshold');
      assert.match(output, /alertname: DetailsErrorBudgetBurn, time: /, 'the objective');
    });

    test('fail when an alert has no test in which it stays silent', async () => {
      const dir = copyOf(variant(id));
      const [first] = await environmentsOf(dir);
      const silent = /\n {6}- eval_time: 5m\n {8}alertname: EventLoopLag\n {8}exp_alerts: \[\]/;
      edit(dir, path.join('monitoring', `alerts-${first.name}.test.yaml`), silent, '');
      const { code, output } = await checkMonitoring(dir, [first.name]);
      assert.notEqual(code, 0, output);
      assert.match(output, new RegExp(`${first.name}: EventLoopLag: no test in which it does not fire`));
    });
  });
}

describe('an environment added to the path (staging, between dev and prod)', () => {
  /** A dev-start copy with staging added: its entry, and a values file that is prod's under its own name. */
  const withStaging = () => {
    const dir = copyOf(variant('short-dev'));
    const file = path.join(dir, 'environments.yaml');
    const list = parse(fs.readFileSync(file, 'utf8')) as { environments: Record<string, unknown>[] };
    const prod = list.environments.findIndex(env => env.name === 'prod');
    list.environments.splice(prod, 0, { ...list.environments[prod], name: 'staging', namespace: 'ab-staging' });
    fs.writeFileSync(file, stringify(list));
    const chart = path.join(dir, 'charts', variant('short-dev').app_name);
    const values = fs.readFileSync(path.join(chart, 'values-prod.yaml'), 'utf8');
    assert.match(values, /^environment: prod$/m);
    fs.writeFileSync(
      path.join(chart, 'values-staging.yaml'),
      values.replace(/^environment: prod$/m, 'environment: staging'),
    );
    return dir;
  };

  test("is covered by prod's tests while its rules are prod's", async () => {
    const { code, output } = await checkMonitoring(withStaging(), ['staging']);
    assert.equal(code, 0, output);
    assert.match(output, /staging: the same rules as prod, whose tests cover them/);
  });

  test('fails, saying what to add, once its thresholds differ from every tested environment', async () => {
    const dir = withStaging();
    const values = path.join('charts', variant('short-dev').app_name, 'values-staging.yaml');
    edit(dir, values, /^alerts:$/m, 'alerts:\n  errorRatio: 0.1');
    const { code, output } = await checkMonitoring(dir, ['staging']);
    assert.notEqual(code, 0, output);
    assert.match(
      output,
      /staging: no monitoring\/\*-staging\.test\.yaml, and its rules .* are not those of dev or prod/,
    );
  });
});

test("the coverage rule tells apart alerts of one name by their labels (an objective's fast, slow burn)", async () => {
  const dir = copyOf(variant('short-dev'));
  const { untested } = (await import(path.join(dir, 'scripts', 'check-monitoring.mjs'))) as CheckMonitoring;
  const rule = (burn: string) => ({ alert: 'Burn', expr: 'vector(1)', labels: { severity: 'warning', burn } });
  const rules = JSON.stringify({ groups: [{ name: 'g', rules: [rule('fast'), rule('slow')] }] });
  const cases = (burns: string[][]) => {
    const file = path.join(dir, `cases-${burns.length}.test.yaml`);
    const alert_rule_test = burns.map(fired => ({
      eval_time: '1m',
      alertname: 'Burn',
      exp_alerts: fired.map(burn => ({ exp_labels: { severity: 'warning', burn } })),
    }));
    fs.writeFileSync(file, JSON.stringify({ tests: [{ alert_rule_test }] }));
    return [file];
  };
  assert.deepEqual(untested(rules, cases([['fast'], []])), ['Burn burn=slow: no test in which it fires']);
  assert.deepEqual(untested(rules, cases([['fast', 'slow'], ['slow'], []])), []);
  assert.deepEqual(untested(rules, cases([['fast', 'slow']])), [
    'Burn burn=fast: no test in which it does not fire',
    'Burn burn=slow: no test in which it does not fire',
  ]);
});
