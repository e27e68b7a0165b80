// The Promote workflow's steps run as GitHub runs them (bash -e, the real scripts) in a fresh clone of main of
// a local bare "origin" made from a rendered repository, with stand-ins first on PATH for what cannot run here:
// `gh` (GitHub's API: records each call, keeps the pull requests in a JSON file), `cosign` (recorded answers,
// ./cosign.ts) and `git` (the real one, with a teammate's push that can land on main while the step runs).
// What `npm ci` would install is linked from this repository's node_modules (the scripts import only `yaml`).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git } from '../../../packages/tooling/src/git';
import { repoRoot } from '../../../packages/tooling/src/template-repository';
import { helmBinary } from '../chart/helm';
import { node24Env } from '../service/node24';
import { DEVELOPER_ENV } from '../workflows/developer';
import { runStep, writeStandIns, type StepRun } from '../workflows/run-step';
import { cosignStandIn, type CosignStandIn } from './cosign';

interface PullRequest {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: 'open';
}

// GitHub's CLI as the scripts call it, with pull requests kept in $GH_STAND_IN_STATE.
const GH_STAND_IN = String.raw`#!/usr/bin/env node
const fs = require('node:fs');
const file = process.env.GH_STAND_IN_STATE;
const state = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { calls: [], pulls: [] };
const args = process.argv.slice(2);
state.calls.push(args);
const save = () => fs.writeFileSync(file, JSON.stringify(state, null, 2));
save();
if (!process.env.GH_TOKEN) {
  process.stderr.write('gh: To use GitHub CLI in a GitHub Actions workflow, set the GH_TOKEN environment variable.\n');
  process.exit(4);
}
const flag = name => { const i = args.indexOf('--' + name); return i === -1 ? undefined : args[i + 1]; };
const url = n => 'https://github.com/' + process.env.GITHUB_REPOSITORY + '/pull/' + n;
const sub = args[0] + ' ' + args[1];
if (sub === 'pr list') {
  const open = state.pulls.filter(p => p.state === 'open' && p.head === flag('head') && p.base === flag('base'));
  if (flag('json') !== 'number' || flag('jq') !== '.[0].number') {
    process.stderr.write('unanswered query\n');
    process.exit(1);
  }
  if (open.length) process.stdout.write(open[0].number + '\n');
} else if (sub === 'pr create') {
  if (state.pulls.some(p => p.state === 'open' && p.head === flag('head'))) {
    process.stderr.write('a pull request for branch "' + flag('head') + '" into branch "main" already exists\n');
    process.exit(1);
  }
  const number = state.pulls.length + 1;
  state.pulls.push({ number, head: flag('head'), base: flag('base'), title: flag('title'),
    body: fs.readFileSync(flag('body-file'), 'utf8'), state: 'open' });
  save();
  process.stdout.write(url(number) + '\n');
} else if (sub === 'pr edit') {
  const pull = state.pulls.find(p => String(p.number) === args[2]);
  if (!pull) { process.stderr.write('no pull request ' + args[2] + '\n'); process.exit(1); }
  pull.title = flag('title');
  pull.body = fs.readFileSync(flag('body-file'), 'utf8');
  save();
  process.stdout.write(url(pull.number) + '\n');
} else {
  process.stderr.write('gh stand-in: ' + args.join(' ') + ' is not answered\n');
  process.exit(1);
}
`;

export interface PromoteRun extends StepRun {
  /** The gh calls of this run. */
  gh: string[][];
}

export interface PromoteOrigin {
  dir: string;
  /** git in the bare origin. */
  git: (...args: string[]) => string;
  cosign: CosignStandIn;
  pulls(): PullRequest[];
  /** A commit on main by a teammate (or Delivery), AGO seconds ago: files written through EDIT, then pushed. */
  push(message: string, edit: (work: string) => void, ago?: number): string;
  /**
   * Runs SCRIPT in a fresh clone of main with ENV; with `race`, EDIT's commit lands on main the moment the
   * script first pushes (a Delivery finishing meanwhile).
   */
  run(
    script: string,
    env: Record<string, string>,
    race?: { message: string; edit: (work: string) => void },
  ): PromoteRun;
}

