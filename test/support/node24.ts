// Node 24, the generated service's runtime, comes from the npm package `node` in tools/node24 (installed
// by the root postinstall). Commands run with its directory first on PATH, so `npm` and `node` are Node 24.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../tools/backstage/run-template';

export const node24Bin = path.join(repoRoot, 'tools', 'node24', 'node_modules', '.bin');

/** The environment for a generated repo's commands: Node 24 first, no npm_* settings of the root's own npm run. */
export function node24Env(extra: Record<string, string> = {}, bin = node24Bin): NodeJS.ProcessEnv {
  const node = path.join(bin, 'node');
  if (!fs.existsSync(node)) {
    throw new Error(`Node 24 is missing (${path.relative(repoRoot, node)}): run \`npm ci\` at the repo root, which installs tools/node24`);
  }
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'NODE_OPTIONS' && key !== 'INIT_CWD') env[key] = value;
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
    child.stdout?.on('data', chunk => (output += chunk));
    child.stderr?.on('data', chunk => (output += chunk));
    child.on('close', code => resolve({ code: code ?? -1, output, seconds: (Date.now() - started) / 1000 }));
  });
}
