// The flags npm test gives Node: in one place, so that test/runner.test.ts checks the runner as npm test runs it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Node's own flags: TypeScript through tsx, and complete-results.mjs in every test process. */
export const NODE_FLAGS = ['--import', 'tsx', '--import', path.join(here, 'complete-results.mjs')];

/**
 * How the runner runs the files: two at a time, one per core; --test-force-exit because an embedded Backstage
 * leaves timers behind after it stops.
 */
export const RUNNER_FLAGS = ['--test-concurrency=2', '--test-force-exit'];

/** Results go to stdout (spec); every failure, suites and hooks included, is listed again at the end on stderr. */
export const REPORTER_FLAGS = [
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  `--test-reporter=${path.join(here, 'failures-reporter.mjs')}`,
  '--test-reporter-destination=stderr',
];
