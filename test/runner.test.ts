// npm test's own runner settings: with --test-force-exit, a file's last results can be lost on their way
// to the runner (nodejs/node#64833); test/support/runner/complete-results.mjs must make every one arrive.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../packages/tooling/src/template-repository';
import { NODE_FLAGS, RUNNER_FLAGS } from './support/runner/flags.mjs';

test('a file of 3000 tests run as npm test runs it reports all 3000', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-'));
  const file = path.join(dir, 'many.test.cjs');
  const tests = Array.from({ length: 3000 }, (_, i) => `test('t${i}', () => {});`).join('\n');
  fs.writeFileSync(file, `const { test } = require('node:test');\n${tests}\n`);
  for (let run = 0; run < 3; run++) {
    const result = spawnSync(
      process.execPath,
      [...NODE_FLAGS, '--test', ...RUNNER_FLAGS, '--test-reporter=tap', file],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, NODE_TEST_CONTEXT: undefined },
      },
    );
    assert.match(result.stdout, /^# tests 3000$/m, result.stdout.slice(-400));
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
