// The one way this tooling and its checks run git: arguments as an array (no shell), paths printed as they
// are (core.quotePath off), and a failure that throws with git's own message.
import { spawnSync } from 'node:child_process';

export function git(
  cwd: string,
  args: string[],
  { input, env }: { input?: string; env?: Record<string, string> } = {},
): string {
  const result = spawnSync('git', ['-c', 'core.quotePath=false', ...args], {
    cwd,
    input,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`git is needed (apt-get install -y git): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout.trimEnd();
}
