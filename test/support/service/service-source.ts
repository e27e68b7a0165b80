// The rendered service's own source, read for what the chart relies on: its routes and the variables it reads.
import fs from 'node:fs';
import path from 'node:path';

export function serviceSource(repoDir: string) {
  const srcDir = path.join(repoDir, 'src');
  const source = fs
    .readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
    .filter(file => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map(file => fs.readFileSync(path.join(srcDir, file), 'utf8'))
    .join('\n');
  return {
    /** A Koa router route: router.get('/path', ...). */
    routes: (route: string) => source.includes(`.get('${route}'`) || source.includes(`.get("${route}"`),
    /** An environment variable named in a string literal (config.ts reads them as text('NAME')). */
    reads: (name: string) => source.includes(`'${name}'`) || source.includes(`"${name}"`),
  };
}
