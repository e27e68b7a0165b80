#!/usr/bin/env node
// `npm run check:monitoring`: the chart's Prometheus rules, for each environment of environments.yaml, checked by
// promtool (`check rules`: they parse and are well formed) and unit-tested by it (`test rules`: the series in
// monitoring/*-<env>.test.yaml in, the alerts they expect out). Every alert of an environment must have a test
// in which it fires and one in which it does not. An environment without test files of its own (one just added)
// passes only when its rules are, but for their `environment` label, those of an environment that has them.
// Each environment's rules are those it has once delivered (renderRules): the chart renders none before an
// environment has an image, and the tests are of the rules. Needs helm and promtool.
//
//   node scripts/check-monitoring.mjs [ENV...]    every environment, or only those named
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { find, loadEnvironments } from './environments.mjs';
import { renderRules, tool } from './prometheus-rules.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tests = path.join(root, 'monitoring');
// The tests' own names, so that they read the same in every repository made from the template.
const TEST_NAMES = {
  release: 'service',
  namespace: 'service',
  set: ['nameOverride=service', 'fullnameOverride=service', 'alerts.labels.owner=group:default/team', 'alerts.labels.service=service', 'alerts.runbookUrl=https://backstage.test/runbook/'],
};
const PROMTOOL = "the Prometheus release's tarball has it (https://prometheus.io/download/); Debian and Ubuntu: apt-get install prometheus";

/**
 * Alerting rules of RULES that the test files do not both fire and hold back, as readable lines. A rule is
 * told apart from others of the same name by its own labels (an objective's fast and slow burn).
 */
export function untested(rules, testFiles) {
  const cases = testFiles.flatMap(file => parse(fs.readFileSync(file, 'utf8')).tests.flatMap(t => t.alert_rule_test ?? []));
  const alerts = parse(rules).groups.flatMap(group => group.rules.filter(rule => rule.alert));
  return alerts.flatMap(({ alert, labels = {} }) => {
    const name = [alert, ...Object.entries(labels).filter(([key]) => key === 'burn').map(([key, value]) => `${key}=${value}`)].join(' ');
    const isThis = expected => Object.entries(labels).every(([key, value]) => String(expected.exp_labels?.[key]) === String(value));
    const mine = cases.filter(c => c.alertname === alert);
    return [
      ...(mine.some(c => (c.exp_alerts ?? []).some(isThis)) ? [] : [`${name}: no test in which it fires`]),
      ...(mine.some(c => !(c.exp_alerts ?? []).some(isThis)) ? [] : [`${name}: no test in which it does not fire`]),
    ];
  });
}

/** The test files of ENV, by name: monitoring/*-<env>.test.yaml. */
const testFilesOf = env => fs.readdirSync(tests).filter(file => file.endsWith(`-${env}.test.yaml`));

/** ENV's rules under the tests' names, with its environment label set to LABEL (its own name by default). */
const rulesOf = (env, label = env) => renderRules(env, { ...TEST_NAMES, set: [...TEST_NAMES.set, `environment=${label}`] });

function check(env) {
  const rules = rulesOf(env);
  const testFiles = testFilesOf(env);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `rules-${env}-`));
  try {
    // The test files name their rules file `rules-<env>.yaml`, next to them.
    fs.writeFileSync(path.join(work, `rules-${env}.yaml`), rules);
    for (const file of testFiles) fs.copyFileSync(path.join(tests, file), path.join(work, file));
    const gaps = untested(rules, testFiles.map(file => path.join(work, file)));
    if (gaps.length) throw new Error(`${env}: ${gaps.join('; ')}`);
    process.stdout.write(tool('promtool', ['check', 'rules', '--lint-fatal', path.join(work, `rules-${env}.yaml`)], PROMTOOL));
    process.stdout.write(tool('promtool', ['test', 'rules', ...testFiles.map(file => path.join(work, file))], PROMTOOL));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** An environment without test files: covered when its rules are those of one with tests, else an error. */
function coveredBy(env, tested) {
  const twin = tested.find(other => rulesOf(env, other) === rulesOf(other));
  if (twin) return twin;
  throw new Error(
    `${env}: no monitoring/*-${env}.test.yaml, and its rules (thresholds, objectives) are not those of ` +
      `${tested.join(' or ') || 'any tested environment'}. Copy the test files of the closest environment to ` +
      `*-${env}.test.yaml, name rules-${env}.yaml and environment: ${env} in them, and move each case to ${env}'s thresholds.`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const all = loadEnvironments(root);
    const envs = all.map(env => env.name);
    const chosen = process.argv.slice(2).map(name => find(all, name).name);
    const tested = envs.filter(env => testFilesOf(env).length > 0);
    for (const env of chosen.length ? chosen : envs) {
      if (tested.includes(env)) check(env);
      else console.log(`${env}: the same rules as ${coveredBy(env, tested)}, whose tests cover them`);
    }
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
