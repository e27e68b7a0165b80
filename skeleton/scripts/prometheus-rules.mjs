#!/usr/bin/env node
// Prints the chart's Prometheus rules for an environment as a plain rules file, for a Prometheus without the
// Operator (its `rule_files`) and for promtool. The rules are rendered by helm from the chart exactly as the
// PrometheusRule carries them, with the values file, release and namespace Argo CD gives that environment, as
// delivered: the chart renders no rules for an environment without an image yet (Delivery or Promote sets it),
// and the rules do not depend on which image it is.
//
//   node scripts/prometheus-rules.mjs <environment of environments.yaml> > rules.yaml
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { appName, find, loadEnvironments } from './environments.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** A stand-in image tag, so that an environment not yet delivered renders the rules it will have. */
const DELIVERED = 'image.tag=rules';

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
 * The rule groups of ENV's PrometheusRule (turned on whatever the values file says, and rendered as delivered
 * whether or not the environment has an image yet), as YAML text. RELEASE, NAMESPACE and SET (helm --set values)
 * default to what Argo CD deploys: the Application `<name>-<env>` in the environment's namespace.
 */
export function renderRules(env, { release, namespace, set = [] } = {}) {
  const { name, namespace: envNamespace, valuesFile } = find(loadEnvironments(root), env);
  const chart = path.join('charts', appName(root));
  const settings = ['alerts.enabled=true', DELIVERED, ...set];
  const values = ['--values', valuesFile, ...settings.flatMap(value => ['--set', value])];
  const manifest = tool(
    'helm',
    [
      'template',
      release ?? `${appName(root)}-${name}`,
      chart,
      '--namespace',
      namespace ?? envNamespace,
      ...values,
      '--show-only',
      'templates/prometheusrule.yaml',
    ],
    'https://helm.sh/docs/intro/install/',
  );
  return stringify(parse(manifest).spec, { lineWidth: 0 });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const names = loadEnvironments(root).map(env => env.name);
    if (process.argv.length !== 3) throw new Error(`usage: node scripts/prometheus-rules.mjs <${names.join('|')}>`);
    process.stdout.write(renderRules(process.argv[2]));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
