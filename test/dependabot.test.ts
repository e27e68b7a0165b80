// The generated repository's Dependabot configuration: valid by the types SchemaStore's published schema is
// compiled into (@schemastore/dependabot-2.0; the JSON copy that package ships predates `groups`), with no key
// those types do not name, and doing what it promises: npm, GitHub Actions and the Docker base image (pinned by
// digest), weekly, grouped so that minor and patch updates make a handful of pull requests, not one per package,
// each held back by a cooldown after its release. Dependabot itself runs only on GitHub.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { useRenderedVariants } from './support/backstage/rendered';
import { dependabotTypeErrors, groupOf, type DependabotConfig, type Update } from './support/workflows/dependabot';

/** Minor and patch pull requests a repository may get in a week, at most. */
const MAX_WEEKLY_GROUPED = 5;

const variant = useRenderedVariants();

describe('the Dependabot configuration of short-prod', () => {
  const repo = () => variant('short-prod').dir;
  const config = () =>
    parseYaml(fs.readFileSync(path.join(repo(), '.github', 'dependabot.yml'), 'utf8')) as DependabotConfig;
  /** The update of ECOSYSTEM; a configuration without one fails the test that asks. */
  const updateOf = (ecosystem: string): Update => {
    const update = config().updates.find(u => u['package-ecosystem'] === ecosystem);
    assert.ok(update, `no update for ${ecosystem}`);
    return update;
  };

  test("type-checks against the schema's types, every key one they name", () => {
    assert.deepEqual(dependabotTypeErrors(config()), []);
  });

  test('fails the type check on a misspelt value and on an unknown key', () => {
    const misspelt = structuredClone(config());
    misspelt.updates[0].schedule.interval = 'weekley';
    assert.match(dependabotTypeErrors(misspelt).join('\n'), /weekley/);
    const unknown = structuredClone(config());
    unknown.updates[0]['open-pull-request-limit'] = 5;
    assert.match(dependabotTypeErrors(unknown).join('\n'), /not a key of the schema/);
  });

  test("watches npm, the workflows' actions and the Docker base image, weekly, where their manifests are", () => {
    const updates = config().updates;
    assert.deepEqual(updates.map(u => u['package-ecosystem']).sort(), ['docker', 'github-actions', 'npm']);
    for (const update of updates) assert.equal(update.schedule.interval, 'weekly', update['package-ecosystem']);
    const at = (ecosystem: string) => path.join(repo(), updateOf(ecosystem).directory);
    assert.ok(fs.existsSync(path.join(at('npm'), 'package-lock.json')), 'npm: no package-lock.json there');
    assert.ok(
      fs.readdirSync(path.join(at('github-actions'), '.github', 'workflows')).length > 0,
      'github-actions: no workflows there',
    );
    // Dependabot reads the image of a FROM line; it does not resolve ARG values (dependabot-core#2057).
    const froms = fs
      .readFileSync(path.join(at('docker'), 'Dockerfile'), 'utf8')
      .split('\n')
      .filter(line => /^FROM\s/i.test(line));
    const stages = froms.flatMap(line => /\sAS\s+(\S+)/i.exec(line)?.[1] ?? []);
    const images = froms.map(line => line.split(/\s+/)[1]).filter(image => !stages.includes(image));
    // Tag and digest: Dependabot updates both together; the digest is what is pulled.
    assert.ok(
      images.length > 0 && images.every(image => /^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/.test(image)),
      `FROM images ${images.join(', ')}: each a literal name:tag@sha256:digest`,
    );
    const ignored = updateOf('docker').ignore?.map(i => i['dependency-name']) ?? [];
    assert.deepEqual(
      ignored,
      images.map(image => image.split(':')[0]),
      "the base image's majors are left to people",
    );
  });

  test("the Dockerfile's BuildKit frontend is pinned by digest, and its user is the chart's, above 10000", () => {
    const dockerfile = fs.readFileSync(path.join(repo(), 'Dockerfile'), 'utf8');
    assert.match(dockerfile.split('\n')[0], /^# syntax=docker\/dockerfile:[\d.]+@sha256:[0-9a-f]{64}$/);
    const users = [...dockerfile.matchAll(/^USER (\d+):(\d+)$/gm)].map(m => [Number(m[1]), Number(m[2])]);
    const values = parseYaml(
      fs.readFileSync(path.join(repo(), 'charts', variant('short-prod').app_name, 'values.yaml'), 'utf8'),
    ) as { podSecurityContext: { runAsUser: number; runAsGroup: number; fsGroup: number } };
    const { runAsUser, runAsGroup, fsGroup } = values.podSecurityContext;
    assert.deepEqual(users, [[runAsUser, runAsGroup]], "one USER, by number, the chart's runAsUser:runAsGroup");
    assert.equal(fsGroup, runAsGroup);
    assert.ok(
      runAsUser > 10000 && runAsGroup > 10000,
      'above 10000 (kube-score container-security-context-user-group-id, checkov CKV_K8S_40)',
    );
  });

  test('holds every update back by a cooldown, longer for bigger updates (security updates are not held)', () => {
    for (const update of config().updates) {
      const cooldown = update.cooldown as Record<string, number> | undefined;
      assert.ok(cooldown, `${update['package-ecosystem']}: no cooldown`);
      const days = ['semver-patch-days', 'semver-minor-days', 'semver-major-days'].map(key => cooldown[key]);
      assert.ok(cooldown['default-days'] > 0, `${update['package-ecosystem']}: default-days`);
      assert.ok(
        days[0] > 0 && days[0] <= days[1] && days[1] <= days[2],
        `${update['package-ecosystem']}: ${days.join(' <= ')}`,
      );
    }
  });

  test(`groups every minor and patch update, ${MAX_WEEKLY_GROUPED} pull requests a week at most`, () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repo(), 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const npm = updateOf('npm');
    const dependencies = [
      ...Object.keys(pkg.dependencies ?? {}).map(name => ({ name, type: 'production' as const })),
      ...Object.keys(pkg.devDependencies ?? {}).map(name => ({ name, type: 'development' as const })),
    ];
    const ungrouped = dependencies.filter(d => !groupOf(npm, d, 'minor') || !groupOf(npm, d, 'patch')).map(d => d.name);
    assert.deepEqual(ungrouped, [], 'npm dependencies whose minor or patch updates get a pull request each');
    const npmGroups = new Set(dependencies.map(d => groupOf(npm, d, 'minor')));
    const actions = updateOf('github-actions');
    assert.ok(
      groupOf(actions, { name: 'actions/checkout', type: 'production' }, 'minor'),
      'the actions are not grouped',
    );
    const weekly = npmGroups.size + 1 + 1; // the npm groups, the actions group, the one base image
    assert.ok(weekly <= MAX_WEEKLY_GROUPED, `${weekly} grouped pull requests a week`);
  });
});
