// The render matrix: dev and prod, the shortest and the longest valid name, each rendered through the
// real scaffolder. Every tree must be fully rendered, parse, and keep its GitHub Actions expressions.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import globby from 'globby';
import { parseAllDocuments } from 'yaml';
import { git } from '../packages/tooling/src/git';
import { repoRoot } from '../packages/tooling/src/template-repository';
import { listFiles, useRenderedVariants, VARIANT_IDS } from './support/backstage/rendered';
import { fetchTemplateInput } from './support/backstage/template';
import { catalogEntities } from './support/catalog/entities';
import { PART_OF } from './support/environments/environments';
import { githubExpressions, escapedGithubExpressions, unescapedExpressions } from './support/skeleton/expressions';
import { escapeFindings } from './support/skeleton/skeleton-escapes';

const fetchInput = fetchTemplateInput();
const skeleton = path.join(repoRoot, fetchInput.url);
/**
 * The files of a tree that fetch:template copies as they are (Helm's Go templates, the dashboards): their
 * text is not templated, and a Helm template is not YAML until Helm renders it.
 */
const copiedAsIs = (dir: string) =>
  new Set(globby.sync(fetchInput.copyWithoutTemplating ?? [], { cwd: dir, dot: true, onlyFiles: true }));
const templated = (dir: string) => {
  const asIs = copiedAsIs(dir);
  return listFiles(dir).filter(file => !asIs.has(file));
};

const variant = useRenderedVariants();

describe('the skeleton', () => {
  test('reads only values the template passes, and uses every one of them', () => {
    const passed = Object.keys(fetchInput.values).sort();
    const read = new Set<string>();
    for (const file of templated(skeleton)) {
      const text = `${file}\n${fs.readFileSync(path.join(skeleton, file), 'utf8')}`;
      for (const tag of text.match(/\$\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g) ?? []) {
        for (const [, name] of tag.matchAll(/\bvalues\.([A-Za-z_]\w*)/g)) read.add(name);
      }
    }
    // An unknown name renders as an empty string without any error: this is the only place it shows.
    assert.deepEqual(
      [...read].filter(name => !passed.includes(name)),
      [],
      'read but not passed',
    );
    assert.deepEqual(
      passed.filter(name => !read.has(name)),
      [],
      'passed but never read',
    );
  });

  test('passes every value through the escape its file needs (YAML/JSON: dump; Markdown: escape)', () => {
    const findings = templated(skeleton).flatMap(file =>
      escapeFindings(file, fs.readFileSync(path.join(skeleton, file), 'utf8')),
    );
    assert.deepEqual(findings, []);
  });

  test('the escape check finds a raw value in YAML, JSON and Markdown', () => {
    assert.deepEqual(escapeFindings('a.yaml', 'name: ${{ values.app_name }}\n# ${{ values.app_name }}\n'), [
      'a.yaml:1: app_name must end in | dump in YAML and JSON',
    ]);
    assert.equal(escapeFindings('a.json', '{"a": "${{ values.owner | lower }}"}').length, 1);
    assert.equal(escapeFindings('a.yaml', 'a: ${{ (values.app_name ~ values.description) | dump }}').length, 0);
    assert.equal(escapeFindings('a.md', '# ${{ values.app_name }}\n${{ values.description }}').length, 1);
    assert.equal(escapeFindings('a.md', '<p>${{ values.description | escape }}</p>').length, 0);
    assert.equal(escapeFindings('a.ts', "const d = '${{ values.description }}';").length, 1);
    assert.equal(escapeFindings('${{ values.description }}.txt', '').length, 1);
  });

  test("tells the skeleton's loop variables from GitHub contexts", () => {
    const loop = (name: string) => `{% for ${name} in values.environments %}\${{ ${name} | dump }}{% endfor %}`;
    assert.deepEqual(unescapedExpressions(loop('environment')), []);
    assert.deepEqual(unescapedExpressions(loop('env')), ['${{ env | dump }}']);
    assert.deepEqual(unescapedExpressions('${{ environment.url }}'), ['${{ environment.url }}'], 'outside a loop');
  });

  test('has no GitHub Actions expression left unescaped (Backstage would render it empty)', () => {
    const offenders = listFiles(skeleton).flatMap(file =>
      unescapedExpressions(fs.readFileSync(path.join(skeleton, file), 'utf8')).map(e => `${file}: ${e}`),
    );
    assert.deepEqual(offenders, []);
  });
});

for (const id of VARIANT_IDS) {
  describe(`rendered ${id}`, () => {
    const files = () => listFiles(variant(id).dir);
    const read = (file: string) => fs.readFileSync(path.join(variant(id).dir, file), 'utf8');

    test('has every skeleton file, under its rendered name', () => {
      const expected = listFiles(skeleton).map(f => f.replaceAll('${{ values.app_name }}', variant(id).app_name));
      assert.deepEqual(files(), expected.sort());
    });

    test('leaves no template expression in any file name or file', () => {
      const leftovers = files().filter(f => /\$\{\{\s*values\.|\{%|%\}/.test(f) || /\$\{\{\s*values\./.test(read(f)));
      assert.deepEqual(leftovers, []);
    });

    test('parses: every YAML and JSON file', () => {
      const asIs = copiedAsIs(variant(id).dir);
      for (const file of files()) {
        if (/\.ya?ml$/.test(file) && !asIs.has(file)) {
          for (const doc of parseAllDocuments(read(file))) assert.deepEqual(doc.errors, [], file);
        }
        if (file.endsWith('.json')) assert.doesNotThrow(() => JSON.parse(read(file)), file);
      }
    });

    test('keeps every GitHub Actions expression of the skeleton, none empty', () => {
      const workflowDir = path.join('.github', 'workflows');
      for (const file of files().filter(f => f.startsWith(workflowDir))) {
        const source = fs.readFileSync(path.join(skeleton, file), 'utf8');
        const expected = escapedGithubExpressions(source);
        const actual = githubExpressions(read(file));
        assert.deepEqual(actual, expected, file);
        assert.ok(
          actual.every(e => e.replace(/^\$\{\{|\}\}$/g, '').trim() !== ''),
          `${file} has an empty expression`,
        );
      }
    });

    test('is a git repository with exactly one commit and a clean tree', () => {
      const { dir } = variant(id);
      assert.equal(git(dir, ['rev-list', '--count', 'HEAD']), '1');
      assert.equal(git(dir, ['status', '--porcelain']), '');
    });

    test('names the service, environment and template where the skeleton asks', () => {
      const { app_name, app_env, dir } = variant(id);
      const [component] = catalogEntities(dir);
      assert.equal(component.metadata.name, app_name);
      assert.equal(component.metadata.annotations?.['argocd/app-selector'], `${PART_OF}=${app_name}`);
      // A dev start holds prod, but nothing runs there before a first promotion.
      assert.equal(component.spec?.lifecycle, app_env === 'prod' ? 'production' : 'experimental');
      assert.equal((JSON.parse(read('package.json')) as { name: string }).name, app_name);
    });
  });
}
