// npm run skeleton:deps on copies of the template repository, against the npm registry: `install` round-trips
// (the new skeleton renders to what npm wrote, its expressions are back, the rendered repository's `npm ci`
// passes on Node 24), and so does `uninstall`; `update` moves an older patch within its Dependabot group and
// leaves majors alone; a bad package and an unreachable registry change nothing; and the Skeleton dependencies
// workflow's steps, run with bash as GitHub runs them, push the update and open its pull request against a local
// bare remote and a stand-in `gh`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import semver from 'semver';
import { dryRun, templateSource } from '../packages/tooling/src/backstage/dry-run';
import { freeLoopbackPort } from '../packages/tooling/src/free-port';
import { git } from '../packages/tooling/src/git';
import { SkeletonDepsRefused } from '../packages/tooling/src/skeleton-deps/npm';
import { PACKAGE_FILES, sampleValues } from '../packages/tooling/src/skeleton-deps/render';
import { skeletonDeps } from '../packages/tooling/src/skeleton-deps/skeleton-deps';
import { repoRoot } from '../packages/tooling/src/template-repository';
import { useBackstage } from './support/backstage/backstage';
import { node24Env, run } from './support/service/node24';
import { skeletonPackageFiles, templateCopy } from './support/skeleton-deps/template-copy';
import { DEVELOPER_ENV } from './support/workflows/developer';
import { pathWith, runStep, writeStandIns } from './support/workflows/run-step';
import { findStep, readOutputs } from './support/workflows/step-env';
import { loadWorkflow } from './support/workflows/workflows';
import { GH_STAND_IN } from './support/workflows/gh';

const backstage = useBackstage();
const NAME_EXPRESSION = '${{ values.app_name | dump }}';
const DESCRIPTION_EXPRESSION = '${{ values.description | dump }}';
const count = (text: string, part: string) => text.split(part).length - 1;

