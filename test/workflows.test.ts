// The GitHub Actions workflows: the generated repository's CI and delivery, in every rendered variant, and
// this template repository's own CI. Linted by actionlint and shellcheck, held to least privilege, and the
// delivery's tag update run for real on rendered repositories.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { repoRoot } from '../packages/tooling/src/template-repository';
import { actionlint } from './support/workflows/actionlint';
import { node24Bin } from './support/service/node24';
import { runCommitStep } from './support/workflows/delivery-commit';
import { listFiles, renderedVariants, type Variant } from './support/backstage/rendered';
import { shellcheck, shellcheckVersion } from './support/workflows/shellcheck';
import * as policy from './support/workflows/workflow-policy';
import { loadWorkflow, runBlocks, steps, workflowFiles, type Workflow } from './support/workflows/workflows';

const VARIANT_IDS = ['short-dev', 'short-prod', 'long-dev', 'long-prod'];
const TEMPLATE_REPO = 'the template repository';
const EXPECTED_FILES: Record<string, string[]> = {
  variant: ['.github/workflows/ci.yaml', '.github/workflows/delivery.yaml', '.github/workflows/template-upgrade.yaml'],
  [TEMPLATE_REPO]: ['.github/workflows/ci.yaml'],
};

let variants: Variant[];
before(async () => {
  variants = await renderedVariants();
});

const variant = (id: string) => variants.find(v => v.id === id)!;
const repoDir = (id: string) => (id === TEMPLATE_REPO ? repoRoot : variant(id).dir);
const workflows = (id: string) => workflowFiles(repoDir(id)).map(file => loadWorkflow(repoDir(id), file));

for (const id of [...VARIANT_IDS, TEMPLATE_REPO]) {
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
      const scripts = JSON.parse(fs.readFileSync(path.join(variant(id).dir, 'package.json'), 'utf8')).scripts ?? {};
      const used = runBlocks(ci()).flatMap(({ script }) =>
        [...script.matchAll(/\bnpm (?:run (?!--if-present)([\w:-]+)|(test|start)\b)/g)].map(m => m[1] ?? m[2]),
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
        .map(({ step }) => step.with?.['node-version-file'])
        .filter(Boolean);
      assert.ok(files.length > 0);
      for (const file of files) assert.ok(fs.existsSync(path.join(variant(id).dir, String(file))), String(file));
    });

    test("CI's test of the delivery scripts passes in the rendered repository, on Node 24", () => {
      const [block] = runBlocks(ci()).filter(b => b.step === 'Test the delivery scripts');
      const result = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', block.script], {
        cwd: variant(id).dir,
        // Without NODE_TEST_CONTEXT the child reports on its own instead of to this test runner.
        env: { ...process.env, NODE_TEST_CONTEXT: undefined, PATH: `${node24Bin}${path.delimiter}${process.env.PATH}` },
        encoding: 'utf8',
      });
      assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
      assert.match(result.stdout, /# pass [1-9]|ℹ pass [1-9]/);
      assert.match(result.stdout, /# fail 0|ℹ fail 0/);
    });

    test("CI lints and renders the chart with each environment's values file, and those files exist", () => {
      const chart = ci().jobs.chart;
      assert.deepEqual((chart as any).strategy.matrix.environment, ['dev', 'prod']);
      for (const env of ['dev', 'prod']) {
        assert.ok(fs.existsSync(path.join(variant(id).dir, `charts/${variant(id).app_name}/values-${env}.yaml`)), env);
      }
    });

    test("delivery runs on main for service changes, one at a time, and updates this environment's values", () => {
      const { on, concurrency, env } = delivery();
      assert.deepEqual(on.push.branches, ['main']);
      for (const p of ['src/**', 'package.json', 'package-lock.json', 'Dockerfile'])
        assert.ok(on.push.paths.includes(p), p);
      assert.equal(concurrency['cancel-in-progress'], false);
      assert.equal(env!.VALUES_FILE, valuesFile());
      assert.equal(env!.IMAGE, variant(id).values.image_repository);
      assert.equal(env!.IMAGE_TAG, 'sha-${{ github.sha }}');
      assert.match(delivery().text, /GITHUB_TOKEN does not start workflow runs[\s\S]*no loop/);
    });

    test('the tag script, run as delivery runs it on a copy of the repository, changes only image.tag', () => {
      const dir = variant(id).dir;
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), `tag-${id}-`));
      fs.cpSync(dir, copy, { recursive: true, filter: src => path.relative(dir, src).split(path.sep)[0] !== '.git' });
      const tag = 'sha-0123456789abcdef0123456789abcdef01234567';
      execFileSync(process.execPath, ['scripts/set-image-tag.mjs', delivery().env!.VALUES_FILE, tag], {
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
      const [parsedBefore, parsedAfter] = [before, after].map(text => parse(text));
      assert.equal(parsedAfter.image.tag, tag);
      assert.deepEqual(parsedAfter, { ...parsedBefore, image: { ...parsedBefore.image, tag } });
      fs.rmSync(copy, { recursive: true });
    });

    test('the commit step pushes the tag to main as github-actions[bot], re-applying it when main moved', () => {
      const workflow = delivery();
      const [block] = runBlocks(workflow).filter(b => b.job === 'values' && /git push/.test(b.script));
      const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: variant(id).dir, encoding: 'utf8' }).trim();
      const env = resolveEnv(workflow, { 'github.sha': sha });
      const run = runCommitStep(variant(id).dir, block.script, env, { race: true });

      assert.equal(run.status, 0, run.output);
      assert.match(run.output, /main moved while committing/);
      const log = run.origin('log', '--format=%an|%s', 'main').split('\n');
      assert.deepEqual(log.slice(0, 2), [
        `github-actions[bot]|Deploy sha-${sha} to ${variant(id).app_env}`,
        'dev|A teammate pushes to main',
      ]);
      assert.equal(log.length, 3);
      assert.equal(run.origin('diff', '--name-only', 'main~1', 'main'), valuesFile());
      assert.match(run.origin('show', `main:${valuesFile()}`), new RegExp(`^  tag: sha-${sha}$`, 'm'));
    });
  });
}

