// The upgrade commit's message, which is also the pull request's title and body: what the template
// changed, which new fields took defaults, which files conflict, and the changelog of the releases between.
import type { NewAnswers } from './answers';
import type { DependencyMerge } from './dependencies';
import type { Change, Merge } from './git';

const TRAILER = 'Template-Upgrade';

interface MessageFacts {
  template: string;
  from: { version: string; commit: string };
  to: { version: string; commit: string };
  changes: Change[];
  merge: Merge;
  dependencies: Pick<DependencyMerge, 'notes' | 'leftToDo'>;
  answers: NewAnswers;
  changelog: string;
}

const list = (lines: string[]) => lines.map(line => `- ${line}`).join('\n');

export function upgradeMessage(facts: MessageFacts): string {
  const { template, from, to, changes, merge, dependencies, answers, changelog } = facts;
  const sections = [
    `Upgrade to ${template} ${to.version} (from ${from.version})`,
    `Releases ${from.version} (template commit ${from.commit.slice(0, 12)}) and ${to.version} (${to.commit}) ` +
      'rendered by the scaffolder with the answers in .template-answers.yaml; the difference merged into this ' +
      'repository by git merge-tree (base: the old render, ours: this repository, theirs: the new render).',
  ];
  if (merge.conflicts.length) {
    sections.push(
      `Conflicts: ${merge.conflicts.length} file${merge.conflicts.length === 1 ? '' : 's'} to resolve before merging ` +
        `(markers <<<<<<< ${merge.labels.ours} and >>>>>>> ${merge.labels.theirs}; ` +
        'a file one side deleted is in the tree as the other side left it: keep it or delete it; ' +
        "a package.json key changed two ways keeps this repository's value, both values listed):\n" +
        list(merge.messages.length ? merge.messages : merge.conflicts),
    );
  }
  if (dependencies.leftToDo.length) sections.push(`Left to do:\n${list(dependencies.leftToDo)}`);
  if (dependencies.notes.length) sections.push(`Dependencies:\n${list(dependencies.notes)}`);
  const describe = (c: Change) =>
    c.status === 'renamed' ? `renamed: ${c.from} -> ${c.path}` : `${c.status}: ${c.path}`;
  sections.push(
    `What the template changed for this repository:\n${changes.length ? list(changes.map(describe)) : '- nothing'}`,
  );
  if (answers.defaulted.length) {
    const defaults = answers.defaulted.map(d => `${d.name}: ${JSON.stringify(d.value)}`);
    sections.push(`New form fields, answered with their defaults:\n${list(defaults)}`);
  }
  if (answers.given.length) sections.push(`Answers given for this upgrade: ${answers.given.join(', ')}`);
  if (answers.dropped.length) sections.push(`Answers the new form no longer asks for: ${answers.dropped.join(', ')}`);
  if (changelog) sections.push(`Changelog of the template:\n\n${changelog}`);
  sections.push(`${TRAILER}: ${from.version} -> ${to.version}`);
  return `${sections.join('\n\n')}\n`;
}
