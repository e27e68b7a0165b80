// A workflow's `run:` block run as GitHub runs one without `shell:` on Linux (bash -e, no profile or rc file),
// with stand-ins, first on PATH, for the commands a check must not run for real (GitHub's CLI, apt-get, ...).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface StepRun {
  status: number | null;
  stdout: string;
  /** stdout and stderr, for an assertion's message. */
  output: string;
}

export function runStep(script: string, { cwd, env }: { cwd: string; env: NodeJS.ProcessEnv }): StepRun {
  const result = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', script], { cwd, env, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

/** Writes each stand-in, a bash script by command name, as an executable file in DIR; returns DIR. */
export function writeStandIns(dir: string, standIns: Record<string, string>): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, script] of Object.entries(standIns)) {
    fs.writeFileSync(path.join(dir, name), `#!/usr/bin/env bash\n${script}`, { mode: 0o755 });
  }
  return dir;
}

/** PATH with DIRS first. */
export const pathWith = (...dirs: string[]) => [...dirs, process.env.PATH].join(path.delimiter);
