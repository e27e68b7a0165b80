// Runs the delivery workflow's commit step for real, against a local bare "origin" cloned from a rendered
// repository, with another push landing on main just before the step's first push (the race it must survive).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface CommitRun {
  status: number | null;
  output: string;
  /** `git` in the origin repository. */
  origin: (...args: string[]) => string;
}

export function runCommitStep(
  repoDir: string,
  script: string,
  env: Record<string, string>,
  { race }: { race: boolean },
): CommitRun {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'delivery-commit-'));
  const realGit = execFileSync('bash', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  // The step sets its own identity; the setup's commits are a teammate's.
  const baseEnv = { ...withoutGitIdentity(process.env), HOME: tmp, GIT_CONFIG_NOSYSTEM: '1' };
  const teammate = {
    GIT_AUTHOR_NAME: 'dev',
    GIT_AUTHOR_EMAIL: 'dev@example.com',
    GIT_COMMITTER_NAME: 'dev',
    GIT_COMMITTER_EMAIL: 'dev@example.com',
  };
  const git = (cwd: string, ...args: string[]) =>
    execFileSync(realGit, args, { cwd, env: { ...baseEnv, ...teammate }, encoding: 'utf8' }).trim();

  const origin = path.join(tmp, 'origin.git');
  git(tmp, 'clone', '--quiet', '--bare', repoDir, origin);
  git(tmp, 'clone', '--quiet', origin, path.join(tmp, 'work'));

  // A teammate's commit, pushed the moment the step first tries to push.
  const racer = path.join(tmp, 'racer');
  git(tmp, 'clone', '--quiet', origin, racer);
  fs.appendFileSync(path.join(racer, 'README.md'), '\nA teammate was here.\n');
  git(racer, 'commit', '--quiet', '--all', '--message', 'A teammate pushes to main');

  const bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, 'git'),
    [
      '#!/usr/bin/env bash',
      `if [ "$1" = push ] && [ "${race ? 'race' : ''}" = race ] && [ ! -e "${tmp}/raced" ]; then`,
      `  touch "${tmp}/raced"`,
      `  (cd "${racer}" && "${realGit}" push --quiet origin HEAD:main)`,
      'fi',
      `exec "${realGit}" "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );

  // As GitHub runs a `run:` block without `shell:` on Linux: bash -e.
  const result = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', script], {
    cwd: path.join(tmp, 'work'),
    env: { ...baseEnv, ...env, PATH: [bin, path.dirname(process.execPath), process.env.PATH].join(path.delimiter) },
    encoding: 'utf8',
  });
  return {
    status: result.status,
    output: `${result.stdout}${result.stderr}`,
    origin: (...args) => git(origin, ...args),
  };
}

function withoutGitIdentity(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^GIT_(AUTHOR|COMMITTER)_/.test(name)));
}
