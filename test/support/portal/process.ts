// The portal as `npm start` runs it (portal/backend/start.ts, on this process's Node), in a process of its own
// so that its whole log, Backstage's request log included (--verbose), can be read by the test.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { BackstageApi } from '../../../packages/tooling/src/backstage/api';
import { repoRoot } from '../../../packages/tooling/src/template-repository';

export interface PortalProcess {
  baseUrl: string;
  api: BackstageApi;
  /** Everything the portal wrote to stdout and stderr so far, colours removed. */
  log(): string;
  stop(): Promise<void>;
}

// eslint-disable-next-line no-control-regex -- the escape sequences of winston's colours
const ANSI = /\x1b\[[0-9;]*m/g;

export function startPortalProcess(opts: { port: number; outDir: string }): Promise<PortalProcess> {
  const start = path.join(repoRoot, 'portal', 'backend', 'start.ts');
  const args = ['--import', 'tsx', start, '--port', String(opts.port), '--out', opts.outDir, '--verbose'];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<void>(resolve => {
    child.once('exit', () => {
      resolve();
    });
  });
  const log = () => output.replace(ANSI, '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the portal was not up within 5 minutes:\n${log().slice(-5000)}`));
    }, 300_000);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the portal exited before it was up:\n${log().slice(-5000)}`));
    });
    const up = () => {
      const match = /local portal is up: (http:\/\/\S+)/.exec(log());
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', up);
      resolve({
        baseUrl: match[1],
        api: new BackstageApi(match[1]),
        log,
        async stop() {
          child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout.on('data', up);
  });
}
