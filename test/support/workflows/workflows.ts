// GitHub Actions workflow files of a repository, parsed, and the pieces the workflow checks look at.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { listFiles } from '../backstage/rendered';

const WORKFLOW_DIR = path.join('.github', 'workflows');

export interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}

export interface Job {
  name?: string;
  if?: string;
  environment?: string | { name: string; url?: string };
  outputs?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown> };
  needs?: string | string[];
  permissions?: string | Record<string, string>;
  'timeout-minutes'?: number;
  defaults?: { run?: { shell?: string } };
  env?: Record<string, string>;
  steps?: Step[];
}

/** An event's filters under `on:` (null for an event with none, as `pull_request:` alone). */
interface Trigger {
  branches?: string[];
  paths?: string[];
  [filter: string]: unknown;
}

export interface Workflow {
  /** Path relative to the repository root. */
  file: string;
  text: string;
  on: Record<string, Trigger | null>;
  permissions?: string | Record<string, string>;
  concurrency?: string | { group: string; 'cancel-in-progress'?: boolean | string };
  env?: Record<string, string>;
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, Job>;
}

export interface RunBlock {
  file: string;
  job: string;
  /** The step's name, id or position. */
  step: string;
  shell: string;
  script: string;
}

/** Every file under .github/workflows, relative to the repository root. */
export function workflowFiles(repoDir: string): string[] {
  const dir = path.join(repoDir, WORKFLOW_DIR);
  return fs.existsSync(dir) ? listFiles(dir).map(file => path.join(WORKFLOW_DIR, file)) : [];
}

export function loadWorkflow(repoDir: string, file: string): Workflow {
  const text = fs.readFileSync(path.join(repoDir, file), 'utf8');
  return { ...(parse(text) as Omit<Workflow, 'file' | 'text'>), file, text };
}

export function steps(workflow: Workflow): { job: string; step: Step; label: string }[] {
  return Object.entries(workflow.jobs).flatMap(([job, { steps = [] }]) =>
    steps.map((step, i) => ({ job, step, label: step.name ?? step.id ?? step.uses ?? `step ${i + 1}` })),
  );
}

export function runBlocks(workflow: Workflow): RunBlock[] {
  return steps(workflow).flatMap(({ job, step, label }) =>
    step.run === undefined
      ? []
      : {
          file: workflow.file,
          job,
          step: label,
          // GitHub's default on Linux runners is bash.
          shell: step.shell ?? workflow.jobs[job].defaults?.run?.shell ?? workflow.defaults?.run?.shell ?? 'bash',
          script: step.run,
        },
  );
}
