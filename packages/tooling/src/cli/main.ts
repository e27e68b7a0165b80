// `koa-template COMMAND [options]`: runs one command with the rest of the arguments, then exits with its code.
import './source-maps-off';
import { repoRoot } from '../template-repository';
import { create } from './create';
import { release } from './release';
import { skeletonDepsCommand } from './skeleton-deps';
import { upgrade } from './upgrade';

/** A command: its arguments, and the directory relative paths among them are resolved against. */
type Command = (argv: string[], cwd: string) => Promise<number>;

const COMMANDS: Record<string, Command | undefined> = {
  create,
  upgrade,
  release,
  'skeleton-deps': skeletonDepsCommand,
};

const [command = '', ...argv] = process.argv.slice(2);
const run = COMMANDS[command];
if (!run) {
  console.error(`usage: koa-template ${Object.keys(COMMANDS).join('|')} [options]`);
  process.exit(2);
}
// npm run starts scripts in the package's directory and says in INIT_CWD where the command was typed; run
// directly, the command is where it was started.
const cwd = process.cwd() === repoRoot ? (process.env.INIT_CWD ?? repoRoot) : process.cwd();
// Backstage resolves its own package.json from the working directory: every command runs in the repository.
process.chdir(repoRoot);
run(argv, cwd).then(
  code => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
