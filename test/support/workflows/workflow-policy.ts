// The rules every workflow of the template and of a generated repository follows, as checks that return the
// offenders (an empty list passes). Where zizmor (https://docs.zizmor.sh/audits/) has an audit for a rule, its id
// is named: a reader can look the rule up there.
import { runBlocks, steps, type Job, type Step, type Workflow } from './workflows';

/** `uses: owner/repo[/path]@<40 hex> # vX.Y.Z`: a commit no one can move, and the release it is. */
const PINNED_USES =
  /^\s*(?:-\s+)?uses:\s+(?<action>[\w.-]+\/[\w./-]+)@(?<sha>[0-9a-f]{40})\s+#\s+(?<version>v\d+\.\d+\.\d+)\s*$/;

/** A `run:` block that pushes to a git remote, with git itself or through a wrapper function. */
const PUSHES = /\bpush\b(?:\s+--\w+)*\s+origin\b/;

/** A job's GitHub environment, by name, if it declares one. */
const environmentOf = (job: Job) => (typeof job.environment === 'object' ? job.environment.name : job.environment);

const isCheckout = (step: Step) => step.uses?.startsWith('actions/checkout@') === true;
const isAppToken = (step: Step) => step.uses?.startsWith('actions/create-github-app-token@') === true;

/** `permissions: contents: read` at the top, nothing broader. */
export function topLevelPermissions(workflow: Workflow): string[] {
  const { permissions } = workflow;
  return JSON.stringify(permissions) === JSON.stringify({ contents: 'read' })
    ? []
    : [`${workflow.file}: top-level permissions are ${JSON.stringify(permissions)}, not { contents: read }`];
}

function pushingJobs(workflow: Workflow): Set<string> {
  return new Set(
    runBlocks(workflow)
      .filter(b => PUSHES.test(b.script))
      .map(b => b.job),
  );
}

/** The jobs that sign with cosign: the only ones that may ask for an OIDC token. */
function signingJobs(workflow: Workflow): Set<string> {
  return new Set(
    runBlocks(workflow)
      .filter(b => /\bcosign\s+(?:sign|attest)\b/.test(b.script))
      .map(b => b.job),
  );
}

