#!/usr/bin/env node
// Prints the chart's Prometheus rules for an environment as a plain rules file, for a Prometheus without the
// Operator (its `rule_files`) and for promtool. The rules are rendered by helm from the chart exactly as the
// PrometheusRule carries them, with the release and namespace Argo CD gives that environment.
//
//   node scripts/prometheus-rules.mjs <dev|prod> > rules.yaml
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export const ENVIRONMENTS = ['dev', 'prod'];
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { name } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Runs a tool that must be installed, saying how to install it when it is not. */
export function tool(command, args, install) {
  try {
    return execFileSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if (error.code === 'ENOENT') throw new Error(`${command} is not installed: ${install}`, { cause: error });
    throw new Error(`${command} ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`, { cause: error });
  }
}

/**
 * The rule groups of ENV's PrometheusRule (turned on whatever the values file says), as YAML text. RELEASE
 * (also the namespace) and SET (helm --set values) default to what Argo CD deploys.
 */
export function renderRules(env, { release = `${name}-${env}`, set = [] } = {}) {
  if (!ENVIRONMENTS.includes(env)) throw new Error(`environment must be one of ${ENVIRONMENTS.join(', ')}, got "${env}"`);
  const chart = path.join('charts', name);
  const values = ['--values', path.join(chart, `values-${env}.yaml`), ...['alerts.enabled=true', ...set].flatMap(value => ['--set', value])];
  const manifest = tool(
    'helm',
    ['template', release, chart, '--namespace', release, ...values, '--show-only', 'templates/prometheusrule.yaml'],
    'https://helm.sh/docs/intro/install/',
  );
  return stringify(parse(manifest).spec, { lineWidth: 0 });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(renderRules(process.argv[2]));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
