#!/usr/bin/env node
// Promote: moves an image digest to an environment of environments.yaml through a pull request, after gates
// that can refuse. Run by .github/workflows/promote.yaml in a clone of main (full history):
//
//   node scripts/promote.mjs --environment <target> [--digest sha256:<64 hex>]
//
// 1. What: the digest the environment before the target runs (its values file on main), or --digest (a rollback
//    or an explicit choice), which must be one Delivery wrote to the first environment (its values file's history
//    gives the human-readable tag beside it).
// 2. Evidence: cosign verifies the digest's signature and its provenance, SBOM and scan attestations against
//    this repository's Delivery workflow (or cosign.pub when the repository variable SIGNING is `key`).
// 3. Soak and health: the previous environment must have run the digest for its `soak` time (on main since the
//    commit that gave it the digest; an explicit digest, a rollback, is exempt), and its Prometheus, if it has
//    one, must show it healthy over that time (promote-health.mjs).
// 4. Only then the write: branch promote/<target>, one commit changing the target's digest and tag, one pull
//    request (opened, or updated on the next run) whose body lists the evidence.
// Environment: GITHUB_REPOSITORY, GITHUB_SERVER_URL (the signer's identity), SIGNING, GH_TOKEN (push and gh).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { find, loadEnvironments, previousOf } from './environments.mjs';
import { verifier, verifyEvidence } from './promote-evidence.mjs';
import { checkHealth, PAGE_MARKER } from './promote-health.mjs';
import {
  branchOf,
  commitsBetween,
  duration,
  git,
  openOrUpdatePullRequest,
  pullRequestBody,
  pushPromotion,
} from './promote-pull-request.mjs';
import { renderRules } from './prometheus-rules.mjs';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** A promotion that a gate refused: its reason is the workflow's error. */
export class Refused extends Error {}

const readYaml = (root, file) => parse(fs.readFileSync(path.join(root, file), 'utf8')) ?? {};

/** `image` of ENV's values file: `{ digest, tag }`, empty strings when unset. */
function imageOf(root, env) {
  const { image = {} } = readYaml(root, env.valuesFile);
  return { digest: image.digest ?? '', tag: image.tag ?? '' };
}

/** The image repository ENV deploys: values.yaml's, unless ENV's values file sets its own. */
function repositoryOf(root, env) {
  const chartValues = path.join(path.dirname(env.valuesFile), 'values.yaml');
  const repository = readYaml(root, env.valuesFile).image?.repository ?? readYaml(root, chartValues).image?.repository;
  if (!repository) throw new Error(`no image.repository in ${chartValues}`);
  return repository;
}

/** The tag Delivery wrote beside DIGEST into FIRST's values file, from that file's history on main. */
function deliveredTag(root, first, digest) {
  const commits = git(root, 'log', '--format=%H', `-G${digest.slice('sha256:'.length)}`, '--', first.valuesFile);
  for (const commit of commits.split('\n').filter(Boolean)) {
    const { image = {} } = parse(git(root, 'show', `${commit}:${first.valuesFile}`)) ?? {};
    if (image.digest === digest && image.tag) return image.tag;
  }
  throw new Refused(
    `${digest} was never delivered to ${first.name}: it is not in the history of ${first.valuesFile} on main, ` +
      "so it is not an image this repository's Delivery built",
  );
}

/** When ENV's values file got DIGEST on main: the newest commit adding or removing its line, since it holds it. */
function onMainSince(root, env, digest) {
  const newest = git(root, 'log', '-1', '--format=%ct', `-G${digest.slice('sha256:'.length)}`, '--', env.valuesFile);
  if (!newest) throw new Error(`${env.valuesFile} holds ${digest}, yet no commit on main wrote it`);
  return Number(newest);
}

/** The target and the environment it is promoted from; throws Refused for an unknown or the first one. */
export function route(envs, name) {
  let target;
  try {
    target = find(envs, name);
  } catch (error) {
    throw new Refused(error.message);
  }
  let previous;
  try {
    previous = previousOf(envs, name);
  } catch {
    previous = undefined;
  }
  if (!previous) {
    throw new Refused(
      `${name} is the first environment: Delivery deploys each push to main there, nothing is promoted into it. ` +
        `Promote to one of: ${envs
          .slice(1)
          .map(e => e.name)
          .join(', ')}`,
    );
  }
  return { target, previous };
}

