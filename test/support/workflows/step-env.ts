// What a `run:` step sees: the workflow's, its job's and its own env, with the expressions GitHub would substitute
// given as VALUES; any other expression is an error, so a check cannot run a step with a value it did not choose.
// And the step's outputs, as GitHub reads them from the file $GITHUB_OUTPUT names.
import fs from 'node:fs';
import type { Job, Step, Workflow } from './workflows';

export function stepEnv(
  workflow: Workflow,
  job: string,
  step: Step,
  values: Record<string, string>,
): Record<string, string> {
  const merged = { ...workflow.env, ...workflow.jobs[job].env, ...step.env };
  return Object.fromEntries(
    Object.entries(merged).map(([name, value]) => [
      name,
      value.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (whole: string, expression: string) => {
        if (!(expression in values)) throw new Error(`${name}: no value for ${whole}`);
        return values[expression];
      }),
    ]),
  );
}

/** The `name=value` lines a step wrote to its $GITHUB_OUTPUT file. */
export function readOutputs(file: string): Record<string, string> {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return Object.fromEntries(
    text
      .split('\n')
      .filter(line => line.includes('='))
      .map(line => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** The step of JOB whose name, id or script matches. */
export function findStep(workflow: Workflow, job: string, match: (step: Step) => boolean): Step {
  const step = (workflow.jobs[job] as Job | undefined)?.steps?.find(match);
  if (!step) throw new Error(`${workflow.file}: job ${job} has no such step`);
  return step;
}
