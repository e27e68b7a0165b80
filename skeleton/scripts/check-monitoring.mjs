#!/usr/bin/env node
// `npm run check:monitoring`: the chart's Prometheus rules, per environment, checked by promtool
// (`check rules`: they parse and are well formed) and unit-tested by it (`test rules`: the series in
// monitoring/*-<env>.test.yaml in, the alerts they expect out). Every alert of an environment must have a
// test in which it fires and one in which it does not. Needs helm and promtool.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ENVIRONMENTS, renderRules, tool } from './prometheus-rules.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tests = path.join(root, 'monitoring');
// The tests' own names, so that they read the same in every repository made from the template.
const TEST_NAMES = {
  release: 'service',
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

function check(env) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `rules-${env}-`));
  try {
    const rules = renderRules(env, TEST_NAMES);
    fs.writeFileSync(path.join(work, `rules-${env}.yaml`), rules);
    // The test files name their rules file `rules-<env>.yaml`, next to them.
    const testFiles = fs.readdirSync(tests).filter(file => file.endsWith(`-${env}.test.yaml`));
    if (!testFiles.length) throw new Error(`no monitoring/*-${env}.test.yaml`);
    for (const file of testFiles) fs.copyFileSync(path.join(tests, file), path.join(work, file));
    const gaps = untested(rules, testFiles.map(file => path.join(work, file)));
    if (gaps.length) throw new Error(`${env}: ${gaps.join('; ')}`);
    process.stdout.write(tool('promtool', ['check', 'rules', '--lint-fatal', path.join(work, `rules-${env}.yaml`)], PROMTOOL));
    process.stdout.write(tool('promtool', ['test', 'rules', ...testFiles.map(file => path.join(work, file))], PROMTOOL));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    for (const env of ENVIRONMENTS) check(env);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
