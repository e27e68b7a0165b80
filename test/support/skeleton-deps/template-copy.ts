// A copy of this template repository for skeleton:deps to change (never this repository's own skeleton/): the
// committed template.yaml, skeleton/ and package.json, and the package files' bytes to compare against.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_FILES, type PackageTexts } from '../../../packages/tooling/src/skeleton-deps/render';
import { repoRoot } from '../../../packages/tooling/src/template-repository';

export function templateCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skeleton-deps-template-'));
  const archive = path.join(dir, 'template.tar');
  execFileSync('git', ['archive', '--output', archive, 'HEAD', 'template.yaml', 'skeleton', 'package.json'], {
    cwd: repoRoot,
  });
  execFileSync('tar', ['-xf', archive, '-C', dir]);
  fs.rmSync(archive);
  return dir;
}

/** The package files of DIR/skeleton, as text. */
export function skeletonPackageFiles(dir: string): PackageTexts {
  return Object.fromEntries(
    PACKAGE_FILES.map(file => [file, fs.readFileSync(path.join(dir, 'skeleton', file), 'utf8')]),
  ) as PackageTexts;
}
