// The generated repository's alerts, as its CI checks them: `npm run check:monitoring` renders the chart's
// rules for each environment with helm and runs promtool over them (check rules, then the unit tests in
// monitoring/), here with Debian's promtool. The check must also fail when a rule and its tests part.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../packages/tooling/src/template-repository';
import { CORNER_VARIANT_IDS, useRenderedVariants, type Variant } from './support/backstage/rendered';
import { helmBinary } from './support/chart/helm';
import { node24Env, run } from './support/service/node24';

/** What the generated repository's scripts/check-monitoring.mjs exports for its own tests. */
interface CheckMonitoring {
  /** The alerts of RULES (a rule file's text) that the unit test FILES leave untested, as sentences. */
  untested: (rules: string, files: string[]) => string[];
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

const checkMonitoring = (dir: string) =>
  run(
    'node',
    ['scripts/check-monitoring.mjs'],
    dir,
    node24Env({ PATH: `${path.dirname(helmBinary())}${path.delimiter}${process.env.PATH}` }),
  );

for (const id of CORNER_VARIANT_IDS) {
  describe(`alerts of ${id}`, () => {
    test('pass promtool check rules and their unit tests, in both environments', async () => {
      const { code, output } = await checkMonitoring(copyOf(variant(id)));
      assert.equal(code, 0, output);
      assert.equal(output.match(/SUCCESS: \d+ rules found/g)?.length, 2, output);
      const testFiles = fs
        .readdirSync(path.join(variant(id).dir, 'monitoring'))
        .filter(file => file.endsWith('.test.yaml'));
      assert.ok(testFiles.length >= 4, `monitoring/ has ${testFiles.join(', ')}`);
      assert.equal(output.match(/Unit Testing: .*\n\s+SUCCESS/g)?.length, testFiles.length, output);
    });

    // A value moved in values.yaml, and the alert whose tests must then fail.
    const moves = [
      {
        what: 'a threshold',
        line: /^ {2}errorRatio: 0\.05$/m,
        to: '  errorRatio: 0.07',
        failing: /alertname: HighErrorRate, time: 25m/,
      },
      {
        what: 'an objective',
        line: /^ {2}availabilityObjective: 0\.995$/m,
        to: '  availabilityObjective: 0.999',
        failing: /alertname: DetailsErrorBudgetBurn, time: /,
      },
    ];
    for (const { what, line, to, failing } of moves) {
      test(`fail when ${what} no longer matches its tests, naming the alert`, async () => {
        const dir = copyOf(variant(id));
        const values = path.join(dir, 'charts', variant(id).app_name, 'values.yaml');
        const text = fs.readFileSync(values, 'utf8');
        assert.match(text, line);
        fs.writeFileSync(values, text.replace(line, to));
        const { code, output } = await checkMonitoring(dir);
        assert.notEqual(code, 0, output);
        assert.match(output, failing);
      });
    }

    test('fail when an alert has no test in which it stays silent', async () => {
      const dir = copyOf(variant(id));
      const tests = path.join(dir, 'monitoring', 'alerts-dev.test.yaml');
      const silent = /\n {6}- eval_time: 5m\n {8}alertname: EventLoopLag\n {8}exp_alerts: \[\]/;
      const text = fs.readFileSync(tests, 'utf8');
      assert.match(text, silent);
      fs.writeFileSync(tests, text.replace(silent, ''));
      const { code, output } = await checkMonitoring(dir);
      assert.notEqual(code, 0, output);
      assert.match(output, /dev: EventLoopLag: no test in which it does not fire/);
    });
  });
}

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
