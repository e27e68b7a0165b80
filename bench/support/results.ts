// Where a benchmark's figures go: bench/results/NAME.md (the table) and NAME.json (the same figures, whole).
import fs from 'node:fs';
import path from 'node:path';

/** Prints the table and writes both files. */
export function writeResults(name: string, markdown: string, json: unknown): void {
  console.log(`\n${markdown}`);
  const results = path.join(__dirname, '..', 'results');
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(path.join(results, `${name}.md`), markdown.endsWith('\n') ? markdown : `${markdown}\n`);
  fs.writeFileSync(path.join(results, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`Written: bench/results/${name}.md and ${name}.json`);
}
