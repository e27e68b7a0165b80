// npm start [-- --port 7007 --out DIR]: the local portal on http://localhost:7007, listening on loopback only.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { waitForTemplate } from '../../packages/tooling/src/backstage/run-template';
import { STAND_IN_NOTE } from '../../packages/tooling/src/backstage/stand-in';
import { repoRoot } from '../../packages/tooling/src/template-repository';
import { buildApp } from './build-app';
import { startPortal } from './portal';

async function start(argv: string[]): Promise<void> {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '7007' },
      out: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  // npm run starts scripts in the package's directory; INIT_CWD is where the user typed the command.
  const outDir = path.resolve(process.env.INIT_CWD ?? process.cwd(), args.out ?? 'out');
  // Backstage resolves its own package.json, and the app backend the app's, from the working directory.
  process.chdir(repoRoot);
  const built = buildApp();
  if (built) console.log(`Built the app in ${built.toFixed(1)} s.`);
  const portal = await startPortal({ port: Number(args.port), outDir, logLevel: args.verbose ? 'info' : 'warn' });
  await waitForTemplate(portal.api);
  console.log(`
The koa-service template's local portal is up: ${portal.baseUrl}  (listening on 127.0.0.1 only)
  Sign in as guest, then Create -> "Koa TypeScript service". Catalog, TechDocs and search are there too.
  ${STAND_IN_NOTE}: publish:github commits each new repository to ${outDir}/NAME instead of GitHub, and the
  catalog registers it from there; TechDocs are built with Debian's mkdocs instead of mkdocs-techdocs-core.
  Everything else is Backstage's own code. The catalog lives in memory: it starts empty each time.
Ctrl-C stops it.`);
  const stop = () => {
    portal.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

start(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
