// Runs the delivery workflow's commit step for real, against a local bare "origin" cloned from a rendered
// repository, with another push landing on main just before the step's first push (the race it must survive).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git } from '../../../packages/tooling/src/git';
import { DEVELOPER_ENV } from './developer';
import { pathWith, runStep, writeStandIns, type StepRun } from './run-step';

export interface CommitRun extends StepRun {
  /** `git` in the origin repository. */
  origin: (...args: string[]) => string;
  /** The arguments of each `sleep` the step ran, in order. */
  sleeps: string[];
}

export function runCommitStep(
  repoDir: string,
  script: string,
  env: Record<string, string>,
  { race }: { race: boolean },
): CommitRun {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'delivery-commit-'));
  const realGit = spawnSync('bash', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
  // No user or system configuration: the step sets its own identity, and the setup's commits are a teammate's.
  const isolated = { HOME: tmp, GIT_CONFIG_NOSYSTEM: '1' };
  const setup = (cwd: string, ...args: string[]) => git(cwd, args, { env: { ...isolated, ...DEVELOPER_ENV } });

  const origin = path.join(tmp, 'origin.git');
  setup(tmp, 'clone', '--quiet', '--bare', repoDir, origin);
  setup(tmp, 'clone', '--quiet', origin, path.join(tmp, 'work'));

  // A teammate's commit, pushed the moment the step first tries to push.
  const racer = path.join(tmp, 'racer');
  setup(tmp, 'clone', '--quiet', origin, racer);
  fs.appendFileSync(path.join(racer, 'README.md'), '\nA teammate was here.\n');
  setup(racer, 'commit', '--quiet', '--all', '--message', 'A teammate pushes to main');

  // `git push`, or `git -c name=value ... push`: the step may pass configuration first.
  const bin = writeStandIns(path.join(tmp, 'bin'), {
    git: [
      'args=("$@"); i=0',
      'while [ "${args[$i]:-}" = -c ]; do i=$((i + 2)); done',
      'command=${args[$i]:-}',
      `if [ "$command" = push ] && [ "${race ? 'race' : ''}" = race ] && [ ! -e "${tmp}/raced" ]; then`,
      `  touch "${tmp}/raced"`,
      `  (cd "${racer}" && "${realGit}" push --quiet origin HEAD:main)`,
      'fi',
      `exec "${realGit}" "$@"`,
      '',
    ].join('\n'),
    // The step's backoff between attempts: recorded, not waited out.
    sleep: `echo "$*" >> "${tmp}/slept"\n`,
  });

  const run = runStep(script, {
    cwd: path.join(tmp, 'work'),
    env: {
      ...withoutGitIdentity(process.env),
      ...isolated,
      ...env,
      PATH: pathWith(bin, path.dirname(process.execPath)),
    },
  });
  const slept = path.join(tmp, 'slept');
  const sleeps = fs.existsSync(slept) ? fs.readFileSync(slept, 'utf8').split('\n').filter(Boolean) : [];
  return { ...run, sleeps, origin: (...args) => setup(origin, ...args) };
}

function withoutGitIdentity(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^GIT_(AUTHOR|COMMITTER)_/.test(name)));
}
