// helm run without blocking: the property's checks run helm while Python reads pages and the next steps go on.
import { execFile } from 'node:child_process';
import { helmBinary, helmEnv, type HelmResult } from '../chart/helm';

/** Runs helm in the background; never rejects on a non-zero exit (lint failures are results). */
export function helmRun(args: string[], cwd: string): Promise<HelmResult> {
  return new Promise((resolve, reject) => {
    execFile(helmBinary(), args, { cwd, env: helmEnv(), encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(new Error(`helm did not run: ${error.message}`));
      else resolve({ status: error ? Number(error.code) : 0, output: error ? `${stdout}${stderr}` : stdout });
    });
  });
}