/** An origin made from REPO_DIR for GitHub's REPOSITORY, in a new directory under PARENT. */
export function promoteOrigin(repoDir: string, repository: string, parent = os.tmpdir()): PromoteOrigin {
  const tmp = fs.mkdtempSync(path.join(parent, 'promote-workflow-'));
  // No user or system configuration, as on a fresh runner; the setup's commits are a teammate's.
  const isolated = { HOME: tmp, GIT_CONFIG_NOSYSTEM: '1' };
  const setup = (cwd: string, ...args: string[]) => git(cwd, args, { env: { ...isolated, ...DEVELOPER_ENV } });
  const origin = path.join(tmp, 'origin.git');
  setup(tmp, 'clone', '--quiet', '--bare', repoDir, origin);
  const teammate = path.join(tmp, 'teammate');
  setup(tmp, 'clone', '--quiet', origin, teammate);

  const bin = path.join(tmp, 'bin');
  const cosign = cosignStandIn(bin, path.join(tmp, 'cosign'));
  fs.writeFileSync(path.join(bin, 'gh'), GH_STAND_IN, { mode: 0o755 });
  const ghState = path.join(tmp, 'gh.json');
  const realGit = spawnSync('bash', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
  const raceFlag = path.join(tmp, 'race');
  writeStandIns(bin, {
    git: [
      `if [ "$1" = push ] && [ -e "${raceFlag}" ]; then`,
      `  rm "${raceFlag}"`,
      `  (cd "${teammate}" && "${realGit}" push --quiet origin HEAD:main)`,
      'fi',
      `exec "${realGit}" "$@"`,
      '',
    ].join('\n'),
  });

  const commit = (message: string, edit: (work: string) => void, ago = 0) => {
    setup(teammate, 'pull', '--quiet', '--ff-only', 'origin', 'main');
    edit(teammate);
    setup(teammate, 'add', '--all');
    const date = `@${String(Math.floor(Date.now() / 1000) - ago)} +0000`;
    git(teammate, ['commit', '--quiet', '--message', message], {
      env: { ...isolated, ...DEVELOPER_ENV, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
    return setup(teammate, 'rev-parse', 'HEAD');
  };
  const readGh = () =>
    fs.existsSync(ghState)
      ? (JSON.parse(fs.readFileSync(ghState, 'utf8')) as { calls: string[][]; pulls: PullRequest[] })
      : { calls: [], pulls: [] };

  let runs = 0;
  return {
    dir: origin,
    git: (...args) => setup(origin, ...args),
    cosign,
    pulls: () => readGh().pulls,
    push(message, edit, ago) {
      const sha = commit(message, edit, ago);
      setup(teammate, 'push', '--quiet', 'origin', 'HEAD:main');
      return sha;
    },
    run(script, env, race) {
      const work = path.join(tmp, `run-${String(++runs)}`);
      setup(tmp, 'clone', '--quiet', '--branch', 'main', origin, work);
      fs.mkdirSync(path.join(work, 'node_modules'));
      fs.symlinkSync(path.join(repoRoot, 'node_modules', 'yaml'), path.join(work, 'node_modules', 'yaml'));
      if (race) {
        commit(race.message, race.edit);
        fs.writeFileSync(raceFlag, '');
      }
      const runnerTemp = path.join(tmp, `runner-temp-${String(runs)}`);
      fs.mkdirSync(runnerTemp);
      const before = readGh().calls.length;
      const base = node24Env();
      const result = runStep(script, {
        cwd: work,
        env: {
          ...base,
          ...isolated,
          PATH: [bin, path.dirname(helmBinary()), base.PATH].join(path.delimiter),
          RUNNER_TEMP: runnerTemp,
          GITHUB_REPOSITORY: repository,
          GITHUB_SERVER_URL: 'https://github.com',
          GH_STAND_IN_STATE: ghState,
          ...cosign.env,
          ...env,
        },
      });
      return { ...result, gh: readGh().calls.slice(before) };
    },
  };
}
