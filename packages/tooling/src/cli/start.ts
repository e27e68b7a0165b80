// npm start [-- --port 7007 --out DIR]: the local portal on http://localhost:7007, listening on loopback only.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { STAND_IN_NOTE } from '../backstage/local-github/index';
import { buildApp, startPortal } from '../backstage/portal';
import { waitForTemplate } from '../backstage/run-template';

export async function start(argv: string[]): Promise<number> {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '7007' },
      out: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  const outDir = path.resolve(args.out ?? 'out');
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
  const stop = async () => {
    await portal.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise<number>(() => undefined);
}
