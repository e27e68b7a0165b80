// The Promote workflow of a generated repository (short-dev: dev, then prod), run as GitHub runs it: its own
// `run:` blocks, read from .github/workflows/promote.yaml, in bash with the real scripts, against a local git
// remote, a recorded cosign, a stand-in gh, and real Prometheus servers loaded with the chart's rules for dev and
// fed histories in which the alerts really fire or stay silent.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { renderedVariants, type Variant } from './support/backstage/rendered';
import { deliveryStatements, digestOf, GITHUB_ISSUER, type Recordings } from './support/promote/cosign';
import { burnedWithinTheHour, healthy, noReadyPods, type Target } from './support/promote/histories';
import { startPrometheus, type RunningPrometheus } from './support/promote/prometheus';
import { promoteOrigin, type PromoteOrigin, type PromoteRun } from './support/promote/promote-origin';
import { loadWorkflow, steps, type Step } from './support/workflows/workflows';

const WORKFLOW = '.github/workflows/promote.yaml';
const TARGET_STEP = { job: 'target', name: 'The target is an environment that follows another' };
const APPROVE_STEP = { job: 'approve', name: 'Approved' };
const PROMOTE_STEP = { job: 'promote', name: 'Verify, check health, open or update the pull request' };
const REPOSITORY = 'acme/ab';
const IDENTITY = `https://github.com/${REPOSITORY}/.github/workflows/delivery.yaml@refs/heads/main`;

interface Environment {
  name: string;
  namespace: string;
  valuesFile: string;
}

interface Scripts {
  setImage: (text: string, image: { digest: string; tag: string }) => string;
  loadEnvironments: (root: string) => Environment[];
}

async function scriptsOf(repo: string): Promise<Scripts> {
  const load = async (file: string) => (await import(pathToFileURL(path.join(repo, 'scripts', file)).href)) as unknown;
  return { ...((await load('set-image.mjs')) as Scripts), ...((await load('environments.mjs')) as Scripts) };
}

function stepOf(repo: string, { job, name }: { job: string; name: string }): Step {
  const found = steps(loadWorkflow(repo, WORKFLOW)).find(s => s.job === job && s.step.name === name);
  assert.ok(found?.step.run, `${WORKFLOW}: job ${job} has no run step "${name}"`);
  return found.step;
}

const prometheus: Partial<Record<'healthy' | 'firing' | 'burning', RunningPrometheus>> = {};
// Everything the file writes (origins, clones, Prometheus' data), removed after its tests.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'promote-test-'));
let scripts: Scripts;
let repo: Variant;
let dev: Environment;
let prod: Environment;

before(async () => {
  const found = (await renderedVariants()).find(v => v.id === 'short-dev');
  assert.ok(found);
  repo = found;
  scripts = await scriptsOf(repo.dir);
  [dev, prod] = scripts.loadEnvironments(repo.dir);
  // The rules Prometheus loads: dev's, once it runs an image, printed by the repository's own script as for a
  // Prometheus without the Operator.
  const rulesRun = seeded('').origin.run('node scripts/prometheus-rules.mjs "$ENVIRONMENT"', {
    ENVIRONMENT: dev.name,
  });
  assert.equal(rulesRun.status, 0, rulesRun.output);
  const rules = rulesRun.stdout;
  const noReadyPodsRule = (parse(rules) as { groups: { rules: { alert?: string; labels?: object }[] }[] }).groups
    .flatMap(g => g.rules)
    .find(r => r.alert === 'NoReadyPods');
  assert.ok(noReadyPodsRule?.labels, 'dev has a NoReadyPods alert');
  // Argo CD's release is the Application's name, <app>-<env>; the Service (the `job` label) is named after it.
  const target: Target = { namespace: dev.namespace, job: `${repo.app_name}-${dev.name}` };
  const alertLabels = { ...(noReadyPodsRule.labels as Record<string, string>), namespace: target.namespace };
  const started = await Promise.allSettled([
    startPrometheus(path.join(tmp, 'healthy'), rules, healthy(target)),
    startPrometheus(path.join(tmp, 'firing'), rules, noReadyPods(target, { ...alertLabels, deployment: target.job })),
    startPrometheus(path.join(tmp, 'burning'), rules, burnedWithinTheHour(target)),
  ]);
  // Every server that started is stopped after the tests, even when another one failed to start.
  (['healthy', 'firing', 'burning'] as const).forEach((state, i) => {
    const result = started[i];
    if (result.status === 'fulfilled') prometheus[state] = result.value;
  });
  const failed = started.find(s => s.status === 'rejected');
  if (failed) throw failed.reason;
});

