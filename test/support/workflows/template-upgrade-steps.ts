// The Template upgrade workflow's steps that hold its safety, run with bash as GitHub runs them: the release
// job's step that picks the template's newest release commit, against a local template repository with later,
// unreleased commits; the upgrade job's checkout of that commit from the bundle; and the propose job's step that
// pushes the upgrade bundle and opens the pull request, against a local bare origin and a stand-in `gh`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git } from '../../../packages/tooling/src/git';
import { DEVELOPER_ENV } from './developer';
import { pathWith, runStep, writeStandIns, type StepRun } from './run-step';
import { readOutputs } from './step-env';
import { GH_STAND_IN } from './gh';

/** No user or system configuration, as on a fresh runner. */
const isolated = (home: string) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1' });

/**
 * A local bare origin cloned from SERVICE_REPO in a new directory, with `git` as a developer runs it there and a
 * stand-in `gh` (in bin) that keeps its state in ghState.
 */
function localOrigin(serviceRepo: string, prefix: string) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const setup = (cwd: string, ...args: string[]) => git(cwd, args, { env: { ...isolated(tmp), ...DEVELOPER_ENV } });
  const origin = path.join(tmp, 'origin.git');
  setup(tmp, 'clone', '--quiet', '--bare', serviceRepo, origin);
  const bin = writeStandIns(path.join(tmp, 'bin'), { gh: GH_STAND_IN });
  const ghState = path.join(tmp, 'gh');
  fs.mkdirSync(ghState);
  return { tmp, setup, origin, bin, ghState };
}

export interface TemplateHistory {
  dir: string;
  /** The commit that recorded the newest release. */
  release: string;
  /** A later commit on the default branch, released by nobody. */
  unreleased: string;
  version: string;
}

/** A template repository: release 1.0.0, a change, release 1.1.0 (recorded twice: fixed once), a later change. */
export function templateHistory(): TemplateHistory {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'template-history-'));
  const run = (...args: string[]) => git(dir, args, { env: { ...isolated(dir), ...DEVELOPER_ENV } });
  const commit = (message: string, files: Record<string, string>) => {
    for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
    run('add', '--all');
    run('commit', '--quiet', '--message', message);
    return run('rev-parse', 'HEAD');
  };
  const releases = (...entries: [string, string][]) => {
    const recorded = entries.map(([version, content]) => ({ version, date: '2026-12-01', content }));
    return `${JSON.stringify({ releases: recorded })}\n`;
  };
  run('init', '--quiet', '--initial-branch', 'main');
  commit('Release 1.0.0', { 'skeleton.txt': 'one\n', 'releases.json': releases(['1.0.0', 'sha256:a']) });
  commit('A change', { 'skeleton.txt': 'two\n' });
  // 1.1.0 recorded with content c, then again with d before it was published: d is the release.
  commit('Release 1.1.0', { 'releases.json': releases(['1.0.0', 'sha256:a'], ['1.1.0', 'sha256:c']) });
  commit('A fix', { 'skeleton.txt': 'three\n' });
  const release = commit('Release 1.1.0 again', {
    'releases.json': releases(['1.0.0', 'sha256:a'], ['1.1.0', 'sha256:d']),
  });
  const unreleased = commit('An unreleased change', { 'skeleton.txt': 'four\n' });
  return { dir, release, unreleased, version: '1.1.0' };
}

export interface ReleaseRun extends StepRun {
  outputs: Record<string, string>;
  bundle: string;
}

/** The release job's step, in the template checkout DIR. */
export function runReleaseStep(script: string, dir: string): ReleaseRun {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'template-release-'));
  const output = path.join(tmp, 'output');
  const result = runStep(script, {
    cwd: dir,
    env: {
      ...process.env,
      ...isolated(tmp),
      RUNNER_TEMP: tmp,
      GITHUB_OUTPUT: output,
      TEMPLATE_REPOSITORY: 'acme/template',
      PATH: pathWith(path.dirname(process.execPath)),
    },
  });
  return { ...result, outputs: readOutputs(output), bundle: path.join(tmp, 'release', 'template.bundle') };
}

/** The upgrade job's step that clones the release from BUNDLE and checks it is COMMIT; returns the clone. */
export function runReleaseCheckout(script: string, bundle: string, commit: string): StepRun & { dir: string } {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'template-checkout-'));
  fs.mkdirSync(path.join(tmp, 'release'));
  fs.copyFileSync(bundle, path.join(tmp, 'release', 'template.bundle'));
  const dir = path.join(tmp, 'template');
  const result = runStep(script, {
    cwd: tmp,
    env: { ...process.env, ...isolated(tmp), RUNNER_TEMP: tmp, TEMPLATE_DIR: dir, TEMPLATE_COMMIT: commit },
  });
  return { ...result, dir };
}

export interface ProposeOrigin {
  /** `git` in the bare origin. */
  origin: (...args: string[]) => string;
  /** A bundle of COUNT commits on top of main's tip, the last with the Template-Upgrade trailer unless not. */
  bundle(options: { commits?: number; trailer?: boolean; name: string }): string;
  /** The propose step in a fresh clone of main, as a new job runs it; gh's calls of this run. */
  run(script: string, bundle: string): StepRun & { gh: string[] };
}

