// Upgrading a repository made from release N of the template to release N+1 (support/upgrades/template-versions.ts:
// one file changed, one new, one deleted, one renamed, a new form field with a default), through the real
// scaffolder and git: what the team changed is kept, what the template changed arrives, a conflict is
// marked and listed, a second run changes nothing, and the generated repository still passes its checks.
// Then the generated Template upgrade workflow's script, run as the workflow runs it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { dryRun, templateSource } from '../packages/tooling/src/backstage/dry-run';
import { git } from '../packages/tooling/src/git';
import { readRecorded } from '../packages/tooling/src/upgrade/answers';
import { UpgradeRefused, upgradeRepository, type UpgradeOptions } from '../packages/tooling/src/upgrade/upgrade';
import { rendersOnce, useBackstage } from './support/backstage/backstage';
import { listFiles, useRenderedVariants } from './support/backstage/rendered';
import { helm } from './support/chart/helm';
import { node24Env, run } from './support/service/node24';
import {
  NEXT,
  releaseNext,
  releaseRequiredField,
  REQUIRED,
  templateRepository,
} from './support/upgrades/template-versions';
import { DEVELOPER_ENV } from './support/workflows/developer';
import { upgradeJobs } from './support/workflows/template-upgrade-steps';
import { loadWorkflow, runBlocks } from './support/workflows/workflows';

// The author of the upgrade's commit and of the team's, as a developer's git configuration would give it.
Object.assign(process.env, DEVELOPER_ENV);

const TEAM_NOTE = '\nNotes of the team that owns this service.\n';
/** A line of the Dockerfile the template leaves alone in N+1, a few lines above the one it changes. */
const DOCKERFILE_QUIET_LINE = '# By number, so that Kubernetes can verify runAsNonRoot.';

const variants = useRenderedVariants();
const variant = () => variants('long-prod');
let templateDir: string;
let nextCommit: string;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'upgrade-test-'));

before(() => {
  templateDir = templateRepository();
  nextCommit = releaseNext(templateDir);
  releaseRequiredField(templateDir);
});

/** A copy of the generated repository with the team's commit on top (none when CHANGE is absent). */
function teamRepository(name: string, change?: (file: (relative: string) => string) => void): string {
  const dir = path.join(work, name);
  fs.cpSync(variant().dir, dir, { recursive: true, filter: source => path.basename(source) !== 'node_modules' });
  if (change) {
    change(relative => path.join(dir, relative));
    git(dir, ['add', '--all']);
    git(dir, ['commit', '--quiet', '--message', 'The team changes things']);
  }
  return dir;
}

