// npm run skeleton:deps -- install PACKAGE[@RANGE] [--dev] | uninstall PACKAGE... | update [--minor-patch]
//                          [--template DIR] [--summary FILE]
//
// Changes skeleton/package.json and skeleton/package-lock.json through npm in a rendered copy of the skeleton,
// their template expressions restored and proven by rendering again (packages/tooling/src/skeleton-deps/).
// `install` adds or changes one dependency; `uninstall` removes dependencies; `update` takes the minor and
// patch updates the generated repository's Dependabot would propose, in its groups, and lists newer majors
// without applying them.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBackstage } from '../backstage/backend';
import { SkeletonDepsRefused } from '../skeleton-deps/npm';
import { skeletonDeps, type Request } from '../skeleton-deps/skeleton-deps';
import { repoRoot } from '../template-repository';

const USAGE =
  'usage: npm run skeleton:deps -- install PACKAGE[@RANGE] [--dev] | uninstall PACKAGE... | update [--minor-patch]\n' +
  '       [--template DIR] [--summary FILE]';

/** The template repository DIR is in (a directory with template.yaml and skeleton/), or none. */
function templateRepositoryOf(dir: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, 'template.yaml')) && fs.existsSync(path.join(at, 'skeleton'))) return at;
    if (path.dirname(at) === at) return undefined;
  }
}

export async function skeletonDepsCommand(argv: string[], cwd: string): Promise<number> {
  const { values: args, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dev: { type: 'boolean', default: false },
      'minor-patch': { type: 'boolean', default: false },
      template: { type: 'string' },
      summary: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, ...rest] = positionals;
  let request: Request;
  if (command === 'install' && rest.length === 1 && !args['minor-patch']) {
    request = { command: 'install', spec: rest[0], dev: args.dev };
  } else if (command === 'uninstall' && rest.length > 0 && !args.dev && !args['minor-patch']) {
    request = { command: 'uninstall', names: rest };
  } else if (command === 'update' && rest.length === 0 && !args.dev) {
    // Minor and patch updates are the only ones update applies: --minor-patch says so, and changes nothing.
    request = { command: 'update' };
  } else {
    console.error(USAGE);
    return 2;
  }
  // The template repository the command was run in (a copy's own, when run there), else this tooling's.
  const templateDir = path.resolve(cwd, args.template ?? templateRepositoryOf(cwd) ?? repoRoot);

  const backstage = await startBackstage({
    repoRoot,
    logLevel: 'error',
    publishTarget: () => {
      throw new Error('skeleton:deps publishes nothing');
    },
  });
  try {
    const outcome = await skeletonDeps(request, {
      api: backstage.api,
      templateDir,
      log: line => {
        console.log(line);
      },
    });
    console.log(`\n${outcome.summary}`);
    if (args.summary) fs.writeFileSync(path.resolve(cwd, args.summary), outcome.summary);
    console.log(
      outcome.changed
        ? `Wrote ${path.join(templateDir, 'skeleton')}/package.json and package-lock.json (rendered again: ` +
            "byte for byte what npm wrote). A skeleton change is a release: CHANGELOG.md, template.yaml's version, " +
            '`npm run release`.'
        : 'skeleton/ is unchanged.',
    );
    return 0;
  } catch (error) {
    if (error instanceof SkeletonDepsRefused) {
      console.error(`skeleton:deps refused, skeleton/ is unchanged: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await backstage.stop();
  }
}
