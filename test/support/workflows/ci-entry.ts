// The template repository's CI as .ci/run and as its own workflow run it, with stand-ins that record the calls
// of apt-get and npm on a machine where dpkg finds no package installed: what each would install and run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../../packages/tooling/src/template-repository';
import { pathWith, runStep, writeStandIns, type StepRun } from './run-step';
import { runBlocks, type Workflow } from './workflows';

export const APT_PACKAGES_FILE = path.join('scripts', 'apt-packages.txt');

/** The lines of scripts/apt-packages.txt that name a package, each split into the package and its comment. */
export function aptPackages(): { name: string; reason: string }[] {
  return fs
    .readFileSync(path.join(repoRoot, APT_PACKAGES_FILE), 'utf8')
    .split('\n')
    .filter(line => line.trim() && !line.startsWith('#'))
    .map(line => {
      const [name, reason = ''] = line.split('#').map(part => part.trim());
      return { name, reason };
    });
}

/** The calls .ci/run makes, run as CI runs it (`bash .ci/run`). */
export function ciRunCalls(): string[] {
  return recordCalls(env => {
    const result = spawnSync('bash', [path.join(repoRoot, '.ci', 'run')], { cwd: repoRoot, env, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
  });
}

/** The calls the workflow's run: blocks make, each run in turn as GitHub runs it, in the repository's root. */
export function workflowCalls(workflow: Workflow): string[] {
  return recordCalls(env => {
    for (const block of runBlocks(workflow)) {
      const run = runStep(block.script, { cwd: repoRoot, env });
      if (run.status !== 0) return run;
    }
    return { status: 0, stdout: '', output: '' };
  });
}

function recordCalls(run: (env: NodeJS.ProcessEnv) => StepRun): string[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-entry-'));
  try {
    const calls = path.join(tmp, 'calls');
    const record = `printf '%s\\n' "$(basename "$0") $*" >> "${calls}"\n`;
    const bin = writeStandIns(path.join(tmp, 'bin'), {
      'apt-get': record,
      npm: record,
      dpkg: 'exit 1\n',
      sudo: 'exec "$@"\n',
    });
    const result = run({ ...process.env, PATH: pathWith(bin) });
    if (result.status !== 0) throw new Error(`exited ${String(result.status)}:\n${result.output}`);
    return fs.readFileSync(calls, 'utf8').trimEnd().split('\n');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