const edit = (file: string, from: string, to: string) => {
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${file} has no "${from}"`);
  fs.writeFileSync(file, text.replace(from, to));
};
const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

describe(`npm run upgrade: release N to N+1, through the scaffolder and git`, () => {
  const backstage = useBackstage();
  const renders = rendersOnce(backstage);
  const upgrade = (repoDir: string, options: Partial<UpgradeOptions> = {}) =>
    upgradeRepository({ api: renders(), templateDir, repoDir, ...options });
  let clean: string;

  test('an untouched repository becomes exactly what release N+1 renders from its answers', async () => {
    const repo = teamRepository('untouched');
    const result = await upgrade(repo);
    assert.equal(result.outcome, 'prepared');
    const answers = { ...readRecorded(variant().dir).answers, [NEXT.field.name]: NEXT.field.default };
    const fresh = await dryRun(backstage().api, templateSource(templateDir), answers);
    assert.equal(fresh.verdict, 'accepted');
    assert.deepEqual(listFiles(repo), [...fresh.files.keys()].sort());
    for (const [file, text] of fresh.files) assert.equal(read(repo, file), text, file);
  });

  test("keeps the team's changes, brings the template's: changed, new, deleted, renamed files, a field", async () => {
    clean = teamRepository('clean', file => {
      edit(
        file('Dockerfile'),
        DOCKERFILE_QUIET_LINE,
        '# The node user (uid 10001), by number: runAsNonRoot verifies it.',
      );
      fs.appendFileSync(file('README.md'), TEAM_NOTE);
      fs.writeFileSync(file('docs/team.md'), '# The team\n');
      fs.appendFileSync(file(NEXT.renamed.from), TEAM_NOTE);
    });
    const teamCommit = git(clean, ['rev-parse', 'HEAD']);
    const result = await upgrade(clean);
    assert.equal(result.outcome, 'prepared');
    assert.equal(git(clean, ['branch', '--show-current']), `template-upgrade/${NEXT.version}`);
    assert.equal(git(clean, ['rev-parse', 'HEAD^']), teamCommit, "one commit on top of the team's");
    assert.equal(git(clean, ['status', '--porcelain']), '');
    assert.deepEqual(result.conflicts, []);

    const dockerfile = read(clean, 'Dockerfile');
    assert.ok(dockerfile.includes(NEXT.changed.to), "the template's change");
    assert.ok(dockerfile.includes('# The node user (uid 10001)'), "the team's change");
    assert.ok(read(clean, 'README.md').endsWith(TEAM_NOTE), 'a file only the team changed');
    assert.equal(read(clean, 'docs/team.md'), '# The team\n', 'a file the team added');
    assert.match(
      read(clean, NEXT.added),
      new RegExp(NEXT.field.default.replace('.', '\\.')),
      "the new file, with the new field's default",
    );
    assert.ok(!fs.existsSync(path.join(clean, NEXT.deleted)), 'the deleted file');
    assert.ok(!fs.existsSync(path.join(clean, NEXT.renamed.from)));
    assert.ok(read(clean, NEXT.renamed.to).endsWith(TEAM_NOTE), "the renamed file, with the team's change");

    const recorded = readRecorded(clean);
    assert.equal(recorded.version, NEXT.version);
    assert.equal(recorded.answers[NEXT.field.name], NEXT.field.default);
    assert.deepEqual(result.defaulted, [{ name: NEXT.field.name, value: NEXT.field.default }]);

    const message = git(clean, ['log', '-1', '--format=%B']);
    for (const line of [
      `changed: ${NEXT.changed.path}`,
      `added: ${NEXT.added}`,
      `deleted: ${NEXT.deleted}`,
      `renamed: ${NEXT.renamed.from} -> ${NEXT.renamed.to}`,
      `${NEXT.field.name}: "${NEXT.field.default}"`,
      `Template-Upgrade: ${readRecorded(variant().dir).version} -> ${NEXT.version}`,
    ]) {
      assert.ok(message.includes(line), `the commit message lists "${line}":\n${message}`);
    }
    assert.doesNotMatch(message, /Conflicts/);
  });

  test('a conflict is left marked as git marks it and listed, never resolved either way', async () => {
    const repo = teamRepository('conflict', file => {
      edit(file('Dockerfile'), NEXT.changed.line, 'ENV NODE_ENV=production PORT=8080 TZ=UTC');
      fs.appendFileSync(file(NEXT.deleted), TEAM_NOTE);
    });
    const result = await upgrade(repo, { to: nextCommit });
    assert.equal(result.outcome, 'prepared');
    assert.deepEqual(result.conflicts, ['Dockerfile', NEXT.deleted]);
    assert.ok(
      read(repo, 'Dockerfile').includes(
        [
          '<<<<<<< template-upgrade/this-repository',
          'ENV NODE_ENV=production PORT=8080 TZ=UTC',
          '=======',
          NEXT.changed.to,
          `>>>>>>> template-upgrade/template-${NEXT.version}`,
        ].join('\n'),
      ),
      read(repo, 'Dockerfile'),
    );
    assert.ok(
      read(repo, NEXT.deleted).endsWith(TEAM_NOTE),
      'the file the team changed and the template deleted stays, as the team left it',
    );
    const message = git(repo, ['log', '-1', '--format=%B']);
    assert.match(message, /CONFLICT \(content\): Merge conflict in Dockerfile/);
    assert.ok(
      message.includes(
        `<<<<<<< template-upgrade/this-repository and >>>>>>> template-upgrade/template-${NEXT.version}`,
      ),
      'the message names the markers',
    );
    assert.match(
      message,
      new RegExp(`CONFLICT \\(modify/delete\\): ${NEXT.deleted} deleted in template-upgrade/template-${NEXT.version}`),
    );
  });

  test("a file the team moved receives the template's change where it now is", async () => {
    const repo = teamRepository('moved', file => {
      fs.mkdirSync(file('build'));
      fs.renameSync(file(NEXT.changed.path), file(`build/${NEXT.changed.path}`));
    });
    const result = await upgrade(repo);
    assert.deepEqual(result.outcome === 'prepared' && result.conflicts, []);
    assert.ok(!fs.existsSync(path.join(repo, NEXT.changed.path)));
    assert.ok(read(repo, `build/${NEXT.changed.path}`).includes(NEXT.changed.to));
  });

  test('running it twice is a no-op; uncommitted changes are refused and nothing moves', async () => {
    // A current repository and a refusal are answered before the scaffolder is needed (Backstage not started).
    const unasked = { api: () => Promise.reject(new Error('the scaffolder was asked for')) };
    assert.deepEqual(await upgrade(clean, unasked), { outcome: 'current', version: NEXT.version });
    const branch = `template-upgrade/${NEXT.version}`;
    const prepared = git(clean, ['rev-parse', branch]);
    git(clean, ['checkout', '--quiet', 'HEAD^']);
    const again = await upgrade(clean);
    assert.equal(again.outcome, 'prepared-before');
    assert.equal(git(clean, ['rev-parse', branch]), prepared, 'the branch is as the first run left it');

    const dirty = teamRepository('dirty');
    fs.appendFileSync(path.join(dirty, 'README.md'), TEAM_NOTE);
    const head = git(dirty, ['rev-parse', 'HEAD']);
    await assert.rejects(
      upgrade(dirty, unasked),
      (error: Error) =>
        error instanceof UpgradeRefused &&
        /uncommitted changes/.test(error.message) &&
        /README\.md/.test(error.message),
    );
    assert.equal(git(dirty, ['rev-parse', 'HEAD']), head);
    assert.equal(git(dirty, ['branch', '--list', 'template-upgrade/*']), '');
  });

  test('a new required field without a default is refused until given; the form checks what is given', async () => {
    const repo = teamRepository('required');
    const refusal = (pattern: RegExp) => (error: Error) =>
      error instanceof UpgradeRefused && pattern.test(error.message);
    const { name } = REQUIRED.field;
    await assert.rejects(
      upgrade(repo, { to: REQUIRED.branch }),
      refusal(new RegExp(`asks for Cost center \\(${name}\\), with no default: give it with --answer ${name}=VALUE`)),
    );
    await assert.rejects(
      upgrade(repo, { to: REQUIRED.branch, given: { [name]: 'banana' } }),
      refusal(new RegExp(`form refuses[\\s\\S]*Cost center \\(${name}, page "Service"\\): "banana" is refused`)),
    );
    assert.equal(git(repo, ['branch', '--list', 'template-upgrade/*']), '', 'a refusal changes nothing');
    const result = await upgrade(repo, { to: REQUIRED.branch, given: { [name]: 'cc-42' } });
    assert.equal(result.outcome, 'prepared');
    assert.equal(readRecorded(repo).version, REQUIRED.version);
    assert.match(git(repo, ['log', '-1', '--format=%B']), new RegExp(`Answers given for this upgrade: ${name}`));
  });

  test(
    'the upgraded repository passes its own checks: npm ci, lint, tests, helm lint',
    { timeout: 10 * 60_000 },
    async () => {
      assert.ok(clean, 'the clean upgrade ran');
      git(clean, ['checkout', '--quiet', `template-upgrade/${NEXT.version}`]);
      const env = node24Env();
      for (const args of [['ci', '--no-audit', '--no-fund'], ['run', 'lint'], ['test']]) {
        const { code, output } = await run('npm', args, clean, env);
        assert.equal(code, 0, `npm ${args.join(' ')}:\n${output.slice(-4000)}`);
      }
      const chart = path.join(clean, 'charts', variant().app_name);
      for (const values of ['values-dev.yaml', 'values-prod.yaml']) {
        const result = helm(['lint', '--strict', '.', '-f', values], chart);
        assert.equal(result.status, 0, result.output);
      }
    },
  );
});

describe('the Template upgrade workflow, its script run as the workflow runs it', () => {
  test('pushes the branch, opens one pull request listing the conflicts, updates it, leaves a person alone', () => {
    const repo = teamRepository('workflow', file => {
      edit(file('Dockerfile'), NEXT.changed.line, 'ENV NODE_ENV=production PORT=8080 TZ=UTC');
    });
    const workflow = loadWorkflow(repo, '.github/workflows/template-upgrade.yaml');
    const step = runBlocks(workflow).find(
      block => block.job === 'upgrade' && /npm --prefix "\$TEMPLATE_DIR" run --silent upgrade/.test(block.script),
    );
    const propose = runBlocks(workflow).find(block => block.job === 'propose' && /gh pr create/.test(block.script));
    assert.ok(step && propose, 'the step that runs npm run upgrade, the step that pushes and opens the PR');
    const origin = upgradeJobs(repo, templateDir, node24Env());
    const main = origin.git('rev-parse', 'main');

    const first = origin.run(step.script, propose.script);
    assert.equal(first.status, 0, first.output);
    const pushed = origin.git('rev-parse', 'template-upgrade');
    assert.equal(origin.git('rev-parse', 'template-upgrade^'), main);
    assert.equal(origin.git('rev-parse', 'main'), main, 'main is not touched');
    assert.deepEqual(
      first.gh.map(call => call.args.slice(0, 2).join(' ')),
      ['pr list', 'pr create'],
    );
    const create = first.gh[1];
    assert.ok(
      create.args.includes(
        `Upgrade to template:default/koa-service ${NEXT.version} (from ${readRecorded(repo).version})`,
      ),
      create.args.join(' '),
    );
    assert.ok(create.body, 'pr create is given a body file');
    assert.match(create.body, /Conflicts: 1 file[\s\S]*CONFLICT \(content\): Merge conflict in Dockerfile/);
    assert.match(create.body, new RegExp(`renamed: ${NEXT.renamed.from} -> ${NEXT.renamed.to}`));

    const second = origin.run(step.script, propose.script);
    assert.equal(second.status, 0, second.output);
    assert.match(second.output, /template-upgrade holds this upgrade already/);
    assert.equal(origin.git('rev-parse', 'template-upgrade'), pushed, 'the same upgrade is not pushed again');
    assert.deepEqual(
      second.gh.map(call => call.args.slice(0, 3).join(' ')),
      ['pr list --head', 'pr edit 1'],
    );

    // A person resolves the conflict on the branch; the next run must leave it.
    const person = path.join(work, 'person');
    git(work, ['clone', '--quiet', '--branch', 'template-upgrade', origin.dir, person]);
    fs.writeFileSync(
      path.join(person, 'Dockerfile'),
      read(person, 'Dockerfile').replace(/<<<<<<< [^\n]*\n[^\n]*\n=======\n([^\n]*)\n>>>>>>> [^\n]*\n/, '$1\n'),
    );
    git(person, ['commit', '--quiet', '--all', '--message', 'Resolve the Dockerfile']);
    git(person, ['push', '--quiet', 'origin', 'template-upgrade']);
    const resolved = origin.git('rev-parse', 'template-upgrade');
    const third = origin.run(step.script, propose.script);
    assert.equal(third.status, 0, third.output);
    assert.match(third.output, /::warning title=Template upgrade not pushed::/);
    assert.equal(origin.git('rev-parse', 'template-upgrade'), resolved, "the person's commit stays");
    assert.deepEqual(third.gh, []);
  });
});
