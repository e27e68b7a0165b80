// The rules every workflow of the template and of a generated repository follows, as checks that return the
// offenders (an empty list passes).
import { runBlocks, steps, type Workflow } from './workflows';

/** The current major of every action the workflows may use (checked 2026-11). */
const CURRENT_MAJORS: Partial<Record<string, string>> = {
  'actions/checkout': 'v7',
  'actions/setup-node': 'v7',
  'azure/setup-helm': 'v5',
  'docker/build-push-action': 'v7',
  'docker/login-action': 'v4',
  'docker/metadata-action': 'v6',
  'docker/setup-buildx-action': 'v4',
};

const grantsWrite = (permissions: unknown) =>
  permissions === 'write-all' ||
  (typeof permissions === 'object' && permissions !== null && Object.values(permissions).includes('write'));

/** `permissions: contents: read` at the top, nothing broader. */
export function topLevelPermissions(workflow: Workflow): string[] {
  const { permissions } = workflow;
  return JSON.stringify(permissions) === JSON.stringify({ contents: 'read' })
    ? []
    : [`${workflow.file}: top-level permissions are ${JSON.stringify(permissions)}, not { contents: read }`];
}

/**
 * A job that pushes with git has `contents: write` for GITHUB_TOKEN, or checks out with a token of its own
 * (a secret) and then grants GITHUB_TOKEN nothing to write; no other job has any write permission.
 */
export function writeOnlyWherePushing(workflow: Workflow): string[] {
  const pushing = new Set(
    runBlocks(workflow)
      .filter(b => /\bgit\s+push\b/.test(b.script))
      .map(b => b.job),
  );
  return Object.entries(workflow.jobs).flatMap(([name, job]) => {
    const { permissions } = job;
    const ownToken = (job.steps ?? []).some(({ uses, with: inputs }) => {
      const token = inputs?.token;
      return (
        uses?.startsWith('actions/checkout@') &&
        typeof token === 'string' &&
        /^\$\{\{ secrets\.(?!GITHUB_TOKEN\b)\w+ \}\}$/.test(token)
      );
    });
    const granted = JSON.stringify(permissions);
    if (pushing.has(name) && ownToken) {
      return grantsWrite(permissions)
        ? [`${workflow.file}: job ${name} pushes with its own token yet grants GITHUB_TOKEN ${granted}`]
        : [];
    }
    if (pushing.has(name) && (typeof permissions !== 'object' || permissions.contents !== 'write')) {
      return [`${workflow.file}: job ${name} runs git push without permissions: contents: write`];
    }
    if (!pushing.has(name) && grantsWrite(permissions)) {
      return [`${workflow.file}: job ${name} does not push but has ${granted}`];
    }
    return [];
  });
}

export function timeouts(workflow: Workflow): string[] {
  return Object.entries(workflow.jobs)
    .filter(([, job]) => !(Number(job['timeout-minutes']) > 0))
    .map(([name]) => `${workflow.file}: job ${name} has no timeout-minutes`);
}

/** Event data (or any expression) reaches a script only through `env:`, never spliced into `run:`. */
export function noExpressionsInRun(workflow: Workflow): string[] {
  return runBlocks(workflow)
    .filter(block => block.script.includes('${{'))
    .map(block => `${workflow.file}: job ${block.job}, ${block.step}: expression inside run:`);
}

export function currentMajors(workflow: Workflow): string[] {
  return steps(workflow).flatMap(({ job, step: { uses } }) => {
    if (uses === undefined) return [];
    const [action, ref] = uses.split('@');
    const current = CURRENT_MAJORS[action];
    if (!current) return [`${workflow.file}: job ${job} uses ${uses}, an action not in CURRENT_MAJORS`];
    return ref === current ? [] : [`${workflow.file}: job ${job} uses ${uses}; the current major is ${current}`];
  });
}

/**
 * No empty value outside `on:` (where `pull_request:` alone is normal): an expression Backstage rendered empty
 * leaves exactly that behind.
 */
export function noEmptyValues(workflow: Workflow): string[] {
  const found: string[] = [];
  const walk = (node: unknown, at: string) => {
    if (node === null || node === '') found.push(`${workflow.file}: ${at} is empty`);
    else if (typeof node === 'object') for (const [key, value] of Object.entries(node)) walk(value, `${at}.${key}`);
  };
  const { file: _file, text: _text, on: _on, ...rest } = workflow;
  walk(rest, '');
  return found;
}