// The tests wait on the registry and the disk more than on the processor: they run side by side.
describe('npm run skeleton:deps', { concurrency: true }, () => {
  test('install: npm in a rendered copy, the expressions restored, rendering again gives npm’s bytes', async () => {
    const dir = templateCopy();
    const before = skeletonPackageFiles(dir);
    const outcome = await skeletonDeps(
      { command: 'install', spec: 'dequal@^2', dev: false },
      {
        api: backstage().api,
        templateDir: dir,
      },
    );
    assert.ok(outcome.changed, outcome.summary);
    const after = skeletonPackageFiles(dir);
    assert.deepEqual(after, outcome.skeleton);
    const manifest = after['package.json'];
    assert.match(manifest, /"dequal": "\^2\.\d+\.\d+"/);
    assert.equal(count(manifest, NAME_EXPRESSION), 1);
    assert.equal(count(manifest, DESCRIPTION_EXPRESSION), 1);
    // The lock's top-level name and its root package's, as before.
    const lock = after['package-lock.json'];
    assert.equal(count(lock, NAME_EXPRESSION), count(before['package-lock.json'], NAME_EXPRESSION));
    assert.equal(count(lock, NAME_EXPRESSION), 2);
    assert.match(lock, /"node_modules\/dequal": \{\n\s+"version": "2\./);

    // Rendered again here, independently of the command: the bytes npm wrote.
    const api = backstage().api;
    const rendered = await dryRun(api, templateSource(dir), await sampleValues(api));
    assert.equal(rendered.verdict, 'accepted');
    for (const file of PACKAGE_FILES) assert.equal(rendered.files.get(file), outcome.rendered[file], file);

    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'skeleton-deps-rendered-'));
    for (const file of [...PACKAGE_FILES, '.npmrc'])
      fs.writeFileSync(path.join(repo, file), rendered.files.get(file) ?? '');
    // npm ci checks the whole lock against package.json; the production tree it installs is where the new
    // package went (the development tree is as the skeleton had it, installed in full by service.test).
    const ci = await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], repo, node24Env());
    assert.equal(ci.code, 0, ci.output);
    assert.ok(fs.existsSync(path.join(repo, 'node_modules', 'dequal', 'package.json')));
  });

  test('uninstall: the package leaves package.json and the lock, the expressions restored', async () => {
    const dir = templateCopy();
    const outcome = await skeletonDeps(
      { command: 'uninstall', names: ['parse-prometheus-text-format'] },
      { api: backstage().api, templateDir: dir },
    );
    assert.ok(outcome.changed, outcome.summary);
    const after = skeletonPackageFiles(dir);
    assert.deepEqual(after, outcome.skeleton);
    assert.doesNotMatch(after['package.json'], /parse-prometheus-text-format/);
    assert.doesNotMatch(after['package-lock.json'], /node_modules\/parse-prometheus-text-format"/);
    assert.equal(count(after['package.json'], NAME_EXPRESSION), 1);
    assert.equal(count(after['package-lock.json'], NAME_EXPRESSION), 2);
    assert.match(outcome.summary, /`parse-prometheus-text-format` removed/);
  });

  test('a bad package, an invalid name and an unreachable registry change nothing and say why', async () => {
    const dir = templateCopy();
    const before = skeletonPackageFiles(dir);
    const options = { api: backstage().api, templateDir: dir };
    const refused = async (promise: Promise<unknown>, message: RegExp) => {
      await assert.rejects(promise, (error: unknown) => {
        assert.ok(error instanceof SkeletonDepsRefused, String(error));
        assert.match(error.message, message);
        return true;
      });
      assert.deepEqual(skeletonPackageFiles(dir), before);
    };
    const missing = 'skeleton-deps-no-such-package-5f3a9c';
    await refused(
      skeletonDeps({ command: 'install', spec: missing, dev: false }, options),
      /no such package in the npm registry/,
    );
    await refused(
      skeletonDeps({ command: 'install', spec: '../evil', dev: true }, options),
      /install takes a package of the npm registry/,
    );
    await refused(
      skeletonDeps({ command: 'uninstall', names: ['koa', missing] }, options),
      new RegExp(`^"${missing}": uninstall takes the names of the skeleton's dependencies$`),
    );
    const env = {
      ...process.env,
      npm_config_registry: `http://127.0.0.1:${await freeLoopbackPort()}/`,
      npm_config_fetch_retries: '0',
    };
    await refused(
      skeletonDeps({ command: 'install', spec: 'dequal', dev: false }, { ...options, env }),
      /the npm registry could not be reached/,
    );
    await refused(skeletonDeps({ command: 'update' }, { ...options, env }), /the npm registry could not be reached/);
  });
  const workflow = loadWorkflow(repoRoot, '.github/workflows/skeleton-deps.yaml');
  const updateScript = findStep(workflow, 'update', step => step.id === 'update').run ?? '';
  const proposeScript = findStep(workflow, 'propose', step => /gh pr create/.test(step.run ?? '')).run ?? '';

  test('weekly workflow: an older patch moves within its group, majors stay, one pull request opens', async () => {
    // A template whose skeleton locks prom-client (production group) at an older patch.
    const template = templateCopy();
    await skeletonDeps(
      { command: 'install', spec: 'prom-client@15.1.0', dev: false },
      {
        api: backstage().api,
        templateDir: template,
      },
    );
    assert.match(skeletonPackageFiles(template)['package.json'], /"prom-client": "\^15\.1\.0"/);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skeleton-deps-workflow-'));
    const isolated = { HOME: tmp, GIT_CONFIG_NOSYSTEM: '1', ...DEVELOPER_ENV };
    const setup = (cwd: string, ...args: string[]) => git(cwd, args, { env: isolated });
    setup(template, 'init', '--quiet', '--initial-branch', 'main');
    setup(template, 'add', '--all');
    setup(template, 'commit', '--quiet', '--message', 'The template');
    const origin = path.join(tmp, 'origin.git');
    setup(tmp, 'clone', '--quiet', '--bare', template, origin);
    const fresh = (name: string) => {
      const dir = path.join(tmp, name);
      setup(tmp, 'clone', '--quiet', '--branch', 'main', origin, dir);
      const runnerTemp = path.join(tmp, `${name}-runner-temp`);
      fs.mkdirSync(runnerTemp);
      return { dir, runnerTemp, sha: setup(dir, 'rev-parse', 'HEAD') };
    };

    // The update job: `npm ci --workspace packages/tooling` stood in for by this repository's node_modules.
    const update = fresh('update');
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(update.dir, 'node_modules'));
    fs.appendFileSync(path.join(update.dir, '.git', 'info', 'exclude'), 'node_modules\n');
    const output = path.join(update.runnerTemp, 'output');
    // bash as runStep runs a step, but without blocking this process: the other tests go on meanwhile.
    const first = await run(
      'bash',
      ['--noprofile', '--norc', '-e', '-c', updateScript],
      update.dir,
      node24Env({
        HOME: tmp,
        GIT_CONFIG_NOSYSTEM: '1',
        BRANCH: 'skeleton-deps',
        RUNNER_TEMP: update.runnerTemp,
        GITHUB_OUTPUT: output,
        GITHUB_SHA: update.sha,
      }),
    );
    assert.equal(first.code, 0, first.output);
    assert.equal(readOutputs(output).proposed, 'true', first.output);

    // The propose job, in a fresh clone, given the bundle.
    const propose = fresh('propose');
    const bundle = path.join(propose.runnerTemp, 'skeleton-deps', 'skeleton-deps.bundle');
    fs.mkdirSync(path.dirname(bundle));
    fs.copyFileSync(path.join(update.runnerTemp, 'skeleton-deps', 'skeleton-deps.bundle'), bundle);
    const ghState = path.join(tmp, 'gh');
    fs.mkdirSync(ghState);
    const bin = writeStandIns(path.join(tmp, 'bin'), { gh: GH_STAND_IN });
    const proposeEnv = {
      ...process.env,
      HOME: tmp,
      GIT_CONFIG_NOSYSTEM: '1',
      PATH: pathWith(bin),
      BRANCH: 'skeleton-deps',
      BUNDLE: bundle,
      RUNNER_TEMP: propose.runnerTemp,
      GH_TOKEN: 'stand-in',
      GH_STAND_IN_DIR: ghState,
    };
    const second = runStep(proposeScript, { cwd: propose.dir, env: proposeEnv });
    assert.equal(second.status, 0, second.output);
    const calls = fs.readFileSync(path.join(ghState, 'calls'), 'utf8').trim().split('\n');
    assert.deepEqual(
      calls.map(call => call.split(' ').slice(0, 2).join(' ')),
      ['pr list', 'pr create'],
    );

    // What the branch holds: prom-client moved within 15.x (the production group), no major taken.
    const show = (file: string) => setup(origin, 'show', `skeleton-deps:skeleton/${file}`);
    assert.deepEqual(setup(origin, 'diff', '--name-only', 'main', 'skeleton-deps').split('\n'), [
      'skeleton/package-lock.json',
      'skeleton/package.json',
    ]);
    const manifest = show('package.json');
    const promClient = /"prom-client": "\^(15\.\d+\.\d+)"/.exec(manifest)?.[1] ?? '';
    assert.ok(semver.gt(promClient, '15.1.0'), `prom-client is at ^${promClient}`);
    const dependencies = (text: string) => {
      const json = text.split(NAME_EXPRESSION).join('"x"').split(DESCRIPTION_EXPRESSION).join('"x"');
      const { dependencies: production, devDependencies: development } = JSON.parse(json) as Record<
        'dependencies' | 'devDependencies',
        Record<string, string>
      >;
      return { ...production, ...development };
    };
    const before = dependencies(skeletonPackageFiles(template)['package.json']);
    const after = dependencies(manifest);
    assert.equal(count(manifest, NAME_EXPRESSION), 1);
    const body = fs.readFileSync(path.join(ghState, 'body'), 'utf8');
    assert.match(body, /### production\n\n- `prom-client` 15\.1\.0 → 15\./);
    // Every newer major is listed, and none is applied (typescript 7 is out: the list is not empty).
    const majors = /### Majors, left for a person \(not applied\)\n\n((?:- .*\n)+)/.exec(body)?.[1] ?? '';
    const listed = [...majors.matchAll(/^- `([^`]+)` /gm)].map(m => m[1]);
    assert.ok(listed.includes('typescript'), body);
    for (const name of listed) assert.equal(after[name], before[name], `${name}: a major applied`);
    assert.match(body, /CHANGELOG\.md[\s\S]*npm run release/);

    // The next week's run, with the same update: the branch is left, the pull request edited.
    const again = runStep(proposeScript, { cwd: fresh('propose-again').dir, env: { ...proposeEnv } });
    assert.equal(again.status, 0, again.output);
    assert.match(again.output, /holds this update already/);
    assert.match(fs.readFileSync(path.join(ghState, 'calls'), 'utf8'), /pr edit 1 /);

    // A person prepares the release on the branch: the next run pushes nothing over it.
    const person = fresh('person');
    setup(person.dir, 'checkout', '--quiet', 'skeleton-deps');
    fs.appendFileSync(path.join(person.dir, 'template.yaml'), '# the release\n');
    setup(person.dir, 'commit', '--quiet', '--all', '--message', 'Release');
    setup(person.dir, 'push', '--quiet', 'origin', 'skeleton-deps');
    const released = setup(origin, 'rev-parse', 'skeleton-deps');
    const third = runStep(proposeScript, { cwd: fresh('propose-third').dir, env: { ...proposeEnv } });
    assert.equal(third.status, 0, third.output);
    assert.match(third.output, /::warning title=Skeleton dependencies not pushed::/);
    assert.equal(setup(origin, 'rev-parse', 'skeleton-deps'), released);
  });
});
