// npm run bench:render — how long rendering a service takes, median of N runs each, side by side:
//   baseline   the skeleton walked and rendered by classic nunjucks alone (pure templating cost)
//   task       one template run through the embedded Backstage's scaffolder (validation, fetch:template,
//              the publish stand-in with its git commit, catalog:register), the backend already up
//   create     `npm run create` end to end as a subprocess: Node start, backend boot, task, shutdown
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBackstage } from '../packages/tooling/src/backstage/backend';
import { dryRun, templateSource } from '../packages/tooling/src/backstage/dry-run';
import { formValues, runTemplate } from '../packages/tooling/src/backstage/run-template';
import { repoRoot } from '../packages/tooling/src/template-repository';
import { renderClassic } from '../test/support/backstage/classic-nunjucks';
import { fetchTemplateInput } from '../test/support/backstage/template';
import { median } from './support/measure';
import { runMain } from './support/run-main';

const RUNS = Number(process.env.RUNS ?? 3);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'koa-template-bench-'));

async function time(label: string, run: (i: number) => Promise<void> | void): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    await run(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  console.log(
    `${label.padEnd(9)} median ${median(samples).toFixed(0)} ms  (runs: ${samples.map(s => s.toFixed(0)).join(', ')})`,
  );
  return median(samples);
}

async function main() {
  const fetchInput = fetchTemplateInput();
  const backstage = await startBackstage({ repoRoot, publishTarget: ({ repo }) => path.join(work, 'task', repo) });
  try {
    // One untimed run warms the catalog; a dry run of the same values gives what fetch:template receives,
    // for the baseline.
    const warmValues = { app_name: 'warm', app_env: 'dev' };
    await runTemplate(backstage.api, warmValues);
    const warm = await dryRun(backstage.api, templateSource(repoRoot), await formValues(backstage.api, warmValues));
    if (warm.verdict !== 'accepted') throw new Error(`the dry run refused the values: ${JSON.stringify(warm.errors)}`);
    const { fetchValues: values } = warm;

    const baseline = await time('baseline', i =>
      renderClassic(path.join(repoRoot, fetchInput.url), path.join(work, 'classic', String(i)), {
        ...fetchInput,
        values,
      }),
    );
    const task = await time('task', async i => {
      const result = await runTemplate(backstage.api, { app_name: `bench-${i}`, app_env: 'prod' });
      if (result.status !== 'completed') throw new Error(`task ended ${result.status}`);
    });
    await backstage.stop();
    const create = await time('create', i => {
      const run = spawnSync(
        'npm',
        [
          'run',
          '--silent',
          'create',
          '--',
          '--app-name',
          `cli-${i}`,
          '--app-env',
          'dev',
          '--out',
          path.join(work, 'cli', String(i)),
        ],
        { cwd: repoRoot, encoding: 'utf8' },
      );
      if (run.status !== 0) throw new Error(run.stdout + run.stderr);
    });
    console.log(`ratios to baseline: task ${(task / baseline).toFixed(1)}x, create ${(create / baseline).toFixed(1)}x`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

runMain(main);
