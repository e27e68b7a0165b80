// Run by CI: node --test scripts/*.test.mjs
// The environments of this repository, and what scripts/environments.mjs does when the list or a generated
// file goes wrong, on a copy of the files it reads and writes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { appName, check, find, loadEnvironments, nextOf, previousOf, write } from './environments.mjs';

const script = fileURLToPath(new URL('environments.mjs', import.meta.url));
const root = path.dirname(path.dirname(script));
const app = appName(root);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'environments-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** A copy of what the script reads and writes; CHANGE edits it before the test looks. */
function copy(change = () => {}) {
  const dir = fs.mkdtempSync(path.join(work, 'repo-'));
  for (const file of ['package.json', 'environments.yaml', 'catalog-info.yaml', 'argocd', `charts/${app}`]) {
    fs.cpSync(path.join(root, file), path.join(dir, file), { recursive: true });
  }
  change(dir);
  return dir;
}
const edit = (dir, file, replace) => {
  const text = fs.readFileSync(path.join(dir, file), 'utf8');
  const changed = replace(text);
  assert.notEqual(changed, text, `the edit of ${file} changed nothing`);
  fs.writeFileSync(path.join(dir, file), changed);
};
/** environments.yaml with ENTRY (its YAML lines) added at the end of the list. */
const appendEntry = entry => text => `${text.trimEnd()}\n${entry}\n`;
const cli = (dir, ...args) => {
  try {
    const options = { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] };
    return { status: 0, out: execFileSync(process.execPath, [script, ...args], options) };
  } catch (error) {
    return { status: error.status, out: `${error.stdout}${error.stderr}` };
  }
};

describe('this repository', () => {
  test('lists its environments, each with its values file', () => {
    const envs = loadEnvironments(root);
    assert.ok(envs.length > 0);
    for (const env of envs) assert.equal(env.valuesFile, `charts/${app}/values-${env.name}.yaml`);
  });

  test('has argocd/ and the catalog links as environments.yaml gives them', () => {
    assert.deepEqual(check(root), []);
  });

  test('the CLI answers from the list', () => {
    const envs = loadEnvironments(root);
    const names = envs.map(env => env.name);
    assert.equal(cli(root, 'first').out.trim(), names[0]);
    assert.equal(cli(root, 'names').out.trim(), names.join(' '));
    assert.deepEqual(JSON.parse(cli(root, 'matrix').out), names);
    assert.equal(cli(root, 'values-file', names[0]).out.trim(), envs[0].valuesFile);
    const first = cli(root, 'previous', names[0]);
    assert.equal(first.status, 1);
    assert.match(first.out, /is the first environment/);
    assert.match(cli(root, 'values-file', 'nowhere').out, /unknown environment nowhere; known: /);
  });
});

describe('the path', () => {
  const envs = [{ name: 'dev' }, { name: 'staging' }, { name: 'prod' }];
  test('previous and next follow the order of the list', () => {
    assert.equal(previousOf(envs, 'staging').name, 'dev');
    assert.equal(previousOf(envs, 'dev'), undefined);
    assert.equal(nextOf(envs, 'staging').name, 'prod');
    assert.equal(nextOf(envs, 'prod'), undefined);
    assert.throws(() => find(envs, 'qa'), /unknown environment qa; known: dev, staging, prod/);
  });
});