export async function promote({ root, environment, digest: requested = '', env = process.env, log = console.log }) {
  const envs = loadEnvironments(root);
  const { target, previous } = route(envs, environment);

  let digest;
  let tag;
  const running = imageOf(root, previous);
  // An explicit digest other than the one the previous environment runs: a rollback, or a skip back.
  const explicit = requested !== '' && requested !== running.digest;
  if (explicit) {
    if (!DIGEST.test(requested)) throw new Refused(`digest must be sha256:<64 hex digits>, got "${requested}"`);
    digest = requested;
    tag = deliveredTag(root, envs[0], digest);
  } else {
    ({ digest, tag } = running);
    if (!digest) throw new Refused(`${previous.name} runs no digest yet (${previous.valuesFile}): nothing to promote`);
  }
  const current = imageOf(root, target);
  log(`promote ${tag} (${digest}) to ${target.name}; ${target.name} runs ${current.tag || 'no image'} now`);
  if (current.digest === digest) {
    log(`${target.name} already runs ${digest} on main: nothing to promote`);
    return { action: 'none' };
  }

  let soak = { applied: false };
  if (!explicit) {
    const since = onMainSince(root, previous, digest);
    soak = { applied: true, since, ran: Math.max(0, Math.floor(Date.now() / 1000) - since) };
    log(`soak: ${previous.name} has run ${tag} for ${duration(soak.ran)}, its soak time is ${previous.soak}`);
    if (soak.ran < previous.soakSeconds) {
      throw new Refused(
        `${previous.name} has run ${tag} for ${duration(soak.ran)} (on main since ` +
          `${new Date(since * 1000).toISOString()}), less than its soak time ${previous.soak}`,
      );
    }
  }

  const image = repositoryOf(root, target);
  const v = verifier({ signing: env.SIGNING, server: env.GITHUB_SERVER_URL, repository: env.GITHUB_REPOSITORY });
  log(`evidence: verifying ${image}@${digest} (${v.describe})`);
  const verified = verifyEvidence({ image, digest, verifier: v });
  if (!verified.ok) throw new Refused(verified.reason);
  for (const [type, { text }] of Object.entries(verified.evidence.attestations)) log(`evidence: ${type}: ${text}`);

  let health = { checked: false };
  if (previous.prometheus) {
    log(`health: asking ${previous.prometheus} about ${previous.name} over the soak time ${previous.soak}`);
    // As the environment runs the image (the chart renders alerts only for a delivered environment), with the
    // page-level severity marked.
    const set = [`alerts.criticalSeverity=${PAGE_MARKER}`, `image.digest=${digest}`, `image.tag=${tag}`];
    const groups = parse(renderRules(previous.name, { set })).groups;
    health = await checkHealth(previous, groups);
    for (const b of health.burns) log(`health: ${b.slo} burn ${b.burn ?? 'not measured'} (threshold ${b.factor})`);
    if (health.unloaded.length) log(`health: alert groups not loaded there: ${health.unloaded.join(', ')}`);
    log(`health: page-level alerts firing: ${health.firing.join(', ') || 'none'}`);
    if (!health.ok) throw new Refused(health.reasons.join('; '));
  } else {
    log(`health: not checked, ${previous.name} has no prometheus address in environments.yaml`);
  }

  const history = commitsBetween(root, current.tag, tag);
  const title =
    explicit && history.direction === 'back'
      ? `Roll ${target.name} back to ${tag}`
      : `Promote ${tag} to ${target.name}`;
  const body = pullRequestBody({
    target,
    previous,
    image,
    digest,
    tag,
    current,
    evidence: verified.evidence,
    soak,
    health,
    history,
    rollback: explicit && history.direction === 'back',
  });
  const branch = pushPromotion({
    cwd: root,
    env: target.name,
    valuesFile: target.valuesFile,
    digest,
    tag,
    title,
    token: env.GH_TOKEN,
  });
  const pr = openOrUpdatePullRequest({ cwd: root, branch, title, body });
  log(`pull request ${pr.action}: ${pr.url} (branch ${branchOf(target.name)})`);
  return { action: pr.action, url: pr.url, title, body };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { environment: { type: 'string' }, digest: { type: 'string', default: '' } },
  });
  try {
    if (!values.environment)
      throw new Refused('usage: node scripts/promote.mjs --environment <target> [--digest sha256:...]');
    await promote({ root: process.cwd(), environment: values.environment, digest: values.digest });
  } catch (error) {
    const title = error instanceof Refused ? 'Promotion refused' : 'Promotion failed';
    console.log(`::error title=${title}::${error.message.replaceAll('\n', '%0A')}`);
    process.exitCode = 1;
  }
}