after(async () => {
  await Promise.all(Object.values(prometheus).map(p => p.stop()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

const HOUR = 3600;

interface Seeded {
  origin: PromoteOrigin;
  /** Source commits c1, c2 and the images built from them, delivered to dev in that order; prod runs c1's. */
  commits: string[];
  /** Delivers COMMIT's image to dev, AGO seconds ago (two hours by default). */
  deliver: (commit: string, ago?: number) => string;
  source: (message: string, ago?: number) => string;
  /** The recordings of a properly signed, attested image of COMMIT. */
  signed: (commit: string) => Recordings;
}

/** A repository where dev runs the image of c2 and prod the one of c1, dev watched by PROMETHEUS ("" for none). */
function seeded(prometheusUrl: string): Seeded {
  const origin = promoteOrigin(repo.dir, REPOSITORY, tmp);
  const image = (
    parse(fs.readFileSync(path.join(repo.dir, path.dirname(dev.valuesFile), 'values.yaml'), 'utf8')) as {
      image: { repository: string };
    }
  ).image.repository;
  const setImage = (env: Environment, commit: string) => (work: string) => {
    const file = path.join(work, env.valuesFile);
    fs.writeFileSync(
      file,
      scripts.setImage(fs.readFileSync(file, 'utf8'), { digest: digestOf(commit), tag: `sha-${commit}` }),
    );
  };
  // Hours ago by default: dev has run what it runs for longer than its soak time.
  const source = (message: string, ago = 3 * HOUR) =>
    origin.push(
      message,
      work => {
        fs.appendFileSync(path.join(work, 'README.md'), `\n${message}\n`);
      },
      ago,
    );
  const deliver = (commit: string, ago = 2 * HOUR) =>
    origin.push(`Deploy sha-${commit} to ${dev.name}`, setImage(dev, commit), ago);
  const signed = (commit: string): Recordings => ({
    [`${image}@${digestOf(commit)}`]: {
      signer: { subject: IDENTITY, issuer: GITHUB_ISSUER },
      attestations: deliveryStatements(image, digestOf(commit), commit, IDENTITY),
    },
  });

  const c1 = source('Add the orders endpoint', 6 * HOUR);
  deliver(c1, 6 * HOUR);
  origin.push(`Promote sha-${c1} to ${prod.name}`, setImage(prod, c1), 5 * HOUR);
  const c2 = source('Answer unknown routes with the error shape');
  deliver(c2);
  if (prometheusUrl) {
    origin.push(`${dev.name} is watched by Prometheus`, work => {
      const file = path.join(work, 'environments.yaml');
      // dev is the first entry: its prometheus is the first one.
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('prometheus: ""', `prometheus: "${prometheusUrl}"`));
    });
  }
  origin.cosign.record({ ...signed(c1), ...signed(c2) });
  return { origin, commits: [c1, c2], deliver, source, signed };
}

/**
 * The workflow for ENVIRONMENT (and DIGEST), job after job as `needs:` orders them: the target's check, the
 * approval in the target's GitHub environment (its reviewers are GitHub's), then the promotion.
 */
function promote(
  origin: PromoteOrigin,
  environment: string,
  { digest = '', race }: { digest?: string; race?: Parameters<PromoteOrigin['run']>[2] } = {},
): PromoteRun {
  const jobs: { step: Step; env: Record<string, string> }[] = [
    { step: stepOf(repo.dir, TARGET_STEP), env: { ENVIRONMENT: environment } },
    { step: stepOf(repo.dir, APPROVE_STEP), env: { ENVIRONMENT: environment } },
    {
      step: stepOf(repo.dir, PROMOTE_STEP),
      env: { ENVIRONMENT: environment, DIGEST: digest, SIGNING: '', GH_TOKEN: 'app-installation-token' },
    },
  ];
  let run: PromoteRun | undefined;
  for (const [i, { step, env }] of jobs.entries()) {
    // The test gives each step exactly the variables the workflow gives it.
    assert.deepEqual(Object.keys(step.env ?? {}).sort(), Object.keys(env).sort());
    run = origin.run(step.run ?? '', env, i === jobs.length - 1 ? race : undefined);
    if (run.status !== 0) break;
  }
  assert.ok(run);
  return run;
}

/**
 * What the promotion branch holds against main: the files it changes, its commits, and whether ENV's values file
 * is main's with only digest and tag set to IMAGE (set-image.mjs's own edit).
 */
function branchOf(origin: PromoteOrigin, env: Environment, image?: { digest: string; tag: string }) {
  const branch = `promote/${env.name}`;
  const base = origin.git('merge-base', 'main', branch);
  const onBranch = origin.git('show', `${branch}:${env.valuesFile}`);
  return {
    files: origin.git('diff', '--name-only', `${base}..${branch}`).split('\n').filter(Boolean),
    commits: origin.git('rev-list', '--count', `${base}..${branch}`),
    changed: origin
      .git('diff', '--unified=0', `${base}..${branch}`)
      .split('\n')
      .filter(l => /^[-+] /.test(l)).length,
    exact: image ? onBranch === scripts.setImage(origin.git('show', `${base}:${env.valuesFile}`), image) : undefined,
  };
}

const branches = (origin: PromoteOrigin) => origin.git('branch', '--list', 'promote/*').trim();

function assertRefused(run: PromoteRun, origin: PromoteOrigin, ...reasons: (RegExp | string)[]) {
  assert.notEqual(run.status, 0, run.output);
  assert.match(run.output, /::error title=Promotion refused::/);
  for (const reason of reasons) {
    if (typeof reason === 'string') assert.ok(run.output.includes(reason), `says "${reason}":\n${run.output}`);
    else assert.match(run.output, reason);
  }
  assert.deepEqual(run.gh, [], 'nothing reaches GitHub');
  assert.equal(branches(origin), '', 'no branch pushed');
  assert.deepEqual(origin.pulls(), []);
}

describe('a verified digest', () => {
  test('is promoted: one pull request changing only the target digest and tag, with evidence and health', () => {
    const url = prometheus.healthy?.url ?? '';
    const { origin, commits } = seeded(url);
    const [c1, c2] = commits;
    const mainBefore = origin.git('rev-parse', 'main');
    const run = promote(origin, prod.name);
    assert.equal(run.status, 0, run.output);

    assert.deepEqual(branchOf(origin, prod, { digest: digestOf(c2), tag: `sha-${c2}` }), {
      files: [prod.valuesFile],
      commits: '1',
      changed: 4,
      exact: true,
    });
    assert.notEqual(digestOf(c1), digestOf(c2));
    assert.equal(origin.git('rev-parse', 'main'), mainBefore, 'main is not written');

    const [pull] = origin.pulls();
    assert.equal(origin.pulls().length, 1);
    assert.equal(pull.head, `promote/${prod.name}`);
    assert.equal(pull.title, `Promote sha-${c2} to ${prod.name}`);
    for (const expected of [
      `certificate subject \`${IDENTITY}\``,
      `builder ${IDENTITY}, source commit ${c2}`,
      'SPDX-2.3 document',
      '3 packages',
      'CRITICAL 0 (0 fixable), HIGH 1 (0 fixable)',
      'Soak: dev has run it for 2h (on main since ',
      `Prometheus \`${url}\`, soak 1h`,
      'Page-level alerts firing: none (looked for: NoReadyPods, HighErrorRate',
      'availability objective',
      'Answer unknown routes with the error shape',
    ]) {
      assert.ok(pull.body.includes(expected), `the body says ${expected}:\n${pull.body}`);
    }
    assert.match(
      pull.body,
      /availability objective [\d.]+: error budget burn over 1h 0\.\d+x \(fast-burn threshold 14\.4x\)/,
    );
    // cosign was asked about the digest dev runs, against this repository's Delivery identity.
    const verify = origin.cosign.calls().find(args => args[0] === 'verify') ?? [];
    assert.ok(verify.includes(IDENTITY) && verify.includes(GITHUB_ISSUER), verify.join(' '));
    assert.ok(verify.at(-1)?.endsWith(`@${digestOf(c2)}`), verify.join(' '));
  });

  test('when no Prometheus watches the previous environment, the pull request says it was not checked', () => {
    const { origin } = seeded('');
    const run = promote(origin, prod.name);
    assert.equal(run.status, 0, run.output);
    const [pull] = origin.pulls();
    assert.match(pull.body, /\*\*Not checked\*\*: dev has no `prometheus` address in `environments.yaml`/);
  });

  test('a second run updates the same pull request', () => {
    const { origin, deliver, source, signed } = seeded('');
    assert.equal(promote(origin, prod.name).status, 0);
    const c3 = source('Log the request id', 2 * HOUR);
    deliver(c3, HOUR + 60);
    origin.cosign.record(signed(c3));
    const second = promote(origin, prod.name);
    assert.equal(second.status, 0, second.output);
    assert.deepEqual(
      second.gh.map(args => args.slice(0, 2).join(' ')),
      ['pr list', 'pr edit'],
    );
    assert.equal(origin.pulls().length, 1);
    assert.equal(origin.pulls()[0].title, `Promote sha-${c3} to ${prod.name}`);
    assert.deepEqual(branchOf(origin, prod, { digest: digestOf(c3), tag: `sha-${c3}` }), {
      files: [prod.valuesFile],
      commits: '1',
      changed: 4,
      exact: true,
    });
  });

  test('rolls back to an older digest Delivery signed; one it never delivered is refused', () => {
    const { origin, commits, signed } = seeded('');
    const [c1, c2] = commits;
    origin.push(`Promote sha-${c2} to ${prod.name}`, work => {
      const file = path.join(work, prod.valuesFile);
      fs.writeFileSync(
        file,
        scripts.setImage(fs.readFileSync(file, 'utf8'), { digest: digestOf(c2), tag: `sha-${c2}` }),
      );
    });
    const run = promote(origin, prod.name, { digest: digestOf(c1) });
    assert.equal(run.status, 0, run.output);
    const [pull] = origin.pulls();
    assert.equal(pull.title, `Roll ${prod.name} back to sha-${c1}`);
    assert.match(
      pull.body,
      /Taken back out of prod:\n\n(- .*\n)*- [0-9a-f]{12} Answer unknown routes with the error shape/,
    );
    assert.equal(branchOf(origin, prod, { digest: digestOf(c1), tag: `sha-${c1}` }).exact, true);

    // Signed by this repository's identity, yet never written to dev by Delivery: not this repository's build.
    const elsewhere = 'f'.repeat(40);
    origin.cosign.record(signed(elsewhere));
    const stranger = promote(origin, prod.name, { digest: digestOf(elsewhere) });
    assert.notEqual(stranger.status, 0);
    assert.match(stranger.output, new RegExp(`${digestOf(elsewhere)} was never delivered to dev`));
    assert.deepEqual(stranger.gh, []);
  });

  test('a delivery to dev while the promotion runs: both land, neither loses the other', () => {
    const { origin, commits } = seeded('');
    const [, c2] = commits;
    const c3 = 'c'.repeat(40);
    const run = promote(origin, prod.name, {
      race: {
        message: `Deploy sha-${c3} to ${dev.name}`,
        edit: work => {
          const file = path.join(work, dev.valuesFile);
          fs.writeFileSync(
            file,
            scripts.setImage(fs.readFileSync(file, 'utf8'), { digest: digestOf(c3), tag: `sha-${c3}` }),
          );
        },
      },
    });
    assert.equal(run.status, 0, run.output);
    assert.equal(
      origin.git('log', '-1', '--format=%s', 'main'),
      `Deploy sha-${c3} to ${dev.name}`,
      'the delivery is on main',
    );
    // The promotion carries the digest dev ran when it began, on the main it started from.
    assert.deepEqual(branchOf(origin, prod, { digest: digestOf(c2), tag: `sha-${c2}` }), {
      files: [prod.valuesFile],
      commits: '1',
      changed: 4,
      exact: true,
    });
    // Merging the pull request keeps the delivery.
    const merged = promoteOrigin(origin.dir, REPOSITORY, tmp).run(
      [
        'git fetch --quiet origin promote/prod',
        'git -c user.name=Reviewer -c user.email=reviewer@example.com merge --quiet --no-edit FETCH_HEAD',
        'cat "$DEV"',
        'echo "--- 8< ---"',
        'cat "$PROD"',
      ].join('\n'),
      { DEV: dev.valuesFile, PROD: prod.valuesFile },
    );
    assert.equal(merged.status, 0, merged.output);
    const digests = merged.stdout
      .split('--- 8< ---')
      .map(text => (parse(text) as { image: { digest: string } }).image.digest);
    assert.deepEqual(digests, [digestOf(c3), digestOf(c2)]);
  });
});

test("the Promote scripts' own unit tests pass in the generated repository, as its CI runs them", () => {
  // CI runs every scripts/*.test.mjs after npm ci; these are Promote's.
  const run = promoteOrigin(repo.dir, REPOSITORY, tmp).run('node --test scripts/promote*.test.mjs', {});
  assert.equal(run.status, 0, run.output);
  assert.match(run.output, /# fail 0|ℹ fail 0/);
});

describe('refused before anything is written', () => {
  const refuse =
    (recordings: (s: Seeded) => Recordings, ...reasons: string[]) =>
    () => {
      const s = seeded('');
      s.origin.cosign.record(recordings(s));
      assertRefused(promote(s.origin, prod.name), s.origin, ...reasons);
    };
  const image = () =>
    (
      parse(fs.readFileSync(path.join(repo.dir, path.dirname(dev.valuesFile), 'values.yaml'), 'utf8')) as {
        image: { repository: string };
      }
    ).image.repository;

  test(
    'an unsigned digest',
    refuse(
      ({ commits: [, c2] }) => ({ [`${image()}@${digestOf(c2)}`]: { attestations: {} } }),
      `does not verify (keyless, identity ${IDENTITY}, issuer ${GITHUB_ISSUER}): no signatures found`,
    ),
  );

  test(
    'a digest signed by another identity',
    refuse(({ commits: [, c2], signed }) => {
      const other = 'https://github.com/someone/fork/.github/workflows/delivery.yaml@refs/heads/main';
      const [[reference, recording]] = Object.entries(signed(c2));
      return { [reference]: { ...recording, signer: { subject: other, issuer: GITHUB_ISSUER } } };
    }, 'none of the expected identities matched what was in the certificate, got subjects [https://github.com/someone/fork/'),
  );

  test(
    'an unscanned digest (no vulnerability attestation)',
    refuse(
      ({ commits: [, c2], signed }) => {
        const [[reference, recording]] = Object.entries(signed(c2));
        const { vuln: _scan, ...rest } = recording.attestations;
        return { [reference]: { ...recording, attestations: rest } };
      },
      'no verified vulnerability scan (vuln) for ',
      'none of the attestations matched the predicate type: https://cosign.sigstore.dev/attestation/vuln/v1',
    ),
  );

  test('a digest the previous environment has run for less than its soak time', () => {
    const { origin, deliver, source, signed } = seeded('');
    const c3 = source('Log the request id', HOUR);
    deliver(c3, 20 * 60);
    origin.cosign.record(signed(c3));
    assertRefused(
      promote(origin, prod.name),
      origin,
      new RegExp(`dev has run sha-${c3} for 20m \\(on main since \\S+\\), less than its soak time 1h`),
    );
  });

  test('a page-level alert firing in the previous environment', async () => {
    const firing = prometheus.firing;
    assert.ok(firing);
    assert.equal((await firing.query('ALERTS{alertname="NoReadyPods", alertstate="firing"}')).length, 1, firing.log());
    const { origin } = seeded(firing.url);
    assertRefused(promote(origin, prod.name), origin, /page-level alerts firing in dev: NoReadyPods/);
  });

  test('a fast error-budget burn over the soak time, though no alert fires now', async () => {
    const burning = prometheus.burning;
    assert.ok(burning);
    // Only the slow burn's ticket is raised: the short windows of the fast burn and of HighErrorRate are clean.
    const firing = await burning.query('ALERTS{alertstate="firing"}');
    assert.deepEqual(
      firing.map(({ metric }) => `${metric.alertname} ${metric.burn}`),
      ['DetailsErrorBudgetBurn slow'],
    );
    const { origin } = seeded(burning.url);
    assertRefused(
      promote(origin, prod.name),
      origin,
      /the availability error budget burned [\d.]+x over 1h in dev, at or over the fast-burn threshold 14\.4x/,
    );
  });

  test('an unknown environment, or the first one, as the target', () => {
    const { origin } = seeded('');
    for (const [name, reason] of [
      ['staging', /unknown environment staging; known: dev, prod/],
      ['dev', /dev is the first environment/],
    ] as const) {
      const run = promote(origin, name);
      assert.notEqual(run.status, 0);
      assert.match(run.output, reason);
      assert.deepEqual(run.gh, []);
      // The script refuses them too, should it run without the workflow's first job.
      const direct = origin.run(stepOf(repo.dir, PROMOTE_STEP).run ?? '', {
        ENVIRONMENT: name,
        DIGEST: '',
        SIGNING: '',
        GH_TOKEN: 'app-installation-token',
      });
      assert.match(direct.output, /::error title=Promotion refused::/);
      assert.match(direct.output, reason);
    }
    assert.equal(branches(origin), '');
  });
});