describe('a broken list is refused with the reason', () => {
  const first = () => loadEnvironments(root)[0];
  const entry = (fields = {}) => {
    const { name, namespace, cluster, prometheus, soak } = { ...first(), ...fields };
    const lines = [`  - name: ${name}`, `    namespace: ${namespace}`, `    cluster: ${cluster}`];
    lines.push(`    prometheus: "${prometheus}"`, `    soak: ${soak}`, `    protected: false`);
    return lines.join('\n');
  };
  const cases = [
    ['a duplicate name', text => appendEntry(entry())(text), /same name/],
    ['a name with capitals', text => appendEntry(entry({ name: 'Stage', namespace: 'x-stage' }))(text), /name must/],
    ['an unknown key', text => text.replace(/^(\s+)soak:/m, '$1colour: blue\n$1soak:'), /unknown keys colour/],
    ['a soak without a unit', text => text.replace(/soak: .*/, 'soak: 60'), /soak must/],
    ['a prometheus that is no URL', text => text.replace(/prometheus: .*/, 'prometheus: nowhere'), /prometheus must/],
    ['a missing key', text => text.replace(/^\s+protected: .*\n/m, ''), /missing protected/],
  ];
  for (const [what, change, reason] of cases) {
    test(what, () => {
      const dir = copy(d => edit(d, 'environments.yaml', change));
      assert.throws(() => loadEnvironments(dir), reason);
      const result = cli(dir, 'check');
      assert.equal(result.status, 1);
      assert.match(result.out, reason);
    });
  }

  test('an environment without its values file', () => {
    const dir = copy(d => fs.rmSync(path.join(d, first().valuesFile)));
    assert.throws(() => loadEnvironments(dir), /values-\w+\.yaml is missing/);
  });

  test("a values file whose environment: is another's", () => {
    const dir = copy(d => edit(d, first().valuesFile, text => text.replace(/^environment: .*$/m, 'environment: qa')));
    assert.throws(() => loadEnvironments(dir), /says environment: "qa", not/);
  });
});

describe('the generated files', () => {
  test('a stale Application, a stray file and stale catalog links are each named', () => {
    const dir = copy(d => {
      edit(d, 'argocd/applications.yaml', text => text.replace('selfHeal: true', 'selfHeal: false'));
      fs.writeFileSync(path.join(d, 'argocd', 'application.yaml'), 'kind: Application\n');
      edit(d, 'catalog-info.yaml', text => text.replace(/title: "Health \(/, 'title: "Healthz ('));
    });
    assert.deepEqual(check(dir), [
      'argocd/applications.yaml differs from what environments.yaml gives: run npm run environments',
      "catalog-info.yaml: its environments' links differ from environments.yaml: run npm run environments",
      'argocd/application.yaml is not generated from environments.yaml: remove it',
    ]);
  });

  test('two environments served at one host', () => {
    const dir = copy(d => {
      edit(d, 'environments.yaml', appendEntry(entry('qa')));
      const host = /^\s+host: (.*)$/m.exec(fs.readFileSync(path.join(d, first().valuesFile), 'utf8'))[1];
      fs.writeFileSync(path.join(d, `charts/${app}/values-qa.yaml`), `environment: qa\ningress:\n  host: ${host}\n`);
    });
    assert.match(check(dir).join('\n'), /two environments are served at .*: give each values file its own/);
  });

  test('a new environment: one entry and its values file, then npm run environments', () => {
    const dir = copy(d => {
      edit(d, 'environments.yaml', appendEntry(entry('qa')));
      const qa = `environment: qa\ningress:\n  host: ${app}-qa.example.com\n`;
      fs.writeFileSync(path.join(d, `charts/${app}/values-qa.yaml`), qa);
    });
    assert.match(check(dir).join('\n'), /applications\.yaml differs/);
    assert.deepEqual(write(dir).sort(), ['argocd/applications.yaml', 'argocd/project.yaml', 'catalog-info.yaml']);
    assert.deepEqual(check(dir), []);
    assert.deepEqual(write(dir), [], 'a second write changes nothing');
    const applications = fs.readFileSync(path.join(dir, 'argocd/applications.yaml'), 'utf8');
    assert.match(applications, new RegExp(`name: "${app}-qa"`));
    const catalog = fs.readFileSync(path.join(dir, 'catalog-info.yaml'), 'utf8');
    assert.match(catalog, new RegExp(`url: "https://${app}-qa\\.example\\.com/api/v1/healthz"`));
  });

  function first() {
    return loadEnvironments(root)[0];
  }
  function entry(name) {
    const { cluster } = first();
    return [
      `  - name: ${name}`,
      `    namespace: ${app}-${name}`,
      `    cluster: ${cluster}`,
      '    prometheus: ""',
      '    soak: 30m',
      '    protected: false',
    ].join('\n');
  }
});
