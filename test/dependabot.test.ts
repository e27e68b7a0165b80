// The generated repository's Dependabot configuration: valid by the types SchemaStore's published schema is
// compiled into (@schemastore/dependabot-2.0; the JSON copy that package ships predates `groups`), with no key
// those types do not name, and doing what it promises: npm, GitHub Actions and the Docker base image, weekly,
// grouped so that minor and patch updates make a handful of pull requests, not one per package. Dependabot
// itself runs only on GitHub.
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
    assert.ok(
      images.length > 0 && images.every(image => /^[\w./-]+:[\w.-]+$/.test(image)),
      `FROM images ${images.join(', ')}: each a literal name:tag`,
    );
    const ignored = updateOf('docker').ignore?.map(i => i['dependency-name']) ?? [];
    assert.deepEqual(
      ignored,
      images.map(image => image.split(':')[0]),
      "the base image's majors are left to people",
    );
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
