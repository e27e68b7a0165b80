// npm run create -- --app-name NAME --app-env ENV [--out DIR] [--values FILE] [--force] [--verbose]
//
// Renders a new service repository from this template through a real, embedded Backstage: the values go
// to the scaffolder as a create-form submission, its own validation and actions run the template's steps,
// and the repository lands in DIR as a git repository with one commit.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';

const USAGE =
  'usage: npm run create -- --app-name NAME --app-env dev|prod [--out DIR] [--values FILE] [--force] [--verbose]';

export async function create(argv: string[], cwd: string): Promise<number> {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      'app-name': { type: 'string' },
      'app-env': { type: 'string' },
      out: { type: 'string' },
      values: { type: 'string' },
      force: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const extra: unknown = args.values ? parseYaml(fs.readFileSync(path.resolve(cwd, args.values), 'utf8')) : {};
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    console.error(`--values ${args.values ?? ''}: write the form's fields as a YAML or JSON object\n${USAGE}`);
    return 2;
  }
  const values: Record<string, unknown> = { ...extra };
  if (args['app-name'] !== undefined) values.app_name = args['app-name'];
  if (args['app-env'] !== undefined) values.app_env = args['app-env'];
  if (typeof values.app_name !== 'string') {
    console.error(`--app-name is required (or app_name in --values)\n${USAGE}`);
    return 2;
  }
  const outDir = path.resolve(cwd, args.out ?? path.join('out', values.app_name));
  if (fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0 && !args.force) {
    console.error(`${outDir} is not empty: choose another --out, or pass --force to replace its contents`);
    return 2;
  }

  // Backstage's modules load only once the arguments hold: a refusal above answers at once.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- tsx runs the tooling as CommonJS
  const { createRepository } = require('./create-repository') as typeof import('./create-repository');
  return createRepository({ values, outDir, cwd, verbose: args.verbose });
}
