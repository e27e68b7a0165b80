// `koa-template COMMAND [options]`: runs one command with the rest of the arguments, then exits with its code.
import { create } from './create';
import { release } from './release';
import { start } from './start';
import { upgrade } from './upgrade';

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { create, upgrade, release, start };

const [command = '', ...argv] = process.argv.slice(2);
const run = COMMANDS[command];
if (!run) {
  console.error(`usage: koa-template ${Object.keys(COMMANDS).join('|')} [options]`);
  process.exit(2);
}
run(argv).then(
  code => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
