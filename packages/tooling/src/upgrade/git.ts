// Git's own machinery for the upgrade's three-way merge: renders become trees and commits in the
// repository's object store (nothing touches its index or working tree), and `git merge-tree` merges them.
// Git 2.38+ is needed; merge-tree's --merge-base (2.40) is not, so the repository's tree is given the old
// render as parent instead.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RenderedFile } from '../backstage/dry-run';
import { git } from '../git';

/** The identity of the commits that exist only for the merge (never on a branch). */
const MERGE_ONLY_IDENTITY = {
  GIT_AUTHOR_NAME: 'template-upgrade',
  GIT_AUTHOR_EMAIL: 'template-upgrade@localhost',
  GIT_COMMITTER_NAME: 'template-upgrade',
  GIT_COMMITTER_EMAIL: 'template-upgrade@localhost',
};

/** Files and paths with uncommitted changes, as `git status --porcelain` lists them. */
export function uncommitted(repoDir: string): string[] {
  const status = git(repoDir, ['status', '--porcelain', '--untracked-files=all']);
  return status ? status.split('\n') : [];
}

/** Writes FILES as a tree into the object store of the repository at REPO_DIR; returns its id. */
export function writeTree(repoDir: string, files: Map<string, RenderedFile>): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'template-upgrade-tree-'));
  try {
    const sorted = [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    sorted.forEach(([, file], i) => {
      fs.writeFileSync(path.join(scratch, String(i)), file.content);
    });
    const ids = git(scratch, ['hash-object', '-w', '--no-filters', '--stdin-paths'], {
      input: sorted.map((_, i) => path.join(scratch, String(i))).join('\n'),
      env: { GIT_DIR: path.join(repoDir, '.git') },
    }).split('\n');
    const index = { GIT_INDEX_FILE: path.join(scratch, 'index'), GIT_DIR: path.join(repoDir, '.git') };
    const entries = sorted.map(([name, file], i) => `${file.executable ? '100755' : '100644'} ${ids[i]}\t${name}`);
    git(scratch, ['update-index', '--add', '--index-info'], { input: `${entries.join('\n')}\n`, env: index });
    return git(scratch, ['write-tree'], { env: index });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

export function commitTree(
  repoDir: string,
  tree: string,
  parents: string[],
  message: string,
  env?: Record<string, string>,
): string {
  return git(repoDir, ['commit-tree', tree, ...parents.flatMap(p => ['-p', p]), '-F', '-'], { input: message, env });
}

export interface Merge {
  tree: string;
  /** The names on the conflict markers. */
  labels: { ours: string; theirs: string };
  conflicts: string[];
  /** What git said of each conflict (CONFLICT (content): ..., CONFLICT (modify/delete): ...). */
  messages: string[];
}

/**
 * The three-way merge of OURS (the repository's tree) and THEIRS (the new render) over BASE (the old render),
 * by `git merge-tree --write-tree`. Conflicted files are in the tree as git leaves them: text conflicts with
 * markers labelled LABELS.ours / LABELS.theirs, a file one side deleted with the other side's content.
 */
export function mergeTrees(
  repoDir: string,
  trees: { base: string; ours: string; theirs: string },
  labels: { ours: string; theirs: string },
): Merge {
  const base = commitTree(repoDir, trees.base, [], 'old render', MERGE_ONLY_IDENTITY);
  // merge-tree labels the conflict markers with the names it is given: short names of temporary refs.
  const names = { ours: `template-upgrade/${labels.ours}`, theirs: `template-upgrade/${labels.theirs}` };
  git(repoDir, [
    'update-ref',
    `refs/${names.ours}`,
    commitTree(repoDir, trees.ours, [base], 'repository', MERGE_ONLY_IDENTITY),
  ]);
  git(repoDir, [
    'update-ref',
    `refs/${names.theirs}`,
    commitTree(repoDir, trees.theirs, [base], 'new render', MERGE_ONLY_IDENTITY),
  ]);
  try {
    const output = git(repoDir, ['merge-tree', '--write-tree', '--name-only', names.ours, names.theirs], {
      exitCodes: [0, 1],
    });
    const [head = '', messages = ''] = output.split('\n\n');
    const [tree, ...conflicts] = head.split('\n').filter(Boolean);
    return {
      tree,
      labels: names,
      conflicts: [...new Set(conflicts)],
      messages: messages.split('\n').filter(line => line.startsWith('CONFLICT')),
    };
  } finally {
    for (const name of Object.values(names)) git(repoDir, ['update-ref', '-d', `refs/${name}`]);
  }
}

export interface Change {
  status: 'added' | 'changed' | 'deleted' | 'renamed';
  path: string;
  from?: string;
}

/** What changed from tree A to tree B, renames found as git finds them. */
export function treeChanges(repoDir: string, a: string, b: string): Change[] {
  const out = git(repoDir, ['diff-tree', '-r', '-M', '--name-status', '-z', a, b]);
  const fields = out.split('\0').filter(Boolean);
  const changes: Change[] = [];
  for (let i = 0; i < fields.length;) {
    const code = fields[i++];
    if (code.startsWith('R')) changes.push({ status: 'renamed', from: fields[i++], path: fields[i++] });
    else
      changes.push({
        status: code === 'A' ? 'added' : code === 'D' ? 'deleted' : 'changed',
        path: fields[i++],
      });
  }
  return changes;
}

/** The content of PATH in TREE_ISH of the repository at REPO_DIR, byte for byte; undefined when it has none. */
export function readBlob(repoDir: string, treeIsh: string, file: string): string | undefined {
  const result = spawnSync('git', ['cat-file', 'blob', `${treeIsh}:${file}`], {
    cwd: repoDir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return result.status === 0 ? result.stdout : undefined;
}

/** TREE with the files in CONTENTS written over (each keeps its mode; a new one is not executable); returns its id. */
export function replaceInTree(repoDir: string, tree: string, contents: Map<string, string>): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'template-upgrade-tree-'));
  try {
    const env = { GIT_INDEX_FILE: path.join(scratch, 'index') };
    git(repoDir, ['read-tree', tree], { env });
    for (const [file, content] of contents) {
      const mode = git(repoDir, ['ls-tree', '--format=%(objectmode)', tree, '--', file]) || '100644';
      const blob = git(repoDir, ['hash-object', '-w', '--no-filters', '--stdin'], { input: content });
      git(repoDir, ['update-index', '--add', '--cacheinfo', `${mode},${blob},${file}`], { env });
    }
    return git(repoDir, ['write-tree'], { env });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