describe(`workflow of ${TEMPLATE_REPO}`, () => {
  test('installs every Debian package .ci/run may install, then runs npm run setup and npm test', () => {
    const ciRun = fs.readFileSync(path.join(repoRoot, '.ci/run'), 'utf8');
    const listed = /APT_PACKAGES=\(([^)]*)\)/.exec(ciRun)![1].trim().split(/\s+/);
    const added = [...ciRun.matchAll(/missing\+=\(([\w.+-]+)\)/g)].map(m => m[1]);
    const scripts = runBlocks(loadWorkflow(repoRoot, '.github/workflows/ci.yaml')).map(b => b.script);
    const install = /apt-get install((?:\\\n|[^\n])*)/.exec(scripts.join('\n'))![1];
    const installed = install.split(/[\s\\]+/).filter(word => word && !word.startsWith('-'));
    assert.deepEqual(installed.sort(), [...listed, ...added].sort());
    assert.deepEqual(scripts.slice(-2), ['npm run setup', 'npm test']);
  });

  test('sets up the Node major that package.json pins for the tooling', () => {
    const pinned = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).devDependencies.node;
    const setups = steps(loadWorkflow(repoRoot, '.github/workflows/ci.yaml'))
      .map(({ step }) => step)
      .filter(step => String(step.uses).startsWith('actions/setup-node@'));
    assert.equal(setups.length, 1);
    assert.equal(String(setups[0].with?.['node-version']), pinned.split('.')[0]);
  });
});

/** A workflow's top-level env with the given expressions substituted; any other expression is an error. */
function resolveEnv(workflow: Workflow, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(workflow.env ?? {}).map(([name, value]) => [
      name,
      String(value).replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (whole, expression) => {
        if (!(expression in values)) throw new Error(`${name}: no value for ${whole}`);
        return values[expression];
      }),
    ]),
  );
}
