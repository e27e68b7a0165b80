// `koa-template COMMAND [options]`: runs one command with the rest of the arguments, then exits with its code.
import './source-maps-off';
import { repoRoot } from '../template-repository';

/** A command: its arguments, and the directory relative paths among them are resolved against. */
type Command = (argv: string[], cwd: string) => Promise<number>;

/* eslint-disable @typescript-eslint/no-require-imports -- tsx runs the tooling as CommonJS, where import()
   bypasses it: require() loads each command's module, and Backstage's with it, only when that command runs. */
const COMMANDS: Record<string, (() => Command) | undefined> = {
  create: () => (require('./create') as typeof import('./create')).create,
  upgrade: () => (require('./upgrade') as typeof import('./upgrade')).upgrade,
  release: () => (require('./release') as typeof import('./release')).release,
  'skeleton-deps': () => (require('./skeleton-deps') as typeof import('./skeleton-deps')).skeletonDepsCommand,
};
/* eslint-enable @typescript-eslint/no-require-imports */

const [command = '', ...argv] = process.argv.slice(2);
const load = COMMANDS[command];
if (!load) {
  console.error(`usage: koa-template ${Object.keys(COMMANDS).join('|')} [options]`);
  process.exit(2);
}
// npm run starts scripts in the package's directory and says in INIT_CWD where the command was typed; run
// directly, the command is where it was started.
const cwd = process.cwd() === repoRoot ? (process.env.INIT_CWD ?? repoRoot) : process.cwd();
// Backstage resolves its own package.json from the working directory: every command runs in the repository.
process.chdir(repoRoot);
load()(argv, cwd).then(
  code => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