export function proposeOrigin(serviceRepo: string): ProposeOrigin {
  const { tmp, setup, origin, bin, ghState } = localOrigin(serviceRepo, 'template-propose-');
  let runs = 0;
  return {
    origin: (...args) => setup(origin, ...args),
    bundle({ commits = 1, trailer = true, name }) {
      const work = path.join(tmp, `upgrade-${name}`);
      setup(tmp, 'clone', '--quiet', '--branch', 'main', origin, work);
      setup(work, 'checkout', '--quiet', '-b', 'template-upgrade');
      for (let i = 1; i <= commits; i++) {
        fs.appendFileSync(path.join(work, 'README.md'), `\nUpgraded (${name}, ${i}).\n`);
        const message = `Upgrade to template:default/koa-service 1.1.0 (from 1.0.0)\n\nThe changes.`;
        const withTrailer = trailer && i === commits ? `${message}\n\nTemplate-Upgrade: 1.0.0 -> 1.1.0` : message;
        setup(work, 'commit', '--quiet', '--all', '--message', withTrailer);
      }
      const bundle = path.join(tmp, `${name}.bundle`);
      setup(work, 'bundle', 'create', '--quiet', bundle, 'template-upgrade', '^main');
      return bundle;
    },
    run(script, bundle) {
      const work = path.join(tmp, `run-${++runs}`);
      setup(tmp, 'clone', '--quiet', '--branch', 'main', origin, work);
      const runnerTemp = path.join(tmp, `runner-temp-${runs}`);
      fs.mkdirSync(runnerTemp);
      const calls = path.join(ghState, 'calls');
      const before = fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean).length : 0;
      const result = runStep(script, {
        cwd: work,
        env: {
          ...process.env,
          ...isolated(tmp),
          PATH: pathWith(bin),
          BRANCH: 'template-upgrade',
          BUNDLE: bundle,
          RUNNER_TEMP: runnerTemp,
          GH_TOKEN: 'stand-in',
          GH_STAND_IN_DIR: ghState,
        },
      });
      const gh = fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean).slice(before) : [];
      return { ...result, gh };
    },
  };
}

interface GhCall {
  args: string[];
  body?: string;
}

export interface UpgradeJobs {
  dir: string;
  git: (...args: string[]) => string;
  /**
   * One workflow run: the upgrade job's step in a fresh clone of main (the template at TEMPLATE_DIR), then, when
   * it proposes an upgrade, the propose job's step in another fresh clone, given the bundle the first made.
   */
  run(upgradeScript: string, proposeScript: string): StepRun & { gh: GhCall[]; proposed: boolean };
}

/**
 * The Template upgrade workflow's two steps around its artifact, against a local bare origin made from
 * SERVICE_REPO, with a stand-in `gh` that records its calls (and ENV for the step that runs the template's code,
 * e.g. its Node).
 */
export function upgradeJobs(serviceRepo: string, templateDir: string, env: NodeJS.ProcessEnv): UpgradeJobs {
  const { tmp, setup, origin, bin, ghState } = localOrigin(serviceRepo, 'template-upgrade-jobs-');
  let runs = 0;
  const fresh = (job: string) => {
    const dir = path.join(tmp, `run-${runs}-${job}`);
    setup(tmp, 'clone', '--quiet', '--branch', 'main', origin, dir);
    const runnerTemp = path.join(tmp, `runner-temp-${runs}-${job}`);
    fs.mkdirSync(runnerTemp);
    return { dir, runnerTemp };
  };
  return {
    dir: origin,
    git: (...args) => setup(origin, ...args),
    run(upgradeScript, proposeScript) {
      runs++;
      const before = new Set(fs.readdirSync(ghState));
      const upgrade = fresh('upgrade');
      const output = path.join(upgrade.runnerTemp, 'output');
      const common = { ...isolated(tmp), BRANCH: 'template-upgrade', GITHUB_OUTPUT: output };
      const first = runStep(upgradeScript, {
        cwd: upgrade.dir,
        env: { ...env, ...common, TEMPLATE_DIR: templateDir, RUNNER_TEMP: upgrade.runnerTemp },
      });
      const proposed = readOutputs(output).proposed === 'true';
      if (first.status !== 0 || !proposed) return { ...first, gh: [], proposed };
      const propose = fresh('propose');
      const bundle = path.join(propose.runnerTemp, 'upgrade', 'upgrade.bundle');
      fs.mkdirSync(path.dirname(bundle));
      fs.copyFileSync(path.join(upgrade.runnerTemp, 'upgrade', 'upgrade.bundle'), bundle);
      const second = runStep(proposeScript, {
        cwd: propose.dir,
        env: {
          ...process.env,
          ...common,
          PATH: pathWith(bin),
          BUNDLE: bundle,
          RUNNER_TEMP: propose.runnerTemp,
          GH_TOKEN: 'stand-in',
          GH_STAND_IN_DIR: ghState,
        },
      });
      const gh = fs
        .readdirSync(ghState)
        .filter(name => name.startsWith('call-') && !before.has(name))
        .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
        .map(name => {
          const body = path.join(ghState, name.replace('call-', 'body-'));
          const args = fs.readFileSync(path.join(ghState, name), 'utf8').trimEnd().split('\n');
          return { args, body: fs.existsSync(body) ? fs.readFileSync(body, 'utf8') : undefined };
        });
      return {
        status: second.status,
        stdout: `${first.stdout}${second.stdout}`,
        output: `${first.output}${second.output}`,
        gh,
        proposed,
      };
    },
  };
}
