// The one way this tooling and its checks run git: arguments as an array (no shell), paths printed as they
// are (core.quotePath off), and a failure that throws with git's own message.
import { spawnSync } from 'node:child_process';

export interface GitOptions {
  /** What git reads on its standard input. */
  input?: string;
  env?: Record<string, string>;
  /** Exit codes that are answers rather than failures (merge-tree exits 1 for a merge with conflicts). */
  exitCodes?: number[];
}

export function git(cwd: string, args: string[], { input, env, exitCodes = [0] }: GitOptions = {}): string {
  const result = spawnSync('git', ['-c', 'core.quotePath=false', ...args], {
    cwd,
    input,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`git is needed (apt-get install -y git): ${result.error.message}`);
  if (result.status === null || !exitCodes.includes(result.status))
    throw new Error(`git ${args.join(' ')}: ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout.trimEnd();
}
