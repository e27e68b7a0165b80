// Runs the Template upgrade workflow's upgrade step for real, as GitHub runs a `run:` block (bash -e), in a
// clone of a local bare "origin" made from a service repository, with the template repository where the
// workflow checks it out. GitHub's CLI cannot reach GitHub here: `gh` is a stand-in that records each call
// (and the body file it was given) and answers `gh pr list` with the pull request `gh pr create` opened.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { node24Env } from '../service/node24';
import { IDENTITY } from './template-versions';

export interface GhCall {
  args: string[];
  body?: string;
}

export interface UpgradeOrigin {
  dir: string;
  git: (...args: string[]) => string;
  /** Runs the step in a fresh clone of main, as a new workflow run does. */
  run(script: string): { status: number | null; output: string; gh: GhCall[] };
}

const GH_STAND_IN = `#!/usr/bin/env bash
# Stand-in for GitHub's CLI: records the call; one pull request, opened by "pr create".
set -euo pipefail
state="$GH_STAND_IN_DIR"
n=$(ls "$state" | grep -c '^call-' || true)
printf '%s\\n' "$@" > "$state/call-$n"
args=("$@")
for i in "\${!args[@]}"; do
  if [ "\${args[$i]}" = --body-file ]; then cp "\${args[$((i + 1))]}" "$state/body-$n"; fi
done
case "$1 $2" in
  "pr list") if [ -f "$state/pr" ]; then cat "$state/pr"; fi ;;
  "pr create") echo 1 > "$state/pr"; echo "https://github.com/local/service/pull/1" ;;
  "pr edit") echo "https://github.com/local/service/pull/$3" ;;
  *) echo "gh stand-in: $* is not answered" >&2; exit 1 ;;
esac
`;

export function upgradeOrigin(serviceRepo: string, templateDir: string): UpgradeOrigin {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'template-upgrade-workflow-'));
  const env: NodeJS.ProcessEnv = { ...node24Env(), HOME: tmp, GIT_CONFIG_NOSYSTEM: '1' };
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, { cwd, env: { ...env, ...IDENTITY }, encoding: 'utf8' }).trim();
  const origin = path.join(tmp, 'origin.git');
  git(tmp, 'clone', '--quiet', '--bare', serviceRepo, origin);
  const bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'gh'), GH_STAND_IN, { mode: 0o755 });
  const ghState = path.join(tmp, 'gh');
  fs.mkdirSync(ghState);
  let runs = 0;
  return {
    dir: origin,
    git: (...args) => git(origin, ...args),
    run(script) {
      const work = path.join(tmp, `run-${++runs}`);
      git(tmp, 'clone', '--quiet', '--branch', 'main', origin, work);
      const runnerTemp = path.join(tmp, `runner-temp-${runs}`);
      fs.mkdirSync(runnerTemp);
      const before = new Set(fs.readdirSync(ghState));
      const result = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', script], {
        cwd: work,
        env: {
          ...env,
          PATH: [bin, env.PATH].join(path.delimiter),
          TEMPLATE_DIR: templateDir,
          BRANCH: 'template-upgrade',
          RUNNER_TEMP: runnerTemp,
          GH_TOKEN: 'stand-in',
          GH_STAND_IN_DIR: ghState,
        },
        encoding: 'utf8',
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
      return { status: result.status, output: `${result.stdout}${result.stderr}`, gh };
    },
  };
}
