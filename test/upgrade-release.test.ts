// The newest release against the one published before it, both as releases.json records them: a repository
// made by the previous release, untouched or with a team's edits, upgraded by `npm run upgrade` to this
// checkout's release. upgrade.test.ts holds the merge's rules on a synthetic release; this file holds the
// real one, so a release that moves or deletes files repositories have is proven to reach them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import semver from 'semver';
import { dryRun, templateSource } from '../packages/tooling/src/backstage/dry-run';
import { git } from '../packages/tooling/src/git';
import { readReleases, templateVersion } from '../packages/tooling/src/release';
import { readTemplate, repoRoot } from '../packages/tooling/src/template-repository';
import { formFields, readRecorded } from '../packages/tooling/src/upgrade/answers';
import { changelogBetween, extractRelease } from '../packages/tooling/src/upgrade/template-history';
import { upgradeRepository } from '../packages/tooling/src/upgrade/upgrade';
import { useBackstage } from './support/backstage/backstage';
import { listFiles, useRenderedVariants } from './support/backstage/rendered';
import { DEVELOPER_ENV } from './support/workflows/developer';

Object.assign(process.env, DEVELOPER_ENV);

const releases = readReleases(repoRoot);
const newest = releases.at(-1);
const previous = releases.at(-2);
if (!newest || !previous) throw new Error('releases.json records fewer than two releases');

const TEAM_NOTE = '\nNotes of the team that owns this service.\n';
const variants = useRenderedVariants();
const variant = () => variants('long-dev');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'upgrade-release-'));
after(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

describe(`npm run upgrade from the published ${previous.version} to ${newest.version}`, () => {
  const backstage = useBackstage();
  let madeBefore: string;
  let answers: Record<string, unknown>;

  before(async () => {
    assert.equal(templateVersion(repoRoot), newest.version, 'this checkout is the newest release');
    const previousDir = path.join(work, `template-${previous.version}`);
    extractRelease(repoRoot, previous, previousDir);
    // The variant's answers, as the previous release's form asked them.
    const asked = new Set(formFields(readTemplate(previousDir)).map(field => field.name));
    answers = Object.fromEntries(
      Object.entries(readRecorded(variant().dir).answers).filter(([name]) => asked.has(name)),
    );
    const rendered = await dryRun(backstage().api, templateSource(previousDir), answers);
    assert.equal(rendered.verdict, 'accepted');
    madeBefore = path.join(work, 'made-before');
    for (const [file, { content, executable }] of rendered.rendered) {
      const full = path.join(madeBefore, file);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, content, { mode: executable ? 0o755 : 0o644 });
    }
    git(madeBefore, ['init', '--quiet', '--initial-branch=main']);
    git(madeBefore, ['add', '--all']);
    git(madeBefore, ['commit', '--quiet', '--message', `Create from ${previous.version}`]);
    assert.equal(readRecorded(madeBefore).version, previous.version);
  });

  /** A clone of the repository made by the previous release, with the team's commit when CHANGE is given. */
  function teamRepository(name: string, change?: (file: (relative: string) => string) => void): string {
    const dir = path.join(work, name);
    git(work, ['clone', '--quiet', madeBefore, dir]);
    if (change) {
      change(relative => path.join(dir, relative));
      git(dir, ['add', '--all']);
      git(dir, ['commit', '--quiet', '--message', 'The team changes things']);
    }
    return dir;
  }

  test('an untouched repository becomes exactly what the newest release renders from its answers', async () => {
    const repo = teamRepository('untouched');
    const result = await upgradeRepository({ api: backstage().api, templateDir: repoRoot, repoDir: repo });
    assert.ok(result.outcome === 'prepared', `the outcome is ${result.outcome}`);
    assert.deepEqual(result.conflicts, []);
    const fresh = await dryRun(backstage().api, templateSource(repoRoot), readRecorded(repo).answers);
    assert.equal(fresh.verdict, 'accepted');
    assert.deepEqual(listFiles(repo), [...fresh.files.keys()].sort());
    for (const [file, text] of fresh.files) assert.equal(read(repo, file), text, file);
  });

  test("a delivered repository: the team's edits stay, and so does the image its environment runs", async () => {
    const chart = `charts/${variant().app_name}`;
    const values = `${chart}/values-${variant().app_env}.yaml`;
    const deployed = { digest: `sha256:${'d'.repeat(64)}`, tag: `sha-${'d'.repeat(40)}` };
    let delivered = '';
    const repo = teamRepository('edited', file => {
      fs.appendFileSync(file('README.md'), TEAM_NOTE);
      fs.writeFileSync(file('docs/team.md'), '# The team\n');
      fs.appendFileSync(file(`${chart}/values.yaml`), '\n# Sized by the team after a load test.\n');
      // What the previous release's Delivery commits, by its own script.
      execFileSync(process.execPath, [file('scripts/set-image.mjs'), file(values), deployed.digest, deployed.tag]);
      delivered = fs.readFileSync(file(values), 'utf8');
    });
    const result = await upgradeRepository({ api: backstage().api, templateDir: repoRoot, repoDir: repo });
    assert.ok(result.outcome === 'prepared', `the outcome is ${result.outcome}`);
    const upgraded = read(repo, values);
    if (result.conflicts.length) {
      // A release that changes the image lines too leaves the choice to a person, both sides shown.
      assert.deepEqual(result.conflicts, [values]);
      assert.ok(upgraded.includes(delivered.match(/^ {2}tag: .*$/m)?.[0] ?? '?'), `the deployed tag:\n${upgraded}`);
    } else {
      for (const line of ['digest', 'tag'].map(key => new RegExp(`^ {2}${key}: .*$`, 'm'))) {
        assert.equal(upgraded.match(line)?.[0], delivered.match(line)?.[0], `the deployed ${line.source}`);
      }
    }
    assert.match(delivered, new RegExp(`${deployed.digest}[\\s\\S]*${deployed.tag}`), 'Delivery set the image');
    assert.ok(read(repo, 'README.md').endsWith(TEAM_NOTE), 'README.md keeps the team note');
    assert.equal(read(repo, 'docs/team.md'), '# The team\n');
    assert.ok(read(repo, `${chart}/values.yaml`).endsWith('# Sized by the team after a load test.\n'));
    assert.equal(readRecorded(repo).version, newest.version);

    const message = git(repo, ['log', '-1', '--format=%B']);
    const changelog = changelogBetween(repoRoot, v => semver.gt(v, previous.version));
    assert.ok(changelog.includes(`## ${newest.version}`), 'CHANGELOG.md has a section for the newest release');
    assert.ok(message.includes(changelog), 'the commit message carries the changelog of the releases between');
    if (semver.major(newest.version) > semver.major(previous.version)) {
      assert.match(changelog, /^### One-time steps$/m, 'a major release lists what a repository must do by hand');
    }
  });
});
