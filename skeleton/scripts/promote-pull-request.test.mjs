// Run by CI: node --test scripts/*.test.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { branchOf, commitsBetween, duration, pullRequestBody, pushPromotion } from './promote-pull-request.mjs';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const VALUES = 'charts/orders/values-prod.yaml';
const IDENTITY = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't' };

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'promote-pr-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function repository() {
  const dir = fs.mkdtempSync(path.join(scratch, 'repo-'));
  const env = { ...process.env, ...IDENTITY, GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1' };
  const git = (cwd, ...args) => execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: 'pipe' }).trim();
  const origin = path.join(dir, 'origin.git');
  const work = path.join(dir, 'work');
  git(dir, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
  git(dir, 'clone', '--quiet', origin, work);
  fs.mkdirSync(path.join(work, 'charts/orders'), { recursive: true });
  fs.writeFileSync(path.join(work, VALUES), 'environment: prod\nimage:\n  digest: ""\n  tag: ""\n');
  fs.writeFileSync(path.join(work, 'README.md'), '# orders\n');
  git(work, 'add', '.');
  git(work, 'commit', '--quiet', '-m', 'first');
  const commits = ['second', 'third', 'Deploy third'].map(message => {
    const file = message.startsWith('Deploy') ? VALUES : 'README.md';
    fs.appendFileSync(path.join(work, file), `# ${message}\n`);
    git(work, 'commit', '--quiet', '--all', '-m', message);
    return git(work, 'rev-parse', 'HEAD');
  });
  git(work, 'push', '--quiet', 'origin', 'HEAD:main');
  return { git, origin, work, commits, env };
}

test('commits between two sha- tags: forward, back (a rollback), unknown; values-only commits left out', () => {
  const { work, commits } = repository();
  const [second, third, deploy] = commits;
  assert.deepEqual(commitsBetween(work, `sha-${second}`, `sha-${deploy}`).commits, [{ sha: third, subject: 'third' }]);
  assert.deepEqual(commitsBetween(work, `sha-${second}`, `sha-${third}`), {
    direction: 'forward',
    commits: [{ sha: third, subject: 'third' }],
  });
  assert.deepEqual(commitsBetween(work, `sha-${third}`, `sha-${second}`), {
    direction: 'back',
    commits: [{ sha: third, subject: 'third' }],
  });
  assert.deepEqual(commitsBetween(work, '', `sha-${third}`), { direction: 'unknown', commits: [] });
  assert.deepEqual(commitsBetween(work, `sha-${'0'.repeat(40)}`, `sha-${third}`).direction, 'unknown');
});

test('the promotion branch is one commit on main changing only the values file', t => {
  const { git, origin, work, commits, env } = repository();
  const saved = { ...process.env };
  Object.assign(process.env, env);
  t.after(() => {
    process.env = saved;
  });
  const image = { digest: DIGEST, tag: `sha-${commits[1]}` };
  const branch = pushPromotion({ cwd: work, env: 'prod', valuesFile: VALUES, ...image, title: 'Promote' });
  assert.equal(branch, branchOf('prod'));
  assert.equal(git(origin, 'rev-list', '--count', 'main..promote/prod'), '1');
  assert.equal(git(origin, 'diff', '--name-only', 'main', 'promote/prod'), VALUES);
  assert.match(
    git(origin, 'show', `promote/prod:${VALUES}`),
    new RegExp(`digest: "?${DIGEST}"?\\n  tag: "?${image.tag}`),
  );
  // The same digest on main already: nothing to promote, nothing pushed.
  git(work, 'push', '--quiet', 'origin', 'promote/prod:main');
  assert.throws(
    () => pushPromotion({ cwd: work, env: 'prod', valuesFile: VALUES, ...image, title: 'Promote' }),
    /already holds sha256:abab/,
  );
});

const body = overrides =>
  pullRequestBody({
    target: { name: 'prod', valuesFile: VALUES, protected: true },
    previous: { name: 'dev', prometheus: '', soak: '1h' },
    image: 'docker.io/acme/orders',
    digest: DIGEST,
    tag: 'sha-new',
    current: { digest: '', tag: '' },
    evidence: {
      verifier: 'keyless, identity I, issuer O',
      signatures: [{ subject: 'I', issuer: 'O', logIndex: 7 }],
      attestations: { slsaprovenance1: { text: 'builder B' }, spdxjson: { text: 'S' }, vuln: { text: 'V' } },
    },
    soak: { applied: true, since: Date.parse('2026-12-06T10:00:00Z') / 1000, ran: 7500 },
    health: { checked: false },
    history: { direction: 'unknown', commits: [] },
    rollback: false,
    ...overrides,
  });

test('the body: what moves, the evidence, health (or that it was not checked) and the commits', () => {
  const text = body();
  for (const line of [
    'Promotes `sha-new`, which **dev** runs, to **prod**.',
    `| Image | \`docker.io/acme/orders@${DIGEST}\` |`,
    'prod is protected: merging needs a review by the code owners of',
    '- **Signature**: keyless, identity I, issuer O; certificate subject `I`, issuer `O`, Rekor log index 7',
    '- **Provenance** (SLSA v1): builder B',
    'Soak: dev has run it for 2h 5m (on main since 2026-12-06T10:00:00.000Z); its soak time is 1h.',
    '**Not checked**: dev has no `prometheus` address in `environments.yaml`',
    'prod had no image yet',
  ]) {
    assert.ok(text.includes(line), `${line}\n---\n${text}`);
  }
  const checked = body({
    previous: { name: 'dev', prometheus: 'http://prometheus:9090', soak: '1h' },
    soak: { applied: false },
    health: {
      checked: true,
      firing: [],
      alerts: ['NoReadyPods'],
      unloaded: ['orders-dev.slo-latency'],
      burns: [{ slo: 'availability', objective: 0.99, burn: 0.5, factor: 14.4 }],
    },
    rollback: true,
    history: { direction: 'back', commits: [{ sha: 'a'.repeat(40), subject: 'Add a thing' }] },
  });
  assert.ok(checked.startsWith('Rolls **prod** back to `sha-new`.'), checked);
  assert.ok(checked.includes('- Page-level alerts firing: none (looked for: NoReadyPods)'), checked);
  assert.ok(checked.includes('- **Alerts not checked**: this Prometheus has not loaded `orders-dev.slo-latency`'));
  assert.ok(checked.includes('Soak: not applied to an explicit digest other than the one dev runs.'), checked);
  assert.ok(
    checked.includes('- availability objective 0.99: error budget burn over 1h 0.5x (fast-burn threshold 14.4x)'),
  );
  assert.ok(checked.includes(`Taken back out of prod:\n\n- ${'a'.repeat(12)} Add a thing`), checked);
});

test('durations read as days, hours and minutes', () => {
  assert.deepEqual([0, 59, 60, 3600 + 300, 2 * 86400 + 3 * 3600].map(duration), ['0m', '0m', '1m', '1h 5m', '2d 3h']);
});
