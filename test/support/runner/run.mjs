// `npm test` and `npm run test:quick`: the checks in test/*.test.ts under Node's test runner, two files at a
// time (one per core), the slowest started first so that no long file starts last and runs alone.
//   node test/support/runner/run.mjs [--quick] [FILE...]
// --quick leaves out the files that build and run generated repositories or a browser (SLOW below, after the
// first few) and runs the property-based tests with fewer cases; it is for the inner loop, never for CI.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS, REPORTER_FLAGS, RUNNER_FLAGS } from './flags.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Files by how long they take, longest first; the rest follow in name order. */
const SLOW = [
  'form-properties',
  'upgrade',
  'service',
  'portal',
  'workflows',
  'monitoring',
  'create',
  'skeleton-deps',
  'upgrade-deps',
  'promote',
  'docs',
  'chart',
  'upgrade-release',
  'docs-facts',
  'catalog',
  'form',
  'dependabot',
  'answers',
  'environments',
  'template',
];
/** Left out by --quick: each installs and runs a generated repository, needs the npm registry, or drives a browser. */
const NOT_QUICK = new Set([
  'upgrade',
  'upgrade-release',
  'upgrade-deps',
  'skeleton-deps',
  'service',
  'portal',
  'monitoring',
  'create',
]);

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const named = args.filter(arg => !arg.startsWith('--'));
const all = fs
  .readdirSync(path.join(root, 'test'))
  .filter(file => file.endsWith('.test.ts'))
  .map(file => file.slice(0, -'.test.ts'.length))
  .sort();
const rank = name => (SLOW.includes(name) ? SLOW.indexOf(name) : SLOW.length);
const chosen = (named.length ? named.map(file => path.basename(file).replace(/\.test\.ts$/, '')) : all)
  .filter(name => !(quick && NOT_QUICK.has(name)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

// The run's temporary files, those of every process the checks start included, go to one directory removed at
// the end: a check that leaves a directory behind leaves nothing on the machine.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'koa-template-checks-'));
const env = { ...process.env, TMPDIR: tmp, ...(quick ? { FC_RUNS: process.env.FC_RUNS ?? '20' } : {}) };
const run = spawnSync(
  process.execPath,
  [...NODE_FLAGS, '--test', ...RUNNER_FLAGS, ...REPORTER_FLAGS, ...chosen.map(name => `test/${name}.test.ts`)],
  { cwd: root, stdio: 'inherit', env },
);
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(run.status ?? 1);
