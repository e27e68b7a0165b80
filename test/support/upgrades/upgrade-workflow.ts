// Runs the Template upgrade workflow's upgrade step for real, as GitHub runs a `run:` block (bash -e), in a
// clone of a local bare "origin" made from a service repository, with the template repository where the
// workflow checks it out. A check does not reach GitHub: `gh` is a stand-in that records each call
// (and the body file it was given) and answers `gh pr list` with the pull request `gh pr create` opened.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git } from '../../../packages/tooling/src/git';
import { node24Env } from '../service/node24';
import { DEVELOPER_ENV } from '../workflows/developer';
import { runStep, writeStandIns, type StepRun } from '../workflows/run-step';

interface GhCall {
  args: string[];
  body?: string;
}

export interface UpgradeOrigin {
  dir: string;
  git: (...args: string[]) => string;
  /** Runs the step in a fresh clone of main, as a new workflow run does. */
  run(script: string): StepRun & { gh: GhCall[] };
}

const GH_STAND_IN = `# Stand-in for GitHub's CLI: records the call; one pull request, opened by "pr create".
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
  // No user or system configuration, as on a fresh runner.
  const isolated = { HOME: tmp, GIT_CONFIG_NOSYSTEM: '1' };
  const env: NodeJS.ProcessEnv = { ...node24Env(), ...isolated };
  const setup = (cwd: string, ...args: string[]) => git(cwd, args, { env: { ...isolated, ...DEVELOPER_ENV } });
  const origin = path.join(tmp, 'origin.git');
  setup(tmp, 'clone', '--quiet', '--bare', serviceRepo, origin);
  const bin = writeStandIns(path.join(tmp, 'bin'), { gh: GH_STAND_IN });
  const ghState = path.join(tmp, 'gh');
  fs.mkdirSync(ghState);
  let runs = 0;
  return {
    dir: origin,
    git: (...args) => setup(origin, ...args),
    run(script) {
      const work = path.join(tmp, `run-${++runs}`);
      setup(tmp, 'clone', '--quiet', '--branch', 'main', origin, work);
      const runnerTemp = path.join(tmp, `runner-temp-${runs}`);
      fs.mkdirSync(runnerTemp);
      const before = new Set(fs.readdirSync(ghState));
      const result = runStep(script, {
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
      return { ...result, gh };
    },
  };
}
