// npm as skeleton:deps runs it in a rendered copy of the skeleton: on the Node the tooling runs on (24), with no
// install script of any package, lock file only (nothing is extracted: the lock is what the skeleton keeps), and
// its failures told apart so that the author reads what went wrong rather than npm's log.
import { spawn } from 'node:child_process';
import path from 'node:path';

/** What skeleton:deps refuses to do, said to the author; skeleton/ is left as it was. */
export class SkeletonDepsRefused extends Error {}

/**
 * The npm settings a child npm takes from the environment: where the registry is and how to reach it. The rest of
 * what `npm run` exports (its prefix, workspace, save and install settings) belongs to the root's own npm run.
 */
const PASSED_SETTINGS = new RegExp(
  '^npm_config_(?:registry|.+:registry|cache|userconfig|fetch_\\w+|proxy|https_proxy|noproxy|strict_ssl|cafile|' +
    'offline|prefer_offline|prefer_online)$',
  'i',
);

export function npmEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const kept = Object.entries(env).filter(([key]) => !/^npm_/i.test(key) || PASSED_SETTINGS.test(key));
  return {
    ...Object.fromEntries(kept),
    // npm and the node it starts are the tooling's own Node, whatever else is on PATH.
    PATH: [path.dirname(process.execPath), env.PATH ?? ''].join(path.delimiter),
  };
}

/** npm's exit code, and its output (stdout and stderr interleaved). */
interface NpmRun {
  code: number;
  stdout: string;
  output: string;
}

export function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<NpmRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', [...args, '--no-audit', '--no-fund', '--no-update-notifier'], { cwd, env });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', code => {
      resolve({ code: code ?? -1, stdout, output });
    });
  });
}

/** The error codes npm prints when it cannot reach the registry at all. */
const UNREACHABLE = /\b(?:ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH)\b/;

/** npm's failure, as a sentence: which of the usual causes it is, then npm's own error lines. */
export function npmFailure(what: string, run: NpmRun): SkeletonDepsRefused {
  const errors = run.output
    .split('\n')
    .filter(line => line.startsWith('npm error') && !/A complete log of this run|^npm error\s*$/.test(line))
    .slice(0, 8)
    .join('\n');
  const code = /npm error code (\S+)/.exec(run.output)?.[1] ?? '';
  let cause = `npm failed (exit ${run.code})`;
  if (UNREACHABLE.test(code) || UNREACHABLE.test(errors)) cause = 'the npm registry could not be reached';
  else if (code === 'E404') cause = 'no such package in the npm registry';
  else if (code === 'ETARGET') cause = 'no version of the package matches';
  else if (code === 'EINVALIDPACKAGENAME' || code === 'EINVALIDTAGNAME') cause = 'not a valid package name or range';
  return new SkeletonDepsRefused(`${what}: ${cause}.\n${errors || run.output.trim().slice(-2000)}`);
}
