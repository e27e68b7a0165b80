// The one thing Promote writes: a branch `promote/<env>` holding one commit on main's tip that changes the target
// environment's values file (image digest and tag, by set-image.mjs) and one pull request from it, whose body
// is the evidence. A second promotion to the same environment replaces the branch's commit and updates the
// same pull request. The branch is the workflow's own: it is rewritten on every run.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImage } from './set-image.mjs';

export const branchOf = env => `promote/${env}`;

function run(command, args, { cwd, env = process.env, input } = {}) {
  try {
    return execFileSync(command, args, { cwd, env, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    if (error.code === 'ENOENT') throw new Error(`${command} is not installed`, { cause: error });
    throw new Error(`${command} ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`, {
      cause: error,
    });
  }
}

export const git = (cwd, ...args) => run('git', args, { cwd });

/** The commit a `sha-<40 hex>` tag names, when this clone has it. */
export function commitOfTag(cwd, tag) {
  const sha = /^sha-([0-9a-f]{40})$/.exec(tag ?? '')?.[1];
  if (!sha) return undefined;
  try {
    git(cwd, 'cat-file', '-e', `${sha}^{commit}`);
    return sha;
  } catch {
    return undefined;
  }
}

/**
 * The commits a promotion from tag FROM (what the target runs) to tag TO brings, or takes away when TO is
 * older (a rollback): `{ direction: 'forward' | 'back' | 'unknown', commits: [{ sha, subject }] }`.
 */
export function commitsBetween(cwd, from, to) {
  const [a, b] = [commitOfTag(cwd, from), commitOfTag(cwd, to)];
  if (!a || !b) return { direction: 'unknown', commits: [] };
  const log = range =>
    // Delivery's and Promote's own commits (a values file's image, nothing else) are the path, not the changes.
    git(cwd, 'log', '--no-merges', '--format=%H %s', range, '--', '.', ':(exclude)charts/*/values-*.yaml')
      .split('\n')
      .filter(Boolean)
      .map(line => ({ sha: line.slice(0, 40), subject: line.slice(41) }));
  const isAncestor = (x, y) => {
    try {
      git(cwd, 'merge-base', '--is-ancestor', x, y);
      return true;
    } catch {
      return false;
    }
  };
  if (isAncestor(b, a) && a !== b) return { direction: 'back', commits: log(`${b}..${a}`) };
  return { direction: 'forward', commits: log(`${a}..${b}`) };
}

/**
 * Makes the branch's one commit on origin/main's tip and pushes it (force: the branch is the workflow's).
 * TOKEN, when given, authenticates the push through git's environment, never written to .git/config.
 */
export function pushPromotion({ cwd, env, valuesFile, digest, tag, title, token }) {
  const branch = branchOf(env);
  git(cwd, 'fetch', '--quiet', 'origin', 'main');
  git(cwd, 'checkout', '--quiet', '-B', branch, 'FETCH_HEAD');
  const file = path.join(cwd, valuesFile);
  const before = fs.readFileSync(file, 'utf8');
  const after = setImage(before, { digest, tag });
  if (after === before) throw new Error(`${valuesFile} on main already holds ${digest}`);
  fs.writeFileSync(file, after);
  git(cwd, 'add', '--', valuesFile);
  git(cwd, 'commit', '--quiet', '--message', title);
  const auth = token
    ? {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.extraheader',
        GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
      }
    : {};
  run('git', ['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`], {
    cwd,
    env: { ...process.env, ...auth },
  });
  return branch;
}

/** Opens the pull request from BRANCH, or updates the one already open; returns `{ action, url }`. */
export function openOrUpdatePullRequest({ cwd, branch, title, body }) {
  const dir = fs.mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'promote-'));
  try {
    const bodyFile = path.join(dir, 'body.md');
    fs.writeFileSync(bodyFile, body);
    const gh = (...args) => run('gh', args, { cwd });
    const number = gh(
      'pr',
      'list',
      '--head',
      branch,
      '--base',
      'main',
      '--state',
      'open',
      '--json',
      'number',
      '--jq',
      '.[0].number',
    );
    if (number) {
      const url = gh('pr', 'edit', number, '--title', title, '--body-file', bodyFile);
      return { action: 'updated', url };
    }
    const url = gh('pr', 'create', '--head', branch, '--base', 'main', '--title', title, '--body-file', bodyFile);
    return { action: 'opened', url };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** SECONDS as `2d 3h`, `1h 5m` or `12m`. */
export function duration(seconds) {
  const parts = [
    [Math.floor(seconds / 86400), 'd'],
    [Math.floor((seconds % 86400) / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
  ].filter(([n]) => n > 0);
  return parts.length ? parts.map(([n, unit]) => `${n}${unit}`).join(' ') : '0m';
}

const short = sha => sha.slice(0, 12);
const code = text => `\`${text}\``;

/** The pull request's body: what moves where, the evidence, the health figures and the commits. */
export function pullRequestBody(p) {
  const { target, previous, image, digest, tag, current, evidence, soak, health, history, rollback } = p;
  const running = current.digest ? `${code(current.tag || '(no tag)')} ${code(current.digest)}` : 'no digest yet';
  const lines = [];
  lines.push(
    rollback
      ? `Rolls **${target.name}** back to ${code(tag)}.`
      : `Promotes ${code(tag)}, which **${previous.name}** runs, to **${target.name}**.`,
    '',
    `| | |`,
    `|---|---|`,
    `| Image | ${code(`${image}@${digest}`)} |`,
    `| ${target.name} runs now | ${running} |`,
    `| Changes | ${code(target.valuesFile)}: ${code('image.digest')} and ${code('image.tag')}, nothing else |`,
  );
  if (target.protected) {
    lines.push(
      '',
      `${target.name} is protected: merging needs a review by the code owners of ${code(target.valuesFile)}.`,
    );
  }
  lines.push('', '## Evidence (verified by cosign before this pull request was written)', '');
  const signature = evidence.signatures[0];
  lines.push(
    `- **Signature**: ${evidence.verifier}; certificate subject ${code(signature.subject || '(key)')}` +
      (signature.issuer ? `, issuer ${code(signature.issuer)}` : '') +
      (signature.logIndex !== undefined ? `, Rekor log index ${signature.logIndex}` : ''),
    `- **Provenance** (SLSA v1): ${evidence.attestations.slsaprovenance1.text}`,
    `- **SBOM**: ${evidence.attestations.spdxjson.text}`,
    `- **Vulnerability scan**: ${evidence.attestations.vuln.text}`,
  );
  lines.push('', `## Health of ${previous.name}`, '');
  lines.push(
    soak.applied
      ? `Soak: ${previous.name} has run it for ${duration(soak.ran)} (on main since ` +
          `${new Date(soak.since * 1000).toISOString()}); its soak time is ${previous.soak}.`
      : `Soak: not applied to an explicit digest other than the one ${previous.name} runs.`,
    '',
  );
  if (!health.checked) {
    lines.push(
      `**Not checked**: ${previous.name} has no ${code('prometheus')} address in ${code('environments.yaml')}, ` +
        'so no alert or error budget was looked at. Check its dashboards before merging.',
    );
  } else {
    const firing = health.firing.length ? health.firing.join(', ') : 'none';
    lines.push(
      `Prometheus ${code(previous.prometheus)}, soak ${previous.soak}:`,
      '',
      `- Page-level alerts firing: ${firing} (looked for: ${health.alerts.join(', ') || 'none loaded'})`,
      ...(health.unloaded.length
        ? [
            `- **Alerts not checked**: this Prometheus has not loaded ${health.unloaded.map(code).join(', ')} ` +
              `(is ${code('alerts.enabled')} on in ${previous.name}'s values?)`,
          ]
        : []),
      ...health.burns.map(
        b =>
          `- ${b.slo} objective ${b.objective}: error budget burn over ${previous.soak} ` +
          (b.burn === undefined ? 'not measured (no requests)' : `${b.burn}x`) +
          ` (fast-burn threshold ${b.factor}x)`,
      ),
    );
  }
  lines.push('', `## Commits`, '');
  if (history.direction === 'unknown') {
    lines.push(
      current.tag
        ? `The commits of ${code(current.tag)} and ${code(tag)} are not both in main's history.`
        : `${target.name} had no image yet: everything up to ${code(tag)} arrives.`,
    );
  } else if (history.commits.length === 0) {
    lines.push('None: the same commit.');
  } else {
    lines.push(history.direction === 'back' ? `Taken back out of ${target.name}:` : `Arriving in ${target.name}:`, '');
    lines.push(...history.commits.map(c => `- ${short(c.sha)} ${c.subject}`));
  }
  return `${lines.join('\n')}\n`;
}
