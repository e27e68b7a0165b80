// The portal's app (portal/app), built with @backstage/cli into portal/app/dist when its sources changed.
// `npm run setup` builds it, so that neither `npm start` nor the checks wait for it; run alone:
//   npm run portal:build
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../../packages/tooling/src/template-repository';

const appDir = path.join(repoRoot, 'portal', 'app');
const builtIndex = path.join(appDir, 'dist', 'index.html');

function newestSource(dir: string): number {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile())
    .reduce((newest, entry) => Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs), 0);
}

/** Builds the app (backstage-cli package build) unless dist is newer than every source; returns seconds spent. */
export function buildApp(log: (line: string) => void = console.log): number {
  const sources = Math.max(
    newestSource(path.join(appDir, 'src')),
    newestSource(path.join(appDir, 'public')),
    fs.statSync(path.join(appDir, 'package.json')).mtimeMs,
    fs.statSync(path.join(repoRoot, 'package-lock.json')).mtimeMs,
  );
  if (fs.existsSync(builtIndex) && fs.statSync(builtIndex).mtimeMs > sources) return 0;
  log('Building the portal app (backstage-cli package build)...');
  const started = Date.now();
  const cli = path.join(repoRoot, 'node_modules', '.bin', 'backstage-cli');
  // On this process's Node (24), whatever Node comes first on the caller's PATH.
  const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}` };
  const build = spawnSync(cli, ['package', 'build'], { cwd: appDir, encoding: 'utf8', env });
  if (build.status !== 0) throw new Error(`the portal app did not build:\n${build.stdout}${build.stderr}`);
  return (Date.now() - started) / 1000;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seconds = buildApp();
  console.log(seconds ? `Built the portal app in ${seconds.toFixed(1)} s.` : 'The portal app is built already.');
}