/** A job pushes with a token of its own: a GitHub App's, minted in the job, or a secret's. */
function pushesWithOwnToken(job: Job): boolean {
  return (job.steps ?? []).some(
    step => isAppToken(step) || /\$\{\{[^}]*secrets\.(?!GITHUB_TOKEN\b)\w+/.test(JSON.stringify(step.env ?? {})),
  );
}

/**
 * Each write permission for a reason the job shows: `contents` to push with GITHUB_TOKEN (a job that pushes with
 * a token of its own grants GITHUB_TOKEN nothing to write), `id-token` to sign, `security-events` to upload a
 * SARIF report; no other write at all (zizmor `excessive-permissions`).
 */
export function writeOnlyWhereNeeded(workflow: Workflow): string[] {
  const pushing = pushingJobs(workflow);
  const signing = signingJobs(workflow);
  return Object.entries(workflow.jobs).flatMap(([name, job]) => {
    const { permissions } = job;
    const at = `${workflow.file}: job ${name}`;
    if (permissions === 'write-all') return [`${at} has write-all`];
    const granted = typeof permissions === 'object' ? permissions : {};
    const uploadsSarif = (job.steps ?? []).some(s => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    const found = Object.entries(granted)
      .filter(([, level]) => level === 'write')
      .flatMap(([scope]) => {
        if (scope === 'contents' && pushing.has(name) && !pushesWithOwnToken(job)) return [];
        if (scope === 'id-token' && signing.has(name)) return [];
        if (scope === 'security-events' && uploadsSarif) return [];
        return [`${at} has ${scope}: write without a step that needs it`];
      });
    if (pushing.has(name) && !pushesWithOwnToken(job) && granted.contents !== 'write')
      found.push(`${at} pushes with GITHUB_TOKEN without permissions: contents: write`);
    return found;
  });
}

/** zizmor `excessive-permissions`, for OIDC: `id-token: write` is in the signing job, and nowhere else. */
export function idTokenOnlyWhereSigning(workflow: Workflow): string[] {
  const top = JSON.stringify(workflow.permissions ?? {});
  const signing = signingJobs(workflow);
  const found =
    /"id-token":"write"/.test(top) || top === '"write-all"' ? [`${workflow.file}: id-token at the top`] : [];
  for (const [name, job] of Object.entries(workflow.jobs)) {
    const hasIdToken = typeof job.permissions === 'object' && job.permissions['id-token'] === 'write';
    if (hasIdToken && !signing.has(name))
      found.push(`${workflow.file}: job ${name} has id-token: write but signs nothing`);
    if (!hasIdToken && signing.has(name)) found.push(`${workflow.file}: job ${name} signs without id-token: write`);
  }
  return found;
}

/** The jobs of WORKFLOWS holding `id-token: write`, as `file: job`. */
export function idTokenJobs(workflows: Workflow[]): string[] {
  return workflows.flatMap(w =>
    Object.entries(w.jobs)
      .filter(([, job]) => typeof job.permissions === 'object' && job.permissions['id-token'] === 'write')
      .map(([name]) => `${w.file}: ${name}`),
  );
}

export function timeouts(workflow: Workflow): string[] {
  return Object.entries(workflow.jobs)
    .filter(([, job]) => !(Number(job['timeout-minutes']) > 0))
    .map(([name]) => `${workflow.file}: job ${name} has no timeout-minutes`);
}

/**
 * zizmor `template-injection`: event data (or any expression) reaches a script only through `env:`, never
 * spliced into `run:`.
 */
export function noExpressionsInRun(workflow: Workflow): string[] {
  return runBlocks(workflow)
    .filter(block => block.script.includes('${{'))
    .map(block => `${workflow.file}: job ${block.job}, ${block.step}: expression inside run:`);
}

/**
 * zizmor `unpinned-uses`: every `uses:` names a full commit SHA with its release in a comment (Dependabot moves
 * both), and each action is at the same commit in every workflow of the repository.
 */
export function pinnedActions(workflows: Workflow[]): string[] {
  const found: string[] = [];
  const seen = new Map<string, string>();
  for (const workflow of workflows) {
    const lines = workflow.text.split('\n').filter(line => /^\s*(?:-\s+)?uses:/.test(line));
    const used = steps(workflow).filter(({ step }) => step.uses !== undefined);
    if (lines.length !== used.length)
      found.push(`${workflow.file}: ${lines.length} uses: lines for ${used.length} steps`);
    for (const line of lines) {
      const pinned = PINNED_USES.exec(line)?.groups;
      if (!pinned) {
        found.push(`${workflow.file}: "${line.trim()}" is not <action>@<40-hex commit> # vX.Y.Z`);
        continue;
      }
      const pin = `${pinned.sha} # ${pinned.version}`;
      const before = seen.get(pinned.action);
      if (before !== undefined && before !== pin)
        found.push(`${workflow.file}: ${pinned.action} at ${pin}, elsewhere ${before}`);
      seen.set(pinned.action, pin);
    }
  }
  return found;
}

/**
 * zizmor `artipacked`: no checkout leaves its credentials in .git/config (`persist-credentials: false`), except
 * in a job that pushes with GITHUB_TOKEN, where the push needs them.
 */
export function noPersistedCredentials(workflow: Workflow): string[] {
  const pushing = pushingJobs(workflow);
  return steps(workflow)
    .filter(({ step }) => isCheckout(step) && step.with?.['persist-credentials'] !== false)
    .filter(({ job }) => !(pushing.has(job) && !pushesWithOwnToken(workflow.jobs[job])))
    .map(({ job, label }) => `${workflow.file}: job ${job}, ${label}: checkout without persist-credentials: false`);
}

/**
 * zizmor `cache-poisoning`: no image build reads or writes GitHub's Actions cache (`type=gha`), which any
 * workflow run on main can write; and a workflow that publishes an image restores no Actions cache at all.
 */
export function noActionsCacheWherePublishing(workflow: Workflow): string[] {
  const all = steps(workflow);
  const found = all
    .filter(({ step }) => /type=gha\b/.test(JSON.stringify(step.with ?? {})))
    .map(({ job, label }) => `${workflow.file}: job ${job}, ${label}: type=gha cache`);
  const publishes = all.some(
    ({ step }) => step.uses?.startsWith('docker/build-push-action@') === true && step.with?.push === true,
  );
  if (publishes) {
    for (const { job, label, step } of all) {
      const setupCache = step.uses?.startsWith('actions/setup-') === true && step.with?.cache !== undefined;
      if (step.uses?.startsWith('actions/cache') === true || setupCache)
        found.push(`${workflow.file}: job ${job}, ${label}: an Actions cache in a workflow that publishes an image`);
    }
  }
  return found;
}

/**
 * zizmor `secrets-outside-env`: a secret (other than GITHUB_TOKEN) is read only in a job that declares its
 * GitHub environment, whose deployment-branch rule keeps it to main; never in the workflow's top-level env.
 */
export function secretsOnlyInEnvironments(workflow: Workflow): string[] {
  const secret = /secrets\.(?!GITHUB_TOKEN\b)\w+/;
  const found = secret.test(JSON.stringify(workflow.env ?? {}))
    ? [`${workflow.file}: a secret in the top-level env`]
    : [];
  for (const [name, job] of Object.entries(workflow.jobs)) {
    if (secret.test(JSON.stringify(job)) && !environmentOf(job))
      found.push(`${workflow.file}: job ${name} reads a secret but declares no environment`);
  }
  return found;
}

/**
 * A write token (an App token minted in the job, or a secret token) is handed to one step of its job, its last:
 * the step that pushes. Never to the job's env, which every step would see. A comparison with the empty string
 * (whether a secret is set) is no token.
 */
export function tokenOnlyInLastStep(workflow: Workflow): string[] {
  const token = /(?:steps\.[\w-]+\.outputs\.token|secrets\.\w*TOKEN)\s*(?:\|\||\}\})/;
  const found: string[] = [];
  for (const [name, job] of Object.entries(workflow.jobs)) {
    if (token.test(JSON.stringify(job.env ?? {}))) found.push(`${workflow.file}: job ${name} puts a token in its env`);
    const jobSteps = job.steps ?? [];
    const given = jobSteps.flatMap((step, i) => (token.test(JSON.stringify(step.env ?? {})) ? [i] : []));
    if (given.length > 1) found.push(`${workflow.file}: job ${name} hands a token to ${given.length} steps`);
    if (given.length === 1 && given[0] !== jobSteps.length - 1)
      found.push(`${workflow.file}: job ${name} runs steps after the one holding a token`);
  }
  return found;
}

/**
 * The template checkout: a checkout of another repository (`repository:`) at no fixed commit (a 40-hex `ref:`,
 * or one an earlier step or job found) runs none of that repository's code in its job: no npm, npx or node
 * script (inline `node -e` is the workflow's own code). Its code runs only where it was checked out at a commit.
 */
export function foreignCheckoutsRunNoCode(workflow: Workflow): string[] {
  return Object.entries(workflow.jobs).flatMap(([name, job]) => {
    const floating = (job.steps ?? []).filter(step => {
      const ref = typeof step.with?.ref === 'string' ? step.with.ref : '';
      return isCheckout(step) && step.with?.repository !== undefined && !/^[0-9a-f]{40}$|(?:needs|steps)\./.test(ref);
    });
    if (floating.length === 0) return [];
    return runBlocks(workflow)
      .filter(b => b.job === name && /\bnpm\b|\bnpx\b|\bnode\s+(?!-e\b)/.test(b.script))
      .map(b => `${workflow.file}: job ${name}, ${b.step}: runs code of a repository checked out at no fixed commit`);
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
