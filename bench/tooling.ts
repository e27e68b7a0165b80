// npm run bench:tooling — wall time of the tooling's commands as a developer runs them, each in a fresh
// process, median of RUNS (3), side by side with the part every one of them pays:
//   boot      Node start, the embedded Backstage started, the template ingested by its catalog, stopped
//   create    `koa-template create` into a new directory: boot, the form's check, the template's steps
//   upgrade   `koa-template upgrade` of a created repository from release N (this checkout's release, as
//             committed) to N+1, in a template repository built as test/upgrade.test.ts builds it: boot,
//             two dry-run renders, the three-way merge and its commit
//   current   `koa-template upgrade` of a repository already at this checkout's release, the weekly Template
//             upgrade workflow's usual case: answered without starting Backstage
// `npm run setup` is not measured: npm ci's time is the network's and npm's cache's. The load average is
// printed with the figures: the commands share the machine's cores with whatever else runs.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startBackstage } from '../packages/tooling/src/backstage/backend';
import { waitForTemplate } from '../packages/tooling/src/backstage/run-template';
import { git } from '../packages/tooling/src/git';
import { readReleases, templateVersion } from '../packages/tooling/src/release';
import { repoRoot, TEMPLATE_FILES } from '../packages/tooling/src/template-repository';
import { extractRelease } from '../packages/tooling/src/upgrade/template-history';
import { releaseNext, templateRepository } from '../test/support/upgrades/template-versions';
import { DEVELOPER_ENV } from '../test/support/workflows/developer';
import { median } from './support/measure';
import { runMain } from './support/run-main';

const RUNS = Number(process.env.RUNS ?? 3);
const BOOT_ONLY = 'boot-only';
const cli = path.join(repoRoot, 'node_modules', '.bin', 'koa-template');

/** Runs a command on this Node and returns its wall time in ms; a failure rejects with its output. */
async function timed(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const start = process.hrtime.bigint();
  await promisify(execFile)(process.execPath, args, { cwd: repoRoot, env, maxBuffer: 64 * 1024 * 1024 });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function report(label: string, samples: number[], baseline?: number): number {
  const middle = median(samples);
  const ratio = baseline ? `  ${(middle / baseline).toFixed(2)}x boot` : '';
  const runs = samples.map(s => s.toFixed(0)).join(', ');
  console.log(`${label.padEnd(8)} median ${middle.toFixed(0)} ms${ratio}  (runs: ${runs})`);
  return middle;
}

/** RUNS samples of RUN, one after another. */
async function times(run: (i: number) => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await run(i));
  return samples;
}

/** The baseline, in its own process: what create and upgrade do before and after their own work. */
async function bootOnly() {
  process.chdir(repoRoot);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'koa-template-boot-'));
  const backstage = await startBackstage({ repoRoot, publishTarget: () => work });
  try {
    await waitForTemplate(backstage.api);
  } finally {
    await backstage.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A git repository of the template with two commits: release N, the release this checkout declares, as the
 * commit that recorded it has it (the working tree may hold a change not released yet), and N+1 on top.
 */
function templateReleases(): string {
  const version = templateVersion(repoRoot);
  const release = readReleases(repoRoot).find(r => r.version === version);
  if (!release) throw new Error(`release ${version}, which template.yaml declares, is not recorded yet`);
  const dir = templateRepository();
  const released = fs.mkdtempSync(path.join(os.tmpdir(), 'koa-template-release-'));
  try {
    extractRelease(repoRoot, release, released);
    for (const file of TEMPLATE_FILES) {
      fs.rmSync(path.join(dir, file), { recursive: true, force: true });
      fs.cpSync(path.join(released, file), path.join(dir, file), { recursive: true });
    }
  } finally {
    fs.rmSync(released, { recursive: true, force: true });
  }
  git(dir, ['add', '--all']);
  git(dir, ['commit', '--quiet', '--amend', '--no-edit'], { env: DEVELOPER_ENV });
  releaseNext(dir);
  return dir;
}

const loadAverage = () => `load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores`;

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'koa-template-bench-'));
  const templateDir = templateReleases();
  try {
    console.log(`${RUNS} runs each; ${loadAverage()}`);
    // One untimed create warms the file cache and gives the repository the upgrade runs start from.
    const created = path.join(work, 'created');
    await timed([cli, 'create', '--app-name', 'bench', '--app-env', 'prod', '--out', created]);

    const boot = report('boot', await times(() => timed(['--import', 'tsx', __filename, BOOT_ONLY])));
    report(
      'create',
      await times(i =>
        timed([cli, 'create', '--app-name', `bench-${i}`, '--app-env', 'dev', '--out', path.join(work, `c${i}`)]),
      ),
      boot,
    );
    report(
      'upgrade',
      await times(i => {
        const repo = path.join(work, `u${i}`);
        fs.cpSync(created, repo, { recursive: true });
        return timed([cli, 'upgrade', '--repo', repo, '--template', templateDir], { ...process.env, ...DEVELOPER_ENV });
      }),
      boot,
    );
    report('current', await times(() => timed([cli, 'upgrade', '--repo', created])), boot);
    console.log(`done; ${loadAverage()}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(templateDir, { recursive: true, force: true });
  }
}

runMain(process.argv[2] === BOOT_ONLY ? bootOnly : main);
