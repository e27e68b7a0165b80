// Node 24, the generated service's runtime and the tooling's own, is the npm package `node` that package.json
// pins (installed by `npm run setup`). Commands run with its directory first on PATH, so `npm` and `node` are
// Node 24 whatever Node started the command.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../packages/tooling/src/template-repository';

export const node24Bin = path.join(repoRoot, 'node_modules', 'node', 'bin');

/**
 * The environment for a generated repo's commands: Node 24 first, no npm_* settings of the root's own npm run, and
 * no NODE_TEST_CONTEXT, with which a `node --test` there would report to this test runner instead of on its own.
 */
export function node24Env(extra: Record<string, string> = {}, bin = node24Bin): NodeJS.ProcessEnv {
  const node = path.join(bin, 'node');
  if (!fs.existsSync(node)) {
    throw new Error(`Node 24 is missing (${path.relative(repoRoot, node)}): run \`npm run setup\` at the repo root`);
  }
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && !['NODE_OPTIONS', 'INIT_CWD', 'NODE_TEST_CONTEXT'].includes(key)) env[key] = value;
  }
  return { ...env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, CI: 'true', ...extra };
}

export interface Run {
  code: number;
  output: string;
  seconds: number;
}

/** Runs a command to its end, stdout and stderr interleaved in `output`. */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const started = Date.now();
  return new Promise(resolve => {
    const child = execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    let output = '';
    // execFile decodes both streams as UTF-8.
    const append = (chunk: string) => {
      output += chunk;
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    child.on('close', code => {
      resolve({ code: code ?? -1, output, seconds: (Date.now() - started) / 1000 });
    });
  });
}
